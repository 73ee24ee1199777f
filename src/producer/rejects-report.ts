import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { RejectReason } from '../shared/reject-reasons.js';

/**
 * The CSV of every refused row: its number, the reason code, a message, then the row's original
 * fields. It uses the input's delimiter, so that it opens in the same spreadsheet the same way,
 * and UTF-8 with a BOM, which Excel needs to show accents right.
 */
export class RejectsReport {
  readonly path: string;
  #stream: WriteStream;
  #delimiter: string;
  #pending: string[] = [];
  #count = 0;
  #closing: Promise<void> | undefined;

  constructor(path: string, sourceHeader: readonly string[], delimiter: string) {
    this.path = path;
    this.#delimiter = delimiter;
    this.#stream = createWriteStream(path);
    this.#stream.write('\uFEFF');
    this.#pending.push(this.#line(['row', 'reason', 'message', ...sourceHeader]));
  }

  get count(): number {
    return this.#count;
  }

  add(row: number, reason: RejectReason, message: string, fields: readonly string[]): void {
    this.#pending.push(this.#line([String(row), reason, message, ...fields]));
    this.#count += 1;
  }

  /** Writes what was added since the last flush, waiting when the disk is slower than we are. */
  async flush(): Promise<void> {
    if (this.#pending.length === 0) {
      return;
    }
    const text = this.#pending.join('');
    this.#pending = [];

    if (!this.#stream.write(text)) {
      await once(this.#stream, 'drain');
    }
  }

  /**
   * Writes the rest and closes the file; calling it again waits for the same close. An import
   * that fails after closing its report closes it again in its clean-up, and a second end()
   * would wait forever for a 'finish' that came already.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.flush();
    this.#stream.end();
    await once(this.#stream, 'finish');
  }

  #line(values: readonly string[]): string {
    return formatReportLine(values, this.#delimiter);
  }
}

/** One line of a rejects report, each cell quoted where needed and made safe to open. */
export function formatReportLine(values: readonly string[], delimiter: string): string {
  return `${values.map((value) => reportCell(value, delimiter)).join(delimiter)}\r\n`;
}

function reportCell(value: string, delimiter: string): string {
  // A cell starting with = + - @ (or a tab or carriage return) is run as a formula by
  // spreadsheets: CSV injection. A leading apostrophe makes it plain text.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;

  if (safe.includes(delimiter) || /["\r\n]/.test(safe)) {
    return `"${safe.replaceAll('"', '""')}"`;
  }
  return safe;
}

/** The delimiter of an existing report, read from its header line (`row,reason,…`). */
export async function reportDelimiter(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(16), 0, 16, 0);
    const start = buffer.toString('utf8', 0, bytesRead).replace(/^\uFEFF/, '');
    return start.charAt('row'.length) || ',';
  } finally {
    await handle.close();
  }
}
