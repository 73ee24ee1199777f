import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../shared/config.js';
import { EXIT } from '../shared/exit-codes.js';
import { createLogger } from '../shared/logger.js';
import { openQueueContext } from '../shared/queue-context.js';
import { tryResume } from './resume.js';
import { retryFailedBatches } from './retry-failed.js';
import { runWorker } from './run-worker.js';
import { openApiContext } from './worker-context.js';

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InvalidArgumentError('expected a positive whole number');
  }
  return number;
}

interface WorkerCommandOptions {
  concurrency: number;
  autoResume: boolean;
  autoResumeEvery: number;
  metricsPort?: number;
  webhooks: boolean;
}

export function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65_535) {
    throw new InvalidArgumentError('expected a TCP port from 0 to 65535');
  }
  return number;
}

/** `voicehire worker`, `resume` and `retry-failed`. */
export function registerWorkerCommands(program: Command): void {
  program
    .command('worker')
    .description('send queued batches to VoiceHire, within the rate limits, until stopped')
    .option('--concurrency <n>', 'batches in flight in this process', positiveInteger, 5)
    .option('--auto-resume', 'while halted, re-check the credits and resume by itself', false)
    .option('--auto-resume-every <seconds>', 'how often to re-check', positiveInteger, 180)
    .option('--metrics-port <port>', "serve this worker's Prometheus metrics on that port", port)
    .option('--no-webhooks', 'send batches only; leave the webhooks queue to other workers')
    .action(async (options: WorkerCommandOptions) => {
      const config = loadConfig();
      const logger = createLogger(config.LOG_LEVEL);
      const worker = await runWorker(
        {
          concurrency: options.concurrency,
          autoResume: options.autoResume,
          autoResumeMs: options.autoResumeEvery * 1000,
          webhooks: options.webhooks,
          ...(options.metricsPort === undefined ? {} : { metricsPort: options.metricsPort }),
        },
        config,
        logger,
      );

      await new Promise<void>((resolve) => {
        const stop = (signal: NodeJS.Signals) => {
          logger.info({ signal }, 'shutting down');
          // A second signal means "now": exit without waiting for batches in flight, which
          // come back through stalled-job recovery.
          process.once(signal, () => process.exit(130));
          void worker.close().then(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });

  program
    .command('resume')
    .description('resume a halted queue once the credits (or the key) allow it')
    .option('--json', 'print the outcome as JSON on stdout', false)
    .action(async (options: { json: boolean }) => {
      const context = await openApiContext(loadConfig(), { persistent: false });
      try {
        const outcome = await tryResume(context);
        const message = outcome.resumed
          ? `resumed (credits available: ${outcome.creditsAvailable})`
          : `still halted: ${outcome.reason}`;
        process.stdout.write(
          options.json ? `${JSON.stringify(outcome)}\n` : `voicehire: ${message}\n`,
        );
        process.exitCode = outcome.resumed ? EXIT.OK : EXIT.HALTED;
      } finally {
        await context.close();
      }
    });

  program
    .command('retry-failed [import-id]')
    .description('send failed batches back to the queue, for one import or all')
    .action(async (importId: string | undefined) => {
      const context = await openQueueContext(loadConfig(), { persistent: false });
      try {
        const count = await retryFailedBatches(context, importId);
        process.stdout.write(`voicehire: ${count} failed batch(es) queued again\n`);
      } finally {
        await context.close();
      }
    });
}
