import type { ReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { CsvError, type Parser, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { type CsvFormat, openInputFile, UTF8_BOM } from './detect-format.js';
import {
  fileAccessError,
  headerMissingError,
  malformedCsvError,
  mixedEncodingError,
  type RowPlace,
} from './input-errors.js';
import { locateRow, type RowTarget } from './locate-row.js';
import { InvalidUtf8Error, Utf8Check } from './utf8-check.js';

/** Rows handed over together; the cells are as written in the file, untrimmed. */
export interface RowChunk {
  /** A row may hold fewer or more cells than the header: the validator reports it. */
  rows: string[][];
  /** The data row number of each row (the header is row 0), as the rejects report shows it. */
  rowNumbers: number[];
}

export interface OpenCsvOptions {
  /** Aborting stops the reading; the pending read rejects with the signal's AbortError. */
  signal?: AbortSignal;
}

/** A CSV file whose header has been read, and whose rows are read on demand. */
export interface CsvFile {
  readonly path: string;
  readonly format: CsvFormat;
  /** The first row's cells, trimmed. */
  readonly header: string[];
  /** Size of the file in bytes, the end of a progress bar. */
  readonly size: number;
  /** Bytes of the file read so far; it runs up to a few chunks ahead of the rows handed over. */
  readonly bytesRead: number;
  /** Rows skipped because every cell is blank (Excel's `;;;` lines); they keep their number. */
  readonly blankRows: number;
  /**
   * The data rows, `chunkSize` at a time (default 1000; the last chunk is shorter, and a file
   * without rows yields none). Reading pauses while the consumer holds two chunks, so memory
   * stays flat whatever the file's size. Iterate once; stopping early closes the file.
   * A malformed file rejects with a CsvInputError naming the row.
   */
  chunks(chunkSize?: number): AsyncIterable<RowChunk>;
  /** Stops reading and closes the file; needed only when `chunks` is not iterated to the end. */
  close(): void;
}

export const DEFAULT_CHUNK_SIZE = 1000;

/** Chunks parsed ahead of the consumer: two let parsing go on while the consumer awaits Redis. */
const CHUNKS_AHEAD = 2;

/**
 * A row longer than this is a quote that never closes, swallowing the rest of the file into one
 * cell; without a bound that cell would grow to the size of the file before the error shows.
 * The error message in input-errors.ts names it: change both together.
 */
const MAX_ROW_BYTES = 1024 * 1024;

/**
 * Opens a CSV file in the format `detectFormat` found and reads its header. Rejects with a
 * CsvInputError when the file cannot be read or its first row is empty.
 */
export async function openCsv(
  path: string,
  format: CsvFormat,
  options: OpenCsvOptions = {},
): Promise<CsvFile> {
  options.signal?.throwIfAborted();

  const { handle, size } = await openInputFile(path);
  const reader = new CsvReader(path, format, handle, size, options.signal);
  await reader.readHeader();

  return reader;
}

class CsvReader implements CsvFile {
  readonly path: string;
  readonly format: CsvFormat;
  readonly size: number;
  header: string[] = [];
  blankRows = 0;

  readonly #start: number;
  readonly #input: ReadStream;
  readonly #parser: Parser;
  readonly #ready: RowChunk[] = [];
  #chunkSize = DEFAULT_CHUNK_SIZE;
  #rows: string[][] = [];
  #rowNumbers: number[] = [];
  /** Number of the last record received; -1 until the header arrives. */
  #rowNumber = -1;
  #ended = false;
  #closed = false;
  #iterated = false;
  #failure: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(
    path: string,
    format: CsvFormat,
    handle: FileHandle,
    size: number,
    signal: AbortSignal | undefined,
  ) {
    this.path = path;
    this.format = format;
    this.size = size;
    this.#start = format.bom ? UTF8_BOM.length : 0;
    this.#input = handle.createReadStream({ start: this.#start });

    this.#parser = parse({
      delimiter: format.delimiter,
      // Strips a BOM the format did not announce; an announced one is skipped by `start`.
      bom: true,
      // A quote inside an unquoted cell (`Jean "Jojo" Dupont`) stays a character of the cell
      // instead of refusing the whole file: hand-edited exports hold such quotes, and the
      // validator judges the value. A quote opening a cell must still close.
      relax_quotes: true,
      // A short or long row goes to the validator, which rejects that row alone.
      relax_column_count: true,
      max_record_size: MAX_ROW_BYTES,
      // Empty lines stay records, skipped below as blank rows, so that row N is the row Excel
      // shows as N + 1 even after an empty line; quoted line breaks still count once.
      skip_empty_lines: false,
    });

    // 'data' events rather than for-await: ~316k against ~230k rows/s (field notes, csv-parse).
    this.#parser.on('data', (record: string[]) => this.#onRecord(record));
    this.#parser.on('end', () => this.#onEnd());

    // Windows-1252 is transcoded; UTF-8 is only checked, csv-parse decodes it.
    const decode =
      format.encoding === 'windows-1252'
        ? iconv.decodeStream('windows-1252')
        : new Utf8Check(this.#start);
    pipeline(this.#input, decode, this.#parser, { signal }).catch((error: unknown) =>
      this.#onError(error),
    );
  }

  get bytesRead(): number {
    return this.#start + this.#input.bytesRead;
  }

  /** Waits for the first record; pauses reading until `chunks` is iterated. */
  async readHeader(): Promise<void> {
    while (this.#rowNumber === -1 && this.#failure === undefined && !this.#ended) {
      await this.#sleep();
    }

    if (this.#failure !== undefined) {
      this.close();
      throw this.#failure;
    }
    if (this.#rowNumber === -1 || this.header.every(isBlankCell)) {
      this.close();
      throw headerMissingError(this.path);
    }
  }

  chunks(chunkSize = DEFAULT_CHUNK_SIZE): AsyncIterable<RowChunk> {
    checkChunksCall(chunkSize, this.#iterated);

    this.#iterated = true;
    this.#chunkSize = chunkSize;
    return this.#iterate();
  }

  close(): void {
    if (this.#closed) {
      return;
    }
    this.#closed = true;

    // The pipeline destroys the other streams, and the file handle closes with the input.
    this.#input.destroy();
    this.#wakeUp();
  }

  async *#iterate(): AsyncGenerator<RowChunk> {
    try {
      this.#parser.resume();
      for (;;) {
        // A refused file stops at once, even with chunks ready: the rows after are unknown.
        if (this.#failure !== undefined) {
          throw this.#failure;
        }

        const chunk = this.#ready.shift();
        if (chunk !== undefined) {
          this.#parser.resume();
          yield chunk;
          continue;
        }

        // Every row was handed over, or the consumer closed the file.
        if (this.#ended || this.#closed) {
          return;
        }
        await this.#sleep();
      }
    } finally {
      this.close();
    }
  }

  /** The hot path: no allocation but the row's own slot in the chunk. */
  #onRecord(record: string[]): void {
    if (this.#rowNumber === -1) {
      // trim() also drops a U+FEFF that survived a BOM.
      this.header = record.map((cell) => cell.trim());
      this.#rowNumber = 0;
      this.#parser.pause();
      this.#wakeUp();
      return;
    }

    this.#rowNumber++;
    if (record.every(isBlankCell)) {
      this.blankRows++;
      return;
    }

    this.#rows.push(record);
    this.#rowNumbers.push(this.#rowNumber);
    if (this.#rows.length >= this.#chunkSize) {
      this.#handOver();
      if (this.#ready.length >= CHUNKS_AHEAD) {
        this.#parser.pause();
      }
    }
  }

  #onEnd(): void {
    this.#handOver();
    this.#ended = true;
    this.#wakeUp();
  }

  #onError(error: unknown): void {
    // Closing destroys the streams on purpose; that is no failure.
    if (this.#closed) {
      return;
    }

    void this.#describe(error).then((described) => {
      this.#failure = described;
      this.#wakeUp();
    });
  }

  #handOver(): void {
    if (this.#rows.length === 0) {
      return;
    }
    this.#ready.push({ rows: this.#rows, rowNumbers: this.#rowNumbers });
    this.#rows = [];
    this.#rowNumbers = [];
    this.#wakeUp();
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Words a failure for a recruiter: which file, which row, what to look for. */
  async #describe(error: unknown): Promise<Error> {
    if (error instanceof InvalidUtf8Error) {
      const place = await this.#locate({ byte: error.byte });
      return mixedEncodingError(this.path, place, error);
    }

    if (error instanceof CsvError) {
      // Records read before the failing one, the header included: the failing row's number.
      const record = typeof error.records === 'number' ? error.records : 0;
      const place = await this.#locate({ record });
      return malformedCsvError(this.path, error, place);
    }

    const isFileError = typeof (error as NodeJS.ErrnoException | undefined)?.syscall === 'string';
    if (isFileError) {
      return fileAccessError(this.path, error);
    }
    // An AbortError, or a bug: passed on as it came.
    return error instanceof Error ? error : new Error(String(error));
  }

  /** The place of a failure, or undefined when the file can no longer be read to find it. */
  async #locate(target: RowTarget): Promise<RowPlace | undefined> {
    try {
      return await locateRow(this.path, this.format, target);
    } catch {
      return undefined;
    }
  }
}

/** What every CsvFile's `chunks` refuses: a chunk size that is no count, a second iteration. */
export function checkChunksCall(chunkSize: number, iterated: boolean): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
  if (iterated) {
    throw new Error('chunks() may be called once: the file is read as a stream');
  }
}

function isBlankCell(cell: string): boolean {
  return cell.trim() === '';
}
