/**
 * The rate-limit syntax shared by the simulator and the worker's limiter (`VOICEHIRE_RATE_LIMITS`):
 * `scope:points/duration`, comma-separated, such as `all:10/1s,adds:100/1h`. Pure on purpose:
 * both sides must read one string the same way.
 */

/** Which requests a window counts. */
export type RateScope = 'all' | 'adds' | 'reads' | 'creates';

/** One fixed window: at most `points` requests of `scope` per `durationMs`. */
export interface RateWindow {
  scope: RateScope;
  points: number;
  durationMs: number;
}

export const RATE_SCOPES: readonly RateScope[] = ['all', 'adds', 'reads', 'creates'];

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

const ENTRY = /^([a-z]+):([^/]*)\/(.*)$/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** A rate-limit string that cannot be read; the message names the bad entry. */
export class RateLimitSpecError extends Error {
  override name = 'RateLimitSpecError';
  readonly code = 'RATE_LIMIT_SPEC_INVALID';
}

/**
 * Reads a rate-limit string into its windows, in the order given. `''` and `none` mean no limit.
 * Throws a RateLimitSpecError naming the first bad entry and what was expected.
 */
export function parseRateLimits(spec: string): RateWindow[] {
  const trimmed = spec.trim();
  if (trimmed === '' || trimmed === 'none') {
    return [];
  }

  return trimmed.split(',').map((entry, index) => parseEntry(entry.trim(), index + 1));
}

function parseEntry(entry: string, position: number): RateWindow {
  const fail = (problem: string): never => {
    throw new RateLimitSpecError(`rate limit #${position} "${entry}": ${problem}`);
  };

  const parts = ENTRY.exec(entry);
  if (parts === null) {
    return fail('expected scope:points/duration, such as all:10/1s');
  }
  const [, scope = '', points = '', duration = ''] = parts;

  if (!isRateScope(scope)) {
    return fail(`unknown scope "${scope}"; expected one of ${RATE_SCOPES.join(', ')}`);
  }
  if (!/^\d+$/.test(points) || Number(points) < 1) {
    return fail(`points must be a positive integer, got "${points}"`);
  }

  return { scope, points: Number(points), durationMs: parseDuration(duration, fail) };
}

function parseDuration(duration: string, fail: (problem: string) => never): number {
  const parts = DURATION.exec(duration);
  if (parts === null) {
    return fail(`duration must be a number followed by ms, s, m or h, got "${duration}"`);
  }
  const [, amount = '', unit = 'ms'] = parts;

  const durationMs = Math.round(Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]);
  if (durationMs < 1) {
    return fail(`duration must last at least 1ms, got "${duration}"`);
  }
  return durationMs;
}

function isRateScope(scope: string): scope is RateScope {
  return (RATE_SCOPES as readonly string[]).includes(scope);
}
