import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { CsvInputError } from '../../src/producer/input-errors.js';
import { runImport } from '../../src/producer/run-import.js';
import type { CandidateMapping } from '../../src/results/mapping-store.js';
import { openMappingStore } from '../../src/results/open-mapping-store.js';
import { createBatchQueue } from '../../src/shared/batch-queue.js';
import { type Config, loadConfig } from '../../src/shared/config.js';
import { NO_DATA_KEY } from '../../src/shared/data-protection.js';
import { readImport } from '../../src/shared/import-record.js';
import { type BatchCandidate, type BatchJobData, batchCandidates } from '../../src/shared/jobs.js';
import { redisKeys } from '../../src/shared/redis-keys.js';
import { recordSentPhones } from '../../src/shared/sent-phones.js';
import { writeCandidateFile } from '../support/candidate-file.js';

const campaignId = 'abc123def456';
let redis: Redis;
let dir: string;
let config: Config;

beforeAll(() => {
  redis = new Redis(inject('redisUrl'));
});

afterAll(async () => {
  await redis.quit();
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vh-import-'));
  const prefix = `{vh-import-${Math.random().toString(36).slice(2, 10)}}`;
  config = loadConfig({
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: prefix,
    DATABASE_URL: join(dir, 'voicehire.db'),
  });
});

async function storedMappings(): Promise<CandidateMapping[]> {
  const store = await openMappingStore(config.DATABASE_URL);
  try {
    return await store.listCampaign(campaignId);
  } finally {
    await store.close();
  }
}

async function queuedBatches(): Promise<Array<BatchJobData & { candidates: BatchCandidate[] }>> {
  const queue = createBatchQueue(redis, config);
  const jobs = await queue.getJobs(['waiting'], 0, -1, true);
  await queue.close();
  return jobs
    .map((job) => ({ ...job.data, candidates: batchCandidates(NO_DATA_KEY, job.data) }))
    .sort((a, b) => a.batchNumber - b.batchNumber);
}

describe('when a large generated file is imported', () => {
  it('queues every valid unique candidate exactly once, in batches of 100', async () => {
    const file = join(dir, 'candidates.csv');
    const kinds = await writeCandidateFile(file, { rows: 100_000, seed: 11 });
    const expectedValid = kinds.filter((kind) => kind === 'valid').length;
    const expectedDuplicates = kinds.filter((kind) => kind === 'DUPLICATE_IN_FILE').length;

    const summary = await runImport({ file, campaignId }, config);
    const batches = await queuedBatches();

    expect(summary.rows).toBe(100_000);
    expect(summary.valid).toBe(expectedValid);
    expect(summary.duplicates).toBe(expectedDuplicates);
    expect(summary.rows).toBe(
      summary.valid + summary.invalid + summary.duplicates + summary.alreadySent,
    );
    expect(batches).toHaveLength(Math.ceil(expectedValid / 100));
    expect(batches.slice(0, -1).every((batch) => batch.candidates.length === 100)).toBe(true);

    const phones = batches.flatMap((batch) => batch.candidates.map((c) => c.phoneKey));
    expect(new Set(phones).size).toBe(expectedValid);
    expect(phones).toHaveLength(expectedValid);

    const rejectedRows = readFileSync(summary.rejectsPath, 'utf8').trimEnd().split('\r\n');
    expect(rejectedRows).toHaveLength(1 + summary.invalid + summary.duplicates);
  });
});

describe('when the same file is imported twice', () => {
  it('gives the same import id and queues nothing the second time', async () => {
    const file = join(dir, 'candidates.csv');
    await writeCandidateFile(file, { rows: 1_000, seed: 3 });

    const first = await runImport({ file, campaignId }, config);
    const second = await runImport({ file, campaignId }, config);

    expect(second.importId).toBe(first.importId);
    expect(first.batchesQueued).toBe(first.batches);
    expect(second.batchesQueued).toBe(0);
    expect(await queuedBatches()).toHaveLength(first.batches);
  });
});

