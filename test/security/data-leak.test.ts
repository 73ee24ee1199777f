import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { freePort, type RedisServer, startRedis } from '../../src/shared/local-redis.js';
import { createWebhookQueue } from '../../src/shared/webhook-queue.js';
import { startSimulator } from '../../src/simulator/simulator.js';
import { generateRows, writeCandidateFile } from '../support/candidate-file.js';
import { runCli } from '../support/cli-process.js';
import { waitFor } from '../support/import-harness.js';
import {
  candidateNeedles,
  dumpEveryKey,
  findLeaks,
  type Leak,
  type Needle,
  savedRdb,
  secretNeedles,
} from '../support/leak-scan.js';
import { basicAuth } from '../support/serve-harness.js';

/**
 * The whole product, as deployed, on a file of real-looking candidates: `import`, `worker`,
 * `serve` receiving the simulator's webhooks, `status`, `results` and `retry-failed`, each a
 * process of its own against a private Redis. Then everything they leave behind is searched.
 */

const CAMPAIGN = 'abc123def456';
const ROWS = 180;
const SEED = 23;

let redisServer: RedisServer;
let redis: Redis;

beforeAll(async () => {
  // Uncompressed, so that a string in the RDB file is there byte for byte.
  redisServer = await startRedis(['--rdbcompression', 'no']);
  redis = new Redis(redisServer.url);
});

afterAll(async () => {
  await redis.quit();
  await redisServer.stop();
});

interface LoopRun {
  /** Where each thing was read from: log lines, metrics, the board, Redis. */
  sources: Record<string, Buffer | string>;
  needles: Needle[];
  resultsCsv: string;
}

