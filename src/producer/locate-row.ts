import { createReadStream } from 'node:fs';
import { type CsvFormat, UTF8_BOM } from './detect-format.js';
import type { RowPlace } from './input-errors.js';

/** What to find: the start of the record with this 0-based index, or the record holding a byte. */
export type RowTarget = { record: number } | { byte: number };

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Where the walk is inside a record, as csv-parse with relax_quotes sees it. */
enum Cell {
  Start,
  Unquoted,
  Quoted,
  /** A quote inside a quoted cell: `""` goes on, anything else closes the cell. */
  QuoteInQuoted,
}

/**
 * Finds the data row and line of a place in a CSV file, to word an error. csv-parse counts
 * records but miscounts lines (a CRLF inside quotes counts twice), so this walks the raw bytes
 * again without building a cell. Records are counted as the reader counts them: an empty line
 * is a record, the header is record 0, so a record's index is its data row number. Runs only
 * once a file is refused, and stops at the target.
 */
export async function locateRow(
  path: string,
  format: CsvFormat,
  target: RowTarget,
): Promise<RowPlace> {
  const delimiter = format.delimiter.charCodeAt(0);
  const stopRecord = 'record' in target ? target.record : -1;
  const stopByte = 'byte' in target ? target.byte : -1;
  let byte = format.bom ? UTF8_BOM.length : 0;
  let record = 0;
  let line = 1;
  let recordLine = 1;
  let cell = Cell.Start;
  let afterCr = false;

  if (stopRecord === 0) {
    return { row: 0, line: 1 };
  }

  for await (const chunk of createReadStream(path, { start: byte }) as AsyncIterable<Buffer>) {
    for (let index = 0; index < chunk.length; index++, byte++) {
      if (byte === stopByte) {
        return { row: record, line };
      }
      const current = chunk[index];

      // The LF of a CRLF: the line break was counted at the CR.
      if (current === LF && afterCr) {
        afterCr = false;
        continue;
      }
      afterCr = current === CR;

      if (cell === Cell.QuoteInQuoted) {
        cell = current === QUOTE ? Cell.Quoted : Cell.Unquoted;
        if (current === QUOTE) {
          continue;
        }
      }

      if (current === LF || current === CR) {
        line++;
        if (cell !== Cell.Quoted) {
          record++;
          recordLine = line;
          cell = Cell.Start;
          if (record === stopRecord) {
            return { row: record, line: recordLine };
          }
        }
        continue;
      }

      if (cell === Cell.Quoted) {
        cell = current === QUOTE ? Cell.QuoteInQuoted : Cell.Quoted;
      } else if (current === delimiter) {
        cell = Cell.Start;
      } else if (cell === Cell.Start) {
        // A quote opens a cell only at its start; elsewhere it is a character (relax_quotes).
        cell = current === QUOTE ? Cell.Quoted : Cell.Unquoted;
      }
    }
  }

  // The target lies past the end: the file changed since it was read. Point at the last record.
  return { row: record, line: recordLine };
}
