import { mulberry32 } from '../shared/seeded-random.js';
/** Which failure, if any, one API request meets. */
export type Fault = 'none' | 'unavailable' | 'reset' | 'timeout' | 'lost-answer';

/**
 * What a test may script for the next add calls: the drawn faults, and a 409 for the whole
 * request, which the simulator never gives by itself (it answers duplicates per candidate).
 */
export type ScriptedFault = Fault | 'conflict';

export interface FaultRates {
  failRate: number;
  resetRate: number;
  timeoutRate: number;
  lostAnswerRate: number;
}

/**
 * Picks a failure per request from a seeded generator: one draw per request, in arrival order,
 * so that the same seed and the same sequence of requests meet the same failures.
 */
export class FaultInjector {
  private readonly random: () => number;

  constructor(
    private readonly rates: FaultRates,
    seed: number,
  ) {
    this.random = mulberry32(seed);
  }

  draw(): Fault {
    const roll = this.random();
    const { failRate, resetRate, timeoutRate, lostAnswerRate } = this.rates;

    // The rates share [0, 1) as consecutive slices; they add up to at most 1.
    if (roll < failRate) {
      return 'unavailable';
    }
    if (roll < failRate + resetRate) {
      return 'reset';
    }
    if (roll < failRate + resetRate + timeoutRate) {
      return 'timeout';
    }
    if (roll < failRate + resetRate + timeoutRate + lostAnswerRate) {
      return 'lost-answer';
    }
    return 'none';
  }
}
