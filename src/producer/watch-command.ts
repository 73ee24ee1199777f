import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../shared/config.js';
import { EXIT, UsageError } from '../shared/exit-codes.js';
import { createLogger } from '../shared/logger.js';
import { CAMPAIGN_ID } from './inbox-files.js';
import { logWatchEvents } from './watch-events.js';
import { type WatchTotals, watchInbox } from './watch-inbox.js';

interface WatchCommandOptions {
  campaign?: string;
  interval: number;
  settle: number;
  once: boolean;
}

const INBOX_HELP = `
The inbox:
  <inbox-dir>/*.csv               imported into --campaign (left alone without it)
  <inbox-dir>/abc123def456/*.csv  imported into campaign abc123def456
  …/processed/                    imported files, each with its <name>.rejects.csv
  …/failed/                       refused files, each with its <name>.reason.txt
A file is imported once its size and time have not changed for --settle ms. Writers do best to
write "name.csv.part" and then rename it to "name.csv": a rename is atomic, and .part, .tmp,
.crdownload, ~$ and hidden files are never imported.`;

/**
 * `voicehire watch <inbox-dir>`: drop a file into the folder, it is imported. Runs until SIGINT
 * or SIGTERM (exit 0 once the file under way is done), or, with `--once`, until what was there
 * is handled: exit 0, 2 when a file was refused, 1 when one had to be left for a later run.
 */
export function registerWatchCommand(program: Command): void {
  program
    .command('watch <inbox-dir>')
    .description('import every candidate file dropped into a folder, once it is completely written')
    .option(
      '--campaign <id>',
      'campaign of the files at the top level (sub-folders named by a campaign id use their own)',
      campaignId,
    )
    .option('--interval <seconds>', 'time between two scans of the folder', seconds, 2)
    .option(
      '--settle <ms>',
      'how long a file must stay unchanged to be imported',
      milliseconds,
      2000,
    )
    .option('--once', 'import what is there, waiting for it to settle, then exit', false)
    .addHelpText('after', INBOX_HELP)
    .action(async (inbox: string, options: WatchCommandOptions) => {
      process.exitCode = await watchAction(resolve(inbox), options);
    });
}

async function watchAction(inbox: string, options: WatchCommandOptions): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  await requireFolder(inbox);

  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down after the current file');
    // A second signal means "now". An import cut short is imported again at the next start, and
    // queues only what it had not (see watch-inbox.ts).
    process.once(signal, () => process.exit(130));
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);

  const intervalMs = Math.round(options.interval * 1000);
  logger.info(
    {
      inbox,
      campaignId: options.campaign,
      intervalMs,
      settleMs: options.settle,
      once: options.once,
    },
    'watching inbox',
  );

  let totals: WatchTotals;
  try {
    totals = await watchInbox(
      {
        inbox,
        ...(options.campaign ? { campaignId: options.campaign } : {}),
        intervalMs,
        settleMs: options.settle,
        once: options.once,
        signal: controller.signal,
      },
      config,
      logWatchEvents(logger),
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }

  logger.info(totals, 'watch stopped');
  return options.once ? onceExitCode(totals) : EXIT.OK;
}

/** Like `import`: 1 for what must be run again (Redis, the inbox), 2 for a refused file. */
function onceExitCode(totals: WatchTotals): number {
  if (totals.deferred > 0 || totals.scansFailed > 0) {
    return EXIT.USAGE;
  }
  return totals.refused > 0 ? EXIT.INPUT_REFUSED : EXIT.OK;
}

async function requireFolder(inbox: string): Promise<void> {
  const stats = await stat(inbox).catch(() => undefined);
  if (!stats?.isDirectory()) {
    throw new UsageError(`${inbox}: no such folder; create it, or name the inbox to watch`);
  }
}

function campaignId(value: string): string {
  if (!CAMPAIGN_ID.test(value)) {
    throw new InvalidArgumentError('expected a campaign id of 12 lowercase hex characters');
  }
  return value;
}

function seconds(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > 3600) {
    throw new InvalidArgumentError('expected a number of seconds above 0, up to 3600');
  }
  return number;
}

function milliseconds(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 3_600_000) {
    throw new InvalidArgumentError('expected a whole number of ms from 0 to 3600000');
  }
  return number;
}
