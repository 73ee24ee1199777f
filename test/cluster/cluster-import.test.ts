import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { summaryJson } from '../../src/producer/import-report.js';
import { openMappingStore } from '../../src/results/open-mapping-store.js';
import { freePort, type RedisCluster, startRedisCluster } from '../../src/shared/local-redis.js';
import {
  CAMPAIGN,
  expectDeliveredOnce,
  type HarnessOptions,
  importHarnessPerTest,
  keyPattern,
  waitFor,
} from '../support/import-harness.js';
import { type RunningServe, startServe } from '../support/serve-harness.js';

/**
 * The product on a Redis Cluster of three masters, as a user runs it there: REDIS_URL names one
 * node and REDIS_CLUSTER=true. The cluster is this file's own, so that other tests do not wait
 * for it to form.
 */

let cluster: RedisCluster;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
});
afterAll(async () => {
  await cluster?.stop();
});

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const open = importHarnessPerTest();
const serves: RunningServe[] = [];
afterEach(async () => {
  await Promise.all(serves.splice(0).map((serve) => serve.close()));
});

const FINAL: readonly string[] = ['interview_completed', 'interview_failed'];

function openOnCluster(options: HarnessOptions = {}) {
  return open({
    ...options,
    redisUrl: cluster.url,
    env: { REDIS_CLUSTER: 'true', ...options.env },
  });
}

/** One series' value on a Prometheus page, by its name and labels as printed. */
function metric(page: string, series: string): number | undefined {
  const line = page.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function batchesSentBy(metricsPort: number): Promise<number> {
  const page = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return metric(page, 'voicehire_batches_total{outcome="sent"}') ?? 0;
}

/** Each master of the cluster, with its slot ranges and the keys it holds under the prefix. */
async function mastersWithKeys(prefix: string) {
  const masters = [];
  for (const node of cluster.nodes) {
    const redis = new Redis(node.port, '127.0.0.1');
    try {
      const self = String(await redis.call('CLUSTER', 'NODES'))
        .split('\n')
        .find((line) => line.includes('myself'));
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, page] = await redis.scan(cursor, 'MATCH', keyPattern(prefix), 'COUNT', 1000);
        cursor = next;
        keys.push(...page);
      } while (cursor !== '0');
      const slots = await Promise.all(keys.map((key) => redis.call('CLUSTER', 'KEYSLOT', key)));
      const tagSlot = await redis.call('CLUSTER', 'KEYSLOT', prefix);
      masters.push({ flags: self?.split(' ')[2] ?? '', self: self ?? '', keys, slots, tagSlot });
    } finally {
      redis.disconnect();
    }
  }
  return masters;
}

