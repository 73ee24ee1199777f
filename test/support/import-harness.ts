import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { afterEach, expect, inject } from 'vitest';
import { type ImportSummary, runImport } from '../../src/producer/run-import.js';
import { type Config, loadConfig } from '../../src/shared/config.js';
import { type ImportStatus, readImportStatus } from '../../src/shared/import-status.js';
import { createLogger } from '../../src/shared/logger.js';
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/simulator/simulator.js';
import { type RunningWorker, runWorker, type WorkerOptions } from '../../src/worker/run-worker.js';
import { type ApiContext, openApiContext } from '../../src/worker/worker-context.js';
import {
  type GenerateOptions,
  generateRows,
  type RowKind,
  writeCandidateFile,
} from './candidate-file.js';
import { type CliProcess, runCli } from './cli-process.js';

/**
 * One import at a time against the real thing: the run's private Redis, the simulator over HTTP,
 * the producer's `runImport` and the workers, in-process or as `voicehire worker` processes.
 * Every harness has a key prefix of its own, and leaves neither keys, files nor processes behind.
 */

/** The simulator's only campaign, unless a test asks for others. */
export const CAMPAIGN = 'abc123def456';

/** The key the simulator accepts. */
export const API_KEY = 'vh_live_simulator';

/**
 * Settings that take an import of a few thousand rows through in a second or two: 20 calls a
 * second instead of the documented 100 an hour, retries 100 ms apart, and a lock that lets a
 * killed worker's batches come back within a few seconds.
 */
export const FAST_ENV: Readonly<Record<string, string>> = {
  VOICEHIRE_API_KEY: API_KEY,
  VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:20/1s',
  VOICEHIRE_TIMEOUT_MS: '5000',
  BATCH_ATTEMPTS: '6',
  BATCH_BACKOFF_MS: '100',
  WORKER_LOCK_MS: '2000',
  CAMPAIGN_RECHECK_MS: '200',
  WEBHOOK_RETRY_MS: '100',
  LOG_LEVEL: 'silent',
};

const POLL_MS = 25;

export interface HarnessOptions {
  /** Merged over the harness's own: seed 1, and the same rate limits as the workers. */
  simulator?: SimulatorOptions;
  /** Variables merged over FAST_ENV; REDIS_URL, QUEUE_PREFIX and the API URL are the harness's. */
  env?: Record<string, string>;
  /** A Redis of the test's own (one it may restart); default the run's shared one. */
  redisUrl?: string;
}

/** A generated candidate file and what a perfect import of it adds. */
export interface CandidateFile {
  path: string;
  kinds: RowKind[];
  /** The valid phones, once each, in the API's form (`0612345678`). */
  phones: string[];
}

/** What a run of the built command printed, and its exit code. */
export interface CommandRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A `voicehire worker` process; its output holds warnings and errors only. */
export type ChildWorker = CliProcess;

export class ImportHarness {
  readonly #workers: RunningWorker[] = [];
  readonly #children: ChildWorker[] = [];
  readonly #contexts: ApiContext[] = [];

  private constructor(
    readonly prefix: string,
    readonly env: Readonly<Record<string, string>>,
    readonly config: Config,
    readonly simulator: Simulator,
    readonly dir: string,
  ) {}

  static async open(options: HarnessOptions = {}): Promise<ImportHarness> {
    const prefix = freshPrefix();
    const dir = mkdtempSync(join(tmpdir(), 'vh-harness-'));
    const overrides = options.env ?? {};
    const rateLimits = overrides.VOICEHIRE_RATE_LIMITS ?? FAST_ENV.VOICEHIRE_RATE_LIMITS;
    const simulator = await startSimulator({ seed: 1, rateLimits, ...options.simulator });

    const env = {
      ...FAST_ENV,
      ...overrides,
      REDIS_URL: options.redisUrl ?? inject('redisUrl'),
      QUEUE_PREFIX: prefix,
      VOICEHIRE_API_URL: simulator.url,
      // The mapping store in the harness's directory, never a voicehire.db in the repository.
      DATABASE_URL: overrides.DATABASE_URL ?? join(dir, 'voicehire.db'),
    };
    const harness = new ImportHarness(prefix, env, loadConfig({ ...env }), simulator, dir);
    try {
      await harness.openApiContext();
    } catch (err) {
      await harness.close();
      throw err;
    }
    return harness;
  }

