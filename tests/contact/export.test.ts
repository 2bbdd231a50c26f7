// CSV export: the cell rules (quoting, formula neutralising), the REST download, filters, the
// csv_exports audit row, backpressure against a slow reader, and a reader that goes away.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import { exportTicketsCsv, EXPORT_COLUMNS } from '../../src/contact/contact.export.js';
import { parseTicketExportQuery } from '../../src/contact/ticket.filters.js';
import { updateTicket } from '../../src/contact/contact.service.js';
import { csvCell, csvRow } from '../../src/contact/csv.js';
import { AppError } from '../../src/errors.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createTicket, createUserWithToken, type TestUser } from '../helpers/factories.js';
import { ticketIn } from './moderator-fixtures.js';

const HEADER = EXPORT_COLUMNS.map(([h]) => h);
const col = (name: string) => HEADER.indexOf(name);

/** A strict RFC 4180 reader: every record must end in CRLF; a bare CR or LF outside quotes fails. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const endCell = () => {
    row.push(cell);
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"' && cell === '') quoted = true;
    else if (c === ',') endCell();
    else if (c === '\r' && text[i + 1] === '\n') {
      endCell();
      rows.push(row);
      row = [];
      i++;
    } else if (c === '\r' || c === '\n' || c === '"') throw new Error(`unquoted ${JSON.stringify(c)} at ${i}`);
    else cell += c;
  }
  if (quoted || cell !== '' || row.length) throw new Error('the file does not end with CRLF');
  return rows;
}

type BodyParser = Parameters<request.Test['parse']>[0];
/** Collects the raw bytes (superagent would decode text and hide the BOM). */
const binary = ((res: NodeJS.ReadableStream, done: (err: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}) as unknown as BodyParser;

describe('csv cells', () => {
  test('when a cell holds a comma, a quote, CR or LF, then it is quoted with quotes doubled', () => {
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('one\ntwo'), '"one\ntwo"');
    assert.equal(csvCell('one\r\ntwo'), '"one\r\ntwo"');
    assert.equal(csvCell('plain text'), 'plain text');
    assert.equal(csvCell(''), '');
    assert.equal(csvCell(null), '');
    assert.equal(csvRow(['a', null, 'b,c']), 'a,,"b,c"\r\n');
  });

  test('when text starts with = + - @ TAB or CR, then it gets a leading single quote', () => {
    assert.equal(csvCell('=1+1'), "'=1+1");
    assert.equal(csvCell('+33 6 12'), "'+33 6 12");
    assert.equal(csvCell('-2+3'), "'-2+3");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\tcmd'), "'\tcmd");
    assert.equal(csvCell('\rcmd'), `"'\rcmd"`);
    assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvCell('a=b'), 'a=b');
    assert.equal(csvCell(-5), '-5');
    assert.equal(csvCell(new Date('2026-07-01T10:00:00Z')), '2026-07-01T10:00:00.000Z');
  });
});

