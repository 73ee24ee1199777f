import type { FastifyInstance } from 'fastify';
import { buildServeApp } from '../../src/server/serve-app.js';
import { loadConfig } from '../../src/shared/config.js';
import { createLogger } from '../../src/shared/logger.js';
import { openQueueContext, type QueueContext } from '../../src/shared/queue-context.js';
import { createWebhookQueue, type WebhookQueue } from '../../src/shared/webhook-queue.js';

/** `voicehire serve`'s application, listening on a free port of 127.0.0.1. */
export interface RunningServe {
  url: string;
  app: FastifyInstance;
  context: QueueContext;
  webhookQueue: WebhookQueue;
  close(): Promise<void>;
}

export const BOARD_ENV = { BOARD_USER: 'operator', BOARD_PASSWORD: 'correct horse' } as const;

export async function startServe(
  env: Record<string, string>,
  options: { readOnly?: boolean; port?: number } = {},
): Promise<RunningServe> {
  const config = loadConfig({ ...env });
  const context = await openQueueContext(config, { persistent: true });
  const webhookQueue = createWebhookQueue(context.redis, config);
  const app = await buildServeApp({ ...context, webhookQueue }, createLogger('silent'), {
    readOnly: options.readOnly ?? false,
  });
  const url = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });

  return {
    url,
    app,
    context,
    webhookQueue,
    async close() {
      await app.close();
      await webhookQueue.close();
      await context.close();
    },
  };
}

export function basicAuth(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
