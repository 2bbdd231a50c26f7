// Percentiles from the per-day duration buckets: the documented bound (within 4.4 % of the exact
// nearest-rank value) holds for the database's bucket function and the service's reading of it,
// and stats/overview switches from exact to buckets above EXACT_PERCENTILE_LIMIT durations.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import request from 'supertest';
import {
  histogramPercentiles,
  HISTOGRAM_MAX_RELATIVE_ERROR,
  addToHistogram,
  type Histogram,
} from '../../src/stats/histogram.js';
import { EXACT_PERCENTILE_LIMIT } from '../../src/stats/ticket-stats.js';
import { createTestApp, TestClock, type TestApp } from '../helpers/app.js';
import { createUserWithToken } from '../helpers/factories.js';

const T0 = Date.parse('2026-06-15T10:00:00Z');
const PS = [0.01, 0.1, 0.5, 0.9, 0.99, 1];

const nearestRank = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
const withinBound = (estimate: number | null, exact: number) =>
  estimate !== null && Math.abs(estimate - exact) <= HISTOGRAM_MAX_RELATIVE_ERROR * exact + 0.5;

describe('duration percentiles from buckets', () => {
  const clock = new TestClock(new Date(T0));
  let t: TestApp;

  before(async () => {
    t = await createTestApp({ clock });
  });
  after(() => t.close());

  test('when durations from 0 s to 60 days are bucketed by the database, then every percentile is within the bound', async () => {
    // Log-uniform over 1 s … 60 days, a few under a second and exact powers of two (bucket edges).
    let seed = 42;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const values = [
      0,
      0,
      1,
      2,
      1024,
      65_536,
      ...Array.from({ length: 5_000 }, () => Math.floor(Math.exp(rand() * Math.log(60 * 86_400)))),
    ];
    const { rows } = await t.ctx.db.pool.query<{ b: number; n: number }>(
      'SELECT ticket_stat_bucket(v) AS b, count(*)::int AS n FROM unnest($1::bigint[]) v GROUP BY 1',
      [values],
    );
    const h: Histogram = new Map();
    for (const r of rows) addToHistogram(h, r.b, r.n);
    const sorted = [...values].sort((a, b) => a - b);
    const estimates = histogramPercentiles(h, PS);
    PS.forEach((p, i) => {
      const exact = nearestRank(sorted, p);
      assert.ok(withinBound(estimates[i]!, exact), `p${p * 100}: estimate ${estimates[i]} vs exact ${exact}`);
    });
    assert.deepEqual(histogramPercentiles(new Map(), [0.5]), [null]);
  });

  test('when a week has more resolutions than the exact limit, then the overview reads them from buckets', async () => {
    const mod = await createUserWithToken(t.ctx, { role: 'moderator' });
    const count = EXACT_PERCENTILE_LIMIT + 500;
    // One INSERT (the direct path of the trigger), resolved 1 min … ~10 days after creation,
    // all within the last 6 days.
    await t.ctx.db.pool.query(
      `INSERT INTO contact_submissions (id, ticket_number, name, email, subject, message, category, status,
         created_at, updated_at, resolved_at, sla_first_response_at)
       SELECT gen_random_uuid(), 'CONT-BULK-' || g, 'N', 'n@example.com', 'S', 'M', 'bug', 'resolved',
         $1::timestamptz - (g % 6) * interval '1 day' - interval '1 hour' - d, $1::timestamptz,
         $1::timestamptz - (g % 6) * interval '1 day' - interval '1 hour',
         $1::timestamptz - (g % 6) * interval '1 day' - interval '1 hour' - d / 3
       FROM generate_series(1, $2::int) g,
         LATERAL (SELECT make_interval(secs => exp(((g * 7919) % 1000) / 1000.0 * ln(864000.0)) + 60) AS d) x`,
      [new Date(T0), count],
    );
    const s = (await request(t.app).get('/api/v1/contact/stats/overview').set(mod.auth).expect(200)).body;
    const exact = await t.ctx.db.pool.query<{ r50: number; r90: number; f50: number; f90: number; fn: number }>(
      `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY r) FILTER (WHERE resolved_at >= w)::float8 AS r50,
              percentile_disc(0.9) WITHIN GROUP (ORDER BY r) FILTER (WHERE resolved_at >= w)::float8 AS r90,
              percentile_disc(0.5) WITHIN GROUP (ORDER BY f) FILTER (WHERE sla_first_response_at >= w)::float8 AS f50,
              percentile_disc(0.9) WITHIN GROUP (ORDER BY f) FILTER (WHERE sla_first_response_at >= w)::float8 AS f90,
              count(*) FILTER (WHERE sla_first_response_at >= w)::int AS fn
       FROM (SELECT *, extract(epoch FROM resolved_at - created_at) AS r,
                    extract(epoch FROM sla_first_response_at - created_at) AS f,
                    $1::timestamptz - interval '7 days' AS w FROM contact_submissions) x`,
      [new Date(T0)],
    );
    const x = exact.rows[0]!;
    assert.equal(s.percentile_methods.resolution_time_7d, 'histogram');
    assert.equal(s.percentile_methods.first_response_time_30d, 'histogram');
    assert.equal(s.resolution_time_7d.resolved_count, count);
    assert.equal(s.first_response_time_7d.responded_count, x.fn);
    assert.ok(x.fn > EXACT_PERCENTILE_LIMIT, `first responses in the week: ${x.fn}`);
    assert.ok(
      withinBound(s.resolution_time_7d.median_seconds, x.r50),
      `median ${s.resolution_time_7d.median_seconds} vs ${x.r50}`,
    );
    assert.ok(
      withinBound(s.resolution_time_7d.p90_seconds, x.r90),
      `p90 ${s.resolution_time_7d.p90_seconds} vs ${x.r90}`,
    );
    assert.ok(withinBound(s.first_response_time_7d.median_seconds, x.f50));
    assert.ok(withinBound(s.first_response_time_7d.p90_seconds, x.f90));
    assert.equal(s.percentile_methods.histogram_max_relative_error, 0.0443);
  });
});
