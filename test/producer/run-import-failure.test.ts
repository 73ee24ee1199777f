import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { describe, expect, inject, it } from 'vitest';
import { runImport } from '../../src/producer/run-import.js';
import { TABLE } from '../../src/results/mapping-columns.js';
import { openMappingStore } from '../../src/results/open-mapping-store.js';
import { loadConfig } from '../../src/shared/config.js';
import { writeCandidateFile } from '../support/candidate-file.js';
import { deletePrefixKeys, freshPrefix } from '../support/import-harness.js';
import { tempFilesPerTestFile } from '../support/temp-files.js';

const temp = tempFilesPerTestFile('run-import-failure-');

/** A failing import answers in well under a second; past this bound it hangs. */
const BOUND_MS = 20_000;

describe('when the results store refuses a batch while the import queues it', () => {
  // Found by bad-input.test.ts: a NUL in a name made PostgreSQL refuse the first batch, and
  // runImport never settled, because its clean-up closed the finished rejects report again.
  it('rejects with the store’s error instead of hanging', { timeout: BOUND_MS }, async () => {
    const file = join(temp.dir(), 'candidates.csv');
    await writeCandidateFile(file, { rows: 300, seed: 3 });
    const database = join(temp.dir(), 'refusing.db');
    await (await openMappingStore(database)).close();
    const sqlite = new Database(database);
    sqlite.exec(
      `CREATE TRIGGER refuse BEFORE INSERT ON ${TABLE} BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    sqlite.close();

    const prefix = freshPrefix();
    const redis = new Redis(inject('redisUrl'));
    const config = loadConfig({
      REDIS_URL: inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      DATABASE_URL: database,
    });

    try {
      const failure = await runImport({ file, campaignId: 'abc123def456' }, config).then(
        () => undefined,
        (error: unknown) => error,
      );

      expect(failure).toBeInstanceOf(Error);
      expect((failure as Error).message).toContain('disk full');
    } finally {
      await deletePrefixKeys(redis, prefix);
      await redis.quit();
    }
  });
});
