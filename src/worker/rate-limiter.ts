import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { parseRateLimits, type RateScope, type RateWindow } from '../shared/rate-limit-spec.js';

/** What a call asks of the limiter: every call counts in `all`, and in its own scope. */
export type CallScope = Exclude<RateScope, 'all'>;

export type Permit = { granted: true } | { granted: false; waitMs: number };

// rate-limiter-flexible's own script, with the expiry in milliseconds plus a margin (ARGV[4] is
// the window's exact duration in seconds). The key lives a little longer than the window, so
// that our next window never opens before the API's: the API starts its window when our first
// request arrives, a few milliseconds after we counted it, and a request that arrives early is
// a 429. The margin is a tenth of the window, at least 250 ms (a cold connection or a TLS
// handshake can delay a first request by more than 100 ms, enough for occasional 429s on
// 1-second windows in our tests) and at most 1 s.
//
// The margin is worked out here from ARGV[4], not written into the script per window: the
// library defines the script once per connection under one name, so every window would run the
// script of the last limiter created.
//
// A point given back (negative ARGV[1]) to a window that has meanwhile expired is dropped:
// recreating the key at -1 would let that fresh window allow one call too many.
const INCREMENT_SCRIPT = `
if tonumber(ARGV[1]) < 0 and redis.call('exists', KEYS[1]) == 0 then
  return {0, 0}
end
local durationMs = math.floor(tonumber(ARGV[4]) * 1000)
local marginMs = math.min(1000, math.max(250, math.floor(durationMs / 10 + 0.5)))
local ttlMs = durationMs + marginMs
redis.call('set', KEYS[1], 0, 'PX', ttlMs, 'NX')
local consumed = redis.call('incrby', KEYS[1], ARGV[1])
local ttl = redis.call('pttl', KEYS[1])
if ttl == -1 then
  redis.call('pexpire', KEYS[1], ttlMs)
  ttl = ttlMs
end
return {consumed, ttl}
`;

/**
 * Every documented rate-limit window, enforced before each API call and shared by every worker
 * of every machine through Redis, so that a healthy run never meets a 429.
 */
export class ApiRateLimiter {
  readonly windows: readonly RateWindow[];
  readonly #limiters: Array<{ window: RateWindow; limiter: RateLimiterRedis }>;
  readonly #subject: string;

  constructor(redis: Redis, keyPrefix: string, spec: string, apiKey: string) {
    this.windows = parseRateLimits(spec);
    // Limits are per API key; the key itself never goes into Redis, only a fingerprint of it.
    this.#subject = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);

    // Shortest windows first: when a longer window then refuses, the points taken from the
    // shorter ones are given back, and another worker misled by them waits only a short while.
    const ordered = [...this.windows].sort((a, b) => a.durationMs - b.durationMs);
    this.#limiters = ordered.map((window) => {
      if (window.durationMs < 1000) {
        throw new Error(
          `rate limit ${window.scope}:${window.points}/${window.durationMs}ms: ` +
            'windows of the worker must last at least 1s',
        );
      }
      const limiter = new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${keyPrefix}:${window.scope}:${window.points}:${window.durationMs}`,
        points: window.points,
        duration: window.durationMs / 1000,
        customIncrTtlLuaScript: INCREMENT_SCRIPT,
      });
      return { window, limiter };
    });
  }

  /** Takes one point from every window that counts this call, or says how long to wait. */
  async acquire(scope: CallScope): Promise<Permit> {
    const taken: RateLimiterRedis[] = [];

    for (const { window, limiter } of this.#limiters) {
      if (window.scope !== 'all' && window.scope !== scope) {
        continue;
      }

      try {
        await limiter.consume(this.#subject);
        taken.push(limiter);
      } catch (rejection) {
        if (!(rejection instanceof RateLimiterRes)) {
          await this.#giveBack(taken);
          throw rejection;
        }
        await this.#giveBack(taken);
        return { granted: false, waitMs: Math.max(rejection.msBeforeNext, 1) };
      }
    }

    return { granted: true };
  }

  async #giveBack(taken: readonly RateLimiterRedis[]): Promise<void> {
    await Promise.all(taken.map((limiter) => limiter.reward(this.#subject, 1)));
  }
}
