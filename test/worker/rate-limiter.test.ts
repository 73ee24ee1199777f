import type { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { connectRedis } from '../../src/shared/redis-connection.js';
import { ApiRateLimiter } from '../../src/worker/rate-limiter.js';
import { API_KEY, deletePrefixKeys, freshPrefix, keyPattern } from '../support/import-harness.js';

const opened: Array<{ redis: Redis; prefix: string }> = [];

afterEach(async () => {
  for (const { redis, prefix } of opened.splice(0)) {
    await deletePrefixKeys(redis, prefix);
    await redis.quit();
  }
});

/** A connection and a key prefix of the test's own, removed after it. */
async function openRedis(prefix = freshPrefix()): Promise<{ redis: Redis; keyPrefix: string }> {
  const redis = await connectRedis(inject('redisUrl'));
  opened.push({ redis, prefix });
  return { redis, keyPrefix: `${prefix}:rate-limit` };
}

async function acquireMany(limiter: ApiRateLimiter, scope: 'adds' | 'reads', count: number) {
  const permits = [];
  for (let n = 0; n < count; n += 1) {
    permits.push(await limiter.acquire(scope));
  }
  return permits;
}

describe('when a window is full', () => {
  it('grants as many calls as the window holds, then says how long to wait', async () => {
    const { redis, keyPrefix } = await openRedis();
    const limiter = new ApiRateLimiter(redis, keyPrefix, 'all:3/1s', API_KEY);

    const permits = await acquireMany(limiter, 'adds', 4);

    expect(permits.slice(0, 3)).toEqual([{ granted: true }, { granted: true }, { granted: true }]);
    const refused = permits[3];
    expect(refused?.granted).toBe(false);
    const waitMs = refused?.granted === false ? refused.waitMs : 0;
    // The window's second, plus the margin that keeps our windows behind the API's.
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(1_250);

    await new Promise((resolve) => setTimeout(resolve, waitMs));
    expect(await limiter.acquire('adds')).toEqual({ granted: true });
  });

  it('gives each window its own margin when several share a connection', async () => {
    const { redis, keyPrefix } = await openRedis();
    const limiter = new ApiRateLimiter(redis, keyPrefix, 'all:10/1s,adds:100/1h', API_KEY);

    expect(await limiter.acquire('adds')).toEqual({ granted: true });

    const [secondKey] = await redis.keys(`${keyPrefix}:all:10:1000:*`);
    const [hourKey] = await redis.keys(`${keyPrefix}:adds:100:3600000:*`);
    // The second's window lives 1 s plus 250 ms, not plus the hour's margin of 1 s: one script
    // per window would have run the last limiter's for all of them.
    const secondTtl = await redis.pttl(secondKey as string);
    expect(secondTtl).toBeGreaterThan(1_000);
    expect(secondTtl).toBeLessThanOrEqual(1_250);
    expect(await redis.pttl(hourKey as string)).toBeGreaterThan(3_600_000);
  });

  it('gives back the points it took from shorter windows when a longer one refuses', async () => {
    const { redis, keyPrefix } = await openRedis();
    const limiter = new ApiRateLimiter(redis, keyPrefix, 'adds:2/1h,all:5/1m', API_KEY);

    const adds = await acquireMany(limiter, 'adds', 3);
    const reads = await acquireMany(limiter, 'reads', 4);

    expect(adds.map((permit) => permit.granted)).toEqual([true, true, false]);
    // The wait is the hour's, not the minute's.
    const refused = adds[2];
    expect(refused?.granted === false && refused.waitMs).toBeGreaterThan(59 * 60_000);
    // Two adds took two of the minute's five points; the refused third took none.
    expect(reads.map((permit) => permit.granted)).toEqual([true, true, true, false]);
  });
});

describe('when several workers use the same Redis', () => {
  it('shares the windows between limiters of the same key, and only of the same key', async () => {
    const prefix = freshPrefix();
    const first = await openRedis(prefix);
    const second = await openRedis(prefix);
    const a = new ApiRateLimiter(first.redis, first.keyPrefix, 'all:4/1m', API_KEY);
    const b = new ApiRateLimiter(second.redis, second.keyPrefix, 'all:4/1m', API_KEY);
    const otherKey = new ApiRateLimiter(first.redis, first.keyPrefix, 'all:4/1m', 'vh_live_other');

    const granted = [
      ...(await acquireMany(a, 'adds', 2)),
      ...(await acquireMany(b, 'adds', 2)),
    ].map((permit) => permit.granted);

    expect(granted).toEqual([true, true, true, true]);
    expect((await a.acquire('adds')).granted).toBe(false);
    expect((await b.acquire('reads')).granted).toBe(false);
    expect((await otherKey.acquire('adds')).granted).toBe(true);
  });

  it('keeps a fingerprint of the API key in Redis, never the key itself', async () => {
    const prefix = freshPrefix();
    const { redis, keyPrefix } = await openRedis(prefix);
    await new ApiRateLimiter(redis, keyPrefix, 'all:4/1m,adds:2/1h', API_KEY).acquire('adds');

    const keys = await redis.keys(keyPattern(keyPrefix));

    expect(keys).toHaveLength(2);
    expect(keys.filter((key) => key.includes(API_KEY))).toEqual([]);
  });
});

describe('when a window is shorter than a second', () => {
  it('refuses it, naming the window', async () => {
    const { redis, keyPrefix } = await openRedis();

    expect(() => new ApiRateLimiter(redis, keyPrefix, 'all:10/1s,adds:5/500ms', API_KEY)).toThrow(
      'rate limit adds:5/500ms: windows of the worker must last at least 1s',
    );
  });
});
