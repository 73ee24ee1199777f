import { readFile } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { parse } from 'csv-parse/sync';
import type { Redis } from 'ioredis';
import type { BatchQueue } from '../../src/shared/batch-queue.js';
import { NO_DATA_KEY } from '../../src/shared/data-protection.js';
import { type BatchJobData, type BatchResult, batchCandidates } from '../../src/shared/jobs.js';
import type { RedisKeys } from '../../src/shared/redis-keys.js';

/**
 * What an import left behind, read for the conservation law (conservation.ts): the rejects
 * report, the batch jobs in each BullMQ state, and the rows the API refused.
 */

const JOB_TYPES = ['completed', 'failed', 'active', 'waiting', 'delayed', 'prioritized', 'paused'];

export interface RejectsReport {
  reasons: Map<number, string>;
  duplicates: Map<number, number>;
}

/** The rejects report's row numbers and reasons (its first two columns). */
export async function readRejectsReport(path: string): Promise<RejectsReport> {
  const lines: string[][] = parse(await readFile(path), { bom: true, relaxColumnCount: true });
  const reasons = new Map<number, string>();
  const duplicates = new Map<number, number>();

  for (const [row, reason] of lines.slice(1)) {
    const number = Number(row);
    if (reasons.has(number)) {
      duplicates.set(number, (duplicates.get(number) ?? 1) + 1);
    }
    reasons.set(number, reason ?? '');
  }
  return { reasons, duplicates };
}

export interface Batches {
  byNumber: Map<number, BatchJobData>;
  /** Row -> its batch and the phone queued for it. */
  byRow: Map<number, { batchNumber: number; phone: string }>;
  duplicates: Map<number, number[]>;
  completed: Set<number>;
  /** Batch number -> BullMQ's failed reason. */
  failed: Map<number, string>;
  /** Batch number -> its state, for every batch neither completed nor failed. */
  pending: Map<number, string>;
  retries: number;
}

/** Every batch job of the import, by state. */
export async function readBatches(queue: BatchQueue, importId: string): Promise<Batches> {
  const batches: Batches = {
    byNumber: new Map(),
    byRow: new Map(),
    duplicates: new Map(),
    completed: new Set(),
    failed: new Map(),
    pending: new Map(),
    retries: 0,
  };

  for (const type of JOB_TYPES) {
    const jobs = (await queue.getJobs([type as 'completed'])) as Job<BatchJobData, BatchResult>[];
    for (const job of jobs.filter((candidate) => candidate.data?.importId === importId)) {
      addBatch(batches, job, type);
    }
  }
  return batches;
}

function addBatch(batches: Batches, job: Job<BatchJobData, BatchResult>, type: string): void {
  const { batchNumber } = job.data;
  // The chaos runs queue in clear: a sealed batch fails here, loudly, for want of a key.
  const candidates = batchCandidates(NO_DATA_KEY, job.data);
  if (batches.byNumber.has(batchNumber)) {
    // Seen under another state: the job moved while the states were read one after another.
    return;
  }
  batches.byNumber.set(batchNumber, job.data);

  if (type === 'completed') {
    batches.completed.add(batchNumber);
    batches.retries += Math.max(job.attemptsMade - 1, 0);
  } else if (type === 'failed') {
    batches.failed.set(batchNumber, job.failedReason ?? '');
  } else {
    batches.pending.set(batchNumber, type);
  }

  for (const candidate of candidates) {
    const earlier = batches.byRow.get(candidate.row);
    if (earlier !== undefined) {
      const numbers = batches.duplicates.get(candidate.row) ?? [earlier.batchNumber];
      batches.duplicates.set(candidate.row, [...numbers, batchNumber]);
    }
    batches.byRow.set(candidate.row, { batchNumber, phone: candidate.phone });
  }
}

/** Rows the API refused inside completed batches, as the workers listed them. */
export async function readApiRefusals(
  redis: Redis,
  keys: RedisKeys,
  importId: string,
): Promise<Set<number>> {
  const items = await redis.lrange(keys.importApiRejects(importId), 0, -1);
  return new Set(items.map((item) => (JSON.parse(item) as { row: number }).row));
}