  /** The first context, with the harness's own key: queue, Redis, client and limiter. */
  get api(): ApiContext {
    const context = this.#contexts[0];
    if (context === undefined) {
      throw new Error('the harness is closed');
    }
    return context;
  }

  /** A context of its own, for commands such as resume; `env` changes the API key, say. */
  async openApiContext(env: Record<string, string> = {}): Promise<ApiContext> {
    const context = await openApiContext(loadConfig({ ...this.env, ...env }), {
      // Persistent, as a long-running process: a test may restart Redis under it.
      persistent: true,
    });
    this.#contexts.push(context);
    return context;
  }

  /** Writes a generated file into the harness's directory (candidate-file.ts, default seed 1). */
  async writeCandidates(options: GenerateOptions & { name?: string }): Promise<CandidateFile> {
    const path = join(this.dir, options.name ?? 'candidates.csv');
    const generate = { seed: 1, ...options };
    const kinds = await writeCandidateFile(path, generate);

    const phones: string[] = [];
    for (const row of generateRows(generate)) {
      if (row.kind === 'valid' && row.phone !== undefined) {
        phones.push(row.phone);
      }
    }
    return { path, kinds, phones };
  }

  /** Runs the producer on the file: every valid candidate queued in batches of 100. */
  importFile(file: CandidateFile, campaignId = CAMPAIGN): Promise<ImportSummary> {
    return runImport({ file: file.path, campaignId }, this.config);
  }

  /** An in-process worker, closed with the harness; `env` changes its configuration. */
  async startWorker(
    options: Partial<WorkerOptions> = {},
    env: Record<string, string> = {},
  ): Promise<RunningWorker> {
    const running = await runWorker(
      { concurrency: 3, autoResume: false, autoResumeMs: 60_000, ...options },
      loadConfig({ ...this.env, ...env }),
      createLogger('silent'),
    );
    // A test may stop a worker itself; the harness's own close then finds it done.
    let closing: Promise<void> | undefined;
    const worker = { close: () => (closing ??= running.close()) };
    this.#workers.push(worker);
    return worker;
  }

  /** `node dist/cli.js worker` with the harness's environment, killed with the harness. */
  spawnWorker(
    options: { concurrency?: number; env?: Record<string, string>; args?: string[] } = {},
  ): ChildWorker {
    const args = ['worker', '--concurrency', String(options.concurrency ?? 3)];
    args.push(...(options.args ?? []));
    // The harness's variables only (neither the user's environment nor a .env file counts), and
    // warnings and errors only, kept for the message of a test that fails.
    const env = { ...this.env, LOG_LEVEL: 'warn', ...options.env };
    const worker = runCli(args, env, this.dir);
    this.#children.push(worker);
    return worker;
  }

  /**
   * Runs the built command with the harness's environment, without blocking this process: the
   * simulator answers from this process's event loop.
   */
  async runCommand(...args: string[]): Promise<CommandRun> {
    const run = runCli(args, { ...this.env, LOG_LEVEL: 'silent' }, this.dir);
    const { code } = await run.exited;
    return { code, stdout: run.stdout(), stderr: run.stderr() };
  }

  /** The import's status as `voicehire status --json` prints it. */
  async status(importId: string): Promise<ImportStatus> {
    const status = await readImportStatus(this.api.redis, this.api.keys, importId);
    if (status === undefined) {
      throw new Error(`no import ${importId} under ${this.prefix}`);
    }
    return status;
  }

  /** How many batch jobs are in each BullMQ state; a paused queue keeps its jobs waiting. */
  jobCounts(): Promise<Record<string, number>> {
    return this.api.queue.getJobCounts(
      'active',
      'completed',
      'delayed',
      'failed',
      'prioritized',
      'waiting',
    );
  }

  /**
   * Waits until the import reaches `state` (default done) and, for done, until no batch is left
   * in the queue: a batch is settled in the import's record just before BullMQ moves its job.
   * The error shows the last status and job counts.
   */
  async waitForImport(
    importId: string,
    state: ImportStatus['state'] = 'done',
    timeoutMs = 30_000,
  ): Promise<ImportStatus> {
    let status = await this.status(importId);
    let counts: Record<string, number> = {};
    await waitFor(
      async () => {
        status = await this.status(importId);
        counts = await this.jobCounts();
        const pending = ['active', 'waiting', 'delayed', 'prioritized'].some(
          (type) => (counts[type] ?? 0) > 0,
        );
        return status.state === state && (state !== 'done' || !pending);
      },
      timeoutMs,
      () =>
        `import ${importId} to be ${state}; last status ${JSON.stringify(status)}, ` +
        `jobs ${JSON.stringify(counts)}`,
    );
    return status;
  }