/** A secret that looks like one and can only come from this run. */
function secret(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

async function runLoop(dataKey: Buffer | undefined): Promise<LoopRun> {
  const dir = mkdtempSync(join(tmpdir(), 'vh-leak-'));
  const file = join(dir, 'candidates.csv');
  await writeCandidateFile(file, { rows: ROWS, seed: SEED });
  const secrets = {
    'API key': secret('vh_live_'),
    'webhook secret': secret('whsec_'),
    'board password': secret('board-'),
  };

  const servePort = await freePort();
  const workerMetricsPort = await freePort();
  const simulator = await startSimulator({
    seed: 3,
    apiKeys: [secrets['API key']],
    rateLimits: 'all:50/1s,adds:20/1s',
    webhookUrl: `http://127.0.0.1:${servePort}/webhooks/voicehire`,
    webhookSecret: secrets['webhook secret'],
    webhookDelayMs: 20,
    // Retried batches and webhooks out of order log more than a clean run: they count too.
    failRate: 0.15,
    webhookChaos: true,
  });
  const env: Record<string, string> = {
    REDIS_URL: redisServer.url,
    VOICEHIRE_API_URL: simulator.url,
    VOICEHIRE_API_KEY: secrets['API key'],
    VOICEHIRE_RATE_LIMITS: 'all:50/1s,adds:20/1s',
    BATCH_BACKOFF_MS: '100',
    WEBHOOK_RETRY_MS: '100',
    // The most the product ever says.
    LOG_LEVEL: 'trace',
    DATABASE_URL: join(dir, 'voicehire.db'),
    VOICEHIRE_WEBHOOK_SECRET: secrets['webhook secret'],
    BOARD_USER: 'operator',
    BOARD_PASSWORD: secrets['board password'],
    ...(dataKey === undefined ? {} : { DATA_ENCRYPTION_KEY: dataKey.toString('base64') }),
  };
  const webhookQueue = createWebhookQueue(redis, loadConfig({ ...env }));
  const serve = runCli(['serve', '--port', String(servePort)], env, dir);
  const worker = runCli(
    ['worker', '--concurrency', '3', '--metrics-port', String(workerMetricsPort)],
    env,
    dir,
  );
  const serveUrl = `http://127.0.0.1:${servePort}`;
  const board = basicAuth('operator', secrets['board password']);

  try {
    await waitFor(
      async () => (await fetch(`${serveUrl}/healthz`).catch(() => undefined))?.ok === true,
      15_000,
      () => `serve to listen; it said:\n${serve.output()}`,
    );

    const importRun = runCli(
      ['import', file, '--campaign', CAMPAIGN, '--json', '--wait'],
      env,
      dir,
    );
    expect((await importRun.exited).code, importRun.output()).toBe(0);
    const importId = (
      JSON.parse(importRun.output().split('\n').find(isJson) ?? '{}') as {
        import_id?: string;
      }
    ).import_id;
    expect(importId).toBeDefined();

    await waitForEveryWebhook(simulator, webhookQueue);

    const commands = {
      status: runCli(['status', String(importId), '--json'], env, dir),
      results: runCli(['results', '--campaign', CAMPAIGN, '--out', join(dir, 'out.csv')], env, dir),
      'retry-failed': runCli(['retry-failed'], env, dir),
    };
    for (const [name, command] of Object.entries(commands)) {
      expect((await command.exited).code, `${name}: ${command.output()}`).toBe(0);
    }

    const boardJobs = await fetch(
      `${serveUrl}/board/api/queues?activeQueue=candidate-batches&status=completed&page=1`,
      { headers: board },
    );
    expect(boardJobs.status).toBe(200);
    const refused = await fetch(`${serveUrl}/board/api/queues`, {
      headers: basicAuth('operator', `${secrets['board password']}x`),
    });
    expect(refused.status).toBe(401);

    const sources: Record<string, Buffer | string> = {
      'serve /metrics': await (await fetch(`${serveUrl}/metrics`)).text(),
      'worker /metrics': await (
        await fetch(`http://127.0.0.1:${workerMetricsPort}/metrics`)
      ).text(),
      'board API': await boardJobs.text(),
      'board refusal': `${JSON.stringify([...refused.headers])} ${await refused.text()}`,
      'import output': importRun.output(),
    };
    for (const [name, command] of Object.entries(commands)) {
      sources[`${name} output`] = command.output();
    }

    // Stopped before Redis is read: their shutdown lines count too.
    await worker.stop();
    await serve.stop();
    sources['worker output'] = worker.output();
    sources['serve output'] = serve.output();
    sources['every Redis key'] = await dumpEveryKey(redis);
    sources['Redis RDB file'] = await savedRdb(redis);

    const needles = [
      ...candidateNeedles(generateRows({ rows: ROWS, seed: SEED })),
      ...secretNeedles(secrets, dataKey ?? randomBytes(32)),
      // The Authorization header as sent, should a request be logged whole.
      { kind: 'board credentials', text: (board.authorization ?? '').replace('Basic ', '') },
    ];
    return { sources, needles, resultsCsv: readFileSync(join(dir, 'out.csv'), 'utf8') };
  } finally {
    await worker.stop('SIGKILL');
    await serve.stop('SIGKILL');
    await webhookQueue.close();
    await simulator.close();
    await redis.flushall();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every webhook the simulator will send is sent, and the webhooks queue has nothing left. */
async function waitForEveryWebhook(
  simulator: Awaited<ReturnType<typeof startSimulator>>,
  queue: ReturnType<typeof createWebhookQueue>,
): Promise<void> {
  await waitFor(
    async () => {
      const { webhooks } = simulator.record();
      const expected = webhooks.candidates.reduce(
        (sum, candidate) => sum + (candidate.outcome === 'completed' ? 4 : 3),
        0,
      );
      const delivered = Object.entries(webhooks.events)
        .filter(([event]) => event.startsWith('candidate.'))
        .reduce((sum, [, events]) => sum + (events?.succeeded ?? 0), 0);
      const decided = webhooks.candidates.every((candidate) => candidate.outcome !== 'pending');
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
      const settled = Object.values(counts).every((count) => count === 0);
      return webhooks.candidates.length > 0 && decided && delivered >= expected && settled;
    },
    40_000,
    'every webhook to be delivered and processed',
  );
}

function isJson(line: string): boolean {
  return line.trim().startsWith('{') && line.includes('"import_id"');
}

function describeLeaks(leaks: Leak[]): string[] {
  return leaks.map((leak) => `${leak.kind} "${leak.text}" in ${leak.source}`);
}

describe('a run with DATA_ENCRYPTION_KEY set', () => {
  it('leaves no phone, email, name or secret in Redis, a log line, the metrics or the board', async () => {
    const dataKey = randomBytes(32);

    const run = await runLoop(dataKey);

    // The run did its work: the results, the user's own file, hold the outcomes.
    const validPhones = [...generateRows({ rows: ROWS, seed: SEED })].filter(
      (row) => row.kind === 'valid',
    );
    expect(run.resultsCsv.trimEnd().split('\n')).toHaveLength(validPhones.length + 1);
    expect(run.resultsCsv).toContain(validPhones[0]?.fields[4]);

    expect(describeLeaks(findLeaks(run.sources, run.needles))).toEqual([]);
  }, 120_000);
});

describe('the same run without DATA_ENCRYPTION_KEY', () => {
  it('is caught by the same scan: the phones and emails are in Redis in clear', async () => {
    const run = await runLoop(undefined);

    const redisOnly = {
      'every Redis key': run.sources['every Redis key'] ?? '',
      'Redis RDB file': run.sources['Redis RDB file'] ?? '',
    };
    const found = findLeaks(redisOnly, run.needles);
    for (const source of Object.keys(redisOnly)) {
      const kinds = new Set(found.filter((leak) => leak.source === source).map((l) => l.kind));
      expect([...kinds].sort(), source).toEqual(
        expect.arrayContaining(['email', 'name', 'phone digits']),
      );
    }
    // Every valid phone, not just some.
    const digits = run.needles.filter((needle) => needle.kind === 'phone digits');
    const inRdb = found.filter((leak) => leak.source === 'Redis RDB file');
    expect(inRdb.filter((leak) => leak.kind === 'phone digits')).toHaveLength(digits.length);
  }, 120_000);
});
