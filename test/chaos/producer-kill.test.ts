import { describe, expect, it } from 'vitest';
import { type ImportRecord, readImport } from '../../src/shared/import-record.js';
import { type ChaosRun, chaosRunsPerTest, scaled, sleep } from '../support/chaos-run.js';
import type { CliProcess } from '../support/cli-process.js';
import { CAMPAIGN, type ImportHarness, importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();
const chaosRun = chaosRunsPerTest();

describe('when the producer is SIGKILLed mid-file', () => {
  it('queues the rest when run again on the same file, and adds every candidate once', {
    timeout: scaled(120_000, 600_000),
  }, async () => {
    const harness = await open({ env: { VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:60/1s' } });
    // Some 180 batches or more: the producer queues them 100 at a time, and the kill after the
    // first hundred lands while the rest are recorded and queued.
    const run = chaosRun('producer-kill', harness, scaled(20_000, 30_000));
    await run.writeFile();
    // Workers run throughout: batches queued before a kill are being sent while the producer
    // is killed and run again.
    harness.spawnWorker();

    // A kill as soon as the first hundred batches are in the queue, then (full run) kills at
    // random moments: each rerun must queue the rest, and only the rest.
    const rounds = scaled(1, 5);
    const readingMs = rounds > 1 ? await timeDryRun(run) : 0;
    const phases = { beforeQueueing: 0, midQueueing: 0, afterQueueing: 0, finished: 0 };
    for (let round = 0; round < rounds; round++) {
      const enqueued = (await latestImport(harness))?.batchesEnqueued ?? 0;
      const producer = run.spawnCli(['import', run.path, '--campaign', CAMPAIGN, '--json']);
      if (round === 0) {
        await untilQueued(harness, producer);
      } else {
        await sleep(run.between(readingMs * 0.2, readingMs));
      }
      if (producer.done()) {
        phases.finished += 1;
        continue;
      }
      await run.kill(producer);

      const record = await latestImport(harness);
      if (record?.queuedAt !== undefined) {
        phases.afterQueueing += 1;
      } else if ((record?.batchesEnqueued ?? 0) > enqueued) {
        phases.midQueueing += 1;
      } else {
        phases.beforeQueueing += 1;
      }
    }
    expect(phases.midQueueing, `phases ${JSON.stringify(phases)}`).toBeGreaterThan(0);
    Object.assign(run.figures, { readingMs, ...phases });

    const summary = await run.importFile();
    expect(summary.batches).toBe(run.batches);
    await run.finish(summary.import_id);
  });
});

/** How long reading the file takes here, so that random kills land while it is read or queued. */
async function timeDryRun(run: ChaosRun): Promise<number> {
  const started = Date.now();
  const args = ['import', run.path, '--campaign', CAMPAIGN, '--dry-run'];
  const { code } = await run.spawnCli(args).exited;
  expect(code).toBe(0);
  return Date.now() - started;
}

/** The import's record, once the producer got as far as writing it. */
async function latestImport(harness: ImportHarness): Promise<ImportRecord | undefined> {
  const { redis, keys } = harness.api;
  const [importId] = await redis.zrange(keys.imports, 0, -1);
  return importId === undefined ? undefined : readImport(redis, keys, importId);
}

/** Until a first batch is queued; quick polls: queueing a file takes a few hundred ms. */
async function untilQueued(harness: ImportHarness, producer: CliProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && !producer.done()) {
    const record = await latestImport(harness);
    if (record !== undefined && record.batchesEnqueued > 0) {
      return;
    }
    await sleep(2);
  }
}
