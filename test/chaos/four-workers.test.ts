import { describe, expect, it } from 'vitest';
import { chaosRunsPerTest, scaled } from '../support/chaos-run.js';
import { importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();
const chaosRun = chaosRunsPerTest();

describe('when four workers share one queue and one limiter', () => {
  it('sends each batch once between them, within the limit, and adds every candidate once', {
    timeout: scaled(120_000, 600_000),
  }, async () => {
    // The simulator enforces the same limit as the workers' shared limiter.
    const harness = await open({
      simulator: { latencyMs: 30 },
      env: { VOICEHIRE_RATE_LIMITS: 'all:60/1s,adds:30/1s' },
    });
    const run = chaosRun('four-workers', harness, scaled(3_000, 20_000));
    const importId = await run.startImport(4);

    await run.finish(importId);
    const { adds, phones } = harness.simulator.record();
    // No batch went out twice: no worker took another's batch.
    expect(adds).toHaveLength(run.batches);
    expect(
      Object.values(phones)
        .flatMap(Object.values)
        .filter((p) => p.received !== 1),
    ).toEqual([]);
  });
});
