import { afterEach, describe, it } from 'vitest';
import { type RedisServer, startRedis } from '../../src/shared/local-redis.js';
import { chaosRunsPerTest, scaled, sleep, until } from '../support/chaos-run.js';
import { importHarnessPerTest } from '../support/import-harness.js';

let redis: RedisServer | undefined;

// Registered first, so that it runs last: the harness closes its connections before this Redis
// goes away.
afterEach(async () => {
  await redis?.stop();
  redis = undefined;
});

const open = importHarnessPerTest();
const chaosRun = chaosRunsPerTest();

describe('when Redis restarts several times mid-import', () => {
  it('lets the workers reconnect, losing no batch and adding every candidate once', {
    timeout: scaled(120_000, 600_000),
  }, async () => {
    // As the compose file runs it: AOF on, synced every second.
    redis = await startRedis(['--appendonly', 'yes', '--appendfsync', 'everysec']);
    const harness = await open({
      redisUrl: redis.url,
      simulator: { latencyMs: 50 },
      env: { VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:15/1s' },
    });
    const run = chaosRun('redis-restart', harness, scaled(3_000, 20_000));
    const importId = await run.startImport(2);
    harness.spawnWorker();

    for (let round = 0; round < scaled(1, 3); round++) {
      // Restart once the workers are well into the file, never after the last batch.
      const settled = run.between(1, Math.max(2, Math.floor((run.batches * (round + 1)) / 5)));
      await until(
        async () => (await harness.status(importId)).batches_done >= settled,
        `batch ${settled} to be settled before restart ${round + 1}`,
      );
      await redis.restart();
      run.figures.restarts += 1;
      await sleep(run.between(200, 1_000));
    }

    await run.finish(importId);
  });
});
