import type { RateScope, RateWindow } from '../shared/rate-limit-spec.js';

/** The scope of one request besides `all`; undefined for a call that only `all` counts. */
export type RequestScope = Exclude<RateScope, 'all'> | undefined;

/** What the `X-RateLimit-*` headers report: one window, after the request was counted. */
export interface WindowReport {
  limit: number;
  remaining: number;
  /** Epoch milliseconds at which the window starts afresh. */
  resetAt: number;
}

export type RateDecision =
  | { allowed: true; report: WindowReport | undefined }
  | { allowed: false; retryAfterMs: number; report: WindowReport };

interface Counter {
  startedAt: number;
  used: number;
}

/**
 * Fixed windows per API key, as rate-limiter-flexible keeps them: a window opens at its first
 * request and starts afresh once its duration has passed since then, not on a wall-clock
 * boundary.
 */
export class RateWindows {
  /** Per API key, one counter per configured window (same index); undefined until first use. */
  private readonly counters = new Map<string, (Counter | undefined)[]>();

  constructor(
    private readonly windows: readonly RateWindow[],
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * Counts one request in every window that applies to it, or in none when one of them is full:
   * a refused request costs nothing, as with the API.
   */
  consume(apiKey: string, scope: RequestScope): RateDecision {
    const now = this.clock();
    const counters = this.countersFor(apiKey);
    const applicable = this.applicableIndexes(scope);

    // An expired window opens again at this request.
    for (const index of applicable) {
      const counter = counters[index];
      if (counter && now >= counter.startedAt + this.windowAt(index).durationMs) {
        counters[index] = undefined;
      }
    }

    const full = applicable.filter((index) => (counters[index]?.used ?? 0) >= this.pointsAt(index));
    if (full.length > 0) {
      // Every full window must have reset before the request can pass.
      const retryAfterMs = Math.max(
        ...full.map((index) => this.resetAt(index, counters, now) - now),
      );
      return {
        allowed: false,
        retryAfterMs,
        report: this.tightest(full, counters, now) as WindowReport,
      };
    }

    for (const index of applicable) {
      const counter = counters[index] ?? { startedAt: now, used: 0 };
      counter.used += 1;
      counters[index] = counter;
    }
    return { allowed: true, report: this.tightest(applicable, counters, now) };
  }

  /** The window with the fewest requests left; on a tie, the one that resets last binds longer. */
  private tightest(
    indexes: number[],
    counters: (Counter | undefined)[],
    now: number,
  ): WindowReport | undefined {
    let best: WindowReport | undefined;

    for (const index of indexes) {
      const limit = this.pointsAt(index);
      const report = {
        limit,
        remaining: limit - (counters[index]?.used ?? 0),
        resetAt: this.resetAt(index, counters, now),
      };
      const tighter =
        best === undefined ||
        report.remaining < best.remaining ||
        (report.remaining === best.remaining && report.resetAt > best.resetAt);
      if (tighter) {
        best = report;
      }
    }
    return best;
  }

  private resetAt(index: number, counters: (Counter | undefined)[], now: number): number {
    return (counters[index]?.startedAt ?? now) + this.windowAt(index).durationMs;
  }

  private applicableIndexes(scope: RequestScope): number[] {
    const indexes: number[] = [];
    this.windows.forEach((window, index) => {
      if (window.scope === 'all' || window.scope === scope) {
        indexes.push(index);
      }
    });
    return indexes;
  }

  private countersFor(apiKey: string): (Counter | undefined)[] {
    let counters = this.counters.get(apiKey);
    if (counters === undefined) {
      counters = [];
      this.counters.set(apiKey, counters);
    }
    return counters;
  }

  private windowAt(index: number): RateWindow {
    return this.windows[index] as RateWindow;
  }

  private pointsAt(index: number): number {
    return this.windowAt(index).points;
  }
}
