/**
 * One line of progress on a terminal, redrawn in place at most ten times a second. Silent when
 * stderr is not a terminal (CI, pipes, logs), where a redrawn line would only be noise.
 */
export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #lastDraw = 0;
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#enabled = stream.isTTY === true;
  }

  update(text: string, force = false): void {
    const now = Date.now();
    if (!this.#enabled || (!force && now - this.#lastDraw < 100)) {
      return;
    }
    this.#lastDraw = now;
    this.#drawn = true;

    const width = this.#stream.columns ?? 100;
    this.#stream.write(`\r${text.slice(0, width - 1).padEnd(width - 1)}`);
  }

  /** Leaves the last drawn line as it is and moves below it. */
  done(): void {
    if (this.#drawn) {
      this.#stream.write('\n');
      this.#drawn = false;
    }
  }
}

/** A bar of `width` cells filled in proportion to `done / total`. */
export function bar(done: number, total: number, width = 24): string {
  const share = total > 0 ? Math.min(done / total, 1) : 0;
  const filled = Math.round(share * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.floor(share * 100)}%`;
}

/** 1234567 -> "1.2 MB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
