import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchJobId } from '../../src/shared/jobs.js';
import { chaosRunsPerTest } from '../support/chaos-run.js';
import { type ConservationInput, checkConservation } from '../support/conservation.js';
import { CAMPAIGN, importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();
const chaosRun = chaosRunsPerTest();

describe('the conservation law', () => {
  it('holds after a clean import, and names the rows of every way it can be broken', async () => {
    const harness = await open();
    const run = chaosRun('law', harness, 500);
    await run.writeFile();
    const { import_id: importId } = await run.importFile();
    await harness.startWorker();
    await run.waitForImport(importId);

    const rejectsPath = join(harness.dir, 'candidates.rejects.csv');
    const input = async (): Promise<ConservationInput> => ({
      rows: run.rows,
      rejectsPath,
      importId,
      campaignId: CAMPAIGN,
      record: harness.simulator.record(),
      redis: harness.api.redis,
      keys: harness.api.keys,
      queue: harness.api.queue,
      status: await harness.status(importId),
    });

    const clean = await checkConservation(await input());
    expect(clean.violations).toEqual([]);
    const valid = run.rows.filter((row) => row.kind === 'valid').length;
    expect(clean.states).toEqual({
      added: valid,
      skipped: 0,
      refused: 0,
      rejected: run.rows.length - valid,
      failed: 0,
    });

    // A phone added twice, and one never added, by the simulator's record.
    const firstValid = run.rows.findIndex((row) => row.kind === 'valid') + 1;
    const lastValid = run.rows.findLastIndex((row) => row.kind === 'valid') + 1;
    const tampered = await input();
    const phones = tampered.record.phones[CAMPAIGN] ?? {};
    (phones[run.rows[firstValid - 1]?.phone as string] as { added: number }).added = 2;
    delete phones[run.rows[lastValid - 1]?.phone as string];
    const counted = await checkConservation(tampered);
    expect(counted.violations).toContain(`row ${firstValid}: added 2 time(s) by the API`);
    expect(counted.violations).toContain(`row ${firstValid}: its phone was added 2 times`);
    const lastBatch = Math.ceil(valid / 100);
    expect(counted.violations).toContain(
      `row ${lastValid}: batch ${lastBatch} completed, but the API never added the row`,
    );
    // Rows by number, never a phone.
    expect(counted.violations.join('\n')).not.toMatch(/0[67]\d{8}/);

    // A rejected row missing from the report, and a status that overstates.
    const firstRejected = run.rows.findIndex((row) => row.kind !== 'valid') + 1;
    const report = await readFile(rejectsPath, 'utf8');
    const lines = report.split('\r\n');
    await writeFile(rejectsPath, [lines[0], ...lines.slice(2)].join('\r\n'));
    const lost = await input();
    lost.status = { ...lost.status, candidates_added: lost.status.candidates_added + 1 };
    expect((await checkConservation(lost)).violations).toEqual([
      `row ${firstRejected}: lost: neither rejected nor in any batch`,
      `status candidates_added is ${valid + 1}, the rows say ${valid}`,
      `status invalid + duplicates is ${run.rows.length - valid}, the rows say ${
        run.rows.length - valid - 1
      }`,
    ]);
    await writeFile(rejectsPath, report);

    // The first batch gone from the queue: its hundred rows are lost.
    await (await harness.api.queue.getJob(batchJobId(importId, 1)))?.remove();
    const gone = await checkConservation(await input());
    expect(gone.violations[0]).toMatch(/^rows \d+(, \d+){9} and 90 more: lost: neither/);
  });
});
