import type { Command } from 'commander';
import { loadConfig } from '../shared/config.js';
import { UsageError } from '../shared/exit-codes.js';
import { createLogger } from '../shared/logger.js';
import { openQueueContext } from '../shared/queue-context.js';
import { createWebhookQueue } from '../shared/webhook-queue.js';
import { port } from '../worker/worker-commands.js';

interface ServeOptions {
  port: number;
  host: string;
  readOnly: boolean;
}

/** `voicehire serve`: the board, metrics, health checks and the webhook receiver. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve Bull Board, /metrics, /healthz, /readyz and the VoiceHire webhooks')
    .option('--port <port>', 'TCP port', port, 3000)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--read-only', 'no retry, clean or remove from the board', false)
    .action(async (options: ServeOptions) => {
      // Loaded here, not with the CLI: Fastify and Bull Board are ~20 MB that every other
      // command, `import` first, would carry for nothing.
      const { boardCredentials, buildServeApp } = await import('./serve-app.js');
      const config = loadConfig();
      const logger = createLogger(config.LOG_LEVEL);

      const credentials = boardCredentials(config);
      if ((config.BOARD_USER === undefined) !== (config.BOARD_PASSWORD === undefined)) {
        throw new UsageError('set both BOARD_USER and BOARD_PASSWORD, or neither');
      }
      // The board shows candidates' details and can retry or delete jobs: open to the network
      // only behind a password.
      if (credentials === undefined && !isLoopback(options.host)) {
        throw new UsageError(
          `refusing to serve the board on ${options.host} without BOARD_USER and BOARD_PASSWORD`,
        );
      }
      if (config.VOICEHIRE_WEBHOOK_SECRET === undefined) {
        logger.warn('VOICEHIRE_WEBHOOK_SECRET is not set: webhook signatures are not checked');
      }

      const context = await openQueueContext(config, { persistent: true });
      const webhookQueue = createWebhookQueue(context.redis, config);
      const app = await buildServeApp({ ...context, webhookQueue }, logger, {
        readOnly: options.readOnly,
      });
      const address = await app.listen({ port: options.port, host: options.host });
      logger.info({ address, board: `${address}/board`, readOnly: options.readOnly }, 'serving');

      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          logger.info({ signal }, 'shutting down');
          process.once(signal, () => process.exit(130));
          void app
            .close()
            .then(() => webhookQueue.close())
            .then(() => context.close())
            .then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
