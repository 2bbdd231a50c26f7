// Shared arrangement for the webhook tests: an app on its own database (loopback receivers allowed,
// a short timeout, a movable clock), an admin with a token, real HTTP receivers on loopback that
// verify every request with the standardwebhooks library itself, and small readers of the log.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import type { AppContext } from '../../src/context.js';
import { dispatchEndpoint } from '../../src/webhooks/jobs.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createUserWithToken } from '../helpers/factories.js';

export const HOOKS = '/api/v1/webhooks';

/** JSON as the tests read it (payloads, API answers): the assertions check every field they use. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, asserted field by field
export type Json = Record<string, any>;

export interface Received {
  headers: Record<string, string>;
  body: string;
  json: { type: string; timestamp: string; data: Json };
}

export type Answer = { status: number; headers?: Record<string, string>; body?: string; delayMs?: number };

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** How the next requests are answered (default 200 "ok"). */
  answer: (req: IncomingMessage, n: number) => Answer;
  close(): Promise<void>;
}

export async function startReceiver(opts: { port?: number; path?: string } = {}): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    port: 0,
    received: [],
    answer: () => ({ status: 200, body: 'ok' }),
    close: async () => {},
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      receiver.received.push({ headers, body, json: JSON.parse(body) });
      const a = receiver.answer(req, receiver.received.length);
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(a.status, a.headers ?? {});
        res.end(a.body ?? '');
      }, a.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://127.0.0.1:${receiver.port}${opts.path ?? '/hook'}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

/** A loopback port with nothing listening on it (a receiver that is down). */
export async function closedPort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}

/** Verifies with the standardwebhooks library (not our code); throws WebhookVerificationError. */
export const verify = (secret: string, r: Received) => new Webhook(secret).verify(r.body, r.headers);

export interface WebhookTestEnv {
  t: TestApp;
  ctx: AppContext;
  clock: TestClock;
  admin: Awaited<ReturnType<typeof createUserWithToken>>;
  /** Registers an endpoint through REST; returns its id and the secret shown once. */
  register(body: Record<string, unknown>): Promise<{ id: string; secret: string }>;
  dispatch(endpointId: string): ReturnType<typeof dispatchEndpoint>;
  deliveries(endpointId: string): Promise<Json[]>;
  /** The endpoint's newest delivery (the log's first row). */
  newest(endpointId: string): Promise<Json>;
  close(): Promise<void>;
}

export async function webhookTestEnv(env: Record<string, string> = {}): Promise<WebhookTestEnv> {
  const clock = new TestClock();
  const t = await createTestApp({
    env: { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_TIMEOUT_MS: '400', ...env },
    clock,
  });
  const admin = await createUserWithToken(t.ctx, { role: 'admin', name: 'Ada Admin', email: 'ada@desk.test' });
  return {
    t,
    ctx: t.ctx,
    clock,
    admin,
    async register(body) {
      const res = await request(t.app).post(HOOKS).set(admin.auth).send(body).expect(201);
      return { id: res.body.id, secret: res.body.secret };
    },
    dispatch: (id) => dispatchEndpoint(t.ctx, id),
    async deliveries(id) {
      const res = await request(t.app).get(`${HOOKS}/${id}/deliveries`).set(admin.auth).expect(200);
      return res.body.deliveries;
    },
    async newest(id) {
      const res = await request(t.app).get(`${HOOKS}/${id}/deliveries?limit=1`).set(admin.auth).expect(200);
      if (!res.body.deliveries[0]) throw new Error(`endpoint ${id} has no delivery`);
      return res.body.deliveries[0];
    },
    close: () => t.close(),
  };
}
