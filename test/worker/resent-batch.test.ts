import { describe, expect, it } from 'vitest';
import { expectDeliveredOnce, importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();

describe('when a batch whose answer was lost then meets an error answer', () => {
  it('still counts the additions of the lost call as its own on the attempt that succeeds', async () => {
    const harness = await open();
    // One batch: attempt 1 is handled but its answer lost, attempt 2 is answered 503, attempt 3
    // finds every phone there. The 503 says nothing of attempt 1: its additions are ours.
    harness.simulator.failNextAdds(['lost-answer', 'unavailable']);
    const file = await harness.writeCandidates({ rows: 100, seed: 61 });
    const summary = await harness.importFile(file);
    expect(summary.batches).toBe(1);

    await harness.startWorker({ concurrency: 1 });
    await harness.waitForImport(summary.importId);

    const { totals } = harness.simulator.record();
    expect(totals).toMatchObject({ lostAnswers: 1, unavailable: 1 });
    await expectDeliveredOnce(harness, file, summary, { resent: true });
  });
});

describe('when a batch whose answer was lost is answered 409 on its next attempt', () => {
  it('counts the phones the lost call added as added, not as skipped', async () => {
    const harness = await open();
    harness.simulator.failNextAdds(['lost-answer', 'conflict']);
    const file = await harness.writeCandidates({ rows: 100, seed: 62 });
    const summary = await harness.importFile(file);

    await harness.startWorker({ concurrency: 1 });
    await harness.waitForImport(summary.importId);

    const { totals } = harness.simulator.record();
    expect(totals).toMatchObject({ lostAnswers: 1, conflicts: 1 });
    await expectDeliveredOnce(harness, file, summary, { resent: true });
  });
});
