// One HTTP attempt of a webhook delivery: POST the signed body to the address ssrf.ts checked,
// within the timeout, never following a redirect. Returns what the log shows (status, first
// 1 KB of the answer, duration) and whether a failure is worth retrying.
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveTarget, WebhookRefusedError } from './ssrf.js';

export const RESPONSE_BODY_LIMIT = 1024;

export interface AttemptResult {
  ok: boolean;
  /** Retry later (timeouts, network errors, 5xx, 429); false: final (refused, 3xx, other 4xx). */
  retryable: boolean;
  status: number | null;
  body: string | null;
  durationMs: number;
  error: string | null;
  /** Seconds from a 429/503 Retry-After header. */
  retryAfterSeconds: number | null;
}

export interface SendOptions {
  timeoutMs: number;
  production: boolean;
  allowPrivate: boolean;
}

// Kept-alive connections: a burst of deliveries to one receiver reuses its sockets. A pooled
// socket is one that was opened to a checked address, so reuse cannot bypass the check.
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 5_000 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64, keepAliveMsecs: 5_000 }),
};

/** A lookup that answers with the pinned address only, whatever the name resolves to now. */
function pinned(address: string, family: 4 | 6): LookupFunction {
  return ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
    if (opts?.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  }) as unknown as LookupFunction;
}

/** Retry-After as seconds: a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

export async function postWebhook(
  rawUrl: string,
  headers: Record<string, string>,
  body: string,
  opts: SendOptions,
): Promise<AttemptResult> {
  const started = performance.now();
  const done = (r: Omit<AttemptResult, 'durationMs'>): AttemptResult => ({
    ...r,
    durationMs: Math.round(performance.now() - started),
  });
  const failure = (error: string, retryable: boolean) =>
    done({ ok: false, retryable, status: null, body: null, error, retryAfterSeconds: null });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
  });
  let req: http.ClientRequest | undefined;
  try {
    const target = await Promise.race([resolveTarget(rawUrl, opts), deadline]);
    const secure = target.url.protocol === 'https:';
    const response = new Promise<{ status: number; body: string; retryAfter: string | undefined }>(
      (resolve, reject) => {
        req = (secure ? https : http).request(
          target.url,
          {
            method: 'POST',
            agent: secure ? agents.https : agents.http,
            lookup: pinned(target.address, target.family),
            headers: {
              ...headers,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
              'user-agent': 'ContactDesk-Webhooks/1',
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            let kept = 0;
            res.on('data', (c: Buffer) => {
              if (kept < RESPONSE_BODY_LIMIT) {
                chunks.push(c);
                kept += c.length;
              }
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).subarray(0, RESPONSE_BODY_LIMIT).toString('utf8'),
                retryAfter: res.headers['retry-after'],
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(body);
      },
    );
    // After a timeout the destroyed request rejects too; nobody waits for it any more.
    response.catch(() => {});
    const res = await Promise.race([response, deadline]);
    const ok = res.status >= 200 && res.status < 300;
    const retryable = res.status === 429 || res.status >= 500;
    const error = ok
      ? null
      : res.status >= 300 && res.status < 400
        ? `redirect (${res.status}) not followed: the endpoint URL must answer itself`
        : `HTTP ${res.status}`;
    return done({
      ok,
      retryable: !ok && retryable,
      status: res.status,
      body: res.body,
      error,
      retryAfterSeconds: retryable ? parseRetryAfter(res.retryAfter, new Date()) : null,
    });
  } catch (err) {
    // A timed-out or failed request must not leave its socket in the pool.
    (req as http.ClientRequest | undefined)?.destroy();
    if (err instanceof WebhookRefusedError) return failure(err.message, false);
    return failure((err as Error).message || String(err), true);
  } finally {
    clearTimeout(timer);
  }
}
