import { describe, expect, it } from 'vitest';
import {
  CAMPAIGN,
  expectDeliveredOnce,
  importHarnessPerTest,
  waitFor,
} from '../support/import-harness.js';

const open = importHarnessPerTest();

describe('when a worker is killed midway', () => {
  it('lets another worker take its batches back, and adds everyone once', async () => {
    const harness = await open({
      // Each call waits 300 ms in the API before it is handled: a kill lands while calls are
      // under way, and the API still handles them after their worker has gone.
      simulator: { latencyMs: 300, rateLimits: 'none' },
      env: { VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:10/1s' },
    });
    const file = await harness.writeCandidates({ rows: 1_200, seed: 51 });
    const summary = await harness.importFile(file);

    const first = harness.spawnWorker({ concurrency: 3 });
    // Kill just as a call reaches the API, once a few batches are in: that call is then handled
    // with nobody left to record it, the worst moment for a crash.
    let requests = 0;
    await waitFor(
      () => {
        const { adds, totals } = harness.simulator.record();
        const arrived = totals.requests > requests;
        requests = totals.requests;
        return arrived && adds.length >= 3;
      },
      20_000,
      () => `a few batches to be sent; worker output:\n${first.output()}`,
    );
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect((await harness.jobCounts()).active).toBeGreaterThan(0);

    const second = harness.spawnWorker({ concurrency: 3 });
    await harness.waitForImport(summary.importId, 'done', 40_000);

    await expectDeliveredOnce(harness, file, summary, { resent: true });
    // The call under way at the kill reached the API twice; the second time the API skipped its
    // phones, and the import still counts them as its own additions (expectDeliveredOnce).
    const phones = Object.values(harness.simulator.record().phones[CAMPAIGN] ?? {});
    expect(phones.filter((phone) => phone.received === 2).length).toBeGreaterThan(0);
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });
});
