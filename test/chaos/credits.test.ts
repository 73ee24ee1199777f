import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/shared/exit-codes.js';
import { tryResume } from '../../src/worker/resume.js';
import { type ChaosRun, chaosRunsPerTest, scaled, until } from '../support/chaos-run.js';
import { importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();
const chaosRun = chaosRunsPerTest();

describe('when the credits run out twice', () => {
  it('halts each time, resumes after each top-up, and adds every candidate once', {
    timeout: scaled(120_000, 600_000),
  }, async () => {
    const rows = scaled(3_000, 20_000);
    // A third of the file's candidates, and 50 to spare: each halt comes with a batch that
    // needs 100 credits and finds fewer.
    const third = Math.floor((rows * 0.9) / 3);
    const harness = await open({
      simulator: { credits: third + 50 },
      env: { VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:25/1s' },
    });
    const run = chaosRun('credits-twice', harness, rows);
    const importId = await run.startImport(2);

    for (const topUp of [third, rows]) {
      await untilHalted(run, importId);
      run.figures.halts = (run.figures.halts ?? 0) + 1;
      // Before the top-up, resume refuses and the queue stays halted.
      expect(await tryResume(harness.api)).toMatchObject({ resumed: false });
      expect((await harness.status(importId)).state).toBe('halted');

      harness.simulator.topUp(topUp);
      const resume = run.spawnCli(['resume']);
      expect((await resume.exited).code, resume.stderr()).toBe(EXIT.OK);
    }

    await run.finish(importId);
    expect(harness.simulator.record().totals.insufficientCredits).toBeGreaterThanOrEqual(2);
  });
});

/** Until the queue is halted and no batch is left in a worker's hands. */
async function untilHalted(run: ChaosRun, importId: string): Promise<void> {
  let counts: Record<string, number> = {};
  await until(
    async () => {
      counts = await run.harness.jobCounts();
      const status = await run.harness.status(importId);
      return status.state === 'halted' && counts.active === 0;
    },
    () => `the queue to halt; jobs ${JSON.stringify(counts)}`,
  );
}
