import type { JobType, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Counter, Gauge, type Registry } from 'prom-client';
import { readHalt } from '../shared/halt-state.js';
import { type ImportRecord, listRecentImports, readImport } from '../shared/import-record.js';
import { createRegistry } from '../shared/metrics.js';
import type { RedisKeys } from '../shared/redis-keys.js';
import { withTimeout } from './with-timeout.js';

/** Imports with per-import series: the most recent ones, so that cardinality stays bounded. */
const IMPORTS_EXPOSED = 20;

/** A scrape must answer even when Redis does not: past this, the last figures stand. */
const REFRESH_TIMEOUT_MS = 2_000;

const JOB_STATES: JobType[] = [
  'waiting',
  'active',
  'delayed',
  'completed',
  'failed',
  'prioritized',
];

/** Per-import series: metric suffix, help, and the record's counter it reads. */
const IMPORT_SERIES: ReadonlyArray<[string, string, (record: ImportRecord) => number]> = [
  ['rows', 'Data rows in the file', (r) => r.rows],
  ['valid', 'Rows queued to be sent', (r) => r.valid],
  ['invalid', 'Rows refused by validation', (r) => r.invalid],
  ['duplicates', 'Rows whose phone came earlier in the file', (r) => r.duplicates],
  ['already_sent', 'Rows an earlier import already sent', (r) => r.alreadySent],
  ['sent', 'Candidates sent to the API', (r) => r.candidatesSent],
  ['added', 'Candidates the API added', (r) => r.candidatesAdded],
  ['skipped', 'Candidates the API skipped as already in the campaign', (r) => r.candidatesSkipped],
  ['refused', 'Candidates the API refused', (r) => r.apiRefused],
  ['batches', 'Batches of the import', (r) => r.batches],
  ['batches_done', 'Batches sent', (r) => r.batchesDone],
  ['failed', 'Batches failed for good', (r) => r.batchesFailed],
];

export interface ServeMetrics {
  registry: Registry;
  /** Webhook deliveries by event and what the receiver did with them. */
  webhooks: Counter<'event' | 'outcome'>;
  /** Reads the queue-wide figures from Redis; call before each scrape. */
  refresh(): Promise<void>;
}

/**
 * What `voicehire serve` exposes on /metrics: the queue-wide figures every process shares
 * through Redis. Label values are queue names, states, ids and codes, never personal data.
 */
export function createServeMetrics(deps: {
  redis: Redis;
  keys: RedisKeys;
  queues: readonly Queue[];
}): ServeMetrics {
  const { redis, keys, queues } = deps;
  const registry = createRegistry();
  const register = [registry];

  const redisUp = new Gauge({
    name: 'voicehire_redis_up',
    help: '1 when Redis answered the last scrape, else 0 (the other figures are then stale)',
    registers: register,
  });
  const jobs = new Gauge({
    name: 'voicehire_jobs',
    help: 'Jobs by queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: register,
  });
  const halted = new Gauge({
    name: 'voicehire_queue_halted',
    help: '1 while the batch queue is halted, with the API code that halted it as reason',
    labelNames: ['reason'] as const,
    registers: register,
  });
  const credits = new Gauge({
    name: 'voicehire_credits_remaining',
    help: 'Credits available on the VoiceHire account, as a worker last read them',
    registers: register,
  });
  const rateLimitRemaining = new Gauge({
    name: 'voicehire_rate_limit_remaining',
    help: 'Calls left in the API window of the last answer (X-RateLimit-Remaining)',
    registers: register,
  });
  const rateLimitLimit = new Gauge({
    name: 'voicehire_rate_limit_limit',
    help: 'Size of that window (X-RateLimit-Limit)',
    registers: register,
  });
  const importGauges = IMPORT_SERIES.map(([suffix, help, read]) => ({
    read,
    gauge: new Gauge({
      name: `voicehire_import_${suffix}`,
      help,
      labelNames: ['import_id', 'campaign_id'] as const,
      registers: register,
    }),
  }));
  const webhooks = new Counter({
    name: 'voicehire_webhooks_total',
    help: 'Webhook deliveries by event and outcome (queued, duplicate, ignored, refused)',
    labelNames: ['event', 'outcome'] as const,
    registers: register,
  });

  async function readAll(): Promise<void> {
    const counts = await Promise.all(queues.map((queue) => queue.getJobCounts(...JOB_STATES)));
    const halt = await readHalt(redis, keys);
    const account = await redis.hgetall(keys.account);
    const importIds = await listRecentImports(redis, keys, IMPORTS_EXPOSED);
    const records = await Promise.all(importIds.map((id) => readImport(redis, keys, id)));

    queues.forEach((queue, index) => {
      for (const [state, count] of Object.entries(counts[index] ?? {})) {
        jobs.set({ queue: queue.name, state }, count);
      }
    });

    halted.reset();
    halted.set({ reason: halt?.code ?? '' }, halt === undefined ? 0 : 1);

    setIfKnown(credits, account.credits);
    setIfKnown(rateLimitRemaining, account.remaining);
    setIfKnown(rateLimitLimit, account.limit);

    for (const { gauge, read } of importGauges) {
      gauge.reset();
      for (const record of records) {
        if (record !== undefined) {
          gauge.set({ import_id: record.id, campaign_id: record.campaignId }, read(record));
        }
      }
    }
  }

  return {
    registry,
    webhooks,
    async refresh() {
      // Not while Redis is away: ioredis would hold the commands until it is back.
      if (redis.status !== 'ready') {
        redisUp.set(0);
        return;
      }
      try {
        await withTimeout(readAll(), REFRESH_TIMEOUT_MS);
        redisUp.set(1);
      } catch {
        redisUp.set(0);
      }
    },
  };
}

function setIfKnown(gauge: Gauge, value: string | undefined): void {
  if (value !== undefined && value !== '') {
    gauge.set(Number(value));
  }
}
