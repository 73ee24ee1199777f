import { Worker } from 'bullmq';
import { openMappingStore } from '../results/open-mapping-store.js';
import { createAlert } from '../shared/alerts.js';
import { CampaignCache } from '../shared/campaign-cache.js';
import type { Config } from '../shared/config.js';
import { dataProtectionFor } from '../shared/data-protection.js';
import { readHalt } from '../shared/halt-state.js';
import { BATCH_QUEUE, type BatchJobData, type BatchResult } from '../shared/jobs.js';
import type { Logger } from '../shared/logger.js';
import { createApiMetrics, createRegistry } from '../shared/metrics.js';
import type { ResponseEvent } from '../shared/voicehire-client.js';
import { WEBHOOK_QUEUE } from '../shared/webhook-events.js';
import type { WebhookJobData } from '../shared/webhook-queue.js';
import { createCampaignGate } from './campaign-gate.js';
import { startMetricsServer } from './metrics-server.js';
import { createBatchProcessor } from './process-batch.js';
import { createWebhookProcessor } from './process-webhook.js';
import { tryResume } from './resume.js';
import { openApiContext } from './worker-context.js';
import { workerEvents } from './worker-events.js';

export interface WorkerOptions {
  /** Batches processed at once by this process. Default 5. */
  concurrency: number;
  /** While halted, re-check the credits every `autoResumeMs` and resume by itself. */
  autoResume: boolean;
  autoResumeMs: number;
  /** Serve this worker's own metrics on that port; none when undefined. */
  metricsPort?: number;
  /** Also process the webhooks queue (interview results into the mapping store). Default true. */
  webhooks?: boolean;
}

/** Webhook events are small and touch only Redis and the store: many at once is cheap. */
const WEBHOOK_CONCURRENCY = 10;

/** An API call slower than this is logged as a warning. */
const SLOW_CALL_MS = 5_000;

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
  const metrics = createApiMetrics(createRegistry());
  const context = await openApiContext(config, {
    persistent: true,
    onResponse: (event) => {
      metrics.observeResponse(event);
      shareRateLimit(event);
      if (event.durationMs > SLOW_CALL_MS) {
        logger.warn({ endpoint: event.endpoint, durationMs: event.durationMs }, 'slow api call');
      }
    },
  });
  const events = workerEvents({
    logger,
    metrics,
    alert: createAlert(config, logger),
    creditsThreshold: config.CREDITS_ALERT_THRESHOLD,
  });
  // Before any worker starts taking jobs: a store out of reach is then a clean start-up failure.
  // Batch workers need it too: they record each batch's candidates before sending it.
  const store = await openMappingStore(config.DATABASE_URL).catch(async (err: unknown) => {
    await context.close();
    throw err;
  });

  const cache = new CampaignCache(
    context.client,
    async () => (await context.limiter.acquire('reads')).granted,
    config.CAMPAIGN_CACHE_TTL_MS,
  );
  const protection = dataProtectionFor(config);
  const processor = createBatchProcessor({
    ...context,
    events,
    protection,
    gate: createCampaignGate({ ...context, cache }),
    campaignRecheckMs: config.CAMPAIGN_RECHECK_MS,
    store,
  });
  const metricsServer =
    options.metricsPort === undefined
      ? undefined
      : await startMetricsServer(metrics.registry, options.metricsPort);

  const worker = new Worker<BatchJobData, BatchResult, 'batch'>(BATCH_QUEUE, processor, {
    connection: context.redis,
    prefix: config.QUEUE_PREFIX,
    concurrency: options.concurrency,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_LOCK_MS,
    // A batch whose worker died is not a bad batch: let it be recovered many times rather than
    // failed after the first crash (BullMQ's default is 1).
    maxStalledCount: 20,
    // BullMQ honours a queue-wide wait (queue.rateLimit, after a 429 or our own limiter's
    // refusal) only in workers that have a limiter. This one never binds: the real windows are
    // enforced by ApiRateLimiter, before each call.
    limiter: { max: 1_000_000_000, duration: 1_000 },
  });
  worker.on('error', (err) => logger.error({ err: { message: err.message } }, 'worker error'));

  const webhookWorker =
    options.webhooks === false
      ? undefined
      : new Worker<WebhookJobData, string, string>(
          WEBHOOK_QUEUE,
          createWebhookProcessor({
            ...context,
            store,
            cache,
            events,
            campaignTtlMs: config.CAMPAIGN_CACHE_TTL_MS,
            protection,
          }),
          {
            connection: context.redis,
            prefix: config.QUEUE_PREFIX,
            concurrency: WEBHOOK_CONCURRENCY,
          },
        );
  webhookWorker?.on('error', (err) =>
    logger.error({ err: { message: err.message } }, 'webhook worker error'),
  );
  webhookWorker?.on('failed', (job, err) => {
    // An interview event waiting for its candidate.added is retried: not worth a warning yet.
    const final = job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);
    const line = { event: job?.name, jobId: job?.id, err: { message: err.message } };
    if (final) {
      logger.error(line, 'webhook event failed');
    } else {
      logger.debug(line, 'webhook event will be retried');
    }
  });

  /** What the API's headers said, for `voicehire serve`'s metrics; best effort. */
  function shareRateLimit(event: ResponseEvent): void {
    if (event.rateLimit === undefined) {
      return;
    }
    void context.redis
      .hset(context.keys.account, {
        limit: event.rateLimit.limit,
        remaining: event.rateLimit.remaining,
        reset: Math.round(event.rateLimit.resetAt.getTime() / 1000),
        rate_limit_at: new Date().toISOString(),
      })
      .catch(() => {});
  }

  const autoResume = options.autoResume
    ? setInterval(() => void checkAndResume(), options.autoResumeMs)
    : undefined;
  const creditsCheck = setInterval(() => void readCredits(), config.CREDITS_CHECK_MS);
  void readCredits();

  /** Feeds the credits gauge and the low-credits alert; skipped when the limiter says wait. */
  async function readCredits(): Promise<void> {
    try {
      const permit = await context.limiter.acquire('reads');
      if (permit.granted) {
        const credits = await context.client.getCredits();
        events.creditsRead({ creditsAvailable: credits.credits_available });
        await context.redis.hset(context.keys.account, {
          credits: credits.credits_available,
          credits_at: new Date().toISOString(),
        });
      }
    } catch (err) {
      logger.warn({ err: { message: (err as Error).message } }, 'credits check failed');
    }
  }

  async function checkAndResume(): Promise<void> {
    try {
      if ((await readHalt(context.redis, context.keys)) === undefined) {
        return;
      }
      const outcome = await tryResume(context);
      if (outcome.creditsAvailable !== undefined) {
        events.creditsRead({ creditsAvailable: outcome.creditsAvailable });
      }
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
    {
      concurrency: options.concurrency,
      autoResume: options.autoResume,
      queue: BATCH_QUEUE,
      webhooks: webhookWorker !== undefined,
    },
    'worker started',
  );

  return {
    async close() {
      clearInterval(autoResume);
      clearInterval(creditsCheck);
      await Promise.all([worker.close(), webhookWorker?.close()]);
      await store.close();
      metricsServer?.close();
      await context.close();
      logger.info('worker stopped');
    },
  };
}
