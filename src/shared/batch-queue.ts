import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { BATCH_QUEUE, type BatchJobData, type BatchResult } from './jobs.js';

export type BatchQueue = Queue<BatchJobData, BatchResult, 'batch'>;

export function createBatchQueue(connection: Redis, config: Config): BatchQueue {
  const queue = new Queue<BatchJobData, BatchResult, 'batch'>(BATCH_QUEUE, {
    connection,
    prefix: config.QUEUE_PREFIX,
  });
  // Without a listener BullMQ prints every failed reconnect to the console. A lost connection is
  // the connection's owner's to report (a command fails, a worker logs); the queue stays quiet.
  queue.on('error', () => {});
  return queue;
}

/** Options of every batch job: retries for transient failures, bounded retention. */
export function batchJobOptions(config: Config) {
  return {
    attempts: config.BATCH_ATTEMPTS,
    // Jitter spreads the retries of batches that failed together (an API outage), so that they
    // do not all come back in the same second.
    backoff: { type: 'exponential', delay: config.BATCH_BACKOFF_MS, jitter: 0.5 },
    // Completed jobs are only history (the import record keeps the counts): keep a week's worth,
    // bounded. Failed jobs stay until `voicehire retry-failed` or an operator removes them.
    removeOnComplete: { age: 7 * 24 * 3600, count: 20_000 },
    removeOnFail: false,
  } as const;
}
