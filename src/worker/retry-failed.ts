import { unsettleFailedBatch } from '../shared/import-record.js';
import type { BatchJobData } from '../shared/jobs.js';
import type { QueueContext } from '../shared/queue-context.js';

// Failed jobs are read in pages: an import of a million rows has at most 10,000 batches.
const PAGE = 500;

/**
 * Sends failed batches back to the queue with fresh attempts: every failed batch, or those of
 * one import. Returns how many went back.
 */
export async function retryFailedBatches(
  context: Pick<QueueContext, 'redis' | 'keys' | 'queue'>,
  importId?: string,
): Promise<number> {
  const { redis, keys, queue } = context;
  const failed: Array<{ data: BatchJobData; retry(): Promise<void> }> = [];

  // Collect first: retrying moves jobs out of the failed set, which would shift the pages.
  for (let start = 0; ; start += PAGE) {
    const page = await queue.getFailed(start, start + PAGE - 1);
    for (const job of page) {
      if (importId === undefined || job.data.importId === importId) {
        failed.push({
          data: job.data,
          retry: () => job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true }),
        });
      }
    }
    if (page.length < PAGE) {
      break;
    }
  }

  for (const job of failed) {
    await unsettleFailedBatch(redis, keys, job.data.importId, job.data.batchNumber);
    await job.retry();
  }
  return failed.length;
}
