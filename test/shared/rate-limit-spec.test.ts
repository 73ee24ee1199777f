import { describe, expect, it } from 'vitest';
import { parseRateLimits, RateLimitSpecError } from '../../src/shared/rate-limit-spec.js';
import { DEFAULT_SIMULATOR_RATE_LIMITS } from '../../src/simulator/simulator-options.js';

describe('parseRateLimits', () => {
  it('reads the documented limits into six windows, in order', () => {
    expect(parseRateLimits(DEFAULT_SIMULATOR_RATE_LIMITS)).toEqual([
      { scope: 'all', points: 10, durationMs: 1_000 },
      { scope: 'all', points: 60, durationMs: 60_000 },
      { scope: 'all', points: 1000, durationMs: 3_600_000 },
      { scope: 'adds', points: 100, durationMs: 3_600_000 },
      { scope: 'creates', points: 20, durationMs: 3_600_000 },
      { scope: 'reads', points: 1000, durationMs: 3_600_000 },
    ]);
  });

  it('reads every unit and decimal amounts', () => {
    expect(parseRateLimits('all:1/250ms,reads:2/1.5s,adds:3/2m,creates:4/0.5h')).toEqual([
      { scope: 'all', points: 1, durationMs: 250 },
      { scope: 'reads', points: 2, durationMs: 1_500 },
      { scope: 'adds', points: 3, durationMs: 120_000 },
      { scope: 'creates', points: 4, durationMs: 1_800_000 },
    ]);
  });

  it('ignores spaces around entries', () => {
    expect(parseRateLimits(' all:5/1s , adds:1/1h ')).toEqual([
      { scope: 'all', points: 5, durationMs: 1_000 },
      { scope: 'adds', points: 1, durationMs: 3_600_000 },
    ]);
  });

  it('reads an empty string and "none" as no limit', () => {
    expect(parseRateLimits('')).toEqual([]);
    expect(parseRateLimits('  ')).toEqual([]);
    expect(parseRateLimits('none')).toEqual([]);
  });

  it.each([
    ['all:10/1s,writes:5/1s', /#2 "writes:5\/1s": unknown scope "writes"/],
    ['all:0/1s', /#1 "all:0\/1s": points must be a positive integer, got "0"/],
    ['all:ten/1s', /points must be a positive integer, got "ten"/],
    ['all:1.5/1s', /points must be a positive integer/],
    ['all:10/1d', /#1 "all:10\/1d": duration must be a number followed by ms, s, m or h/],
    ['all:10/s', /duration must be a number followed by ms, s, m or h, got "s"/],
    ['all:10/0s', /duration must last at least 1ms/],
    ['all:10', /#1 "all:10": expected scope:points\/duration/],
    ['all:10/1s,', /#2 "": expected scope:points\/duration/],
    ['ALL:10/1s', /expected scope:points\/duration/],
  ])('refuses %j and names the bad entry', (spec, message) => {
    expect(() => parseRateLimits(spec)).toThrow(RateLimitSpecError);
    expect(() => parseRateLimits(spec)).toThrow(message);
  });

  it('gives its error a stable code', () => {
    const error = (() => {
      try {
        parseRateLimits('bad');
      } catch (err) {
        return err;
      }
    })();

    expect(error).toBeInstanceOf(RateLimitSpecError);
    expect((error as RateLimitSpecError).code).toBe('RATE_LIMIT_SPEC_INVALID');
  });
});
