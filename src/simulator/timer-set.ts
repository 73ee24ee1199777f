/**
 * The timers of one component, cancelled together by `clear()`: a simulator that is closed must
 * keep no timer alive, or the process that started it would not exit.
 */
export class TimerSet {
  /** Each pending timer, with what to do if it is cancelled by `clear()`. */
  private readonly pending = new Map<NodeJS.Timeout, () => void>();
  private cleared = false;

  /**
   * Runs `run` after `ms`; returns a function that cancels it. After `clear()` nothing is
   * scheduled any more, and `onClear` runs at once instead.
   */
  after(ms: number, run: () => void, onClear: () => void = () => {}): () => void {
    if (this.cleared) {
      onClear();
      return () => {};
    }

    const timer = setTimeout(() => {
      this.pending.delete(timer);
      run();
    }, ms);
    this.pending.set(timer, onClear);
    return () => {
      clearTimeout(timer);
      this.pending.delete(timer);
    };
  }

  /** Resolves true after `ms`, or false as soon as the set is cleared. */
  sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.after(
        ms,
        () => resolve(true),
        () => resolve(false),
      );
    });
  }

  /** Cancels every pending timer, and every later one. */
  clear(): void {
    this.cleared = true;
    const onClears = [...this.pending.values()];
    for (const timer of this.pending.keys()) {
      clearTimeout(timer);
    }
    this.pending.clear();
    for (const onClear of onClears) {
      onClear();
    }
  }
}
