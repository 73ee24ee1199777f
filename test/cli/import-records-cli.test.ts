import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { openMappingStore } from '../../src/results/open-mapping-store.js';
import { generateRows, writeCandidateFile } from '../support/candidate-file.js';

// The built command: only there does the producer record from its worker thread (the sources
// under vitest record in line, which test/producer covers).
const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const campaign = 'abc123def456';

describe('when voicehire import records the candidates from its recorder thread', () => {
  it('records every queued candidate once, with its row and external id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vh-records-cli-'));
    const file = join(dir, 'candidates.csv');
    const databaseUrl = join(dir, 'voicehire.db');
    // More than one group of 100 batches, so that the queue waits on the thread at least twice.
    const generate = { rows: 25_000, seed: 8 };
    await writeCandidateFile(file, generate);
    const env = {
      PATH: process.env.PATH,
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: `{vh-records-${Math.random().toString(36).slice(2, 10)}}`,
      LOG_LEVEL: 'silent',
      DATABASE_URL: databaseUrl,
    };

    const run = spawnSync(
      process.execPath,
      [cli, 'import', file, '--campaign', campaign, '--json'],
      {
        env,
        cwd: dir,
        encoding: 'utf8',
      },
    );

    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary.batches_queued).toBe(summary.batches);
    const store = await openMappingStore(databaseUrl);
    try {
      const mappings = await store.listCampaign(campaign);
      const expected = [...generateRows(generate)].flatMap((row, index) =>
        row.kind === 'valid' ? [{ row: index + 1, externalId: row.fields[0] }] : [],
      );
      expect(mappings).toHaveLength(summary.valid);
      expect(mappings.map(({ row, externalId }) => ({ row, externalId }))).toEqual(expected);
      expect(new Set(mappings.map((mapping) => mapping.importId))).toEqual(
        new Set([summary.import_id]),
      );
    } finally {
      await store.close();
    }
  });
});
