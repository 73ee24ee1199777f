import { once } from 'node:events';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  type WriteStream,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BatchCandidate } from '../shared/jobs.js';

/**
 * Batches wait in a temporary file until the whole CSV has been read, so that a file refused as
 * a whole (an unclosed quote on its last row, say) enqueues nothing. Memory stays flat: a batch
 * is a line on disk, not an object on the heap.
 */
export class BatchStaging {
  #dir = mkdtempSync(join(tmpdir(), 'voicehire-import-'));
  #path = join(this.#dir, 'batches.jsonl');
  #stream: WriteStream = createWriteStream(this.#path);

  async write(batches: readonly BatchCandidate[][]): Promise<void> {
    if (batches.length === 0) {
      return;
    }
    const text = batches.map((batch) => `${JSON.stringify(batch)}\n`).join('');

    if (!this.#stream.write(text)) {
      await once(this.#stream, 'drain');
    }
  }

  /** Reads the staged batches back, in order, after the last write. */
  async *read(): AsyncGenerator<BatchCandidate[]> {
    if (!this.#stream.writableFinished) {
      this.#stream.end();
      await once(this.#stream, 'finish');
    }

    const lines = createInterface({ input: createReadStream(this.#path), crlfDelay: Infinity });
    for await (const line of lines) {
      yield JSON.parse(line) as BatchCandidate[];
    }
  }

  dispose(): void {
    this.#stream.destroy();
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
