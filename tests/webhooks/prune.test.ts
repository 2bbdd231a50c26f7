// Pruning of the delivery history (WEBHOOK_DELIVERY_RETENTION_DAYS, the hourly
// prune_webhook_deliveries sweep): delivered and failed deliveries older than the retention go,
// on every endpoint; pending and sending ones and younger ones stay; 0 keeps everything; the
// crontab runs it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SWEEP_CRONTAB } from '../../src/jobs/sweeps.js';
import { pruneWebhookDeliveries } from '../../src/webhooks/jobs.js';
import { webhookTestEnv, type WebhookTestEnv } from './webhook-setup.js';

const DAY = 86_400_000;

describe('webhook delivery retention', () => {
  let env: WebhookTestEnv;
  before(async () => {
    env = await webhookTestEnv({ WEBHOOK_DELIVERY_RETENTION_DAYS: '30' });
  });
  after(() => env.close());

  async function delivery(endpointId: string, status: string, ageDays: number): Promise<string> {
    const at = new Date(env.clock.now().getTime() - ageDays * DAY);
    const { rows } = await env.ctx.db.pool.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (event_id, endpoint_id, event_type, payload, status, created_at)
       VALUES (gen_random_uuid(), $1, 'ticket.created', '{"type": "ticket.created"}', $2::"WebhookDeliveryStatus", $3)
       RETURNING id`,
      [endpointId, status, at],
    );
    return rows[0]!.id;
  }

  const remaining = async () =>
    (await env.ctx.db.pool.query<{ id: string }>('SELECT id FROM webhook_deliveries ORDER BY id')).rows.map(
      (r) => r.id,
    );

  test('when the sweep runs, then only delivered and failed deliveries older than the retention are deleted', async () => {
    const a = await env.register({ url: 'http://127.0.0.1:9/a', events: ['ticket.created'] });
    const b = await env.register({ url: 'http://127.0.0.1:9/b', events: ['ticket.created'] });
    const gone = [
      await delivery(a.id, 'delivered', 31),
      await delivery(a.id, 'failed', 45),
      await delivery(b.id, 'delivered', 400),
    ];
    const kept = [
      await delivery(a.id, 'delivered', 29),
      await delivery(a.id, 'pending', 90),
      await delivery(b.id, 'sending', 90),
      await delivery(b.id, 'failed', 1),
    ];

    // 0 = kept forever.
    const keepAll = { ...env.ctx, config: { ...env.ctx.config, WEBHOOK_DELIVERY_RETENTION_DAYS: 0 } };
    assert.equal(await pruneWebhookDeliveries(keepAll), 0);
    assert.equal((await remaining()).length, gone.length + kept.length);

    assert.equal(await pruneWebhookDeliveries(env.ctx), gone.length);
    assert.deepEqual(await remaining(), [...kept].sort());
    assert.equal(await pruneWebhookDeliveries(env.ctx), 0, 'a second run finds nothing');

    // A month later the young delivered / failed ones go too; pending and sending never do.
    env.clock.set(new Date(env.clock.now().getTime() + 30 * DAY));
    assert.equal(await pruneWebhookDeliveries(env.ctx), 2);
    assert.deepEqual(await remaining(), [kept[1]!, kept[2]!].sort());
  });

  test('the worker crontab runs the sweep hourly', () => {
    assert.match(SWEEP_CRONTAB, /^\d+ \* \* \* \* prune_webhook_deliveries /m);
  });
});
