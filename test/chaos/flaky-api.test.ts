import { describe, expect, it } from 'vitest';
import { chaosRunsPerTest, chaosSeed, scaled } from '../support/chaos-run.js';
import { importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();
const chaosRun = chaosRunsPerTest();

describe('when 30% of API calls fail', () => {
  it('retries 503s, resets and timeouts, and adds every candidate once', {
    timeout: scaled(120_000, 600_000),
  }, async () => {
    // The run's seed draws the API's failures too: each run meets a sequence of its own.
    const seed = chaosSeed();
    const harness = await open({
      simulator: {
        seed,
        failRate: 0.1,
        resetRate: 0.1,
        timeoutRate: 0.1,
        // And some calls handled in full whose answer is lost: their retry meets its own adds.
        lostAnswerRate: 0.05,
        rateLimits: 'none',
      },
      env: {
        VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:25/1s',
        // A timeout is the client's: 500 ms here instead of 30 s.
        VOICEHIRE_TIMEOUT_MS: '500',
        // 0.35^12: no batch runs out of attempts in any run of this suite.
        BATCH_ATTEMPTS: '12',
        BATCH_BACKOFF_MS: '50',
      },
    });
    const run = chaosRun('flaky-api', harness, scaled(3_000, 20_000), seed);
    const importId = await run.startImport(2, 4);

    const result = await run.finish(importId);
    const { totals } = harness.simulator.record();
    // Some 50 calls at the least, a third failing: none failing would be a chance of 1 in 10^8.
    expect(totals.unavailable + totals.resets + totals.timeouts).toBeGreaterThan(0);
    expect(result.retries).toBeGreaterThan(0);
    expect(result.failedBatches).toEqual([]);
  });
});

describe('when the API allows fewer calls than the workers are configured for', () => {
  it('waits out every burst of 429s without using an attempt, and adds every candidate once', {
    timeout: scaled(120_000, 600_000),
  }, async () => {
    const harness = await open({
      simulator: { rateLimits: scaled('adds:8/1s', 'adds:12/1s') },
      // One attempt per batch: a 429 that used an attempt would fail its batch for good.
      env: { VOICEHIRE_RATE_LIMITS: 'all:100/1s,adds:40/1s', BATCH_ATTEMPTS: '1' },
    });
    const run = chaosRun('rate-limit-bursts', harness, scaled(3_000, 20_000));
    const importId = await run.startImport(2, 4);

    const result = await run.finish(importId);
    expect(harness.simulator.record().totals.rateLimited).toBeGreaterThan(0);
    expect(result.failedBatches).toEqual([]);
  });
});
