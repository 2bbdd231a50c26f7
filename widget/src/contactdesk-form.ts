// <contactdesk-form>: the embeddable contact form (docs/widget.md). A website owner adds
//   <script src="https://desk.example.com/widget.js" defer></script>
//   <contactdesk-form></contactdesk-form>
// The desk's address is the script's own origin (or the `endpoint` attribute). The rules and
// strings come from GET /widget/config.json?lang=xx, so the bundle holds no translations.
// Attributes: mode="button" (floating button + dialog), lang, token (Bearer: links the ticket to
// a signed-in user), name / email (prefill), category (preselect), endpoint.
import { html, LitElement, nothing, type PropertyValues } from 'lit';
import { fileField } from './file-field.js';
import { styles } from './styles.js';
import { checkAll, checkField, checkFiles, fill, languageOf, newKey, type WidgetConfig } from './validate.js';

// Read while the script runs: document.currentScript is null afterwards.
const SCRIPT_SRC = (document.currentScript as HTMLScriptElement | null)?.src ?? '';

type State = 'loading' | 'ready' | 'sending' | 'done' | 'unavailable';
const FIELDS = ['name', 'email', 'category', 'subject', 'message'] as const;
/** Fields that show an error of their own (the file field included). */
const SHOWN = [...FIELDS, 'attachments'] as const;
const AUTOCOMPLETE: Record<string, string> = { name: 'name', email: 'email' };

export class ContactDeskForm extends LitElement {
  static override styles = styles;
  static override properties = {
    mode: { type: String },
    token: { type: String },
    endpoint: { type: String },
    state: { state: true },
    config: { state: true },
    values: { state: true },
    errors: { state: true },
    statusText: { state: true },
    statusBad: { state: true },
    ticketNumber: { state: true },
    files: { state: true },
  };

  mode = 'inline';
  token = '';
  endpoint = '';
  state: State = 'loading';
  config: WidgetConfig | null = null;
  values: Record<string, string> = {};
  errors: Record<string, string> = {};
  statusText = '';
  statusBad = false;
  ticketNumber = '';
  /** Chosen attachments (each choice adds to the list; the list is what is sent). */
  files: File[] = [];
  /** One key per form fill: a double click or a retry of the same content sends the same key. */
  private key = newKey();
  private honeypotValue = '';
  /** The signed-in visitor, when the site passed a token. */
  private user: { name: string; email: string } | null = null;

