/** The agency's credits: one is spent per candidate added. */
export class CreditAccount {
  private usedThisMonth = 0;

  constructor(private available: number) {}

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
  }

  /** The caller checks `creditsAvailable` first; the API never lets the balance go negative. */
  spend(credits: number): void {
    this.available -= credits;
    this.usedThisMonth += credits;
  }
}
