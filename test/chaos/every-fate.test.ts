import { describe, expect, it } from 'vitest';
import { chaosRunsPerTest, scaled, until } from '../support/chaos-run.js';
import { CAMPAIGN, importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();
const chaosRun = chaosRunsPerTest();

const REFUSAL = { code: 'VALIDATION_ERROR' as const, message: 'the campaign is being edited' };

describe('when rows meet every fate an import knows', () => {
  it('ends each row in one state, then retry-failed adds the failed batches once', {
    timeout: scaled(120_000, 600_000),
  }, async () => {
    const harness = await open({ env: { VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:20/1s' } });
    const run = chaosRun('every-fate', harness, scaled(3_000, 20_000));

    // Some candidates are in the campaign before the import (the API skips them), and the API
    // refuses others one by one (with their row in the import's record).
    const valid = run.rows.filter((row) => row.kind === 'valid');
    const present = valid.filter(() => run.random() < 0.02).slice(0, 100);
    await harness.api.client.addCandidates(
      CAMPAIGN,
      present.map((row) => ({
        first_name: row.fields[1],
        last_name: row.fields[2],
        phone: row.phone as string,
        email: row.fields[4],
      })),
    );
    const refused = valid.filter((row) => !present.includes(row) && run.random() < 0.01);
    harness.simulator.refuseCandidates(refused.map((row) => row.phone as string));

    const importId = await run.startImport(2);
    // For a while the API refuses whole calls with a 400: those batches fail for good, listed.
    const from = run.between(1, Math.floor(run.batches / 2));
    await until(
      async () => (await harness.status(importId)).batches_done >= from,
      `batch ${from} to be done`,
    );
    harness.simulator.refuseAdds(REFUSAL);
    await until(async () => (await harness.status(importId)).batches_failed > 0, 'a batch to fail');
    harness.simulator.refuseAdds();

    const settled = await run.finish(importId);
    expect(settled.failedBatches.length).toBeGreaterThan(0);
    expect(settled.failedBatches.every(({ reason }) => reason.includes(REFUSAL.message))).toBe(
      true,
    );
    for (const state of ['added', 'skipped', 'refused', 'rejected', 'failed'] as const) {
      expect(settled.states[state], state).toBeGreaterThan(0);
    }

    const retry = run.spawnCli(['retry-failed', importId]);
    expect((await retry.exited).code, retry.stderr()).toBe(0);
    const retried = await run.finish(importId);
    // The failed rows found their own fates; no other row moved.
    const sent = ({ added, skipped, refused }: typeof settled.states) => added + skipped + refused;
    expect(retried.states.failed).toBe(0);
    expect(sent(retried.states)).toBe(sent(settled.states) + settled.states.failed);
    expect(retried.states.rejected).toBe(settled.states.rejected);
    expect(retried.failedBatches).toEqual([]);
  });
});
