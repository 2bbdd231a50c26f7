// The embeddable form's optional file field: the picker, the limits as a hint, the chosen files
// with their sizes and a remove button each, and the field's error (checkFiles or the server's).
import { html, nothing } from 'lit';
import { fill, formatSize, type WidgetConfig } from './validate.js';

export interface FileFieldHandlers {
  onChange(e: Event): void;
  onRemove(index: number): void;
}

/** The attachments field, when the desk accepts files (ATTACHMENT_MAX_FILES > 0). */
export function fileField(c: WidgetConfig, files: File[], err: string, on: FileFieldHandlers) {
  {
    const { maxFiles, maxBytes } = c.attachments;
    if (maxFiles <= 0) return nothing;
    const t = c.text;
    return html`<div class="field" part="field field-attachments">
      <label for="cd-attachments" part="label">${t.attachments}</label>
      <input
        id="cd-attachments"
        type="file"
        multiple
        part="file"
        aria-invalid=${err ? 'true' : 'false'}
        aria-describedby="cd-attachments-hint cd-attachments-error"
        @change=${on.onChange}
      />
      <p id="cd-attachments-hint" class="hint" part="hint">
        ${fill(t.attachmentsHint!, { count: maxFiles, size: formatSize(maxBytes) })}
      </p>
      ${
        files.length
          ? html`<ul class="files" part="files">
              ${files.map(
                (f, i) =>
                  html`<li>
                    <span class="file-name">${f.name}</span> <span class="file-size">${formatSize(f.size)}</span>
                    <button
                      type="button"
                      class="remove"
                      part="remove-file"
                      aria-label=${fill(t.removeFile!, { name: f.name })}
                      @click=${() => on.onRemove(i)}
                    >
                      ×
                    </button>
                  </li>`,
              )}
            </ul>`
          : nothing
      }
      <p id="cd-attachments-error" class="error" part="error">${err}</p>
    </div>`;
  }
}
