import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Config } from '../shared/config.js';
import { dataProtectionFor } from '../shared/data-protection.js';
import type { Logger } from '../shared/logger.js';
import type { QueueContext } from '../shared/queue-context.js';
import type { WebhookQueue } from '../shared/webhook-queue.js';
import { registerBoard } from './board.js';
import { registerHealthRoutes } from './health-routes.js';
import { createServeMetrics } from './serve-metrics.js';
import { registerWebhookRoute } from './webhook-route.js';

export interface ServeAppOptions {
  /** Every queue read-only in the board. */
  readOnly: boolean;
}

/**
 * The `serve` application: Bull Board at /board, /metrics, /healthz, /readyz and the webhook
 * receiver. Built without listening, so that tests can start it on a free port.
 */
export async function buildServeApp(
  context: QueueContext & { webhookQueue: WebhookQueue },
  logger: Logger,
  options: ServeAppOptions,
): Promise<FastifyInstance> {
  const { config, redis, keys, queue, webhookQueue } = context;
  const app = Fastify({
    // pino's Logger and Fastify's logger type differ only in fields Fastify never reads.
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request would drown what matters; errors are still logged by Fastify.
    logController: new LogController({ disableRequestLogging: true }),
  });
  const metrics = createServeMetrics({ redis, keys, queues: [queue, webhookQueue] });

  await registerBoard(app, {
    queues: [queue, webhookQueue],
    credentials: boardCredentials(config),
    readOnly: options.readOnly,
  });
  registerHealthRoutes(app, { redis, keys });
  await registerWebhookRoute(app, {
    queue: webhookQueue,
    secret: config.VOICEHIRE_WEBHOOK_SECRET,
    retryMs: config.WEBHOOK_RETRY_MS,
    protection: dataProtectionFor(config),
    logger,
    metrics,
  });

  app.get('/metrics', async (_, reply) => {
    await metrics.refresh();
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });

  app.get('/', async (_, reply) => reply.redirect('/board'));

  return app;
}

/** The board's credentials, when both are set. */
export function boardCredentials(config: Config): { user: string; password: string } | undefined {
  if (config.BOARD_USER === undefined || config.BOARD_PASSWORD === undefined) {
    return undefined;
  }
  return { user: config.BOARD_USER, password: config.BOARD_PASSWORD };
}
