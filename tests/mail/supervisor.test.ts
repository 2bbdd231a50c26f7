import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { WorkerPool } from 'graphile-worker';
import { createTicket } from '../helpers/factories.js';
import { deliveriesOf, mailTestEnv, waitUntil, type MailTestEnv } from './mail-setup.js';

describe('email worker: a graphile pool that ends on its own', () => {
  let env: MailTestEnv;
  const pools: WorkerPool[] = [];
  before(async () => {
    env = await mailTestEnv({ worker: { concurrency: 1, onPoolCreate: (p) => pools.push(p) } });
  });
  after(() => env.close());

  test('when the pool shuts itself down (as graphile does after an unrecoverable error), then a new pool takes over and mail keeps flowing', async () => {
    const first = env.worker!.poolId;
    assert.equal(pools.length, 1);
    await pools[0]!.gracefulShutdown('simulated unrecoverable error');
    const second = await waitUntil(
      async () => env.worker!.poolId !== first && env.worker!.poolId,
      'a new worker pool is running',
    );
    assert.equal(pools.length, 2);
    assert.equal(pools[1]!.id, second);

    const ticket = await createTicket(env.ctx, { email: 'after-restart@example.com' });
    await waitUntil(async () => env.sink.to('after-restart@example.com').length === 1, 'the mail arrived');
    await waitUntil(async () => (await deliveriesOf(env.ctx, ticket.id))[0]?.status === 'sent', 'recorded as sent');
  });
});
