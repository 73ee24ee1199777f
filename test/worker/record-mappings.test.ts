import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { TABLE } from '../../src/results/mapping-columns.js';
import type { CandidateMapping } from '../../src/results/mapping-store.js';
import { openMappingStore } from '../../src/results/open-mapping-store.js';
import { generateRows } from '../support/candidate-file.js';
import {
  CAMPAIGN,
  type ImportHarness,
  importHarnessPerTest,
  waitFor,
} from '../support/import-harness.js';

const open = importHarnessPerTest();

async function storedMappings(harness: ImportHarness): Promise<CandidateMapping[]> {
  const store = await openMappingStore(harness.config.DATABASE_URL);
  try {
    return await store.listCampaign(CAMPAIGN);
  } finally {
    await store.close();
  }
}

describe('when workers send the batches of an import', () => {
  it('records every candidate they send once, with its row and external id', async () => {
    const harness = await open();
    const generate = { rows: 2_500, seed: 9 };
    const file = await harness.writeCandidates(generate);
    const summary = await harness.importFile(file);

    // The producer records nothing: the store learns of a candidate as its batch goes out.
    expect(await storedMappings(harness)).toEqual([]);

    await harness.startWorker({ concurrency: 3 });
    await harness.waitForImport(summary.importId);

    const expected = [...generateRows(generate)].flatMap((row, index) =>
      row.kind === 'valid'
        ? [{ row: index + 1, externalId: row.fields[0], importId: summary.importId }]
        : [],
    );
    const mappings = await storedMappings(harness);
    expect(
      mappings.map(({ row, externalId, importId }) => ({ row, externalId, importId })),
    ).toEqual(expected);
    expect(new Set(mappings.map((mapping) => mapping.status))).toEqual(new Set(['imported']));
  });
});

describe('when the results store refuses a batch', () => {
  it('sends nothing of it and fails it with the store’s reason once its attempts are spent', async () => {
    const harness = await open({ env: { BATCH_ATTEMPTS: '2' } });
    const database = harness.config.DATABASE_URL;
    await (await openMappingStore(database)).close();
    const sqlite = new Database(database);
    sqlite.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON ${TABLE} BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    sqlite.close();
    const file = await harness.writeCandidates({ rows: 150, seed: 4 });
    const summary = await harness.importFile(file);

    await harness.startWorker({ concurrency: 1 });
    await waitFor(
      async () => (await harness.api.queue.getJobCountByTypes('failed')) === summary.batches,
      20_000,
      () => 'every batch to fail',
    );

    const failed = await harness.api.queue.getFailed();
    expect(failed.map((job) => job.failedReason)).toEqual(
      failed.map(() => expect.stringContaining('disk full')),
    );
    expect(failed.map((job) => job.attemptsMade)).toEqual(failed.map(() => 2));
    expect(harness.simulator.record().adds).toEqual([]);
  });
});
