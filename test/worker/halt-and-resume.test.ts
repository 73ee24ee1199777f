import { describe, expect, it } from 'vitest';
import { readHalt } from '../../src/shared/halt-state.js';
import { tryResume } from '../../src/worker/resume.js';
import {
  CAMPAIGN,
  expectDeliveredOnce,
  type ImportHarness,
  importHarnessPerTest,
  waitFor,
} from '../support/import-harness.js';

const open = importHarnessPerTest();

/** Waits until the queue is halted and no batch is in a worker's hands any more. */
async function waitForHalt(harness: ImportHarness, importId: string): Promise<void> {
  let counts: Record<string, number> = {};
  await waitFor(
    async () => {
      counts = await harness.jobCounts();
      const status = await harness.status(importId);
      return status.state === 'halted' && counts.active === 0;
    },
    20_000,
    () => `the queue to halt; jobs ${JSON.stringify(counts)}`,
  );
}

describe('when the credits run out midway', () => {
  // 1,050 credits pay for ten full batches; the eleventh needs 100 and finds 50.
  const credits = 1_050;

  async function importUntilHalted() {
    const harness = await open({ simulator: { credits } });
    const file = await harness.writeCandidates({ rows: 2_200, seed: 31 });
    const summary = await harness.importFile(file);
    await harness.startWorker({ concurrency: 3 });
    await waitForHalt(harness, summary.importId);
    return { harness, file, summary };
  }

  it('halts the queue and keeps every batch not yet added', async () => {
    const { harness, summary } = await importUntilHalted();
    const { importId, batches } = summary;

    const halt = await readHalt(harness.api.redis, harness.api.keys);
    expect(halt).toMatchObject({ code: 'INSUFFICIENT_CREDITS', required: 100, available: 50 });
    expect(halt?.message).toContain('(required 100, available 50)');
    expect(halt?.message).toContain('`voicehire resume`');
    expect(await harness.api.queue.isPaused()).toBe(true);

    const status = await harness.status(importId);
    expect(status).toMatchObject({
      state: 'halted',
      halted: halt?.message,
      batches_done: 10,
      batches_failed: 0,
      candidates_added: 1_000,
    });
    // Every batch not yet added waits for the resume: none lost, none failed.
    expect(await harness.jobCounts()).toEqual({
      active: 0,
      completed: 10,
      delayed: 0,
      failed: 0,
      prioritized: 0,
      waiting: batches - 10,
    });

    const record = harness.simulator.record();
    expect(Object.keys(record.phones[CAMPAIGN] ?? {})).toHaveLength(1_000);
    expect(record.totals.insufficientCredits).toBeGreaterThan(0);

    // Halted means halted: a running worker sends nothing more.
    const requests = record.totals.requests;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(harness.simulator.record().totals.requests).toBe(requests);
  });

  it('resumes only once a top-up covers the refused batch, then adds the rest once', async () => {
    const { harness, file, summary } = await importUntilHalted();

    expect(await tryResume(harness.api)).toMatchObject({
      resumed: false,
      creditsAvailable: 50,
      reason: 'credits are still too low (required 100, available 50)',
    });

    // Still short of a batch: the reason gives the figure the API gives now.
    harness.simulator.topUp(20);
    expect(await tryResume(harness.api)).toMatchObject({
      resumed: false,
      reason: 'credits are still too low (required 100, available 70)',
    });
    expect(await harness.api.queue.isPaused()).toBe(true);

    harness.simulator.topUp(file.phones.length);
    const resumed = await tryResume(harness.api);
    expect(resumed).toMatchObject({ resumed: true, creditsAvailable: 70 + file.phones.length });
    expect(await readHalt(harness.api.redis, harness.api.keys)).toBeUndefined();
    expect(await harness.api.queue.isPaused()).toBe(false);

    await harness.waitForImport(summary.importId);
    await expectDeliveredOnce(harness, file, summary);
  });
});

describe('when the API refuses the key', () => {
  it('halts the queue, says to check the key and run `voicehire resume`, and resumes with the right one', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 600, seed: 32 });
    const summary = await harness.importFile(file);
    const wrongKey = { VOICEHIRE_API_KEY: 'vh_live_wrong' };

    const wrongWorker = await harness.startWorker({ concurrency: 3 }, wrongKey);
    await waitForHalt(harness, summary.importId);

    const halt = await readHalt(harness.api.redis, harness.api.keys);
    expect(halt?.code).toBe('INVALID_API_KEY');
    expect(halt?.message).toContain('VOICEHIRE_API_KEY');
    expect(halt?.message).toContain('`voicehire resume`');
    expect(halt?.message).not.toContain('vh_live_wrong');
    expect(await harness.api.queue.isPaused()).toBe(true);
    expect(await harness.jobCounts()).toEqual({
      active: 0,
      completed: 0,
      delayed: 0,
      failed: 0,
      prioritized: 0,
      waiting: summary.batches,
    });
    expect(harness.simulator.record().adds).toEqual([]);

    // The same wrong key cannot resume; the right one can, and the import then completes.
    expect(await tryResume(await harness.openApiContext(wrongKey))).toMatchObject({
      resumed: false,
      reason: 'the API still refuses the key (INVALID_API_KEY)',
    });
    expect(await harness.api.queue.isPaused()).toBe(true);

    await wrongWorker.close();
    await harness.startWorker({ concurrency: 3 });
    expect(await tryResume(harness.api)).toMatchObject({ resumed: true });
    await harness.waitForImport(summary.importId);
    await expectDeliveredOnce(harness, file, summary);
  });
});
