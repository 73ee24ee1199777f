import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CsvInputError, type CsvInputErrorCode } from '../../src/producer/input-errors.js';
import { type ImportSummary, runImport } from '../../src/producer/run-import.js';
import { openMappingStore } from '../../src/results/open-mapping-store.js';
import { loadConfig } from '../../src/shared/config.js';
import { UsageError } from '../../src/shared/exit-codes.js';
import { REJECT_REASONS } from '../../src/shared/reject-reasons.js';
import { nthMobile } from '../support/candidate-file.js';
import { anyCsvBytes } from '../support/csv-arbitraries.js';
import { freshPrefix, keyPattern } from '../support/import-harness.js';
import { tempFilesPerTestFile } from '../support/temp-files.js';

const temp = tempFilesPerTestFile('run-import-props-');
const campaignId = 'abc123def456';

/**
 * A run that takes longer than this is a hang. The largest generated file is a little over
 * 1 MB and imports in well under a second, even on a busy machine.
 */
const RUN_TIMEOUT_MS = 10_000;

/** Room for fast-check to shrink a hang, a run at a time, and still print the smallest case. */
const PROPERTY_TIMEOUT = { timeout: 180_000 };

/** A message a user can read: the wording of a problem, not a dump of the file. */
const MAX_MESSAGE_LENGTH = 2_000;

/** Every code, so that a code added to the type without a thought here fails to compile. */
const INPUT_ERROR_CODES: Record<CsvInputErrorCode, true> = {
  FILE_NOT_FOUND: true,
  FILE_UNREADABLE: true,
  FILE_EMPTY: true,
  FILE_BINARY: true,
  ENCODING_UNSUPPORTED: true,
  ENCODING_INVALID: true,
  CSV_MALFORMED: true,
  HEADER_MISSING: true,
  COLUMNS_MISSING: true,
};

/** The outcome of one import: its summary, or what it was refused with. */
type Outcome = { summary: ImportSummary } | { failure: unknown };

async function importOutcome(run: Promise<ImportSummary>): Promise<Outcome> {
  return run.then(
    (summary) => ({ summary }),
    (failure: unknown) => ({ failure }),
  );
}

/** A refusal of the whole file: a coded CsvInputError naming the file, with a short message. */
function expectClearRefusal(failure: unknown, path: string): void {
  if (failure instanceof UsageError) {
    expect(failure.message.length).toBeGreaterThan(0);
    return;
  }

  expect(failure).toBeInstanceOf(CsvInputError);
  const error = failure as CsvInputError;
  expect(Object.keys(INPUT_ERROR_CODES)).toContain(error.code);
  expect(error.path).toBe(path);
  expect(error.message.startsWith(`${path}: `)).toBe(true);
  expect(error.message.length).toBeGreaterThan(path.length + 2);
  expect(error.message.length).toBeLessThan(MAX_MESSAGE_LENGTH);
}

/** Every row in one counter, and one line of the rejects report per refused row. */
function expectEveryRowAccounted(summary: ImportSummary): void {
  const { rows, valid, invalid, duplicates, alreadySent } = summary;
  expect(rows).toBe(valid + invalid + duplicates + alreadySent);
  expect(Object.values(summary.invalidByReason).reduce((sum, count) => sum + count, 0)).toBe(
    invalid,
  );
  expect(summary.rejects).toBe(invalid + duplicates + alreadySent);

  const [header, ...rejected] = parse(readFileSync(summary.rejectsPath), {
    bom: true,
    delimiter: summary.format.delimiter,
    relax_column_count: true,
  }) as string[][];
  expect(header?.slice(0, 3)).toEqual(['row', 'reason', 'message']);
  expect(rejected).toHaveLength(summary.rejects);
  for (const [row, reason, message] of rejected) {
    expect(Number(row)).toBeGreaterThan(0);
    expect(Object.keys(REJECT_REASONS)).toContain(reason);
    expect(message?.length).toBeGreaterThan(0);
  }
}

/** What a user may pass on the command line: a forced format, and a chunk size in tests. */
const readingOptions = fc.record({
  format: fc.record(
    {
      encoding: fc.constantFrom('utf-8', 'windows-1252', 'latin1'),
      delimiter: fc.constantFrom(',', ';', '\t'),
    },
    { requiredKeys: [] },
  ),
  chunkSize: fc.integer({ min: 1, max: 1_000 }),
});

describe('runImport, on any bytes at all (dry run)', () => {
  it(
    'ends in counts that add up, or in a clear refusal of the whole file',
    PROPERTY_TIMEOUT,
    async () => {
      const config = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' });
      let file = 0;

      await fc.assert(
        fc.asyncProperty(anyCsvBytes, readingOptions, async (bytes, { format, chunkSize }) => {
          const name = `bytes-${file++}`;
          const path = await temp.write(`${name}.csv`, bytes);
          const rejectsPath = join(temp.dir(), `${name}.rejects.csv`);
          const options = { file: path, campaignId, dryRun: true, rejectsPath, format, chunkSize };

          const outcome = await importOutcome(runImport(options, config));

          if ('summary' in outcome) {
            expectEveryRowAccounted(outcome.summary);
          } else {
            expectClearRefusal(outcome.failure, path);
            // A file refused as a whole leaves no half-written report behind.
            expect(existsSync(rejectsPath)).toBe(false);
          }
        }),
        { numRuns: 400, timeout: RUN_TIMEOUT_MS },
      );
    },
  );
});

