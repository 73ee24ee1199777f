import { Worker } from 'bullmq';
import type { Config } from '../shared/config.js';
import { readHalt } from '../shared/halt-state.js';
import { BATCH_QUEUE, type BatchJobData, type BatchResult } from '../shared/jobs.js';
import type { Logger } from '../shared/logger.js';
import { createBatchProcessor } from './process-batch.js';
import { tryResume } from './resume.js';
import { openApiContext } from './worker-context.js';
import { logWorkerEvents } from './worker-events.js';

export interface WorkerOptions {
  /** Batches processed at once by this process. Default 5. */
  concurrency: number;
  /** While halted, re-check the credits every `autoResumeMs` and resume by itself. */
  autoResume: boolean;
  autoResumeMs: number;
}

export interface RunningWorker {
  /** Finishes or returns the batches in flight, then closes every connection. */
  close(): Promise<void>;
}

/**
 * Starts a long-running batch worker. Connections retry forever, so that a Redis restart only
 * pauses it; a worker killed outright loses nothing, since its batches come back to another
 * worker once their lock expires.
 */
export async function runWorker(
  options: WorkerOptions,
  config: Config,
  logger: Logger,
): Promise<RunningWorker> {
  const context = await openApiContext(config, { persistent: true });
  const events = logWorkerEvents(logger);
  const processor = createBatchProcessor({ ...context, events });

  const worker = new Worker<BatchJobData, BatchResult, 'batch'>(BATCH_QUEUE, processor, {
    connection: context.redis,
    prefix: config.QUEUE_PREFIX,
    concurrency: options.concurrency,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_LOCK_MS,
    // A batch whose worker died is not a bad batch: let it be recovered many times rather than
    // failed after the first crash (BullMQ's default is 1).
    maxStalledCount: 20,
  });
  worker.on('error', (err) => logger.error({ err: { message: err.message } }, 'worker error'));

  const autoResume = options.autoResume
    ? setInterval(() => void checkAndResume(), options.autoResumeMs)
    : undefined;

  async function checkAndResume(): Promise<void> {
    try {
      if ((await readHalt(context.redis, context.keys)) === undefined) {
        return;
      }
      const outcome = await tryResume(context);
      if (outcome.resumed) {
        events.resumed({ reason: 'auto-resume', creditsAvailable: outcome.creditsAvailable });
      } else {
        logger.info({ reason: outcome.reason }, 'still halted');
      }
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'auto-resume check failed');
    }
  }

  logger.info(
    { concurrency: options.concurrency, autoResume: options.autoResume, queue: BATCH_QUEUE },
    'worker started',
  );

  return {
    async close() {
      clearInterval(autoResume);
      await worker.close();
      await context.close();
      logger.info('worker stopped');
    },
  };
}
