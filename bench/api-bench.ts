import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runImport } from '../src/producer/run-import.js';
import { createBatchQueue } from '../src/shared/batch-queue.js';
import { type Config, loadConfig } from '../src/shared/config.js';
import { readImportStatus } from '../src/shared/import-status.js';
import { connectRedis } from '../src/shared/redis-connection.js';
import { redisKeys } from '../src/shared/redis-keys.js';
import { type Simulator, startSimulator } from '../src/simulator/simulator.js';
import { writeCandidateFile } from '../test/support/candidate-file.js';

/**
 * The API side of the bench: how much of the binding rate window the workers use while a
 * backlog waits, against the simulator with the documented windows scaled in time, and how
 * many batches a second the queue itself can carry when the API answers at once.
 */

const CLI = fileURLToPath(new URL('../src/cli.js', import.meta.url));
const API_KEY = 'vh_live_simulator';
const CAMPAIGN = 'abc123def456';
const CREDITS = 10_000_000;

/**
 * The hour scaled to 40 s (x90). Windows of a second or less stay as documented: the worker
 * refuses windows under 1 s, and at 2.5 add calls a second none of them binds. The simulator
 * takes the minute window scaled; the worker its equivalent per second.
 */
export const SCALED_HOUR_MS = 40_000;
const SIMULATOR_LIMITS = 'all:10/1s,all:60/667ms,all:1000/40s,adds:100/40s,reads:1000/40s';
const WORKER_LIMITS = 'all:10/1s,all:90/1s,all:1000/40s,adds:100/40s';
const BINDING_POINTS = 100;

export interface CapacityFigures {
  batches: number;
  /** Add calls in each window that closed while batches were still waiting. */
  fullWindows: number[];
  /** Calls in those windows over their points: 1 when every one was used. */
  windowShare: number;
  /** Idle time between a window's end and the next window's first call, mean, in ms. */
  meanGapMs: number;
  rateLimited: number;
  meanCandidatesPerCall: number;
  /** Calls of fewer than 100 candidates: only each import's last should be. */
  shortCalls: number;
  /** Credits the simulator charged beyond the candidates it added. */
  creditsOnSkips: number;
  skippedOrRefused: number;
}

export interface OverheadFigures {
  batches: number;
  ms: number;
  batchesPerSecond: number;
}

interface BenchWorld {
  simulator: Simulator;
  config: Config;
  env: Record<string, string>;
}

async function openWorld(
  dir: string,
  redisUrl: string,
  name: string,
  limits: { simulator: string; worker: string },
): Promise<BenchWorld> {
  const simulator = await startSimulator({
    seed: 1,
    credits: CREDITS,
    rateLimits: limits.simulator,
  });
  const env = {
    PATH: process.env.PATH ?? '',
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: `{bench-${name}}`,
    VOICEHIRE_API_URL: simulator.url,
    VOICEHIRE_API_KEY: API_KEY,
    VOICEHIRE_RATE_LIMITS: limits.worker,
    DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`,
    LOG_LEVEL: 'silent',
  };
  return { simulator, config: loadConfig({ ...env }), env };
}

function spawnWorkers(world: BenchWorld, dir: string, count: number, concurrency: number) {
  const children: ChildProcess[] = [];
  for (let i = 0; i < count; i++) {
    // BENCH_PROFILE_DIR=<dir> writes a CPU profile of each worker there (node --cpu-prof).
    const profile = process.env.BENCH_PROFILE_DIR;
    const args = [
      ...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []),
      CLI,
      'worker',
      '--concurrency',
      String(concurrency),
      '--no-webhooks',
    ];
    children.push(spawn(process.execPath, args, { cwd: dir, env: world.env, stdio: 'ignore' }));
  }
  return {
    async stop() {
      await Promise.all(
        children.map(async (child) => {
          if (child.exitCode === null && child.signalCode === null) {
            const exited = once(child, 'exit');
            child.kill('SIGTERM');
            await exited;
          }
        }),
      );
    },
  };
}

/** Waits until every batch of the import is done or failed; polls Redis every 20 ms. */
async function waitSettled(config: Config, importId: string, timeoutMs: number): Promise<void> {
  const redis = await connectRedis(config.REDIS_URL, { persistent: false });
  const keys = redisKeys(config.QUEUE_PREFIX);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const status = await readImportStatus(redis, keys, importId);
      if (status && status.batches_done + status.batches_failed >= status.batches) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`import ${importId} not settled after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    redis.disconnect();
  }
}