  private get base(): string {
    return (this.endpoint || (SCRIPT_SRC ? new URL(SCRIPT_SRC).origin : location.origin)).replace(/\/+$/, '');
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load(): Promise<void> {
    const lang = languageOf(this);
    try {
      const res = await fetch(`${this.base}/widget/config.json?lang=${encodeURIComponent(lang)}`);
      if (!res.ok) throw new Error(`config ${res.status}`);
      this.config = (await res.json()) as WidgetConfig;
    } catch (err) {
      console.error('contactdesk-form: could not load its configuration', err);
      this.state = 'unavailable';
      return;
    }
    await this.loadUser();
    this.resetValues();
    // Right-to-left languages mirror the form, unless the page says otherwise on the element.
    if (!this.hasAttribute('dir')) this.setAttribute('dir', this.config.dir);
    this.state = 'ready';
  }

  /** A signed-in visitor (token attribute): their name and email prefill the form. */
  private async loadUser(): Promise<void> {
    if (!this.token) return;
    try {
      const res = await fetch(`${this.base}/api/v1/auth/me`, { headers: { Authorization: `Bearer ${this.token}` } });
      // Refused (expired, revoked): sent with the submit it would refuse that too, so it is dropped.
      if (res.status === 401) this.token = '';
      if (!res.ok) throw new Error(`auth/me ${res.status}`);
      const me = (await res.json()) as { name?: string; email?: string };
      this.user = { name: me.name ?? '', email: me.email ?? '' };
    } catch (err) {
      // The form still works, as an anonymous one would.
      console.warn('contactdesk-form: the token was not accepted; the form is not prefilled', err);
    }
  }

  private resetValues(): void {
    const c = this.config!;
    const prefill = (f: string) =>
      this.getAttribute(f) ?? this.user?.[f as 'name' | 'email'] ?? c.fields[f]?.default ?? '';
    this.values = Object.fromEntries(FIELDS.map((f) => [f, prefill(f)]));
    this.errors = {};
    this.files = [];
    this.key = newKey();
  }

  private onFiles(e: Event): void {
    const input = e.target as HTMLInputElement;
    this.setFiles([...this.files, ...Array.from(input.files ?? [])]);
    // Cleared so the same file can be chosen again after removing it.
    input.value = '';
  }

  private setFiles(files: File[]): void {
    this.files = files;
    this.key = newKey();
    const { attachments: _old, ...rest } = this.errors;
    const err = checkFiles(this.config!, files);
    this.errors = err ? { ...rest, attachments: err } : rest;
  }

  protected override updated(changed: PropertyValues): void {
    // Tests and the benchmark wait for this: the form is rendered and can be used.
    if (changed.has('state') && this.state === 'ready') this.setAttribute('ready', '');
  }

  private onInput(field: string, e: Event): void {
    this.values = { ...this.values, [field]: (e.target as HTMLInputElement).value };
    // Other content is another submission: a new key, so it is never mistaken for a retry.
    this.key = newKey();
    if (this.errors[field])
      this.errors = { ...this.errors, [field]: checkField(this.config!, field, this.values[field]!) };
  }

  private async onSubmit(e: Event): Promise<void> {
    e.preventDefault();
    if (this.state !== 'ready' || !this.config) return;
    const t = this.config.text;
    const errors = checkAll(this.config, this.values);
    const filesError = checkFiles(this.config, this.files);
    if (filesError) errors.attachments = filesError;
    if (Object.keys(errors).length) return this.showErrors(errors, t.err_fix!);
    this.state = 'sending';
    this.setStatus(t.sending!, false);
    try {
      const sent = { ...this.values, lang: this.config.lang, [this.config.honeypot]: this.honeypotValue };
      // With files: multipart/form-data (the browser sets the boundary), the files under
      // `attachments`; the fields come first so the server has them before the bytes.
      let payload: string | FormData = JSON.stringify(sent);
      if (this.files.length) {
        payload = new FormData();
        for (const [k, v] of Object.entries(sent)) payload.append(k, v);
        for (const f of this.files) payload.append('attachments', f, f.name);
      }
      const res = await fetch(`${this.base}/api/v1/contact/submit`, {
        method: 'POST',
        headers: {
          ...(this.files.length ? {} : { 'Content-Type': 'application/json' }),
          Accept: 'application/json',
          'Idempotency-Key': this.key,
          ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
        },
        body: payload,
      });
      const body = (await res.json().catch(() => ({}))) as {
        ticket_number?: string;
        error?: { code?: string; fields?: Record<string, string[]> };
      };
      this.state = 'ready';
      if (res.ok && body.ticket_number) return this.succeed(body.ticket_number);
      const fields = body.error?.fields ?? {};
      const known = Object.fromEntries(
        Object.entries(fields)
          .filter(([f]) => (SHOWN as readonly string[]).includes(f))
          .map(([f, msgs]) => [f, msgs.join(' ')]),
      );
      if (Object.keys(known).length) return this.showErrors(known, t.err_fix!);
      this.setStatus(res.status === 429 ? t.err_rate! : res.status === 403 ? t.err_forbidden! : t.err_generic!, true);
    } catch {
      // Network failure or a refused CORS check (the browser hides which): the key is kept, so
      // sending again cannot create a second ticket if the first one did arrive.
      this.state = 'ready';
      this.setStatus(t.err_network!, true);
    }
  }

  private setStatus(text: string, bad: boolean): void {
    this.statusText = text;
    this.statusBad = bad;
  }

  private async showErrors(errors: Record<string, string>, summary: string): Promise<void> {
    this.errors = errors;
    this.setStatus(summary, true);
    await this.updateComplete;
    const first = SHOWN.find((f) => errors[f]);
    if (first) this.renderRoot.querySelector<HTMLElement>(`#cd-${first}`)?.focus();
  }

  private async succeed(ticketNumber: string): Promise<void> {
    this.ticketNumber = ticketNumber;
    this.state = 'done';
    this.setStatus('', false);
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.success h2')?.focus();
  }

  private async another(): Promise<void> {
    this.resetValues();
    this.ticketNumber = '';
    this.state = 'ready';
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#cd-name')?.focus();
  }

  private openDialog(): void {
    this.renderRoot.querySelector('dialog')?.showModal();
    this.renderRoot.querySelector<HTMLElement>('#cd-name')?.focus();
  }

  private field(f: (typeof FIELDS)[number]) {
    const c = this.config!;
    const rules = c.fields[f]!;
    const err = this.errors[f] ?? '';
    const common = {
      id: `cd-${f}`,
      invalid: err ? 'true' : 'false',
    };
    const control = rules.options
      ? html`<select
          id=${common.id}
          name=${f}
          part="select"
          aria-invalid=${common.invalid}
          aria-describedby="cd-${f}-error"
          .value=${this.values[f] ?? ''}
          @change=${(e: Event) => this.onInput(f, e)}
        >
          ${rules.options.map((o) => html`<option value=${o.value} ?selected=${o.value === this.values[f]}>${o.label}</option>`)}
        </select>`
      : rules.multiline
        ? html`<textarea
            id=${common.id}
            name=${f}
            part="textarea"
            ?required=${rules.required}
            maxlength=${rules.maxLength ?? nothing}
            aria-invalid=${common.invalid}
            aria-describedby="cd-${f}-error"
            .value=${this.values[f] ?? ''}
            @input=${(e: Event) => this.onInput(f, e)}
          ></textarea>`
        : html`<input
            id=${common.id}
            name=${f}
            part="input"
            type=${rules.pattern ? 'email' : 'text'}
            autocomplete=${AUTOCOMPLETE[f] ?? 'off'}
            ?required=${rules.required}
            maxlength=${rules.maxLength ?? nothing}
            aria-invalid=${common.invalid}
            aria-describedby="cd-${f}-error"
            .value=${this.values[f] ?? ''}
            @input=${(e: Event) => this.onInput(f, e)}
          />`;
    return html`<div class="field" part="field field-${f}">
      <label for=${common.id} part="label"
        >${c.text[f]}${rules.required ? html` <span class="req" aria-hidden="true">*</span>` : nothing}</label
      >
      ${control}
      <p id="cd-${f}-error" class="error" part="error">${err}</p>
    </div>`;
  }

  private renderFileField() {
    return fileField(this.config!, this.files, this.errors.attachments ?? '', {
      onChange: (e: Event) => this.onFiles(e),
      onRemove: (i: number) => this.setFiles(this.files.filter((_, j) => j !== i)),
    });
  }

  private form() {
    const c = this.config!;
    const t = c.text;
    if (this.state === 'done') {
      return html`<div class="success" part="success">
        <h2 tabindex="-1">${t.successTitle}</h2>
        <button type="button" class="link" part="another" @click=${this.another}>${t.another}</button>
      </div>`;
    }
    const sending = this.state === 'sending';
    return html`<form part="form" novalidate @submit=${this.onSubmit} aria-busy=${sending ? 'true' : 'false'}>
      ${FIELDS.map((f) => this.field(f))} ${this.renderFileField()}
      <div class="hp" aria-hidden="true">
        <label for="cd-hp">Leave this field empty</label>
        <input
          id="cd-hp"
          name=${c.honeypot}
          tabindex="-1"
          autocomplete="off"
          @input=${(e: Event) => (this.honeypotValue = (e.target as HTMLInputElement).value)}
        />
      </div>
      <button type="submit" class="submit" part="submit" aria-disabled=${sending ? 'true' : 'false'}>
        ${sending ? t.sending : t.submit}
      </button>
    </form>`;
  }

  override render() {
    if (this.state === 'loading' || this.state === 'unavailable' || !this.config) return nothing;
    const t = this.config.text;
    // The live region keeps its place in the DOM (after the form), so screen readers announce
    // each change: the errors summary, "sending", and the ticket number on success.
    const done = this.state === 'done';
    const message = done
      ? fill(t.successText!, { number: '\u0000' })
          .split('\u0000')
          .flatMap((s, i) =>
            i ? [html`<span class="ticket" part="ticket-number">${this.ticketNumber}</span>`, s] : [s],
          )
      : this.statusText;
    const live = html`<p class="status ${this.statusBad ? 'bad' : ''}" part="status" role="status" aria-live="polite">
      ${message}
    </p>`;
    if (this.mode !== 'button') return html`${this.form()}${live}`;
    return html`<button type="button" class="launcher" part="launcher" aria-haspopup="dialog" @click=${this.openDialog}>
        ${t.open}
      </button>
      <dialog part="dialog" aria-labelledby="cd-title">
        <div class="head">
          <h2 id="cd-title">${t.dialogTitle}</h2>
          <button
            type="button"
            class="close"
            part="close"
            aria-label=${t.close!}
            @click=${() => this.renderRoot.querySelector('dialog')?.close()}
          >
            ×
          </button>
        </div>
        ${this.form()}${live}
      </dialog>`;
  }
}

if (!customElements.get('contactdesk-form')) customElements.define('contactdesk-form', ContactDeskForm);
