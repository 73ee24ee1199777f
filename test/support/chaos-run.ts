import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { mulberry32 } from '../../src/shared/seeded-random.js';
import type { SimulatorRecord } from '../../src/simulator/simulator-record.js';
import { type GeneratedRow, generateRows, writeCandidateFile } from './candidate-file.js';
import { type CliProcess, runCli } from './cli-process.js';
import { type ConservationResult, expectConservation } from './conservation.js';
import { CAMPAIGN, type ImportHarness, waitFor } from './import-harness.js';

/**
 * What the chaos scenarios share: the scale (CHAOS_SCALE=full for the full run, else the short
 * run inside `npm test`), seeded random moments, the CLI as child processes, and the figures
 * each scenario prints once the conservation law holds.
 */

/** True under `npm run test:chaos`. */
export const FULL_SCALE = process.env.CHAOS_SCALE === 'full';

/** The short run's value, or the full run's. */
export function scaled<T>(short: T, full: T): T {
  return FULL_SCALE ? full : short;
}

/** Figures of one scenario, printed as one line and kept for docs/reliability.md. */
export interface ChaosFigures {
  kills: number;
  restarts: number;
  /** Anything else the scenario counts, such as halts. */
  [figure: string]: number;
}

/** The law's findings, and how many phones the run sent the API more than once. */
export type ChaosResult = ConservationResult & { resentPhones: number };

/**
 * One chaos scenario: a generated file in the harness's folder, the seed of its random moments,
 * and the CLI processes it spawns, each SIGKILLed after the test.
 */
export class ChaosRun {
  readonly rows: GeneratedRow[];
  readonly path: string;
  readonly random: () => number;
  readonly figures: ChaosFigures = { kills: 0, restarts: 0 };
  readonly #started = Date.now();
  readonly #processes: CliProcess[];
  #before: SimulatorRecord | undefined;

  constructor(
    readonly name: string,
    readonly harness: ImportHarness,
    readonly seed: number,
    rowCount: number,
    processes: CliProcess[],
  ) {
    this.rows = [...generateRows({ rows: rowCount, seed })];
    this.path = join(harness.dir, 'candidates.csv');
    this.random = mulberry32(seed);
    this.#processes = processes;
  }

  /** Writes the file; call before the first import. */
  async writeFile(): Promise<void> {
    this.#before = this.harness.simulator.record();
    await writeCandidateFile(this.path, { rows: this.rows.length, seed: this.seed });
  }

  /** Batches a perfect import queues: valid rows in hundreds. */
  get batches(): number {
    return Math.ceil(this.rows.filter((row) => row.kind === 'valid').length / 100);
  }

  /** A whole number of milliseconds in [min, max), from the run's seed. */
  between(min: number, max: number): number {
    return Math.floor(min + this.random() * (max - min));
  }

  /** `voicehire <args>`, with the harness's environment and `env` over it. */
  spawnCli(args: string[], env: Record<string, string> = {}): CliProcess {
    const cli = runCli(args, { ...this.harness.env, LOG_LEVEL: 'warn', ...env }, this.harness.dir);
    this.#processes.push(cli);
    return cli;
  }

  /** `voicehire import` of the run's file; its JSON summary once it exits 0. */
  async importFile(): Promise<{ import_id: string; batches: number; batches_queued: number }> {
    const cli = this.spawnCli(['import', this.path, '--campaign', CAMPAIGN, '--json']);
    const exit = await cli.exited;
    if (exit.code !== 0) {
      throw new Error(`import exited ${JSON.stringify(exit)}:\n${cli.stderr()}`);
    }
    return JSON.parse(cli.stdout());
  }

  /** Writes the file, imports it, then starts `workers` worker processes; the import's id. */
  async startImport(workers: number, concurrency = 3): Promise<string> {
    await this.writeFile();
    const { import_id: importId } = await this.importFile();
    for (let worker = 0; worker < workers; worker++) {
      this.harness.spawnWorker({ concurrency });
    }
    return importId;
  }

