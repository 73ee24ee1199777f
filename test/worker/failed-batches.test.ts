import { describe, expect, it } from 'vitest';
import { retryFailedBatches } from '../../src/worker/retry-failed.js';
import {
  CAMPAIGN,
  expectDeliveredOnce,
  importHarnessPerTest,
  waitFor,
} from '../support/import-harness.js';

const open = importHarnessPerTest();

describe('when the API refuses a batch with a 400', () => {
  it('fails the batch at once with the API message, and retry-failed sends it again', async () => {
    const harness = await open();
    // A paused campaign takes no candidates: 400 VALIDATION_ERROR, the same on every try.
    harness.simulator.setCampaignStatus(CAMPAIGN, 'paused');
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
      expect(job.failedReason).toContain(`campaign ${CAMPAIGN} is paused: it takes no candidates`);
    }
    expect(await harness.status(summary.importId)).toMatchObject({
      batches_done: 0,
      batches_failed: summary.batches,
      candidates_added: 0,
    });
    const record = harness.simulator.record();
    // One call per batch, plus the worker's reading of the credits as it starts.
    expect(record.totals.requests).toBe(summary.batches + 1);
    expect(record.adds).toEqual([]);

    harness.simulator.setCampaignStatus(CAMPAIGN, 'active');
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
