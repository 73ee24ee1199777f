import type { Alert } from '../shared/alerts.js';
import type { Logger } from '../shared/logger.js';
import type { ApiMetrics } from '../shared/metrics.js';

interface BatchRef {
  importId: string;
  batchNumber: number;
}

/**
 * What the worker reports. The processor only emits; this file alone turns each event into log
 * lines, metrics and alerts, with ids and counts, never a candidate's details.
 */
export interface WorkerEvents {
  batchSent(event: BatchRef & { added: number; skipped: number; refused: number }): void;
  batchRetrying(event: BatchRef & { code: string; attemptsLeft: number }): void;
  batchFailed(event: BatchRef & { code: string; message: string }): void;
  rateLimited(event: BatchRef & { waitMs: number; source: 'limiter' | 'api' }): void;
  /** `first` is true for the worker whose call halted a running queue. */
  halted(event: Partial<BatchRef> & { code: string; message: string; first: boolean }): void;
  /** A batch held back because its campaign is paused or completed. */
  campaignWaiting(event: BatchRef & { campaignId: string; status: string; waitMs: number }): void;
  resumed(event: { reason: string; creditsAvailable?: number }): void;
  creditsRead(event: { creditsAvailable: number }): void;
}

export interface WorkerEventSinks {
  logger: Logger;
  metrics?: ApiMetrics;
  alert?: Alert;
  /** Credits under which the low-credits alert fires. */
  creditsThreshold?: number;
}

export function workerEvents(sinks: WorkerEventSinks): WorkerEvents {
  const { logger, metrics, alert } = sinks;
  const threshold = sinks.creditsThreshold ?? 50;
  // The alert fires when credits cross the threshold, not at every reading below it.
  let creditsWereLow = false;

  return {
    batchSent(event) {
      logger.info(event, 'batch sent');
      metrics?.batches.inc({ outcome: 'sent' });
      metrics?.candidates.inc({ outcome: 'added' }, event.added);
      metrics?.candidates.inc({ outcome: 'skipped' }, event.skipped);
      metrics?.candidates.inc({ outcome: 'refused' }, event.refused);
    },
    batchRetrying(event) {
      logger.warn(event, 'batch will be retried');
      metrics?.batches.inc({ outcome: 'retried' });
    },
    batchFailed(event) {
      logger.error(event, 'batch failed');
      metrics?.batches.inc({ outcome: 'failed' });
    },
    rateLimited(event) {
      // Our own limiter holding a batch back is the normal pace of an import; a 429 is not.
      if (event.source === 'limiter') {
        logger.debug(event, 'rate limit reached, waiting');
      } else {
        logger.warn(event, 'rate limited by the API, waiting');
      }
      metrics?.batches.inc({ outcome: 'rate_limited' });
    },
    halted(event) {
      metrics?.batches.inc({ outcome: 'halted' });
      if (!event.first) {
        logger.info(event, 'batch returned to the halted queue');
        return;
      }
      const text = `queue halted: ${event.message}`;
      if (alert) {
        alert('queue_halted', text, { code: event.code, importId: event.importId });
      } else {
        logger.error(event, text);
      }
    },
    campaignWaiting(event) {
      // The campaign's owner paused it: the normal course of things, not a fault of ours.
      logger.info(event, 'batch waits for its campaign');
      metrics?.batches.inc({ outcome: 'campaign_waiting' });
    },
    resumed(event) {
      logger.info(event, 'queue resumed');
    },
    creditsRead(event) {
      metrics?.creditsRemaining.set(event.creditsAvailable);
      const low = event.creditsAvailable < threshold;
      if (low && !creditsWereLow) {
        const text = `credits are low: ${event.creditsAvailable} left (alert under ${threshold})`;
        if (alert) {
          alert('credits_low', text, { creditsAvailable: event.creditsAvailable, threshold });
        } else {
          logger.warn(event, text);
        }
      }
      creditsWereLow = low;
    },
  };
}

/** Logs only: for tests and tools that need no metrics. */
export function logWorkerEvents(logger: Logger): WorkerEvents {
  return workerEvents({ logger });
}
