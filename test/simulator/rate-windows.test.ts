import { describe, expect, it } from 'vitest';
import { parseRateLimits } from '../../src/shared/rate-limit-spec.js';
import { RateWindows } from '../../src/simulator/rate-windows.js';

/** Windows on a clock the test moves by hand. */
function windowsAt(spec: string, start = 1_000_000) {
  const clock = { now: start };
  const windows = new RateWindows(parseRateLimits(spec), () => clock.now);
  return { windows, clock };
}

describe('RateWindows', () => {
  it('refuses the request past the limit and says how long to wait', () => {
    const { windows, clock } = windowsAt('all:2/1s');

    expect(windows.consume('key', 'reads').allowed).toBe(true);
    clock.now += 300;
    expect(windows.consume('key', 'reads').allowed).toBe(true);
    clock.now += 450;
    const refused = windows.consume('key', 'reads');

    expect(refused).toEqual({
      allowed: false,
      retryAfterMs: 250,
      report: { limit: 2, remaining: 0, resetAt: 1_001_000 },
    });
  });

  it('opens the window again at the first request after its duration, not on a clock boundary', () => {
    const { windows, clock } = windowsAt('all:1/1s', 1_000_700);

    windows.consume('key', undefined);
    clock.now = 1_001_699;
    expect(windows.consume('key', undefined).allowed).toBe(false);
    clock.now = 1_001_700;
    const reopened = windows.consume('key', undefined);

    expect(reopened).toEqual({
      allowed: true,
      report: { limit: 1, remaining: 0, resetAt: 1_002_700 },
    });
  });

  it('counts a refused request in no window', () => {
    const { windows } = windowsAt('all:3/1s,adds:1/1h');

    windows.consume('key', 'adds');
    expect(windows.consume('key', 'adds').allowed).toBe(false);
    // Had the refused add counted in `all`, only one more read would pass.
    expect(windows.consume('key', 'reads').allowed).toBe(true);
    expect(windows.consume('key', 'reads').allowed).toBe(true);
    expect(windows.consume('key', 'reads').allowed).toBe(false);
  });

  it('counts a request only in the windows of its scope and in `all`', () => {
    const { windows } = windowsAt('adds:1/1h,creates:1/1h,reads:1/1h');

    expect(windows.consume('key', 'adds').allowed).toBe(true);
    expect(windows.consume('key', 'creates').allowed).toBe(true);
    expect(windows.consume('key', 'reads').allowed).toBe(true);
    expect(windows.consume('key', undefined)).toEqual({ allowed: true, report: undefined });
    expect(windows.consume('key', 'adds').allowed).toBe(false);
  });

  it('keeps the windows of each API key apart', () => {
    const { windows } = windowsAt('all:1/1s');

    expect(windows.consume('first', 'reads').allowed).toBe(true);
    expect(windows.consume('second', 'reads').allowed).toBe(true);
    expect(windows.consume('first', 'reads').allowed).toBe(false);
  });

  it('reports the window with the fewest requests left', () => {
    const { windows } = windowsAt('all:10/1s,adds:3/1h');

    const decision = windows.consume('key', 'adds');

    expect(decision.report).toEqual({ limit: 3, remaining: 2, resetAt: 1_000_000 + 3_600_000 });
  });

  it('waits for the last of several full windows before letting a request through', () => {
    const { windows, clock } = windowsAt('all:1/1s,all:1/1m');

    windows.consume('key', 'reads');
    clock.now += 100;
    const refused = windows.consume('key', 'reads');

    expect(refused).toMatchObject({ allowed: false, retryAfterMs: 59_900 });
    expect(refused.report).toEqual({ limit: 1, remaining: 0, resetAt: 1_060_000 });
  });
});