/** What makes a file unusable as a whole, placed after a run of valid rows. */
const DEFECTS = {
  'an unclosed quote': 'CSV_MALFORMED',
  'a row over 1 MB': 'CSV_MALFORMED',
  'Windows-1252 past the sampled start': 'ENCODING_INVALID',
  'a NUL byte in the sampled start': 'FILE_BINARY',
  'no phone column': 'COLUMNS_MISSING',
  'a blank header': 'HEADER_MISSING',
  'a UTF-16 BOM': 'ENCODING_UNSUPPORTED',
} as const satisfies Record<string, CsvInputErrorCode>;

type Defect = keyof typeof DEFECTS;

/** Enough rows to push a byte past the 64 KB that detection samples. */
const ROWS_PAST_SAMPLE = 2_500;

function validRows(count: number, delimiter: string): string {
  let text = '';
  for (let row = 1; row <= count; row++) {
    const cells = ['Ana', `Lopez${row}`, nthMobile(row), `ana.${row}@example.fr`];
    text += `${cells.join(delimiter)}\n`;
  }
  return text;
}

/** A file of `rows` valid rows, made unusable by the defect; the valid rows would fill batches. */
function refusedFile(defect: Defect, rows: number, delimiter: string): Buffer {
  const header = `first_name${delimiter}last_name${delimiter}phone${delimiter}email\n`;
  const text = (count: number) => Buffer.from(header + validRows(count, delimiter));
  const broken = ['Ben', '"Morel', '0611', 'b@x.fr'].join(delimiter);

  switch (defect) {
    case 'an unclosed quote':
      return Buffer.concat([text(rows), Buffer.from(`${broken}\n`), text(rows)]);
    case 'a row over 1 MB':
      return Buffer.concat([text(rows), Buffer.from(`${'A'.repeat(1_100_000)}\n`)]);
    case 'Windows-1252 past the sampled start':
      return Buffer.concat([text(Math.max(rows, ROWS_PAST_SAMPLE)), Buffer.from([0x48, 0xe9])]);
    case 'a NUL byte in the sampled start':
      return Buffer.concat([text(rows), Buffer.from([0x00, 0x0a])]);
    case 'no phone column':
      return Buffer.from(header.replace('phone', 'notes') + validRows(rows, delimiter));
    case 'a blank header':
      return Buffer.from(`${delimiter.repeat(3)}\n${validRows(rows, delimiter)}`);
    case 'a UTF-16 BOM':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), text(rows)]);
  }
}

/**
 * Every key under the prefix but the queue's meta hash, which BullMQ writes as soon as it
 * connects (its version, its settings) and which holds no job.
 */
async function jobKeys(redis: Redis, prefix: string): Promise<string[]> {
  const keys = await redis.keys(keyPattern(prefix));
  return keys.filter((key) => !key.endsWith(':meta'));
}

describe('runImport, on a file refused as a whole (with Redis and a results store)', () => {
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await redis.quit();
  });

  it(
    'queues nothing, records nothing and leaves no report, whatever the defect',
    PROPERTY_TIMEOUT,
    async () => {
      let file = 0;
      const defects = Object.keys(DEFECTS) as Defect[];
      const cases = fc.record({
        defect: fc.constantFrom(...defects),
        rows: fc.integer({ min: 0, max: 450 }),
        delimiter: fc.constantFrom(',', ';', '\t'),
      });

      await fc.assert(
        fc.asyncProperty(cases, async ({ defect, rows, delimiter }) => {
          const name = `refused-${file++}`;
          const path = await temp.write(`${name}.csv`, refusedFile(defect, rows, delimiter));
          const rejectsPath = join(temp.dir(), `${name}.rejects.csv`);
          const prefix = freshPrefix();
          const config = loadConfig({
            REDIS_URL: inject('redisUrl'),
            QUEUE_PREFIX: prefix,
            DATABASE_URL: join(temp.dir(), `${name}.db`),
          });

          const outcome = await importOutcome(
            runImport({ file: path, campaignId, rejectsPath }, config),
          );

          expect('failure' in outcome).toBe(true);
          const failure = (outcome as { failure: unknown }).failure;
          expectClearRefusal(failure, path);
          expect((failure as CsvInputError).code).toBe(DEFECTS[defect]);
          expect(await jobKeys(redis, prefix)).toEqual([]);
          expect(existsSync(rejectsPath)).toBe(false);

          const store = await openMappingStore(config.DATABASE_URL);
          try {
            expect(await store.listCampaign(campaignId)).toEqual([]);
          } finally {
            await store.close();
          }
        }),
        { numRuns: 40, timeout: RUN_TIMEOUT_MS },
      );
    },
  );
});