// The time bounds below only detect a hang: on a busy machine, each CLI process takes seconds to
// start.
describe('on a Redis Cluster of three masters', () => {
  it('imports a file with two worker processes: every valid candidate added once', async () => {
    const harness = await openOnCluster();
    const file = await harness.writeCandidates({ rows: 3000, seed: 61 });
    const metricsPorts = [await freePort(), await freePort()];
    const workers = metricsPorts.map((port) =>
      harness.spawnWorker({ args: ['--metrics-port', String(port)] }),
    );

    const run = await harness.runCommand('import', file.path, '--campaign', CAMPAIGN, '--json');
    expect(run.code, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as ReturnType<typeof summaryJson>;

    // Bounded, with the last status and the workers' warnings when it is not reached.
    await harness.waitForImport(printed.import_id, 'done', 40_000).catch((err: Error) => {
      const logs = workers.map((worker) => worker.output().slice(-2_000)).join('\n');
      throw new Error(`${err.message}\nworkers said:\n${logs}`);
    });
    await expectDeliveredOnce(harness, file, {
      importId: printed.import_id,
      campaignId: CAMPAIGN,
      valid: printed.valid,
      batches: printed.batches,
    });

    // Both workers took batches from the one queue, and neither died on the way.
    const sent = await Promise.all(metricsPorts.map(batchesSentBy));
    expect(Math.min(...sent), `batches sent by each worker: ${sent}`).toBeGreaterThan(0);
    expect(sent.reduce((sum, count) => sum + count, 0)).toBe(printed.batches);
    expect(workers.map((worker) => worker.process.exitCode)).toEqual([null, null]);

    // `voicehire status` lists the import from the cluster, as a one-shot command.
    const status = await harness.runCommand('status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(status.stdout))).toContain(printed.import_id);

    // Three masters share the slots; every key of the import, BullMQ's and ours, is in the hash
    // tag's slot, on one master.
    const masters = await mastersWithKeys(harness.prefix);
    expect(masters.map((master) => master.flags)).toEqual([
      'myself,master',
      'myself,master',
      'myself,master',
    ]);
    expect(masters.every((master) => /\s\d+-\d+/.test(master.self))).toBe(true);
    const holders = masters.filter((master) => master.keys.length > 0);
    expect(holders).toHaveLength(1);
    const [holder] = holders;
    expect(new Set(holder?.slots)).toEqual(new Set([holder?.tagSlot]));
    expect(holder?.keys).toEqual(
      expect.arrayContaining([
        `${harness.prefix}:imports`,
        `${harness.prefix}:import:${printed.import_id}`,
        `${harness.prefix}:import:${printed.import_id}:settled`,
        `${harness.prefix}:sent:${CAMPAIGN}`,
        `${harness.prefix}:account`,
        `${harness.prefix}:candidate-batches:meta`,
        `${harness.prefix}:candidate-batches:completed`,
      ]),
    );

    // A worker closes its cluster connections and exits cleanly when told to stop.
    const stopped = await Promise.all(workers.map((worker) => worker.stop('SIGTERM')));
    expect(stopped).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);

    // The harness's clean-up finds the keys on whichever master holds them.
    await harness.close();
    const left = await mastersWithKeys(harness.prefix);
    expect(left.flatMap((master) => master.keys)).toEqual([]);
  });

  it('serves health, metrics and the board, and brings interview results back', async () => {
    const servePort = await freePort();
    const harness = await openOnCluster({
      simulator: {
        webhookUrl: `http://127.0.0.1:${servePort}/webhooks/voicehire`,
        webhookDelayMs: 20,
      },
    });
    const serve = await startServe(harness.env, { port: servePort });
    serves.push(serve);
    const file = await harness.writeCandidates({ rows: 300, seed: 62 });
    const summary = await harness.importFile(file);
    await harness.startWorker();

    await harness.waitForImport(summary.importId);
    const store = await openMappingStore(harness.env.DATABASE_URL ?? '');
    try {
      await waitFor(
        async () => {
          const mappings = await store.listCampaign(CAMPAIGN);
          return (
            mappings.length === file.phones.length &&
            mappings.every((mapping) => FINAL.includes(mapping.status))
          );
        },
        30_000,
        'every interview outcome in the store',
      );
    } finally {
      await store.close();
    }
    // A job is marked completed just after its event is applied.
    await waitFor(
      async () => (await serve.webhookQueue.getJobCountByTypes('waiting', 'active')) === 0,
      10_000,
      'the webhooks queue to drain',
    );

    const ready = await fetch(`${serve.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', redis: 'up', halted: null });

    const page = await (await fetch(`${serve.url}/metrics`)).text();
    expect(metric(page, 'voicehire_redis_up')).toBe(1);
    expect(metric(page, 'voicehire_jobs{queue="candidate-batches",state="completed"}')).toBe(
      summary.batches,
    );
    expect(
      metric(
        page,
        `voicehire_import_added{import_id="${summary.importId}",campaign_id="${CAMPAIGN}"}`,
      ),
    ).toBe(file.phones.length);

    const board = await fetch(`${serve.url}/board/api/queues`);
    expect(board.status).toBe(200);
    const { queues } = (await board.json()) as {
      queues: Array<{ name: string; counts: Record<string, number> }>;
    };
    const counts = Object.fromEntries(queues.map((queue) => [queue.name, queue.counts]));
    expect(counts['candidate-batches']?.completed).toBe(summary.batches);
    // Per candidate at least added, started and the outcome; none failed.
    expect(counts.webhooks?.completed).toBeGreaterThanOrEqual(file.phones.length * 3);
    expect(counts.webhooks?.failed).toBe(0);
  });

  it('halts on low credits, resumes, and retry-failed sends failed batches back', async () => {
    const harness = await openOnCluster({ simulator: { credits: 250 } });
    const file = await harness.writeCandidates({ rows: 600, seed: 63 });
    const summary = await harness.importFile(file);
    await harness.startWorker();

    const halted = await harness.waitForImport(summary.importId, 'halted', 30_000);
    expect(halted.halted).toContain('insufficient credits');
    expect(await harness.api.queue.isPaused()).toBe(true);

    // The batches left fail for good, once resumed, until the API takes them again.
    harness.simulator.topUp(1_000);
    harness.simulator.refuseAdds({ code: 'VALIDATION_ERROR', message: 'refused for the test' });
    const resumed = await harness.runCommand('resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    const failed = await harness.waitForImport(summary.importId, 'done', 30_000);
    expect(failed.batches_failed).toBeGreaterThan(0);

    harness.simulator.refuseAdds();
    const retried = await harness.runCommand('retry-failed', summary.importId);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toContain(`${failed.batches_failed} failed batch(es) queued again`);

    await harness.waitForImport(summary.importId, 'done', 30_000);
    await expectDeliveredOnce(harness, file, summary, { resent: true });
  });

  it.each([
    ['a cluster node without REDIS_CLUSTER', false, 'is a node of a Redis Cluster'],
    ['a plain Redis with REDIS_CLUSTER', true, 'This instance has cluster support disabled'],
  ])('refuses %s, rather than meet MOVED errors later', (_, onCluster, words) => {
    const env = {
      PATH: process.env.PATH ?? '',
      REDIS_URL: onCluster ? inject('redisUrl') : cluster.url,
      REDIS_CLUSTER: String(onCluster),
      LOG_LEVEL: 'silent',
    };

    const run = spawnSync(process.execPath, [CLI, 'status'], { env, encoding: 'utf8' });

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(words);
  });
});
