import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
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

  /** Closes the file (waiting for writes under way, which would fail if cut) and removes it. */
  async dispose(): Promise<void> {
    if (!this.#stream.writableFinished) {
      this.#stream.end();
      await once(this.#stream, 'close').catch(() => {});
    }
    await rm(this.#dir, { recursive: true, force: true });
  }
}
