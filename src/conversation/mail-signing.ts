// Signed identifiers in mail: the reply address of a ticket (support+<token>@domain) and the
// Message-IDs of the mails we send. A reply that carries either is matched to its ticket with
// certainty; a forged or altered one fails the signature check and is treated as unknown mail.
// HMAC-SHA256 with MAIL_SIGNING_SECRET (production) or a secret generated once into DATA_DIR.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.js';

const SECRET_FILE = 'mail-secret';
const secrets = new WeakMap<object, Buffer>();

/** The signing key: MAIL_SIGNING_SECRET, else DATA_DIR/mail-secret (created on first use, mode 600). */
export function signingKey(config: Pick<Config, 'MAIL_SIGNING_SECRET' | 'DATA_DIR'>): Buffer {
  const cached = secrets.get(config);
  if (cached) return cached;
  let secret = config.MAIL_SIGNING_SECRET;
  if (!secret) {
    const file = path.resolve(config.DATA_DIR, SECRET_FILE);
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch {
      mkdirSync(path.dirname(file), { recursive: true });
      secret = randomBytes(32).toString('hex');
      // wx: two processes starting at once must not overwrite each other's secret.
      try {
        writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
      } catch {
        secret = readFileSync(file, 'utf8').trim();
      }
    }
  }
  const key = createHmac('sha256', 'contactdesk-mail-signing').update(secret).digest();
  secrets.set(config, key);
  return key;
}

/** 16 hex chars (64 bits) of HMAC: a forged token has a 2^-64 chance, and stays inside 64-char local parts. */
function sign(key: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', key).update(`${purpose}:${value}`).digest('hex').slice(0, 16);
}

function verify(key: Buffer, purpose: string, value: string, signature: string): boolean {
  const expected = Buffer.from(sign(key, purpose, value));
  const given = Buffer.from(signature.toLowerCase());
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const compactUuid = (id: string) => id.replace(/-/g, '').toLowerCase();
const expandUuid = (hex: string) =>
  `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;

/** The ticket's reply address, or null when INBOUND_ADDRESS is not configured. */
export function replyAddressFor(
  config: Pick<Config, 'INBOUND_ADDRESS' | 'MAIL_SIGNING_SECRET' | 'DATA_DIR'>,
  ticketId: string,
): string | null {
  if (!config.INBOUND_ADDRESS) return null;
  const [local, domain] = config.INBOUND_ADDRESS.split('@') as [string, string];
  const hex = compactUuid(ticketId);
  return `${local}+t${hex}${sign(signingKey(config), 'reply', hex)}@${domain}`;
}

const TOKEN = /\+t([0-9a-f]{32})([0-9a-f]{16})@/i;

/** The ticket id of a signed reply address among `addresses` (To, Cc, Delivered-To), or null. */
export function ticketFromReplyAddress(
  config: Pick<Config, 'MAIL_SIGNING_SECRET' | 'DATA_DIR'>,
  addresses: readonly string[],
): string | null {
  const key = signingKey(config);
  for (const a of addresses) {
    const m = TOKEN.exec(a);
    if (m && verify(key, 'reply', m[1]!.toLowerCase(), m[2]!)) return expandUuid(m[1]!.toLowerCase());
  }
  return null;
}

/**
 * Our Message-ID for a delivery: `<cd.<delivery hex>.<sig>@domain>`. Deterministic, so every
 * retry of one delivery sends the same id; signed, so a reply's In-Reply-To proves which mail it answers.
 */
export function signedMessageId(
  config: Pick<Config, 'MAIL_SIGNING_SECRET' | 'DATA_DIR'>,
  deliveryId: string,
  domain: string,
): string {
  const hex = compactUuid(deliveryId);
  return `<cd.${hex}.${sign(signingKey(config), 'msgid', hex)}@${domain}>`;
}

const OUR_ID = /<?cd\.([0-9a-f]{32})\.([0-9a-f]{16})@[^>\s]+>?/gi;

/** Delivery ids of our own signed Message-IDs found in a header value (In-Reply-To, References). */
export function deliveriesFromMessageIds(
  config: Pick<Config, 'MAIL_SIGNING_SECRET' | 'DATA_DIR'>,
  headerValue: string,
): string[] {
  const key = signingKey(config);
  const out: string[] = [];
  for (const m of headerValue.matchAll(OUR_ID)) {
    if (verify(key, 'msgid', m[1]!.toLowerCase(), m[2]!)) out.push(expandUuid(m[1]!.toLowerCase()));
  }
  return out;
}

/** Whether a Message-ID looks like one of ours (signed or not): mail we sent coming back is a loop. */
export const looksLikeOurMessageId = (id: string): boolean => /<?cd\.[0-9a-f]{32}\.[0-9a-f]{16}@/i.test(id);
