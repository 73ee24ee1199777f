import type { Logger } from '../shared/logger.js';

interface BatchRef {
  importId: string;
  batchNumber: number;
}

/**
 * What the worker reports. The processor only emits; this file alone turns each event into a
 * log line (and, later, metrics), with ids and counts, never a candidate's details.
 */
export interface WorkerEvents {
  batchSent(event: BatchRef & { added: number; skipped: number; refused: number }): void;
  batchRetrying(event: BatchRef & { code: string; attemptsLeft: number }): void;
  batchFailed(event: BatchRef & { code: string; message: string }): void;
  rateLimited(event: BatchRef & { waitMs: number; source: 'limiter' | 'api' }): void;
  halted(event: BatchRef & { code: string; message: string }): void;
  resumed(event: { reason: string; creditsAvailable?: number }): void;
}

export function logWorkerEvents(logger: Logger): WorkerEvents {
  return {
    batchSent: (event) => logger.info(event, 'batch sent'),
    batchRetrying: (event) => logger.warn(event, 'batch will be retried'),
    batchFailed: (event) => logger.error(event, 'batch failed'),
    // Our own limiter holding a batch back is the normal pace of an import; a 429 is not.
    rateLimited: (event) =>
      event.source === 'limiter'
        ? logger.debug(event, 'rate limit reached, waiting')
        : logger.warn(event, 'rate limited by the API, waiting'),
    halted: (event) => logger.error(event, `queue halted: ${event.message}`),
    resumed: (event) => logger.info(event, 'queue resumed'),
  };
}
