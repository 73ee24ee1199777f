import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Config } from '../shared/config.js';
import { dataProtectionFor } from '../shared/data-protection.js';
import { UsageError } from '../shared/exit-codes.js';
import {
  type ProducerCounts,
  readImport,
  saveImportStart,
  saveProducerCounts,
} from '../shared/import-record.js';
import type { BatchCandidate } from '../shared/jobs.js';
import { openQueueContext, type QueueContext } from '../shared/queue-context.js';
import { findAlreadySent } from '../shared/sent-phones.js';
import { BatchStaging } from './batch-staging.js';
import { openCsvInThread } from './csv-thread.js';
import { type CsvFormat, detectFormat, type FormatOverrides } from './detect-format.js';
import { enqueueBatches } from './enqueue-batches.js';
import { ImportPipeline } from './import-pipeline.js';
import { CsvInputError, describeColumns } from './input-errors.js';
import { type CandidateField, mapColumns } from './map-columns.js';
import { DEFAULT_CHUNK_SIZE, openCsv } from './read-csv.js';
import { RejectsReport } from './rejects-report.js';

export interface ImportOptions {
  file: string;
  campaignId: string;
  /** Rows validated together. Default 1000. */
  chunkSize?: number;
  format?: FormatOverrides;
  mapOverrides?: Partial<Record<CandidateField, string>>;
  /** Where the rejects report goes; default beside the input, `<name>.rejects.csv`. */
  rejectsPath?: string;
  /** Leave out phones an earlier import sent to this campaign. Default true. */
  skipSent?: boolean;
  /** Validate and report without Redis: nothing is enqueued. */
  dryRun?: boolean;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  phase: 'reading' | 'queueing';
  rows: number;
  bytesRead: number;
  totalBytes: number;
  batchesQueued: number;
  batches: number;
}

export interface ImportSummary extends ProducerCounts {
  importId: string;
  campaignId: string;
  file: string;
  format: CsvFormat;
  /** Batches this run added to the queue: fewer than `batches` when the file was imported before. */
  batchesQueued: number;
  rejects: number;
  rejectsPath: string;
  dryRun: boolean;
}

const CAMPAIGN_ID = /^[0-9a-f]{12}$/;

/**
 * Reads a candidate file, validates every row and queues the valid candidates in full batches.
 * Nothing reaches the queue before the whole file has been read: a file refused as a whole
 * (CsvInputError) leaves it as it was. The workers, not the producer, record each candidate in
 * the mapping store (DATABASE_URL), just before they send its batch: recording a million
 * candidates in SQLite here cost more than reading, validating and queueing them
 * (docs/performance.md).
 */
export async function runImport(options: ImportOptions, config: Config): Promise<ImportSummary> {
  if (!CAMPAIGN_ID.test(options.campaignId)) {
    throw new UsageError(
      `--campaign ${JSON.stringify(options.campaignId)}: expected a campaign id of 12 lowercase ` +
        'hex characters, such as abc123def456',
    );
  }

  const format = await detectFormat(options.file, options.format);
  // Connected first: when Redis cannot be reached, no file has been opened or written yet.
  const context = options.dryRun
    ? undefined
    : await openQueueContext(config, { persistent: false });

  try {
    return await importFile(options, format, context);
  } finally {
    await context?.close();
  }
}

