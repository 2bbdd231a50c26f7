// Email bodies from templates/ (handlebars): one shared layout, an HTML and a plain-text body per
// message. HTML templates escape every variable (handlebars' default; templates never use the
// triple-stash on data, a test checks it); text templates are compiled with `noEscape` so a quote
// in a name stays a quote. Templates are read and compiled once per process.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { EMAIL_KINDS, type EmailKind } from './mail.queue.js';
import type { DigestData } from '../sla/digest.js';

export interface ConfirmationData {
  ticketNumber: string;
  name: string;
  subject: string;
  message: string;
  responseTime: string;
  /** The customer's ticket page (PUBLIC_URL/t/<token>); null when the mail carries no link. */
  portalUrl: string | null;
}

export interface AdminNotificationData {
  ticketNumber: string;
  category: string;
  name: string;
  email: string;
  subject: string;
  excerpt: string;
  truncated: boolean;
  ticketUrl: string;
}

export interface ResolvedData {
  ticketNumber: string;
  name: string;
  subject: string;
  resolutionNotes: string;
  portalUrl: string | null;
  /** "Did this solve your problem?" one-click answers (src/portal/ratings.ts). */
  rateGoodUrl: string | null;
  rateBadUrl: string | null;
}

export interface ReplyData {
  ticketNumber: string;
  subject: string;
  body: string;
  authorName: string;
  /** A reply address exists (INBOUND_ADDRESS): "reply to this email" is true. */
  replyable: boolean;
  portalUrl: string | null;
}

/** "Find my tickets": the links of the address's open tickets. */
export interface TicketLinksData {
  tickets: Array<{ ticketNumber: string; subject: string; url: string }>;
}

/** A customer rated a resolution bad: to the assignee (else the admins). */
export interface RatingBadAlertData {
  ticketNumber: string;
  subject: string;
  name: string;
  email: string;
  ticketUrl: string;
}

/** A webhook endpoint was disabled after a day of failures (src/webhooks/jobs.ts). */
export interface WebhookDisabledData {
  url: string;
  reason: string;
  disabledAt: string;
  panelUrl: string;
}

/** An SLA clock is about to breach / has breached (src/sla/sla.jobs.ts). */
export interface SlaAlertData {
  ticketNumber: string;
  subject: string;
  targetLabel: string;
  dueAt: string;
  relative: string;
  ticketUrl: string;
}

export interface TemplateData {
  contact_confirmation: ConfirmationData;
  contact_admin_notification: AdminNotificationData;
  contact_resolved: ResolvedData;
  ticket_reply: ReplyData;
  ticket_links: TicketLinksData;
  rating_bad_alert: RatingBadAlertData;
  webhook_disabled: WebhookDisabledData;
  sla_warning: SlaAlertData;
  sla_breach: SlaAlertData;
  moderator_digest: DigestData;
}

export interface RenderedBody {
  html: string;
  text: string;
}

type Compiled = Handlebars.TemplateDelegate;

interface CompiledSet {
  layout: { html: Compiled; text: Compiled };
  bodies: Record<EmailKind, { html: Compiled; text: Compiled }>;
  /**
   * The customer's mails in their language (templates/<lang>/, the ticket's `language`): only
   * the kinds a customer receives have variants; anything missing falls back to the English one.
   */
  variants: Partial<Record<string, { layout?: Pair; bodies: Partial<Record<EmailKind, Pair>> }>>;
}
type Pair = { html: Compiled; text: Compiled };
/** Languages with mail templates (templates/<lang>/; ar and he with right-to-left layouts). */
export const MAIL_LANGUAGES = ['de', 'fr', 'es', 'ar', 'he'] as const;

const KINDS: readonly EmailKind[] = EMAIL_KINDS;

// src/mail → ../../templates; compiled into dist/src/mail → ../../../templates.
const here = path.dirname(fileURLToPath(import.meta.url));
export const TEMPLATES_DIR = [path.resolve(here, '../../templates'), path.resolve(here, '../../../templates')].find(
  (dir) => existsSync(path.join(dir, 'layout.html.hbs')),
);

let compiled: CompiledSet | undefined;

function load(): CompiledSet {
  if (compiled) return compiled;
  if (!TEMPLATES_DIR) throw new Error(`email templates folder not found near ${here}`);
  // An isolated instance: nothing registered elsewhere (helpers, partials) can change the output.
  const hbs = Handlebars.create();
  // strict: a variable the code forgot to pass is an error, not an empty string in a customer's mail.
  const compile = (file: string, mode: 'html' | 'text') =>
    hbs.compile(readFileSync(path.join(TEMPLATES_DIR!, file), 'utf8'), {
      strict: true,
      knownHelpersOnly: true,
      noEscape: mode === 'text',
    });
  const pair = (name: string) => ({
    html: compile(`${name}.html.hbs`, 'html'),
    text: compile(`${name}.text.hbs`, 'text'),
  });
  const variant = (lang: string) => {
    const has = (name: string) => existsSync(path.join(TEMPLATES_DIR!, lang, `${name}.html.hbs`));
    return {
      ...(has('layout') ? { layout: pair(`${lang}/layout`) } : {}),
      bodies: Object.fromEntries(KINDS.filter(has).map((k) => [k, pair(`${lang}/${k}`)])),
    };
  };
  compiled = {
    layout: pair('layout'),
    bodies: Object.fromEntries(KINDS.map((k) => [k, pair(k)])) as CompiledSet['bodies'],
    variants: Object.fromEntries(MAIL_LANGUAGES.map((l) => [l, variant(l)])),
  };
  return compiled;
}

export interface LayoutData {
  productName: string;
  ticketNumber: string;
  /** The <title> of the HTML part (usually the subject). */
  title: string;
}

export function renderBody<K extends EmailKind>(
  kind: K,
  data: TemplateData[K],
  layout: LayoutData,
  lang = 'en',
): RenderedBody {
  const set = load();
  const variant = set.variants[lang];
  const body = variant?.bodies[kind] ?? set.bodies[kind];
  const frame = variant?.layout ?? set.layout;
  return {
    html: frame.html({ ...layout, body: body.html(data) }),
    text: `${frame.text({ ...layout, body: body.text(data).trim() }).trim()}\n`,
  };
}

/** Compiles every template now, so a broken template stops start-up instead of the first job. */
export function preloadTemplates(): void {
  load();
}
