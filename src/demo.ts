import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CandidateMapping } from './results/mapping-store.js';
import { openMappingStore } from './results/open-mapping-store.js';
import { freePort, type RedisServer, startRedis } from './shared/local-redis.js';
import { startSimulator } from './simulator/simulator.js';

/**
 * `npm run demo`: the whole product on one machine, with no account and no network. A private
 * redis-server (unless REDIS_URL is set), the simulator, one worker, `serve` (the board and the
 * webhook receiver), and an import of the bundled sample (a French Excel export with the usual
 * flaws), with the API's windows scaled down from hours to seconds so that it ends in well under
 * a minute; then the interview results the simulator's webhooks brought back.
 */

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, 'cli.js');
const sample = join(here, '..', 'samples', 'candidates-excel-fr.csv');
const campaignId = 'abc123def456';
const apiKey = 'vh_live_demo';
// The documented windows (100 additions an hour) compressed: 4 additions a second.
const rateLimits = 'all:10/1s,all:60/1m,adds:4/1s';
const webhookSecret = 'whsec_demo';
/** The simulator's interviews "last" this long, so that results come back within seconds. */
const interviewMs = 300;

const started: Array<{ stop(): Promise<void> | void }> = [];

try {
  process.exitCode = await runDemo();
} catch (err) {
  process.stderr.write(`demo: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  for (const service of started.reverse()) {
    await service.stop();
  }
}

async function runDemo(): Promise<number> {
  const redisUrl = process.env.REDIS_URL ?? (await privateRedis()).url;
  say(`redis      ${redisUrl}`);

  const servePort = await freePort();
  const serveUrl = `http://127.0.0.1:${servePort}`;
  const simulator = await startSimulator({
    apiKeys: [apiKey],
    rateLimits,
    campaigns: [campaignId],
    webhookUrl: `${serveUrl}/webhooks/voicehire`,
    webhookSecret,
    webhookDelayMs: interviewMs,
  });
  started.push({ stop: () => simulator.close() });
  say(`simulator  ${simulator.url} (rate limits ${rateLimits})`);

  const dir = mkdtempSync(join(tmpdir(), 'voicehire-demo-'));
  const env = {
    ...process.env,
    DATABASE_URL: join(dir, 'results.db'),
    VOICEHIRE_WEBHOOK_SECRET: webhookSecret,
    REDIS_URL: redisUrl,
    VOICEHIRE_API_URL: simulator.url,
    VOICEHIRE_API_KEY: apiKey,
    VOICEHIRE_RATE_LIMITS: rateLimits,
    // Its own prefix, so that a demo run against your Redis never mixes with real imports.
    QUEUE_PREFIX: `{voicehire-demo-${process.pid}}`,
    LOG_LEVEL: 'warn',
  };

  const worker = spawn(process.execPath, [cli, 'worker', '--concurrency', '4'], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  started.push({ stop: () => stopChild(worker) });
  say('worker     started (voicehire worker --concurrency 4)');

  const serve = spawn(process.execPath, [cli, 'serve', '--port', String(servePort)], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  started.push({ stop: () => stopChild(serve) });
  await waitUntilReady(`${serveUrl}/readyz`);
  say(`board      ${serveUrl}/board (metrics at /metrics, webhooks at /webhooks/voicehire)`);

  const rejectsPath = join(dir, 'rejects.csv');
  say(`\n$ voicehire import samples/candidates-excel-fr.csv --campaign ${campaignId} --wait\n`);
  // Not spawnSync: the simulator answers from this process's event loop.
  const importRun = spawn(
    process.execPath,
    [cli, 'import', sample, '--campaign', campaignId, '--rejects', rejectsPath, '--wait'],
    { env, stdio: 'inherit' },
  );
  const [importStatus] = (await once(importRun, 'exit')) as [number | null];

  const record = simulator.record();
  const phones = Object.values(record.phones[campaignId] ?? {});
  const addedTwice = phones.filter((phone) => phone.added > 1).length;
  say(
    `\nthe simulator received ${record.adds.length} add calls and holds ${phones.length} ` +
      `candidates, ${addedTwice} of them added twice; ${record.totals.rateLimited} answers were 429`,
  );
  say(`the rejects report, row by row: ${rejectsPath}`);
  if (importStatus !== 0) {
    return importStatus ?? 1;
  }

  say('\nwaiting for the interviews: the simulator calls each candidate, then posts the outcome…');
  await waitForInterviews(simulator);
  const resultsPath = join(dir, 'results.csv');
  const outcomes = await waitForResults(env.DATABASE_URL, phones.length);
  const resultsRun = spawn(
    process.execPath,
    [cli, 'results', '--campaign', campaignId, '--out', resultsPath],
    { env, stdio: 'inherit' },
  );
  await once(resultsRun, 'exit');
  say(
    `results    ${outcomes.completed} interviews completed (mean score ${outcomes.meanScore}), ` +
      `${outcomes.failed} failed (voicemail, no answer…), each under the file's own id`,
  );
  say(`           ${resultsPath}`);
  return 0;
}

/** Until the simulator has decided every candidate's interview and sent its webhooks. */
async function waitForInterviews(simulator: Awaited<ReturnType<typeof startSimulator>>) {
  await poll(() => {
    const { candidates } = simulator.record().webhooks;
    return (
      candidates.length > 0 && candidates.every((candidate) => candidate.outcome !== 'pending')
    );
  }, 60_000);
}

/** Until the store holds an outcome for each added candidate, as `voicehire results` reads it. */
async function waitForResults(databaseUrl: string, expected: number) {
  const store = await openMappingStore(databaseUrl);
  try {
    let mappings: CandidateMapping[] = [];
    let settled: CandidateMapping[] = [];
    await poll(async () => {
      mappings = await store.listCampaign(campaignId);
      settled = mappings.filter(
        (row) => row.status === 'interview_completed' || row.status === 'interview_failed',
      );
      process.stdout.write(`\r           ${settled.length} of ${expected} outcomes back`);
      return settled.length >= expected;
    }, 60_000);
    process.stdout.write('\n');

    const scores = settled.flatMap((row) => (row.score === null ? [] : [row.score]));
    const mean = scores.reduce((sum, score) => sum + score, 0) / Math.max(scores.length, 1);
    return {
      completed: settled.filter((row) => row.status === 'interview_completed').length,
      failed: settled.filter((row) => row.status === 'interview_failed').length,
      meanScore: mean.toFixed(1),
    };
  } finally {
    await store.close();
  }
}

async function waitUntilReady(url: string): Promise<void> {
  await poll(async () => {
    try {
      return (await fetch(url)).ok;
    } catch {
      return false;
    }
  }, 20_000);
}

async function poll(done: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) {
      throw new Error(`gave up after ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function privateRedis(): Promise<RedisServer> {
  const probe = spawnSync('redis-server', ['--version']);
  if (probe.error !== undefined) {
    throw new Error(
      'redis-server is not installed. Install it (Debian/Ubuntu: `sudo apt-get install ' +
        'redis-server`; macOS: `brew install redis`) or set REDIS_URL to a Redis you run.',
    );
  }

  const redis = await startRedis();
  started.push(redis);
  return redis;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}
