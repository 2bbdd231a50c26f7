// Small helpers shared by the auth tests.
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import request from 'supertest';
import type { Express } from 'express';

/** A pino logger at trace level WITHOUT redaction, writing into memory: what it holds is what was logged. */
export function captureLogger(): { logger: Logger; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, sink), text: () => chunks.join('') };
}

export function login(app: Express, email: string, password: string, ip?: string) {
  const req = request(app).post('/api/v1/auth/token');
  if (ip) req.set('X-Forwarded-For', ip);
  return req.send({ email, password });
}

export const validSubmission = {
  name: 'Ann Lee',
  email: 'ann@example.com',
  subject: 'Hello',
  message: 'Something broke',
};