  /** Stops every worker and process, then removes the prefix's keys, the simulator and files. */
  async close(): Promise<void> {
    await Promise.all(this.#children.splice(0).map((child) => child.stop('SIGKILL')));
    await Promise.all(this.#workers.splice(0).map((worker) => worker.close()));

    const contexts = this.#contexts.splice(0);
    try {
      const primary = contexts[0];
      if (primary !== undefined) {
        await deletePrefixKeys(primary.redis, this.prefix);
      }
    } finally {
      await Promise.all(contexts.map((context) => context.close()));
      await this.simulator.close();
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

/**
 * Gives each test a harness of its own, closed after the test, pass or fail. Call it at the top
 * of a test file; each call of the function it returns opens one harness.
 */
export function importHarnessPerTest(): (options?: HarnessOptions) => Promise<ImportHarness> {
  const opened: ImportHarness[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((harness) => harness.close()));
  });

  return async (options) => {
    const harness = await ImportHarness.open(options);
    opened.push(harness);
    return harness;
  };
}

/** A QUEUE_PREFIX nobody else uses, such as `{vh-t-1a2b3c4d}`. */
export function freshPrefix(): string {
  return `{vh-t-${randomBytes(4).toString('hex')}}`;
}

/** A SCAN or KEYS pattern for every key under the prefix; its braces are escaped. */
export function keyPattern(prefix: string): string {
  return `${prefix.replace(/[*?[\]\\{}]/g, '\\$&')}*`;
}

/** Deletes every key under the prefix; on a Redis Cluster, from every master. */
export async function deletePrefixKeys(redis: Redis, prefix: string): Promise<number> {
  // A Cluster sends SCAN to one node; connectRedis types a Cluster as Redis (see there).
  const nodes = redis.isCluster ? (redis as unknown as Cluster).nodes('master') : [redis];
  const pattern = keyPattern(prefix);
  let deleted = 0;

  for (const node of nodes) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        deleted += await node.del(...keys);
      }
    } while (cursor !== '0');
  }
  return deleted;
}

/**
 * Polls until the predicate holds, or throws after `timeoutMs` saying what it waited for.
 * `what` may be a function, to describe the state at the moment of the timeout.
 */
export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string) = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;

  for (;;) {
    if (await predicate()) {
      return;
    }
    if (Date.now() >= deadline) {
      const described = typeof what === 'function' ? what() : what;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${described}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/**
 * The conservation law of an import: the campaign holds exactly the file's valid unique phones,
 * each added once, and the import is done with every batch settled and none failed.
 *
 * With `resent`, a batch may have reached the API twice (a worker killed between the call and
 * its record, an answer lost): the second call finds the phones there and the API skips them,
 * but the import still counts them as its own additions.
 */
export async function expectDeliveredOnce(
  harness: ImportHarness,
  file: CandidateFile,
  summary: Pick<ImportSummary, 'importId' | 'campaignId' | 'valid' | 'batches'>,
  options: { resent?: boolean } = {},
): Promise<void> {
  const expected = file.phones.length;
  const phones = harness.simulator.record().phones[summary.campaignId] ?? {};
  const receivedTwice = Object.values(phones).reduce((sum, phone) => sum + phone.received - 1, 0);

  // The producer found the same valid rows as the generator made.
  expect(summary.valid).toBe(expected);
  expect(summary.batches).toBe(Math.ceil(expected / 100));

  expect(Object.keys(phones).sort()).toEqual([...file.phones].sort());
  expect(Object.entries(phones).filter(([, phone]) => phone.added !== 1)).toEqual([]);

  const status = await harness.status(summary.importId);
  expect(status).toMatchObject({
    state: 'done',
    valid: expected,
    batches: summary.batches,
    batches_done: summary.batches,
    batches_failed: 0,
    api_refused: 0,
    halted: null,
  });
  if (!options.resent) {
    expect(receivedTwice).toBe(0);
  }
  expect(status.candidates_added).toBe(expected);
  expect(status.candidates_skipped).toBe(0);

  expect(await harness.jobCounts()).toEqual({
    active: 0,
    completed: summary.batches,
    delayed: 0,
    failed: 0,
    prioritized: 0,
    waiting: 0,
  });
}