  /** Waits for the import to be done, then checks the law (expectLaw). */
  async finish(importId: string): Promise<ChaosResult> {
    await this.waitForImport(importId);
    return this.expectLaw(importId);
  }

  /** SIGKILLs the process, counted as a kill, and waits for it to be gone. */
  async kill(cli: CliProcess): Promise<void> {
    cli.process.kill('SIGKILL');
    await cli.exited;
    this.figures.kills += 1;
  }

  /** Waits for the import to be done, every batch settled, within the scale's bound. */
  async waitForImport(importId: string, timeoutMs = scaled(90_000, 300_000)): Promise<void> {
    await this.harness.waitForImport(importId, 'done', timeoutMs);
  }

  /**
   * Checks the conservation law after the run and prints the scenario's figures; the error of a
   * broken law carries the seed, to run the same moments again.
   */
  async expectLaw(importId: string): Promise<ChaosResult> {
    const { harness } = this;
    const record = harness.simulator.record();
    const result = await expectConservation(
      {
        rows: this.rows,
        rejectsPath: join(harness.dir, 'candidates.rejects.csv'),
        importId,
        campaignId: CAMPAIGN,
        record,
        ...(this.#before === undefined ? {} : { before: this.#before }),
        redis: harness.api.redis,
        keys: harness.api.keys,
        queue: harness.api.queue,
        status: await harness.status(importId),
      },
      `${this.name}, CHAOS_SEED=${this.seed}`,
    );

    const { totals } = record;
    const figures = {
      rows: this.rows.length,
      ...result.states,
      batches: result.batches,
      failedBatches: result.failedBatches.length,
      ...this.figures,
      retries: result.retries,
      calls: totals.requests,
      rateLimited: totals.rateLimited,
      faults: totals.unavailable + totals.resets + totals.timeouts + totals.lostAnswers,
      resentPhones: this.#resentPhones(record),
      seconds: Math.round((Date.now() - this.#started) / 100) / 10,
    };
    const line = Object.entries(figures)
      .map(([figure, value]) => `${figure}=${value}`)
      .join(' ');
    process.stdout.write(`chaos ${this.name} seed=${this.seed}: ${line}\n`);
    return { ...result, resentPhones: figures.resentPhones };
  }

  /** Phones this run sent the API more than once: batches sent again after a fault. */
  #resentPhones(record: SimulatorRecord): number {
    const before = this.#before?.phones[CAMPAIGN] ?? {};
    return Object.entries(record.phones[CAMPAIGN] ?? {}).filter(
      ([phone, { received }]) => received - (before[phone]?.received ?? 0) > 1,
    ).length;
  }
}

/**
 * Gives each test its runs; their processes are SIGKILLed after the test, before the harness
 * closes. Register it after importHarnessPerTest: after-hooks run last-registered first.
 */
export function chaosRunsPerTest(): (
  name: string,
  harness: ImportHarness,
  rows: number,
  seed?: number,
) => ChaosRun {
  const processes: CliProcess[] = [];
  afterEach(async () => {
    const running = processes.splice(0).filter((cli) => !cli.done());
    for (const cli of running) {
      cli.process.kill('SIGKILL');
    }
    await Promise.all(running.map((cli) => cli.exited));
  });

  return (name, harness, rows, seed = chaosSeed()) =>
    new ChaosRun(name, harness, seed, rows, processes);
}

/**
 * CHAOS_SEED when set, to repeat a failed run's moments; else a fresh one. Pass it to the
 * simulator too when its failures should vary from run to run.
 */
export function chaosSeed(): number {
  const given = process.env.CHAOS_SEED;
  return given === undefined ? randomInt(2 ** 31) : Number(given);
}

/** Waits until the predicate holds; the bound only detects a hang. */
export function until(
  predicate: () => boolean | Promise<boolean>,
  what: string | (() => string),
  timeoutMs = scaled(60_000, 240_000),
): Promise<void> {
  return waitFor(predicate, timeoutMs, what);
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
