import { describe, expect, it } from 'vitest';
import { retryFailedBatches } from '../../src/worker/retry-failed.js';
import { expectDeliveredOnce, importHarnessPerTest, waitFor } from '../support/import-harness.js';

const open = importHarnessPerTest();
const REFUSAL = 'candidates must carry a consent flag for this agency';

describe('when the API refuses a batch with a 400', () => {
  it('fails the batch at once with the API message, and retry-failed sends it again', async () => {
    const harness = await open();
    // Data the API will never take: 400 VALIDATION_ERROR, the same on every try.
    harness.simulator.refuseAdds({ code: 'VALIDATION_ERROR', message: REFUSAL });
    const file = await harness.writeCandidates({ rows: 600, seed: 41 });
    const summary = await harness.importFile(file);

    await harness.startWorker({ concurrency: 3 });
    // The record counts a failure just before BullMQ moves the job: wait for both.
    await waitFor(
      async () =>
        (await harness.status(summary.importId)).batches_failed === summary.batches &&
        (await harness.jobCounts()).failed === summary.batches,
      20_000,
      'every batch to fail',
    );

    const failed = await harness.api.queue.getFailed(0, -1);
    expect(failed).toHaveLength(summary.batches);
    for (const job of failed) {
      // Six attempts allowed, one used: a 400 is not retried.
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toContain('VALIDATION_ERROR');
      expect(job.failedReason).toContain(REFUSAL);
    }
    expect(await harness.status(summary.importId)).toMatchObject({
      batches_done: 0,
      batches_failed: summary.batches,
      candidates_added: 0,
    });
    const record = harness.simulator.record();
    // One call per batch: a 400 is not sent again.
    expect(record.totals.refusedAdds).toBe(summary.batches);
    expect(record.adds).toEqual([]);

    harness.simulator.refuseAdds();
    expect(await retryFailedBatches(harness.api, 'another-import')).toBe(0);
    expect(await retryFailedBatches(harness.api, summary.importId)).toBe(summary.batches);

    await harness.waitForImport(summary.importId);
    await expectDeliveredOnce(harness, file, summary);
    // Fresh attempts: each retried batch succeeded on its first attempt of the new round.
    const completed = await harness.api.queue.getCompleted(0, -1);
    expect(completed.map((job) => job.attemptsMade)).toEqual(
      Array<number>(summary.batches).fill(1),
    );
  });
});
