import { parentPort, workerData } from 'node:worker_threads';
import type { CsvFormat } from './detect-format.js';
import { CsvInputError } from './input-errors.js';
import { openCsv } from './read-csv.js';

/**
 * The reading thread of `openCsvInThread`: parses the file with `openCsv` and posts its header,
 * then its chunks, as the main thread asks for them.
 */

export type ToReader = { type: 'start'; chunkSize: number } | { type: 'more' } | { type: 'close' };

export type FromReader =
  | { type: 'header'; header: string[]; size: number }
  | {
      type: 'chunk';
      rows: string[][];
      rowNumbers: number[];
      bytesRead: number;
      blankRows: number;
    }
  | { type: 'end'; bytesRead: number; blankRows: number }
  | { type: 'error'; error: PostedError };

export type PostedError =
  | {
      kind: 'csv';
      code: CsvInputError['code'];
      path: string;
      message: string;
      row?: number;
      line?: number;
    }
  | { kind: 'other'; name: string; message: string };

/** Chunks posted ahead of the main thread: parsing goes on while it validates. */
const CHUNKS_AHEAD = 3;

function postError(error: unknown): void {
  const posted: PostedError =
    error instanceof CsvInputError
      ? {
          kind: 'csv',
          code: error.code,
          path: error.path,
          message: error.message,
          ...(error.row === undefined ? {} : { row: error.row }),
          ...(error.line === undefined ? {} : { line: error.line }),
        }
      : { kind: 'other', name: (error as Error).name, message: (error as Error).message };
  post({ type: 'error', error: posted });
}

function post(message: FromReader): void {
  parentPort?.postMessage(message);
}

async function read(): Promise<void> {
  const { path, format } = workerData as { path: string; format: CsvFormat };
  const csv = await openCsv(path, format);
  post({ type: 'header', header: csv.header, size: csv.size });

  let credits = CHUNKS_AHEAD;
  let granted: (() => void) | undefined;
  let chunkSize: number | undefined;
  let started: (() => void) | undefined;
  parentPort?.on('message', (message: ToReader) => {
    if (message.type === 'start') {
      chunkSize = message.chunkSize;
      started?.();
    } else if (message.type === 'more') {
      credits += 1;
      granted?.();
    } else {
      csv.close();
      process.exit(0);
    }
  });

  if (chunkSize === undefined) {
    await new Promise<void>((resolve) => {
      started = resolve;
    });
  }
  for await (const chunk of csv.chunks(chunkSize)) {
    while (credits === 0) {
      await new Promise<void>((resolve) => {
        granted = resolve;
      });
    }
    credits -= 1;
    post({ type: 'chunk', ...chunk, bytesRead: csv.bytesRead, blankRows: csv.blankRows });
  }
  post({ type: 'end', bytesRead: csv.bytesRead, blankRows: csv.blankRows });
}

read().catch(postError);
