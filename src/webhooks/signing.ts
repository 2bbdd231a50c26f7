// Standard Webhooks signing (https://www.standardwebhooks.com), with the `standardwebhooks`
// package itself, so what we send is what every receiver's library verifies: HMAC-SHA256 over
// `<webhook-id>.<webhook-timestamp>.<body>` with the base64 key of a `whsec_…` secret.
// During a rotation window the message carries two signatures (space-separated, as the spec
// allows): one with the new secret, one with the old, and a receiver holding either verifies.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

/** A new secret: whsec_ + 32 random bytes, base64 (the format the libraries expect). */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The webhook-id of an event: the same on every attempt and on a resend. */
export const webhookId = (eventId: string) => `msg_${eventId.replace(/-/g, '')}`;

export interface SigningSecrets {
  secret: string;
  previousSecret: string | null;
  previousSecretExpiresAt: Date | null;
}

/** The secrets that sign at `now`: the current one, and the previous one inside its window. */
export function activeSecrets(s: SigningSecrets, now: Date): string[] {
  const previousValid =
    s.previousSecret && s.previousSecretExpiresAt && s.previousSecretExpiresAt.getTime() > now.getTime();
  return previousValid ? [s.secret, s.previousSecret!] : [s.secret];
}

// Parsing a secret decodes its base64 key: done once per secret, not per message.
const signers = new Map<string, Webhook>();
function signer(secret: string): Webhook {
  let w = signers.get(secret);
  if (!w) {
    if (signers.size > 1000) signers.clear();
    signers.set(secret, (w = new Webhook(secret)));
  }
  return w;
}

/** The three headers of one attempt. `timestamp` is the attempt's time (whole seconds are signed). */
export function signatureHeaders(
  secrets: string[],
  id: string,
  timestamp: Date,
  body: string,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': secrets.map((s) => signer(s).sign(id, timestamp, body)).join(' '),
  };
}