/** Splits the add calls into windows as a fixed-window limiter opens them, from the first call. */
function callsPerWindow(times: readonly number[], durationMs: number) {
  const windows: Array<{ start: number; calls: number; last: number }> = [];
  for (const at of times) {
    const current = windows.at(-1);
    if (current === undefined || at >= current.start + durationMs) {
      windows.push({ start: at, calls: 1, last: at });
    } else {
      current.calls += 1;
      current.last = at;
    }
  }
  return windows;
}

export async function measureCapacity(
  dir: string,
  redisUrl: string,
  rows: number,
): Promise<CapacityFigures> {
  const world = await openWorld(dir, redisUrl, 'capacity', {
    simulator: SIMULATOR_LIMITS,
    worker: WORKER_LIMITS,
  });
  const file = join(dir, 'capacity.csv');
  // A clean file: every candidate valid, so that any credit beyond the added is a waste.
  await writeCandidateFile(file, { rows, seed: 3, invalidShare: 0, duplicateShare: 0 });
  const summary = await runImport({ file, campaignId: CAMPAIGN }, world.config);

  const workers = spawnWorkers(world, dir, 1, 5);
  try {
    const windows = Math.ceil(summary.batches / BINDING_POINTS);
    await waitSettled(world.config, summary.importId, (windows + 2) * (SCALED_HOUR_MS + 5_000));
  } finally {
    await workers.stop();
  }

  const record = world.simulator.record();
  const credits = await creditsUsed(world.simulator);
  await world.simulator.close();

  const adds = [...record.adds].sort((a, b) => a.at - b.at);
  const windows = callsPerWindow(
    adds.map((call) => call.at),
    SCALED_HOUR_MS,
  );
  // A window counts while batches still waited at its end: every window but the last.
  const full = windows.slice(0, -1);
  const gaps = full.map((window, index) => {
    const next = windows[index + 1] as { start: number };
    return next.start - (window.start + SCALED_HOUR_MS);
  });
  const sent = adds.reduce((sum, call) => sum + call.sent, 0);
  const added = adds.reduce((sum, call) => sum + call.added, 0);
  return {
    batches: summary.batches,
    fullWindows: full.map((window) => window.calls),
    windowShare:
      full.reduce((sum, window) => sum + window.calls, 0) / (full.length * BINDING_POINTS || 1),
    meanGapMs: gaps.reduce((sum, gap) => sum + gap, 0) / (gaps.length || 1),
    rateLimited: record.totals.rateLimited,
    meanCandidatesPerCall: sent / (adds.length || 1),
    shortCalls: adds.filter((call) => call.sent !== BINDING_POINTS).length,
    creditsOnSkips: credits - added,
    skippedOrRefused: adds.reduce((sum, call) => sum + call.skipped + call.refused, 0),
  };
}

/** Credits the simulator charged; asked again after a 429 of its own 1-second window. */
async function creditsUsed(simulator: Simulator): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const response = await fetch(`${simulator.url}/account/credits`, {
      headers: { 'X-API-Key': API_KEY },
    });
    if (response.ok) {
      const body = (await response.json()) as { credits_used_this_month: number };
      return body.credits_used_this_month;
    }
    await new Promise((resolve) => setTimeout(resolve, 1_100));
  }
  throw new Error('the simulator would not tell its credits');
}

/**
 * Batches a second through two worker processes (the machine's two cores) when the API
 * answers at once and sets no limit: what the queue, Redis and the workers cost by themselves.
 * The queue is paused while the workers start, so that their start-up is not counted.
 */
export async function measureQueueOverhead(
  dir: string,
  redisUrl: string,
  rows: number,
): Promise<OverheadFigures> {
  const world = await openWorld(dir, redisUrl, 'overhead', { simulator: 'none', worker: 'none' });
  const file = join(dir, 'overhead.csv');
  await writeCandidateFile(file, { rows, seed: 5, invalidShare: 0, duplicateShare: 0 });

  const redis = await connectRedis(redisUrl, { persistent: false });
  const queue = createBatchQueue(redis, world.config);
  await queue.pause();
  const summary = await runImport({ file, campaignId: CAMPAIGN }, world.config);
  const workers = spawnWorkers(world, dir, 2, 25);

  try {
    // Time for both workers to load and connect; they wait on the paused queue.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const started = performance.now();
    await queue.resume();
    await waitSettled(world.config, summary.importId, 120_000);
    const ms = performance.now() - started;
    return { batches: summary.batches, ms, batchesPerSecond: (summary.batches / ms) * 1000 };
  } finally {
    await workers.stop();
    await queue.close();
    redis.disconnect();
    await world.simulator.close();
  }
}
