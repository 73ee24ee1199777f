import { afterEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../src/shared/local-redis.js';
import { expectDeliveredOnce, importHarnessPerTest, waitFor } from '../support/import-harness.js';

let redis: RedisServer | undefined;

// Registered before the harness's own: after-hooks run last-registered first, and the harness
// must close its connections before this Redis goes away.
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
});

const open = importHarnessPerTest();

describe('when Redis restarts in the middle of an import', () => {
  it('lets the worker reconnect and finish, adding everyone once', async () => {
    // AOF on, as the compose file runs Redis: what Redis acknowledged survives the restart.
    redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
    const harness = await open({
      redisUrl: redis.url,
      // Slow enough that the restart lands while most batches still wait.
      simulator: { rateLimits: 'adds:5/1s' },
      env: { VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:5/1s' },
    });
    const file = await harness.writeCandidates({ rows: 2_000, seed: 41 });
    const summary = await harness.importFile(file);
    await harness.startWorker({ concurrency: 2 });

    await waitFor(
      async () => (await harness.status(summary.importId)).batches_done >= 3,
      20_000,
      'a few batches to be sent',
    );
    await redis.restart();

    await harness.waitForImport(summary.importId, 'done', 40_000);
    const done = await harness.status(summary.importId);
    expect(done.batches_done).toBe(summary.batches);
    await expectDeliveredOnce(harness, file, summary, { resent: true });
  });
});
