import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openCsv } from '../../src/producer/read-csv.js';
import { csvTable, writeCsvTable } from '../support/csv-arbitraries.js';
import { tempFilesPerTestFile } from '../support/temp-files.js';

const temp = tempFilesPerTestFile('read-csv-props-');

/** A run that takes longer than this is a hang: a table of 25 short rows reads in milliseconds. */
const RUN_TIMEOUT_MS = 5_000;

function isBlankRow(row: readonly string[]): boolean {
  return row.every((cell) => cell.trim() === '');
}

describe('openCsv, on any well-formed CSV', () => {
  it('reads back the cells as written, however quoted, numbering rows by record', async () => {
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
  });
});
