import { type Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../shared/config.js';
import { UsageError } from '../shared/exit-codes.js';
import { createLogger } from '../shared/logger.js';
import { type Simulator, startSimulator } from './simulator.js';
import { type SimulatorOptions, SimulatorOptionsError } from './simulator-options.js';

/** The flags as commander hands them over, parsed by the functions below. */
interface SimulatorFlags {
  port: number;
  host: string;
  credits?: number;
  campaign?: string[];
  apiKey?: string[];
  rateLimits?: string;
  latency?: number;
  failRate?: number;
  resetRate?: number;
  timeoutRate?: number;
  lostAnswerRate?: number;
  seed?: number;
  agencyInactive?: boolean;
  webhookUrl?: string;
  webhookSecret?: string;
  webhookDelay?: number;
  webhookChaos?: boolean;
  creditsLow?: number;
}

/** What the command touches outside itself; tests give their own. */
export interface SimulatorCommandIo {
  /** Writes one line on stdout. */
  printLine(line: string): void;
  /** Resolves with the name of the signal that asks the simulator to stop. */
  untilStopped(): Promise<string>;
}

const processIo: SimulatorCommandIo = {
  printLine: (line) => process.stdout.write(`${line}\n`),
  untilStopped: () =>
    new Promise((resolve) => {
      const stop = (signal: NodeJS.Signals) => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve(signal);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    }),
};

/** Adds `voicehire simulator`, which runs until SIGINT or SIGTERM; returns the new command. */
export function registerSimulatorCommand(
  program: Command,
  io: SimulatorCommandIo = processIo,
): Command {
  return program
    .command('simulator')
    .description('run a local simulator of the VoiceHire API: no network, no credits spent')
    .option('--port <n>', 'TCP port, 0 for any free one', parseInteger('--port', 0, 65_535), 4010)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--credits <n>', 'credits at start (default 1000000)', parseNumber('--credits'))
    .option('--campaign <id...>', 'campaign ids that exist at start (default abc123def456)')
    .option('--api-key <key...>', 'API keys accepted (default vh_live_simulator)')
    .option('--rate-limits <spec>', 'scope:points/duration,… or none (default: the documented)')
    .option('--latency <ms>', 'delay added to each API request', parseNumber('--latency'))
    .option('--fail-rate <0..1>', 'share of API requests answered 503', parseShare('--fail-rate'))
    .option('--reset-rate <0..1>', 'share of connections reset', parseShare('--reset-rate'))
    .option('--timeout-rate <0..1>', 'share never answered', parseShare('--timeout-rate'))
    .option(
      '--lost-answer-rate <0..1>',
      'share handled in full whose answer is lost',
      parseShare('--lost-answer-rate'),
    )
    .option(
      '--seed <n>',
      'seed of the failures, interview outcomes and webhook chaos',
      parseInteger('--seed'),
    )
    .option('--agency-inactive', 'answer every API request 403 AGENCY_INACTIVE')
    .option('--webhook-url <url>', 'post the webhook events there (default: none sent)')
    .option('--webhook-secret <secret>', 'sign them into X-VoiceHire-Signature')
    .option(
      '--webhook-delay <ms>',
      'from candidate.added to interview.started, and on to its outcome (default 2000)',
      parseNumber('--webhook-delay'),
    )
    .option('--webhook-chaos', 'send some deliveries twice and shuffle their order (from --seed)')
    .option(
      '--credits-low <n>',
      'send credits.low below this many credits (default 10)',
      parseNumber('--credits-low'),
    )
    .action((flags: SimulatorFlags) => runSimulator(flags, io));
}

async function runSimulator(flags: SimulatorFlags, io: SimulatorCommandIo): Promise<void> {
  const logger = createLogger(loadConfig().LOG_LEVEL);
  const simulator = await start({
    port: flags.port,
    host: flags.host,
    credits: flags.credits,
    campaigns: flags.campaign,
    apiKeys: flags.apiKey,
    rateLimits: flags.rateLimits,
    latencyMs: flags.latency,
    failRate: flags.failRate,
    resetRate: flags.resetRate,
    timeoutRate: flags.timeoutRate,
    lostAnswerRate: flags.lostAnswerRate,
    seed: flags.seed,
    agencyInactive: flags.agencyInactive,
    webhookUrl: flags.webhookUrl,
    webhookSecret: flags.webhookSecret,
    webhookDelayMs: flags.webhookDelay,
    webhookChaos: flags.webhookChaos,
    creditsLowThreshold: flags.creditsLow,
  });

  // The URL goes to stderr for people and alone on stdout for scripts. Keys stay out of both,
  // and so do the webhook URL and secret: a receiver's URL often carries a token.
  const webhooks = flags.webhookUrl !== undefined;
  logger.info({ url: simulator.url, webhooks }, 'simulator listening');
  io.printLine(simulator.url);

  const signal = await io.untilStopped();
  await simulator.close();
  logger.info({ signal }, 'simulator closed');
}

/** Starts the simulator, turning a bad option or a taken port into a usage error. */
async function start(options: SimulatorOptions): Promise<Simulator> {
  try {
    return await startSimulator(options);
  } catch (err) {
    if (err instanceof SimulatorOptionsError) {
      throw new UsageError(err.message);
    }
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new UsageError(`port ${options.port} is in use: choose another with --port`);
    }
    throw err;
  }
}

function parseInteger(flag: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const parsed = Number(value);
    if (!/^-?\d+$/.test(value) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${flag} takes an integer from ${min} to ${max}.`);
    }
    return parsed;
  };
}

function parseNumber(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) {
      throw new InvalidArgumentError(`${flag} takes a number of at least 0.`);
    }
    return parsed;
  };
}

function parseShare(flag: string) {
  return (value: string): number => {
    const parsed = Number(value);
    if (value.trim() === '' || !(parsed >= 0 && parsed <= 1)) {
      throw new InvalidArgumentError(`${flag} takes a share from 0 to 1, such as 0.05.`);
    }
    return parsed;
  };
}
