import { describe, expect, it } from 'vitest';
import { type ChaosRun, chaosRunsPerTest, scaled, sleep, until } from '../support/chaos-run.js';
import type { ChildWorker } from '../support/import-harness.js';
import { importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();
const chaosRun = chaosRunsPerTest();

describe('when workers are SIGKILLed at random moments', () => {
  it('takes their batches back after each kill and adds every candidate once', {
    timeout: scaled(120_000, 600_000),
  }, async () => {
    const harness = await open({
      // Every call spends 200 ms in the API: a kill often lands while calls are under way, which
      // the API then handles with nobody left to record the answer.
      simulator: { latencyMs: 200, rateLimits: 'none' },
      env: { VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:10/1s' },
    });
    const run = chaosRun('worker-kills', harness, scaled(4_000, 20_000));
    await run.writeFile();
    const { import_id: importId } = await run.importFile();
    const workers: ChildWorker[] = [harness.spawnWorker(), harness.spawnWorker()];

    // First the whole host at once, just as a call reaches the API: that call is handled with
    // no worker left to record it, and its batch must be sent again and counted once.
    await untilCallUnderWay(run, importId);
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    run.figures.kills += workers.length;
    workers.splice(0, workers.length, harness.spawnWorker(), harness.spawnWorker());
    run.figures.restarts += workers.length;

    // Then one worker at a time, at random moments.
    const kills = scaled(2, 6);
    for (let round = 0; round < kills; round++) {
      await sleep(run.between(300, scaled(1_000, 2_500)));
      const status = await harness.status(importId);
      // Each kill must land mid-import, or it proves nothing.
      expect(status.state, `kill ${round + 1} of ${kills}`).not.toBe('done');

      const victim = run.between(0, workers.length);
      await (workers[victim] as ChildWorker).stop('SIGKILL');
      run.figures.kills += 1;
      workers[victim] = harness.spawnWorker();
      run.figures.restarts += 1;
    }

    const result = await run.finish(importId);
    expect(result.states.added).toBe(run.rows.filter((row) => row.kind === 'valid').length);
    expect(result.resentPhones).toBeGreaterThan(0);
  });
});

/**
 * Until a worker has marked a batch in flight (just before its call), then a little longer:
 * the call has reached the API and spends its 200 ms there.
 */
async function untilCallUnderWay(run: ChaosRun, importId: string): Promise<void> {
  const { redis, keys } = run.harness.api;
  await until(async () => (await redis.hlen(keys.importInFlight(importId))) > 0, 'a call');
  await sleep(60);
}
