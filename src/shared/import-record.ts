import type { Redis } from 'ioredis';
import type { BatchResult } from './jobs.js';
import type { RedisKeys } from './redis-keys.js';
import { REJECT_REASONS, type RejectReason } from './reject-reasons.js';

/** What the producer knows of an import once it has read the whole file. */
export interface ProducerCounts {
  rows: number;
  valid: number;
  invalid: number;
  invalidByReason: Partial<Record<RejectReason, number>>;
  duplicates: number;
  alreadySent: number;
  batches: number;
}

export interface ImportRecord extends ProducerCounts {
  id: string;
  file: string;
  campaignId: string;
  createdAt: string;
  /** Set once every batch is in the queue. */
  queuedAt: string | undefined;
  rejectsPath: string | undefined;
  /** Batches already handed to BullMQ; a rerun starts after them. */
  batchesEnqueued: number;
  /** Filled by the workers. */
  batchesDone: number;
  batchesFailed: number;
  candidatesSent: number;
  candidatesAdded: number;
  candidatesSkipped: number;
  apiRefused: number;
}

/** Creates the import's record, or refreshes it when the same file is imported again. */
export async function saveImportStart(
  redis: Redis,
  keys: RedisKeys,
  fields: { id: string; file: string; campaignId: string; rejectsPath: string | undefined },
): Promise<void> {
  const key = keys.importRecord(fields.id);
  const now = new Date();

  await redis
    .multi()
    .hsetnx(key, 'created_at', now.toISOString())
    .hset(key, {
      id: fields.id,
      file: fields.file,
      campaign_id: fields.campaignId,
      rejects_path: fields.rejectsPath ?? '',
    })
    .zadd(keys.imports, 'NX', now.getTime(), fields.id)
    .exec();
}

/**
 * Writes the producer's counters. They are absolute values, not increments, so that a producer
 * killed and run again on the same file does not count its rows twice.
 */
export async function saveProducerCounts(
  redis: Redis,
  keys: RedisKeys,
  importId: string,
  counts: ProducerCounts,
): Promise<void> {
  const fields: Record<string, number> = {
    rows: counts.rows,
    valid: counts.valid,
    invalid: counts.invalid,
    duplicates: counts.duplicates,
    already_sent: counts.alreadySent,
    batches: counts.batches,
  };
  for (const reason of Object.keys(REJECT_REASONS) as RejectReason[]) {
    fields[`invalid:${reason}`] = counts.invalidByReason[reason] ?? 0;
  }

  await redis.hset(keys.importRecord(importId), fields);
}

/** Records that batches up to `batchNumber` are in the queue; never moves backwards. */
export async function markBatchesEnqueued(
  redis: Redis,
  keys: RedisKeys,
  importId: string,
  batchNumber: number,
  done: boolean,
): Promise<void> {
  const key = keys.importRecord(importId);
  const current = Number((await redis.hget(key, 'batches_enqueued')) ?? 0);
  const fields: Record<string, string | number> = {
    batches_enqueued: Math.max(current, batchNumber),
  };
  if (done) {
    fields.queued_at = new Date().toISOString();
  }
  await redis.hset(key, fields);
}

// Counts a batch's outcome once: a batch processed again after a crash (BullMQ's stalled-job
// recovery) finds its field already set and leaves the counters alone.
const settleScript = `
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then
  return 0
end
for i = 3, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
return 1
`;

/** Adds a settled batch's outcome to its import's counters, once per batch. */
export async function settleBatch(
  redis: Redis,
  keys: RedisKeys,
  importId: string,
  batchNumber: number,
  outcome: { failed: true; candidates: number } | ({ failed: false } & BatchResult),
): Promise<boolean> {
  const increments = outcome.failed
    ? ['batches_failed', 1]
    : [
        'batches_done',
        1,
        'candidates_sent',
        outcome.added + outcome.skipped + outcome.refused,
        'candidates_added',
        outcome.added,
        'candidates_skipped',
        outcome.skipped,
        'api_refused',
        outcome.refused,
      ];

  const settled = await redis.eval(
    settleScript,
    2,
    keys.importRecord(importId),
    keys.importSettled(importId),
    String(batchNumber),
    outcome.failed ? 'failed' : 'done',
    ...increments,
  );
  return settled === 1;
}

/**
 * Forgets that a batch failed, before `retry-failed` sends it back to the queue, so that its
 * next outcome is counted.
 */
export async function unsettleFailedBatch(
  redis: Redis,
  keys: RedisKeys,
  importId: string,
  batchNumber: number,
): Promise<void> {
  const script = `
if redis.call('HGET', KEYS[2], ARGV[1]) == 'failed' then
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('HINCRBY', KEYS[1], 'batches_failed', -1)
end
return 1
`;
  await redis.eval(
    script,
    2,
    keys.importRecord(importId),
    keys.importSettled(importId),
    String(batchNumber),
  );
}

/** Reads an import's record, or undefined when there is none by that id. */
export async function readImport(
  redis: Redis,
  keys: RedisKeys,
  importId: string,
): Promise<ImportRecord | undefined> {
  const hash = await redis.hgetall(keys.importRecord(importId));
  if (hash.id === undefined) {
    return undefined;
  }

  const count = (field: string) => Number(hash[field] ?? 0);
  const invalidByReason: Partial<Record<RejectReason, number>> = {};
  for (const reason of Object.keys(REJECT_REASONS) as RejectReason[]) {
    if (count(`invalid:${reason}`) > 0) {
      invalidByReason[reason] = count(`invalid:${reason}`);
    }
  }

  return {
    id: hash.id,
    file: hash.file ?? '',
    campaignId: hash.campaign_id ?? '',
    createdAt: hash.created_at ?? '',
    queuedAt: hash.queued_at || undefined,
    rejectsPath: hash.rejects_path || undefined,
    rows: count('rows'),
    valid: count('valid'),
    invalid: count('invalid'),
    invalidByReason,
    duplicates: count('duplicates'),
    alreadySent: count('already_sent'),
    batches: count('batches'),
    batchesEnqueued: count('batches_enqueued'),
    batchesDone: count('batches_done'),
    batchesFailed: count('batches_failed'),
    candidatesSent: count('candidates_sent'),
    candidatesAdded: count('candidates_added'),
    candidatesSkipped: count('candidates_skipped'),
    apiRefused: count('api_refused'),
  };
}

/** The most recent import ids, newest first. */
export async function listRecentImports(
  redis: Redis,
  keys: RedisKeys,
  limit: number,
): Promise<string[]> {
  return redis.zrevrange(keys.imports, 0, limit - 1);
}