describe('when an earlier import already sent some phones', () => {
  it('reports them as ALREADY_SENT and keeps them out of the batches', async () => {
    const file = join(dir, 'candidates.csv');
    writeFileSync(
      file,
      'first_name,last_name,phone,email\n' +
        'Ana,Lopez,0612345678,ana@example.fr\n' +
        'Ben,Morel,0623456789,ben@example.fr\n',
    );
    const keys = redisKeys(config.QUEUE_PREFIX);
    await recordSentPhones(redis, keys, campaignId, 'another-import', ['+33612345678']);

    const summary = await runImport({ file, campaignId }, config);

    expect(summary.alreadySent).toBe(1);
    expect((await queuedBatches())[0]?.candidates.map((c) => c.row)).toEqual([2]);
    expect(readFileSync(summary.rejectsPath, 'utf8')).toContain('1,ALREADY_SENT,');
  });

  it('sends them anyway with skipSent off', async () => {
    const file = join(dir, 'candidates.csv');
    writeFileSync(file, 'first_name,last_name,phone,email\nAna,Lopez,0612345678,ana@example.fr\n');
    const keys = redisKeys(config.QUEUE_PREFIX);
    await recordSentPhones(redis, keys, campaignId, 'another-import', ['+33612345678']);

    const summary = await runImport({ file, campaignId, skipSent: false }, config);

    expect(summary.alreadySent).toBe(0);
    expect(summary.valid).toBe(1);
  });
});

describe('when a file is refused as a whole', () => {
  it('queues nothing and leaves no record when a quote never closes', async () => {
    const file = join(dir, 'broken.csv');
    const rows = Array.from(
      { length: 300 },
      (_, i) => `Ana,Lopez,06${String(10_000_000 + i)},ana${i}@example.fr`,
    );
    writeFileSync(
      file,
      `first_name,last_name,phone,email\n${rows.join('\n')}\nBen,"Morel,0611,b@x.fr\n`,
    );

    const failure = await runImport({ file, campaignId }, config).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(CsvInputError);
    expect((failure as CsvInputError).code).toBe('CSV_MALFORMED');
    expect((failure as CsvInputError).message).toContain('row 301');
    expect(await queuedBatches()).toHaveLength(0);
    expect(await redis.keys(`${config.QUEUE_PREFIX}:import:*`)).toEqual([]);
    expect(await storedMappings()).toEqual([]);
  });

  it('names the columns found and those missing', async () => {
    const file = join(dir, 'no-phone.csv');
    writeFileSync(file, 'Prénom,Nom,Courriel\nAna,Lopez,ana@example.fr\n');

    const failure = await runImport({ file, campaignId }, config).catch((err: unknown) => err);

    expect((failure as CsvInputError).code).toBe('COLUMNS_MISSING');
    expect((failure as Error).message).toContain('no column for phone');
    expect((failure as Error).message).toContain('"Prénom", "Nom", "Courriel"');
  });
});

describe('when the import is a dry run', () => {
  it('validates and reports without reaching Redis', async () => {
    const file = join(dir, 'candidates.csv');
    await writeCandidateFile(file, { rows: 500, seed: 5 });
    const unreachable = loadConfig({ REDIS_URL: 'redis://127.0.0.1:1' });

    const summary = await runImport({ file, campaignId, dryRun: true }, unreachable);

    expect(summary.dryRun).toBe(true);
    expect(summary.rows).toBe(500);
    expect(summary.batchesQueued).toBe(0);
  });
});

describe('the import record', () => {
  it('holds the producer counters by reason', async () => {
    const file = join(dir, 'candidates.csv');
    await writeCandidateFile(file, { rows: 2_000, seed: 9 });

    const summary = await runImport({ file, campaignId }, config);
    const record = await readImport(redis, redisKeys(config.QUEUE_PREFIX), summary.importId);

    expect(record).toMatchObject({
      campaignId,
      rows: summary.rows,
      valid: summary.valid,
      invalid: summary.invalid,
      duplicates: summary.duplicates,
      batches: summary.batches,
      batchesEnqueued: summary.batches,
      invalidByReason: summary.invalidByReason,
    });
    expect(record?.queuedAt).toBeDefined();
  });
});
