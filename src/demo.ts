import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RedisServer, startRedis } from './shared/local-redis.js';
import { startSimulator } from './simulator/simulator.js';

/**
 * `npm run demo`: the whole product on one machine, with no account and no network. A private
 * redis-server (unless REDIS_URL is set), the simulator, one worker, and an import of the
 * bundled sample (a French Excel export with the usual flaws), with the API's windows scaled
 * down from hours to seconds so that it ends in well under a minute.
 */

const here = dirname(fileURLToPath(import.meta.url));
const cli = join(here, 'cli.js');
const sample = join(here, '..', 'samples', 'candidates-excel-fr.csv');
const campaignId = 'abc123def456';
const apiKey = 'vh_live_demo';
// The documented windows (100 additions an hour) compressed: 4 additions a second.
const rateLimits = 'all:10/1s,all:60/1m,adds:4/1s';

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

  const simulator = await startSimulator({
    apiKeys: [apiKey],
    rateLimits,
    campaigns: [campaignId],
  });
  started.push({ stop: () => simulator.close() });
  say(`simulator  ${simulator.url} (rate limits ${rateLimits})`);

  const env = {
    ...process.env,
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

  const rejectsPath = join(mkdtempSync(join(tmpdir(), 'voicehire-demo-')), 'rejects.csv');
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
  return importStatus ?? 1;
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
