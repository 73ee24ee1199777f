import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FromReader, PostedError, ToReader } from './csv-thread-worker.js';
import type { CsvFormat } from './detect-format.js';
import { CsvInputError } from './input-errors.js';
import { type CsvFile, checkChunksCall, DEFAULT_CHUNK_SIZE, type RowChunk } from './read-csv.js';

/**
 * `openCsv` with the parsing on a thread of its own, so that on two cores csv-parse and the
 * decoding run while this thread validates, dedups and stages the rows (they were ~45% of the
 * reading's CPU time in one thread). Same rows, same row numbers, same errors.
 *
 * Undefined when the thread cannot run: from the TypeScript sources (under vitest), Node 20
 * cannot load the thread's `.ts` file; the caller then reads in line.
 */
export function openCsvInThread(path: string, format: CsvFormat): Promise<CsvFile> | undefined {
  const script = new URL('./csv-thread-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(script))) {
    return undefined;
  }
  return ThreadedCsv.open(script, path, format);
}

class ThreadedCsv implements CsvFile {
  header: string[] = [];
  size = 0;
  bytesRead = 0;
  blankRows = 0;
  readonly #worker: Worker;
  readonly #inbox: FromReader[] = [];
  #wake: (() => void) | undefined;
  #exited = false;
  #iterated = false;

  private constructor(
    script: URL,
    readonly path: string,
    readonly format: CsvFormat,
  ) {
    this.#worker = new Worker(script, { workerData: { path, format } });
    this.#worker.on('message', (message: FromReader) => this.#receive(message));
    this.#worker.on('error', (error) => {
      this.#receive({
        type: 'error',
        error: { kind: 'other', name: error.name, message: error.message },
      });
    });
    this.#worker.on('exit', () => {
      this.#exited = true;
      this.#wakeUp();
    });
  }

  static async open(script: URL, path: string, format: CsvFormat): Promise<CsvFile> {
    const csv = new ThreadedCsv(script, path, format);
    const first = await csv.#next();
    if (first.type !== 'header') {
      csv.close();
      throw first.type === 'error' ? rebuild(first.error) : new Error('the reading thread ended');
    }
    csv.header = first.header;
    csv.size = first.size;
    return csv;
  }

  chunks(chunkSize = DEFAULT_CHUNK_SIZE): AsyncIterable<RowChunk> {
    checkChunksCall(chunkSize, this.#iterated);
    this.#iterated = true;
    this.#send({ type: 'start', chunkSize });
    return this.#iterate();
  }

  close(): void {
    if (!this.#exited) {
      void this.#worker.terminate();
    }
  }

  async *#iterate(): AsyncGenerator<RowChunk> {
    try {
      for (;;) {
        const message = await this.#next();
        if (message.type === 'error') {
          throw rebuild(message.error);
        }
        if (message.type === 'header') {
          continue;
        }

        this.bytesRead = message.bytesRead;
        this.blankRows = message.blankRows;
        if (message.type === 'end') {
          return;
        }
        this.#send({ type: 'more' });
        yield { rows: message.rows, rowNumbers: message.rowNumbers };
      }
    } finally {
      this.close();
    }
  }

  async #next(): Promise<FromReader> {
    for (;;) {
      const message = this.#inbox.shift();
      if (message !== undefined) {
        return message;
      }
      if (this.#exited) {
        return {
          type: 'error',
          error: { kind: 'other', name: 'Error', message: 'the reading thread stopped' },
        };
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #receive(message: FromReader): void {
    this.#inbox.push(message);
    this.#wakeUp();
  }

  #send(message: ToReader): void {
    this.#worker.postMessage(message);
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** The thread's error as the caller would have met it reading in line. */
function rebuild(posted: PostedError): Error {
  if (posted.kind === 'csv') {
    const problem = posted.message.slice(posted.path.length + 2);
    const { row, line } = posted;
    const place = row === undefined || line === undefined ? undefined : { row, line };
    return new CsvInputError(posted.code, posted.path, problem, place);
  }
  const error = new Error(posted.message);
  error.name = posted.name;
  return error;
}
