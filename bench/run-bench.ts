import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from '../src/shared/local-redis.js';
import { connectRedis } from '../src/shared/redis-connection.js';
import { writeCandidateFile } from '../test/support/candidate-file.js';
import { measureCapacity, measureQueueOverhead } from './api-bench.js';
import { type BenchFigures, type DedupFigures, printReport } from './bench-report.js';
import type { ChildFigures } from './child-measure.js';
import { measureBullmqAlone, measureSimulatorAlone } from './queue-references.js';

/**
 * `npm run bench`: every figure of docs/performance.md, each beside its reference measured in
 * the same run. Starts its own redis-server and simulator, generates its data from a seed into
 * bench/data/ (kept between runs: the same seed writes the same bytes), and prints one table
 * and a verdict line. BENCH_QUICK=1 runs it on smaller files, to check that it works.
 */

const here = fileURLToPath(new URL('.', import.meta.url));
const quick = process.env.BENCH_QUICK === '1';
const SIZES = quick ? [10_000, 100_000, 200_000] : [100_000, 1_000_000, 5_000_000];
const PRODUCER_ROWS = SIZES[1] as number;
const CAPACITY_ROWS = quick ? 12_000 : 22_000;
const OVERHEAD_ROWS = quick ? 50_000 : 200_000;

const dataDir = fileURLToPath(new URL('../../bench/data/', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'vh-bench-'));

/** Runs a bench child with `node` and returns the figures of its last line. */
async function runChild<T = ChildFigures>(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  nodeArgs: string[] = [],
): Promise<T> {
  const child = spawn(process.execPath, [...nodeArgs, join(here, script), ...args], {
    cwd: workDir,
    env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const last = output.trim().split('\n').at(-1) ?? '';
  if (code !== 0) {
    throw new Error(`${script} ${args.join(' ')} exited with ${code}: ${last}`);
  }
  return JSON.parse(last) as T;
}

async function candidateFile(rows: number): Promise<string> {
  const path = join(dataDir, `candidates-${rows}.csv`);
  if (!existsSync(path)) {
    process.stderr.write(`generating ${path}\n`);
    await writeCandidateFile(`${path}.part`, { rows, seed: 42 });
    const { renameSync } = await import('node:fs');
    renameSync(`${path}.part`, path);
  }
  return path;
}

async function main(): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  const redis = await startRedis();
  const admin = await connectRedis(redis.url, { persistent: false });
  let run = 0;
  const producerEnv = () => {
    run += 1;
    return {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `{bench-${run}}`,
      DATABASE_URL: `sqlite:${join(workDir, `producer-${run}.db`)}`,
    };
  };

  try {
    const files = await Promise.all(SIZES.map((rows) => candidateFile(rows)));
    const file = files[1] as string;
    const figures: Partial<BenchFigures> = { rows: PRODUCER_ROWS };

    process.stderr.write('producer, csv-parse alone, baseline…\n');
    figures.producer = await runChild('producer-child.js', [file], producerEnv());
    await admin.flushall();
    figures.floor = await runChild('csv-floor.js', [file]);
    figures.baseline = await runChild('baseline-producer.js', [file, redis.url]);
    await admin.flushall();

    process.stderr.write('memory (dry runs)…\n');
    figures.memory = [];
    for (const path of files) {
      figures.memory.push(await runChild('producer-child.js', [path, '--dry-run'], producerEnv()));
    }

    const large = figures.memory.at(-1) as ChildFigures;
    figures.dedup = await runChild<DedupFigures>(
      'dedup-memory.js',
      [String(large.uniquePhones ?? 0)],
      {},
      ['--expose-gc'],
    );

    process.stderr.write('api capacity (scaled windows)…\n');
    figures.capacity = await measureCapacity(workDir, redis.url, CAPACITY_ROWS);
    await admin.flushall();

    process.stderr.write('queue overhead…\n');
    figures.overhead = await measureQueueOverhead(workDir, redis.url, OVERHEAD_ROWS);
    await admin.flushall();
    figures.bullmqAlone = await measureBullmqAlone(redis.url);
    figures.simulatorAlone = await measureSimulatorAlone();

    printReport(figures as BenchFigures);
  } finally {
    admin.disconnect();
    await redis.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

await main();
