/** A line the balance crossed on its way down: `credits.low` or `credits.depleted`. */
export type CreditCrossing = 'low' | 'depleted';

/** Who hears of the crossings, and where the low line is. */
export interface CreditWatch {
  /** `low` is reported when the balance falls below this. */
  lowThreshold: number;
  onCrossing(crossing: CreditCrossing, remaining: number, campaignId: string): void;
}

/**
 * The agency's credits: one is spent per candidate added. Each crossing is reported once, not
 * once per call: a top-up that lifts the balance back above the line arms it again.
 */
export class CreditAccount {
  private usedThisMonth = 0;
  /** A balance that starts below the line never crossed it. */
  private lowReported: boolean;
  private depletedReported = false;

  constructor(
    private available: number,
    private readonly watch?: CreditWatch,
  ) {
    this.lowReported = watch !== undefined && available < watch.lowThreshold;
  }

  get creditsAvailable(): number {
    return this.available;
  }

  get creditsUsedThisMonth(): number {
    return this.usedThisMonth;
  }

  /** Throws on anything but a positive number: a top-up of nothing is a caller's mistake. */
  topUp(credits: number): void {
    if (!Number.isFinite(credits) || credits <= 0) {
      throw new RangeError(`credits must be a positive number, got ${credits}`);
    }
    this.available += credits;

    if (this.watch !== undefined && this.available >= this.watch.lowThreshold) {
      this.lowReported = false;
    }
    if (this.available > 0) {
      this.depletedReported = false;
    }
  }

  /** The caller checks `creditsAvailable` first; the API never lets the balance go negative. */
  spend(credits: number, campaignId: string): void {
    this.available -= credits;
    this.usedThisMonth += credits;
    if (credits === 0) {
      // An add that only skipped or refused crossed nothing.
      return;
    }

    if (this.watch !== undefined && !this.lowReported && this.available < this.watch.lowThreshold) {
      this.lowReported = true;
      this.watch.onCrossing('low', this.available, campaignId);
    }
    if (this.available <= 0) {
      this.reportDepleted(campaignId);
    }
  }

  /** An add was refused for lack of credits: the account counts as depleted from now on. */
  refuse(campaignId: string): void {
    this.reportDepleted(campaignId);
  }

  private reportDepleted(campaignId: string): void {
    if (this.depletedReported) {
      return;
    }
    this.depletedReported = true;
    this.watch?.onCrossing('depleted', this.available, campaignId);
  }
}
