/**
 * Tells when a file is completely written, from what successive scans saw of it. Nothing in a
 * folder says that a writer is done, so a file counts as written once its size and modification
 * time have stayed the same for `settleMs`, across at least two scans. A writer can do better:
 * write `name.csv.part`, then rename it to `name.csv`, which is atomic; the watcher never looks
 * at `.part` files.
 */
export class SettleTracker {
  readonly #settleMs: number;
  readonly #seen = new Map<string, { size: number; mtimeMs: number; since: number }>();

  /** `settleMs`: how long a file must stay unchanged. */
  constructor(settleMs: number) {
    this.#settleMs = settleMs;
  }

  /**
   * Records what a scan at `now` saw of the file; true when it has not changed since a scan at
   * least `settleMs` earlier.
   */
  observe(path: string, file: { size: number; mtimeMs: number }, now: number): boolean {
    const previous = this.#seen.get(path);

    if (
      previous === undefined ||
      previous.size !== file.size ||
      previous.mtimeMs !== file.mtimeMs
    ) {
      this.#seen.set(path, { size: file.size, mtimeMs: file.mtimeMs, since: now });
      return false;
    }
    return now > previous.since && now - previous.since >= this.#settleMs;
  }

  /** Forgets a file that was handled, so that a new file of the same name starts afresh. */
  forget(path: string): void {
    this.#seen.delete(path);
  }

  /** Forgets every file the last scan did not see. */
  keepOnly(paths: ReadonlySet<string>): void {
    for (const path of this.#seen.keys()) {
      if (!paths.has(path)) {
        this.#seen.delete(path);
      }
    }
  }
}
