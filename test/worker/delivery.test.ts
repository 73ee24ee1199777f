import { describe, expect, it } from 'vitest';
import { expectDeliveredOnce, importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();

/**
 * The workers' `adds:20/1s` window: the 21st call waits for the second window, which opens 1.1 s
 * after the first call was counted. Half of that leaves room for a slow first request; a worker
 * without the limiter sends all 21 within a few milliseconds.
 */
function expectPacedAt20PerSecond(adds: ReadonlyArray<{ at: number }>): void {
  const times = adds.map((call) => call.at).sort((a, b) => a - b);
  expect(times.length).toBeGreaterThan(20);
  expect((times[20] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(550);
}

describe('when a worker sends a whole import', () => {
  it('adds every valid unique candidate once, in calls of 100 but the last', async () => {
    // No limit in the API: any pacing seen comes from the worker's own limiter.
    const harness = await open({ simulator: { rateLimits: 'none' } });
    const file = await harness.writeCandidates({ rows: 2_500, seed: 11 });
    const summary = await harness.importFile(file);

    await harness.startWorker({ concurrency: 3 });
    await harness.waitForImport(summary.importId);

    await expectDeliveredOnce(harness, file, summary);
    const record = harness.simulator.record();
    const sent = record.adds.map((call) => call.sent).sort((a, b) => b - a);
    const last = file.phones.length % 100;
    // The seed was picked for a short last batch, so that "all full but the last" is visible.
    expect(last).toBeGreaterThan(0);
    expect(sent).toEqual([...Array<number>(summary.batches - 1).fill(100), last]);
    expectPacedAt20PerSecond(record.adds);
  });
});

describe('when two workers share an import', () => {
  it('sends each batch once and stays within the limits they share', async () => {
    const harness = await open({ simulator: { rateLimits: 'none' } });
    const file = await harness.writeCandidates({ rows: 2_500, seed: 12 });
    const summary = await harness.importFile(file);

    await harness.startWorker({ concurrency: 3 });
    await harness.startWorker({ concurrency: 3 });
    await harness.waitForImport(summary.importId);

    await expectDeliveredOnce(harness, file, summary);
    expectPacedAt20PerSecond(harness.simulator.record().adds);
  });
});

describe('when the API fails one call in five', () => {
  it('retries the failed batches until every candidate is added once', async () => {
    // Resets strike before the API handles the call (lostAnswerRate is the other case), so a
    // retried batch never meets its own candidates: nothing may come back skipped.
    const harness = await open({
      simulator: { failRate: 0.1, resetRate: 0.1, seed: 7 },
      // 0.2^8: a batch failing every attempt would be a one-in-390,000 event.
      env: { BATCH_ATTEMPTS: '8' },
    });
    const file = await harness.writeCandidates({ rows: 2_000, seed: 13 });
    const summary = await harness.importFile(file);

    await harness.startWorker({ concurrency: 3 });
    await harness.waitForImport(summary.importId);

    await expectDeliveredOnce(harness, file, summary);
    const { totals } = harness.simulator.record();
    expect(totals.unavailable).toBeGreaterThan(0);
    expect(totals.resets).toBeGreaterThan(0);
    const completed = await harness.api.queue.getCompleted(0, -1);
    const retried = completed.filter((job) => job.attemptsMade > 1);
    expect(retried.length).toBeGreaterThan(0);
  });
});

describe('when the API handles a call but its answer is lost', () => {
  it('sends the batch again, and counts what the API skipped as its own additions', async () => {
    const harness = await open({ simulator: { lostAnswerRate: 0.15, seed: 8 } });
    const file = await harness.writeCandidates({ rows: 2_000, seed: 14 });
    const summary = await harness.importFile(file);

    await harness.startWorker({ concurrency: 3 });
    await harness.waitForImport(summary.importId);

    await expectDeliveredOnce(harness, file, summary, { resent: true });
    const { totals } = harness.simulator.record();
    expect(totals.lostAnswers).toBeGreaterThan(0);
    // The batches sent again reached the API twice; expectDeliveredOnce has already checked that
    // the import counts every phone as added by it, none as skipped.
    const phones = Object.values(harness.simulator.record().phones[summary.campaignId] ?? {});
    expect(phones.filter((phone) => phone.received > 1).length).toBeGreaterThan(0);
  });
});
