import { describe, expect, it } from 'vitest';
import { CAMPAIGN, importHarnessPerTest } from '../support/import-harness.js';

const open = importHarnessPerTest();

describe('voicehire import --wait', () => {
  it('follows the import to the end and prints the settled counts', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 800, seed: 31 });
    await harness.startWorker();

    const run = await harness.runCommand(
      'import',
      file.path,
      '--campaign',
      CAMPAIGN,
      '--wait',
      '--json',
    );

    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({
      state: 'done',
      batches_failed: 0,
      candidates_added: file.phones.length,
      candidates_skipped: 0,
      api_refused: 0,
      halted: null,
    });
    expect(result.batches_done).toBe(result.batches);
  });

  it('exits 3 when the credits run out, and resume refuses until a top-up', async () => {
    const harness = await open({ simulator: { credits: 250 } });
    const file = await harness.writeCandidates({ rows: 800, seed: 32 });
    await harness.startWorker();

    const run = await harness.runCommand(
      'import',
      file.path,
      '--campaign',
      CAMPAIGN,
      '--wait',
      '--json',
    );
    const result = JSON.parse(run.stdout);

    expect(run.code).toBe(3);
    expect(result.state).toBe('halted');
    expect(result.halted).toContain('insufficient credits (required 100, available 50)');

    const status = await harness.runCommand('status', result.import_id, '--json');
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout).state).toBe('halted');

    const refused = await harness.runCommand('resume');
    expect(refused.code).toBe(3);
    expect(refused.stdout).toContain('credits are still too low (required 100, available 50)');

    harness.simulator.topUp(1_000);
    const resumed = await harness.runCommand('resume');
    expect(resumed.code).toBe(0);

    const done = await harness.runCommand(
      'import',
      file.path,
      '--campaign',
      CAMPAIGN,
      '--wait',
      '--json',
    );
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout).candidates_added).toBe(file.phones.length);
  });

  it('exits 4 when batches fail for good, and retry-failed sends them again', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 300, seed: 33 });
    harness.simulator.refuseAdds({ code: 'VALIDATION_ERROR', message: 'refused for the test' });
    await harness.startWorker();

    const failed = await harness.runCommand(
      'import',
      file.path,
      '--campaign',
      CAMPAIGN,
      '--wait',
      '--json',
    );
    expect(failed.code).toBe(4);
    const { import_id: importId, batches } = JSON.parse(failed.stdout);
    expect(JSON.parse(failed.stdout).batches_failed).toBe(batches);

    harness.simulator.refuseAdds();
    const retried = await harness.runCommand('retry-failed', importId);
    expect(retried.code).toBe(0);
    expect(retried.stdout).toContain(`${batches} failed batch(es) queued again`);

    const done = await harness.runCommand(
      'import',
      file.path,
      '--campaign',
      CAMPAIGN,
      '--wait',
      '--json',
    );
    expect(done.code).toBe(0);
    expect(JSON.parse(done.stdout).batches_failed).toBe(0);
  });
});

describe('voicehire status', () => {
  it('lists the recent imports as JSON', async () => {
    const harness = await open();
    const first = await harness.writeCandidates({ rows: 120, seed: 34, name: 'a.csv' });
    const second = await harness.writeCandidates({ rows: 150, seed: 35, name: 'b.csv' });
    await harness.runCommand('import', first.path, '--campaign', CAMPAIGN);
    await harness.runCommand('import', second.path, '--campaign', CAMPAIGN);

    const run = await harness.runCommand('status', '--json');

    expect(run.code).toBe(0);
    const files = JSON.parse(run.stdout).map((status: { file: string }) => status.file);
    expect(files.sort()).toEqual([first.path, second.path].sort());
  });
});