describe('ticket CSV export', () => {
  const clock = new TestClock('2026-07-01T10:00:00Z');
  let t: TestApp;
  let mod: { user: TestUser; auth: Record<string, string> };
  const url = '/api/v1/contact/export.csv';
  const get = (query = '', auth = mod.auth) =>
    request(t.app).get(`${url}${query}`).set(auth).buffer(true).parse(binary);
  const rowsOf = (res: request.Response) => parseCsv((res.body as Buffer).toString('utf8').replace(/^\uFEFF/, ''));

  before(async () => {
    t = await createTestApp({ clock });
    mod = await createUserWithToken(t.ctx, { role: 'moderator', name: 'Csv Mod' });
  });
  after(() => t.close());

  test('when a moderator downloads the export, then it is an RFC 4180 attachment with header, BOM and neutralised cells', async () => {
    const evil = await createTicket(t.ctx, {
      name: '=HYPERLINK("http://evil.test","click")',
      subject: '+1 call me, "now"',
      message: 'line one\nline two, with "quotes"',
      category: 'abuse',
    });
    await updateTicket(
      t.ctx,
      mod.user,
      evil.id,
      { admin_notes: '\tTabbed note', assigned_to_id: mod.user.id },
      { source: 'api' },
    );
    const at = await createTicket(t.ctx, { name: '@SUM(A1)', subject: '-2+3', message: 'Grüße, 東京' });
    await updateTicket(t.ctx, mod.user, at.id, { admin_notes: '\rCarriage first' }, { source: 'api' });

    const res = await get().expect(200);
    assert.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
    assert.equal(res.headers['content-disposition'], 'attachment; filename="contactdesk-tickets-2026-07-01.csv"');
    const bytes = res.body as Buffer;
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const rows = rowsOf(res);
    assert.deepEqual(rows[0], HEADER);
    assert.equal(rows.length, 3);
    const byId = new Map(rows.slice(1).map((r) => [r[col('id')], r]));
    const e = byId.get(evil.id)!;
    assert.equal(e[col('name')], `'=HYPERLINK("http://evil.test","click")`);
    assert.equal(e[col('subject')], `'+1 call me, "now"`);
    assert.equal(e[col('message')], 'line one\nline two, with "quotes"');
    assert.equal(e[col('admin_notes')], "'\tTabbed note");
    assert.equal(e[col('assigned_to_email')], mod.user.email);
    assert.equal(e[col('ticket_number')], evil.ticketNumber);
    assert.equal(e[col('created_at')], '2026-07-01T10:00:00.000Z');
    assert.equal(e[col('resolved_at')], '');
    const a = byId.get(at.id)!;
    assert.equal(a[col('name')], "'@SUM(A1)");
    assert.equal(a[col('subject')], "'-2+3");
    assert.equal(a[col('admin_notes')], "'\rCarriage first");
    assert.equal(a[col('message')], 'Grüße, 東京');
  });

  test('when filters are given, then only matching tickets are exported and the export is recorded', async () => {
    const bug = await ticketIn(t.ctx, mod.user, 'resolved', { category: 'bug', subject: 'Needle in bug' });
    await ticketIn(t.ctx, mod.user, 'resolved', { category: 'feature', subject: 'Needle in feature' });
    const archived = await ticketIn(t.ctx, mod.user, 'archived', { category: 'bug', subject: 'Needle archived' });
    await ticketIn(t.ctx, mod.user, 'pending', { category: 'bug', subject: 'Haystack' });

    const res = await get('?status=resolved&category=bug&q=NEEDLE').expect(200);
    const rows = rowsOf(res);
    assert.deepEqual(
      rows.slice(1).map((r) => r[col('id')]),
      [bug.id],
    );
    assert.equal(rows[1]![col('resolved_by_name')], 'Csv Mod');
    assert.equal(rows[1]![col('resolution_notes')], 'done');
    const needles = rowsOf(await get('?q=needle').expect(200)).slice(1);
    assert.equal(needles.length, 2, 'archived tickets are left out by default');
    const withArchived = rowsOf(await get('?q=needle&include_archived=true&ordering=created_at').expect(200)).slice(1);
    assert.equal(withArchived.length, 3);
    assert.ok(withArchived.some((r) => r[col('id')] === archived.id));
    assert.deepEqual(
      withArchived.map((r) => r[col('id')]),
      withArchived.map((r) => r[col('id')]!).sort(),
      'same created_at: ordered by id ascending',
    );

    const { rows: audit } = await t.ctx.db.pool.query(
      `SELECT actor_id, actor_email, source,
         array(SELECT param || '=' || value FROM csv_export_filters f WHERE f.export_id = e.id ORDER BY 1) AS filters,
         row_count, finished_at FROM csv_exports e
       WHERE EXISTS (SELECT 1 FROM csv_export_filters f WHERE f.export_id = e.id AND param = 'q' AND value = 'NEEDLE')`,
    );
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0], {
      actor_id: mod.user.id,
      actor_email: mod.user.email,
      source: 'api',
      filters: ['category=bug', 'q=NEEDLE', 'status=resolved'],
      row_count: 1,
      finished_at: new Date('2026-07-01T10:00:00Z'),
    });
  });

  test('when bom=false, then the file starts with the header itself', async () => {
    const res = await get('?bom=false&status=archived').expect(200);
    assert.equal((res.body as Buffer).toString('utf8').slice(0, 14), 'ticket_number,');
  });

  test('when the caller or the query is wrong, then the answer is a JSON error, not a CSV attachment', async () => {
    const user = await createUserWithToken(t.ctx, { role: 'user' });
    const forbidden = await request(t.app).get(url).set(user.auth).expect(403);
    assert.match(String(forbidden.headers['content-type']), /application\/json/);
    assert.equal(forbidden.headers['content-disposition'], undefined);
    await request(t.app).get(url).expect(401);
    const bad = await request(t.app).get(`${url}?status=nope&page=2`).set(mod.auth).expect(400);
    assert.match(String(bad.headers['content-type']), /application\/json/);
    assert.equal(bad.headers['content-disposition'], undefined);
    assert.deepEqual(Object.keys(bad.body.error.fields).sort(), ['page', 'status']);
  });

  test('when the service is called with bad filters or a non-staff actor, then it throws before writing or recording', async () => {
    const before = (await t.ctx.db.pool.query('SELECT count(*)::int AS n FROM csv_exports')).rows[0].n;
    let written = 0;
    const sink = new Writable({
      write: (c: Buffer, _e, cb) => {
        written += c.length;
        cb();
      },
    });
    // Filters reach the service through the one filter parser, which refuses them first.
    await assert.rejects(
      (async () =>
        exportTicketsCsv(t.ctx, mod.user, parseTicketExportQuery({ q: 'x'.repeat(201) }).filters, sink, {
          source: 'admin',
        }))(),
      (e) => e instanceof AppError && e.status === 400 && !!e.fields?.q,
    );
    await assert.rejects(
      exportTicketsCsv(t.ctx, { ...mod.user, role: 'user' }, {}, sink, { source: 'admin' }),
      (e) => e instanceof AppError && e.status === 403,
    );
    assert.equal(written, 0);
    assert.equal(sink.writableEnded, false);
    assert.equal((await t.ctx.db.pool.query('SELECT count(*)::int AS n FROM csv_exports')).rows[0].n, before);
  });

  describe('with many rows', () => {
    const BULK = 3000;
    before(async () => {
      // Volume rows straight in SQL (creating 3000 through the service would only slow the test).
      await t.ctx.db.pool.query(
        `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, category, status, created_at, updated_at)
         SELECT gen_random_uuid(), 'BULK-' || lpad(i::text, 6, '0'), 'Bulk ' || i, 'bulk' || i || '@example.com',
           'Bulk subject ' || i, repeat('Lorem ipsum, "dolor" ', 20), 'data', 'pending',
           '2026-01-01'::timestamptz + i * interval '1 minute', now()
         FROM generate_series(1, $1::int) i`,
        [BULK],
      );
    });

    test('when the reader is slow, then the export waits for it and never buffers more than a chunk or two', async () => {
      let maxBuffered = 0;
      let bytes = 0;
      const chunks: Buffer[] = [];
      const slow = new Writable({
        highWaterMark: 16 * 1024,
        write(chunk: Buffer, _enc, cb) {
          bytes += chunk.length;
          chunks.push(chunk);
          setTimeout(cb, 2);
        },
      });
      const timer = setInterval(() => (maxBuffered = Math.max(maxBuffered, slow.writableLength)), 1);
      const result = await exportTicketsCsv(t.ctx, mod.user, { category: ['data'], q: 'bulk' }, slow, {
        source: 'admin',
        requestId: 'slow-reader',
      });
      clearInterval(timer);
      assert.equal(result.rowCount, BULK);
      assert.ok(bytes > 1_000_000, `${bytes} bytes`);
      // One 64 KiB chunk may sit in the buffer while the export waits for 'drain'; never the file.
      assert.ok(maxBuffered <= 160 * 1024, `buffered up to ${maxBuffered} bytes`);
      const rows = parseCsv(Buffer.concat(chunks).toString('utf8').slice(1));
      assert.equal(rows.length, BULK + 1);
      assert.equal(rows[1]![col('ticket_number')], `BULK-${String(BULK).padStart(6, '0')}`);
      const { rows: audit } = await t.ctx.db.pool.query(
        `SELECT row_count, finished_at, source FROM csv_exports WHERE id = $1`,
        [result.exportId],
      );
      assert.deepEqual(audit[0], { row_count: BULK, finished_at: clock.now(), source: 'admin' });
    });

    test('when the reader goes away mid-export, then the export stops, the connection is freed and finished_at stays empty', async () => {
      let received = 0;
      const quitter = new Writable({
        highWaterMark: 16 * 1024,
        write(chunk: Buffer, _enc, cb) {
          received += chunk.length;
          if (received > 100_000) this.destroy();
          else setImmediate(cb);
        },
      });
      await assert.rejects(exportTicketsCsv(t.ctx, mod.user, { q: 'bulk' }, quitter, { source: 'admin' }));
      const { rows } = await t.ctx.db.pool.query(
        `SELECT row_count, finished_at FROM csv_exports WHERE finished_at IS NULL`,
      );
      assert.equal(rows.length, 1);
      assert.ok(rows[0].row_count > 0 && rows[0].row_count < BULK, `row_count ${rows[0].row_count}`);
      const pool = t.ctx.db.pool;
      assert.equal(pool.totalCount - pool.idleCount, 0, 'no connection left checked out');
      const after = await get('?q=bulk&bom=false').expect(200);
      assert.equal(rowsOf(after).length, BULK + 1);
    });

    test('when an HTTP client hangs up mid-download, then the server stops the export and keeps serving', async () => {
      const server = t.app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      try {
        const received = await new Promise<number>((resolve, reject) => {
          const req = http.get(
            { host: '127.0.0.1', port, path: '/api/v1/contact/export.csv?q=bulk&category=data', headers: mod.auth },
            (res) => {
              let bytes = 0;
              res.on('data', (c: Buffer) => {
                bytes += c.length;
                if (bytes > 50_000) {
                  req.destroy();
                  resolve(bytes);
                }
              });
              res.on('error', () => {});
            },
          );
          req.on('error', () => {});
          setTimeout(() => reject(new Error('no data')), 5000);
        });
        assert.ok(received > 50_000);
        // The export notices on its next write; give it a moment, then check what it recorded.
        let row: { row_count: number; finished_at: Date | null } | undefined;
        for (let i = 0; i < 50 && !row; i++) {
          await new Promise((r) => setTimeout(r, 20));
          const { rows } = await t.ctx.db.pool.query(
            `SELECT row_count, finished_at FROM csv_exports e WHERE source = 'api' AND row_count IS NOT NULL
               AND EXISTS (SELECT 1 FROM csv_export_filters f WHERE f.export_id = e.id AND param = 'category' AND value = 'data')`,
          );
          row = rows[0];
        }
        assert.ok(row, 'the abandoned export was recorded');
        assert.equal(row.finished_at, null);
        assert.ok(row.row_count < BULK);
        const head = await request(t.app).head(url).set(mod.auth).expect(200);
        assert.match(String(head.headers['content-disposition']), /attachment/);
        await get('?status=archived').expect(200);
      } finally {
        server.close();
      }
    });
  });
});
