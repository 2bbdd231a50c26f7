import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { runTicketAction } from '../../src/contact/contact.service.js';
import type { TestApp } from '../helpers/app.js';
import { createPanelTestApp, panelLogin, type PanelAgent } from '../helpers/admin-login.js';
import { createTicket, createUser, type TestUser } from '../helpers/factories.js';

const EXPORT = '/admin/export/tickets.csv';

/** A strict RFC 4180 reader: quoted fields, doubled quotes, CRLF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') endField();
    else if (c === '\r' && text[i + 1] === '\n') {
      endField();
      rows.push(row);
      row = [];
      i++;
    } else field += c;
  }
  if (field || row.length) {
    endField();
    rows.push(row);
  }
  return rows;
}

async function download(agent: PanelAgent, query = '') {
  const res = await agent
    .get(`${EXPORT}${query}`)
    .buffer(true)
    .parse((r, cb) => {
      let data = '';
      r.setEncoding('utf8');
      r.on('data', (chunk: string) => (data += chunk));
      r.on('end', () => cb(null, data));
    })
    .expect(200);
  const text = res.body as string;
  assert.equal(text.charCodeAt(0), 0xfeff, 'UTF-8 byte-order mark first');
  const [header, ...rows] = parseCsv(text.slice(1));
  const col = (name: string) => header!.indexOf(name);
  return { res, header: header!, rows, col };
}

describe('panel CSV export', () => {
  let t: TestApp;
  let mod: TestUser;
  let agent: PanelAgent;

  before(async () => {
    t = await createPanelTestApp();
    mod = await createUser(t.ctx, { role: 'moderator' });
    agent = await panelLogin(t.app, mod);
  });
  after(() => t.close());

  test('when a moderator exports, then the file is a UTF-8 CSV attachment with a header row, RFC 4180 quoting and neutralised formulas', async () => {
    const tricky = await createTicket(t.ctx, {
      name: '@SUM(A1)',
      subject: '=HYPERLINK("http://evil")',
      message: 'Line one, with "quotes"\nLine two',
      email: 'csv-tricky@example.com',
    });
    const { res, header, rows, col } = await download(agent, '?filters.q=csv-tricky');
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.match(
      String(res.headers['content-disposition']),
      /^attachment; filename="contactdesk-tickets-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    assert.deepEqual(header.slice(0, 4), ['ticket_number', 'created_at', 'updated_at', 'status']);
    assert.equal(rows.length, 1);
    const row = rows[0]!;
    assert.equal(row[col('ticket_number')], tricky.ticketNumber);
    assert.equal(row[col('name')], "'@SUM(A1)");
    assert.equal(row[col('subject')], `'=HYPERLINK("http://evil")`);
    assert.equal(row[col('message')], 'Line one, with "quotes"\nLine two');
    assert.match(row[col('created_at')]!, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  test('when the list is filtered, then the export holds exactly the matching tickets across all pages, and archived ones only when asked for', async () => {
    const tag = `page-${Date.now()}`;
    const bugs = [];
    for (let i = 0; i < 25; i++) bugs.push(await createTicket(t.ctx, { category: 'bug', subject: `${tag} bug ${i}` }));
    await createTicket(t.ctx, { category: 'feature', subject: `${tag} feature` });
    await runTicketAction(t.ctx, mod, bugs[0]!.id, 'resolve', {}, { source: 'api' });
    await runTicketAction(t.ctx, mod, bugs[0]!.id, 'archive', {}, { source: 'api' });
    await runTicketAction(t.ctx, mod, bugs[1]!.id, 'assign_to_me', {}, { source: 'api' });

    const all = await download(agent, `?filters.q=${tag}&filters.category=bug`);
    assert.equal(all.rows.length, 24, 'all 24 non-archived bugs, beyond one list page of 20');
    assert.ok(all.rows.every((r) => r[all.col('category')] === 'bug'));

    const archived = await download(agent, `?filters.q=${tag}&filters.status=archived`);
    assert.deepEqual(
      archived.rows.map((r) => r[archived.col('ticket_number')]),
      [bugs[0]!.ticketNumber],
    );

    const mine = await download(agent, `?filters.q=${tag}&filters.assignedToId=me`);
    assert.deepEqual(
      mine.rows.map((r) => r[mine.col('ticket_number')]),
      [bugs[1]!.ticketNumber],
    );

    const none = await download(agent, `?filters.q=${tag}&filters.createdAt~~to=2000-01-01`);
    assert.equal(none.rows.length, 0);

    const oldestFirst = await download(agent, `?filters.q=${tag}&filters.category=bug&sortBy=createdAt&direction=asc`);
    assert.equal(oldestFirst.rows[0]![oldestFirst.col('ticket_number')], bugs[1]!.ticketNumber);
  });

  test('when a moderator exports, then the export is audited with who, filters and row count', async () => {
    await createTicket(t.ctx, { subject: 'audited export', category: 'account' });
    await download(agent, '?filters.category=account&filters.q=audited');
    // The export records its end (row count, finish time) just after the last byte is sent.
    let rows: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 50; i++) {
      ({ rows } = await t.ctx.db.pool.query(
        `SELECT actor_id, source, row_count, finished_at,
           (SELECT value FROM csv_export_filters f WHERE f.export_id = e.id AND param = 'q') AS search,
           array(SELECT value FROM csv_export_filters f WHERE f.export_id = e.id AND param = 'category') AS categories
         FROM csv_exports e ORDER BY started_at DESC LIMIT 1`,
      ));
      if (rows[0]?.finished_at) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(rows[0]!.actor_id, mod.id);
    assert.equal(rows[0]!.source, 'admin');
    assert.equal(rows[0]!.search, 'audited');
    assert.equal(rows[0]!.row_count, 1);
    assert.ok(rows[0]!.finished_at);
  });

  test('when a filter value is malformed, then the export answers 400 JSON instead of a file', async () => {
    const res = await agent.get(`${EXPORT}?filters.status=bogus`).expect(400);
    assert.equal(res.body.error.code, 'validation_error');
    assert.equal(res.headers['content-disposition'], undefined);
  });

  test('when nobody is signed in, then the export redirects to the login page', async () => {
    const res = await request(t.app).get(EXPORT).expect(302);
    assert.equal(res.headers.location, '/admin/login');
  });
});
