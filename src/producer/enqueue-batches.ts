import type { Redis } from 'ioredis';
import { type BatchQueue, batchJobOptions } from '../shared/batch-queue.js';
import type { Config } from '../shared/config.js';
import { dataProtectionFor } from '../shared/data-protection.js';
import { markBatchesEnqueued } from '../shared/import-record.js';
import {
  type BatchCandidate,
  type BatchJobData,
  batchJobData,
  batchJobId,
} from '../shared/jobs.js';
import type { RedisKeys } from '../shared/redis-keys.js';

// 100 jobs per addBulk call was the fastest in our measurements (shared/field-notes.md):
// ~4,500 jobs/s, against ~2,900 with 10, while all at once costs hundreds of MB for no gain.
const JOBS_PER_CALL = 100;

export interface EnqueueTarget {
  redis: Redis;
  keys: RedisKeys;
  queue: BatchQueue;
  config: Config;
  importId: string;
  campaignId: string;
}

/**
 * Hands the staged batches to BullMQ, skipping those an earlier run of the same import already
 * enqueued. Returns how many batches this run added.
 */
export async function enqueueBatches(
  target: EnqueueTarget,
  batches: AsyncIterable<BatchCandidate[]>,
  alreadyEnqueued: number,
  onQueued?: (batchesQueued: number) => void,
): Promise<number> {
  const opts = batchJobOptions(target.config);
  // With DATA_ENCRYPTION_KEY set, the candidates reach Redis sealed, never in clear.
  const protection = dataProtectionFor(target.config);
  let batchNumber = 0;
  let added = 0;
  let group: Array<{ name: 'batch'; data: BatchJobData; opts: object }> = [];

  const flush = async () => {
    if (group.length === 0) {
      return;
    }
    await target.queue.addBulk(group);
    added += group.length;
    group = [];
    onQueued?.(added);
    await markBatchesEnqueued(target.redis, target.keys, target.importId, batchNumber, false);
  };

  for await (const candidates of batches) {
    batchNumber += 1;
    if (batchNumber <= alreadyEnqueued) {
      continue;
    }

    const ids = { importId: target.importId, campaignId: target.campaignId, batchNumber };
    const data = batchJobData(protection, ids, candidates);
    group.push({
      name: 'batch',
      data,
      opts: { ...opts, jobId: batchJobId(target.importId, batchNumber) },
    });
    if (group.length === JOBS_PER_CALL) {
      await flush();
    }
  }

  await flush();
  await markBatchesEnqueued(target.redis, target.keys, target.importId, batchNumber, true);
  return added;
}
