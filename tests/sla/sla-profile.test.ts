// The panel's "My profile" page turns the morning digest off and on for the signed-in staff
// member (the same use case as PUT /api/v1/sla/digest); a bad value is refused with its message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createUser, DEFAULT_PASSWORD, type TestUser } from '../helpers/factories.js';

const PAGE = '/admin/api/pages/profile';

describe('panel profile: digest opt-out', () => {
  let t: TestApp;
  let mod: TestUser;
  let agent: PanelAgent;

  before(async () => {
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator' });
    agent = await panelLogin(t.app, { email: mod.email, password: DEFAULT_PASSWORD });
  });
  after(() => t.close());

  const stored = async () =>
    (await t.ctx.db.pool.query('SELECT digest_opt_out FROM users WHERE id = $1', [mod.id])).rows[0].digest_opt_out;

  test('when a moderator opts out on their profile page and back in, then users.digest_opt_out follows', async () => {
    assert.deepEqual((await agent.get(PAGE).expect(200)).body, { digest_opt_out: false });
    assert.deepEqual((await agent.post(PAGE).send({ digest_opt_out: true }).expect(200)).body, {
      digest_opt_out: true,
    });
    assert.equal(await stored(), true);
    await agent.post(PAGE).send({ digest_opt_out: false }).expect(200);
    assert.equal(await stored(), false);
  });

  test('when the value is not a boolean, then nothing changes and the field is named', async () => {
    const res = await agent.post(PAGE).send({ digest_opt_out: 'sometimes' }).expect(200);
    assert.match(res.body.fields.digest_opt_out[0], /true or false/);
    assert.equal(await stored(), false);
  });

  test('when nobody is signed in, then the page data is not served', async () => {
    const res = await request(t.app).get(PAGE);
    assert.notEqual(res.status, 200);
  });
});
