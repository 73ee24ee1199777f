import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/producer/detect-format.js';
import { CsvInputError } from '../../src/producer/input-errors.js';
import { openCsv } from '../../src/producer/read-csv.js';
import { csvTable, writeCsvTable } from '../support/csv-arbitraries.js';
import { tempFilesPerTestFile } from '../support/temp-files.js';

const temp = tempFilesPerTestFile('read-csv-props-');

/** A run that takes longer than this is a hang: a table of 25 short rows reads in milliseconds. */
const RUN_TIMEOUT_MS = 5_000;

/** Room for fast-check to shrink a hang, a run at a time, and still print the smallest case. */
const PROPERTY_TIMEOUT = { timeout: 180_000 };

function isBlankRow(row: readonly string[]): boolean {
  return row.every((cell) => cell.trim() === '');
}

describe('openCsv, on any well-formed CSV', () => {
  it(
    'reads back the cells as written, however quoted, numbering rows by record',
    PROPERTY_TIMEOUT,
    async () => {
      let file = 0;

      await fc.assert(
        fc.asyncProperty(csvTable, async (table) => {
          const path = await temp.write(`table-${file++}.csv`, writeCsvTable(table));
          const format = { encoding: 'utf-8', bom: table.bom, delimiter: table.delimiter } as const;

          const csv = await openCsv(path, format);
          const rows: string[][] = [];
          const rowNumbers: number[] = [];
          for await (const chunk of csv.chunks(7)) {
            rows.push(...chunk.rows);
            rowNumbers.push(...chunk.rowNumbers);
          }

          // Rows of blank cells are skipped, but keep their number.
          const kept = table.rows.flatMap((row, index) => (isBlankRow(row) ? [] : [index + 1]));
          expect(csv.header).toEqual(table.header.map((cell) => cell.trim()));
          expect(rows).toEqual(kept.map((number) => table.rows[number - 1]));
          expect(rowNumbers).toEqual(kept);
        }),
        { numRuns: 300, timeout: RUN_TIMEOUT_MS },
      );
    },
  );
});

/** Plain rows enough to push what follows past the 64 KB that detection samples. */
const FILLER_ROWS = 2_300;
const FILLER_ROW = ['Ana', 'Lopez', '0612345678', 'ana@example.fr'];

/** Stands for the bad bytes while the table is written; no generated cell holds it. */
const MARKER = '\u{10FFFD}\u{10FFFC}';

/** Sequences that are not UTF-8 from their first byte, whatever follows them. */
const NOT_UTF8 = [[0xff], [0xc3, 0x41], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]];

const badByteCase = fc.record({
  table: csvTable.filter((table) => table.rows.length > 0),
  row: fc.nat(),
  cell: fc.nat(),
  at: fc.nat(),
  bytes: fc.constantFrom(...NOT_UTF8),
});

describe('openCsv, on a UTF-8 file with bytes that are not UTF-8 past its sampled start', () => {
  it('refuses it, naming the row and line that hold them', PROPERTY_TIMEOUT, async () => {
    let file = 0;

    await fc.assert(
      fc.asyncProperty(badByteCase, async ({ table, row, cell, at, bytes }) => {
        const rows = table.rows.map((cells) => [...cells]);
        const target = rows[row % rows.length] as string[];
        const cellIndex = cell % target.length;
        const text = target[cellIndex] as string;
        const cut = [...text].slice(0, at % (text.length + 1)).join('');
        target[cellIndex] = `${cut}${MARKER}${text.slice(cut.length)}`;
        const filler = Array.from({ length: FILLER_ROWS }, () => FILLER_ROW);
        // A plain header and filler first: what detection samples is text, whatever follows.
        const written = writeCsvTable({ ...table, header: FILLER_ROW, rows: [...filler, ...rows] });

        const offset = written.indexOf(MARKER);
        fc.pre(offset >= 0 && written.indexOf(MARKER, offset + 1) < 0);
        const before = written.subarray(0, offset);
        const after = written.subarray(offset + Buffer.byteLength(MARKER));
        const path = await temp.write(
          `bad-utf8-${file++}.csv`,
          Buffer.concat([before, Uint8Array.from(bytes), after]),
        );

        // The encoding as detected; the delimiter forced, as a one-column header leaves it to
        // chance, and the rows' numbers depend on it.
        const format = await detectFormat(path, { delimiter: table.delimiter });
        const failure = await (async () => {
          const csv = await openCsv(path, format);
          for await (const _ of csv.chunks()) {
            // Reading to the end, or to the refusal.
          }
        })().then(
          () => undefined,
          (error: unknown) => error,
        );

        // Line breaks before the bytes, a CRLF counting once, as a text editor counts lines.
        const lineBreaks = before.toString('utf8').match(/\r\n|\r|\n/g)?.length ?? 0;
        expect(format.encoding).toBe('utf-8');
        expect(failure).toBeInstanceOf(CsvInputError);
        expect(failure).toMatchObject({
          code: 'ENCODING_INVALID',
          row: FILLER_ROWS + (row % rows.length) + 1,
          line: lineBreaks + 1,
        });
      }),
      { numRuns: 60, timeout: RUN_TIMEOUT_MS },
    );
  });
});