async function importFile(
  options: ImportOptions,
  format: CsvFormat,
  context: QueueContext | undefined,
): Promise<ImportSummary> {
  const csv = await (openCsvInThread(options.file, format) ?? openCsv(options.file, format));
  const mapping = mapColumns(csv.header, options.mapOverrides);
  if (!mapping.ok) {
    csv.close();
    throw missingColumnsError(options.file, csv.header, mapping.missing, mapping.unknownOverrides);
  }

  const importId = await importIdOf(options, format);
  const rejectsPath = resolve(options.rejectsPath ?? defaultRejectsPath(options.file));
  const report = new RejectsReport(rejectsPath, csv.header, format.delimiter);
  // A dry run keeps no batch: it only counts them.
  const staging = context ? new BatchStaging() : undefined;
  const progress: ImportProgress = {
    phase: 'reading',
    rows: 0,
    bytesRead: 0,
    totalBytes: csv.size,
    batchesQueued: 0,
    batches: 0,
  };

  try {
    const lookup =
      context && options.skipSent !== false
        ? (phoneKeys: readonly string[]) =>
            findAlreadySent(
              context.redis,
              context.keys,
              options.campaignId,
              importId,
              phoneKeys,
              dataProtectionFor(context.config),
            )
        : undefined;
    const pipeline = new ImportPipeline(mapping.mapping, report.add.bind(report), lookup);

    for await (const chunk of csv.chunks(options.chunkSize ?? DEFAULT_CHUNK_SIZE)) {
      const batches = await pipeline.processChunk(chunk.rows, chunk.rowNumbers);
      await staging?.write(batches);
      await report.flush();
      progress.rows = pipeline.counts.rows;
      progress.bytesRead = csv.bytesRead;
      progress.batches = pipeline.batchCount;
      options.onProgress?.(progress);
    }
    const lastBatches = pipeline.finish();
    await staging?.write(lastBatches);
    await report.close();

    const summary: ImportSummary = {
      importId,
      campaignId: options.campaignId,
      file: resolve(options.file),
      format,
      ...pipeline.counts,
      batches: pipeline.batchCount,
      batchesQueued: 0,
      rejects: report.count,
      rejectsPath,
      dryRun: context === undefined,
    };
    if (context !== undefined && staging !== undefined) {
      summary.batchesQueued = await queueStaged(
        context,
        staging.read(),
        summary,
        progress,
        options,
      );
    }
    return summary;
  } catch (err) {
    // A file refused as a whole has no meaningful partial report. (Closing is idempotent: a
    // failure while queueing comes after the report was closed.)
    await report.close().catch(() => {});
    if (err instanceof CsvInputError) {
      await rm(rejectsPath, { force: true });
    }
    throw err;
  } finally {
    csv.close();
    await staging?.dispose();
  }
}

async function queueStaged(
  context: QueueContext,
  batches: AsyncIterable<BatchCandidate[]>,
  summary: ImportSummary,
  progress: ImportProgress,
  options: ImportOptions,
): Promise<number> {
  const { redis, keys } = context;

  await saveImportStart(redis, keys, {
    id: summary.importId,
    file: summary.file,
    campaignId: summary.campaignId,
    rejectsPath: summary.rejectsPath,
  });
  await saveProducerCounts(redis, keys, summary.importId, summary);
  const before = await readImport(redis, keys, summary.importId);

  progress.phase = 'queueing';
  const target = { ...context, importId: summary.importId, campaignId: summary.campaignId };
  return enqueueBatches(target, batches, before?.batchesEnqueued ?? 0, (queued) => {
    progress.batchesQueued = queued;
    options.onProgress?.(progress);
  });
}

/**
 * The same file imported into the same campaign with the same reading options gets the same
 * id, so a rerun (after a crash, or by mistake) finds the batches already queued.
 */
async function importIdOf(options: ImportOptions, format: CsvFormat): Promise<string> {
  const hash = createHash('sha256');
  hash.update(
    JSON.stringify({
      campaign: options.campaignId,
      format,
      map: options.mapOverrides ?? {},
      skipSent: options.skipSent !== false,
    }),
  );
  // Hashing reads at several hundred MB/s: a small price, before any row is read, for an id that
  // does not depend on the file's name or date.
  for await (const bytes of createReadStream(options.file)) {
    hash.update(bytes as Buffer);
  }
  return hash.digest('hex').slice(0, 16);
}

function defaultRejectsPath(file: string): string {
  return join(dirname(file), `${basename(file, extname(file))}.rejects.csv`);
}

function missingColumnsError(
  file: string,
  header: readonly string[],
  missing: readonly CandidateField[],
  unknownOverrides: readonly string[],
): CsvInputError {
  const problems: string[] = [];
  if (missing.length > 0) {
    problems.push(`no column for ${missing.join(', ')}`);
  }
  if (unknownOverrides.length > 0) {
    problems.push(`--map names a column the file does not have (${unknownOverrides.join(', ')})`);
  }
  const found = describeColumns(header);
  return new CsvInputError(
    'COLUMNS_MISSING',
    file,
    `${problems.join('; ')}. Columns found: ${found}. Rename a column or use --map field=Header`,
  );
}
