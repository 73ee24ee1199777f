import { describe, expect, it } from 'vitest';
import { expectDeliveredOnce, importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();

describe('when the API allows fewer calls than the worker is configured for', () => {
  it('waits out every 429 without using an attempt, and still adds everyone once', async () => {
    const harness = await open({
      simulator: { rateLimits: 'adds:5/1s' },
      // One attempt per batch: a 429 counted as a failed attempt would fail its batch for good.
      env: { VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:20/1s', BATCH_ATTEMPTS: '1' },
    });
    const file = await harness.writeCandidates({ rows: 1_500, seed: 21 });
    const summary = await harness.importFile(file);

    await harness.startWorker({ concurrency: 3 });
    await harness.waitForImport(summary.importId);

    const { rateLimited } = harness.simulator.record().totals;
    expect(rateLimited).toBeGreaterThan(0);
    // Waiting as long as the API asks leaves a 429 only to the calls already under way when a
    // window fills, a few per window; knocking again at once would meet one per free permit.
    expect(rateLimited).toBeLessThanOrEqual(summary.batches);
    await expectDeliveredOnce(harness, file, summary);
    const completed = await harness.api.queue.getCompleted(0, -1);
    expect(completed).toHaveLength(summary.batches);
    expect(completed.filter((job) => job.attemptsMade !== 1)).toEqual([]);
  });
});

describe('when the queue is told to wait', () => {
  it('holds back every worker, not only the one that met the limit', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 300, seed: 4 });
    const summary = await harness.importFile(file);

    await harness.api.queue.rateLimit(3_000);
    await harness.startWorker({ concurrency: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect((await harness.status(summary.importId)).batches_done).toBe(0);
    await harness.waitForImport(summary.importId);
    await expectDeliveredOnce(harness, file, summary);
  });
});
