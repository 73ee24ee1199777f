import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
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

describe('when Redis restarts or crashes several times mid-import', () => {
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

    for (let round = 0; round < scaled(2, 4); round++) {
      // Restart once the workers are well into the file, never after the last batch.
      const settled = run.between(1, Math.max(2, Math.floor((run.batches * (round + 1)) / 5)));
      await until(
        async () => (await harness.status(importId)).batches_done >= settled,
        `batch ${settled} to be settled before restart ${round + 1}`,
      );
      expect((await harness.status(importId)).state, `restart ${round + 1}`).not.toBe('done');
      // Every other time a crash: Redis writes each command to the AOF before it answers, so a
      // killed process loses nothing it acknowledged (only a machine's crash would, up to 1 s).
      if (round % 2 === 1) {
        await crash(redis);
        run.figures.crashes = (run.figures.crashes ?? 0) + 1;
      }
      await redis.restart();
      run.figures.restarts += 1;
      await sleep(run.between(200, 1_000));
    }

    await run.finish(importId);
  });
});

/** SIGKILLs redis-server; restart() then starts it again on the same files. */
async function crash(server: RedisServer): Promise<void> {
  const exited = once(server.process, 'exit');
  server.process.kill('SIGKILL');
  await exited;
}
