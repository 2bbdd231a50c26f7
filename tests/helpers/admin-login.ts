// The panel, logged into through its real login route (POST /admin/login), as a supertest agent
// that carries the session cookie.
import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { mountAdmin } from '../../admin/index.js';
import { SESSION_COOKIE } from '../../admin/auth.js';
import { createTestApp, type TestApp } from './app.js';
import type { Clock } from '../../src/clock.js';

export type PanelAgent = ReturnType<typeof request.agent>;

/** A test app with the panel mounted at /admin. */
export function createPanelTestApp(opts: { env?: Record<string, string>; clock?: Clock } = {}): Promise<TestApp> {
  return createTestApp({ ...opts, build: { mountAdmin } });
}

/** The session cookie ("contactdesk.sid=…") out of a response's Set-Cookie header, if any. */
export function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const raw = res.headers['set-cookie'];
  const cookies = Array.isArray(raw) ? (raw as string[]) : typeof raw === 'string' ? [raw] : [];
  return cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0];
}

export async function panelLogin(
  app: Express,
  user: { email: string; password: string },
  agent: PanelAgent = request.agent(app),
): Promise<PanelAgent> {
  const res = await agent.post('/admin/login').type('form').send({ email: user.email, password: user.password });
  assert.equal(res.status, 302, `login as ${user.email} should redirect, got ${res.status}`);
  assert.equal(res.headers.location, '/admin');
  return agent;
}
