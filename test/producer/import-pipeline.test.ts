import { describe, expect, it } from 'vitest';
import { ImportPipeline } from '../../src/producer/import-pipeline.js';
import type { ColumnMapping } from '../../src/producer/map-columns.js';
import { nthMobile } from '../support/candidate-file.js';

const mapping: ColumnMapping = { first_name: 0, last_name: 1, phone: 2, email: 3 };

function rowsFrom(first: number, count: number): { rows: string[][]; rowNumbers: number[] } {
  const rows: string[][] = [];
  const rowNumbers: number[] = [];
  for (let row = first; row < first + count; row++) {
    rows.push(['Ana', 'Lopez', nthMobile(row), `ana${row}@example.fr`]);
    rowNumbers.push(row);
  }
  return { rows, rowNumbers };
}

describe('ImportPipeline', () => {
  it('fills batches of exactly 100 across chunk edges; only the last is smaller', async () => {
    const pipeline = new ImportPipeline(mapping, () => {});
    const batches = [];

    for (let first = 1; first <= 1_000; first += 333) {
      const { rows, rowNumbers } = rowsFrom(first, Math.min(333, 1_001 - first));
      batches.push(...(await pipeline.processChunk(rows, rowNumbers)));
    }
    batches.push(...pipeline.finish());

    expect(batches.map((batch) => batch.length)).toEqual([...Array(10).fill(100)]);
    expect(batches.flat().map((candidate) => candidate.row)).toEqual(
      Array.from({ length: 1_000 }, (_, i) => i + 1),
    );
  });

  it('keeps the first of two rows with the same phone written differently', async () => {
    const refused: Array<[number, string, string]> = [];
    const pipeline = new ImportPipeline(mapping, (row, reason, message) =>
      refused.push([row, reason, message]),
    );

    await pipeline.processChunk(
      [
        ['Ana', 'Lopez', '06 12 34 56 78', 'ana@example.fr'],
        ['Ben', 'Morel', '+33612345678', 'ben@example.fr'],
      ],
      [7, 9],
    );
    const [batch] = pipeline.finish();

    expect(batch?.map((candidate) => candidate.row)).toEqual([7]);
    expect(refused).toEqual([[9, 'DUPLICATE_IN_FILE', 'same phone as row 7']]);
    expect(pipeline.counts).toMatchObject({ rows: 2, valid: 1, duplicates: 1, invalid: 0 });
  });

  it('asks once per chunk which phones were already sent, and counts them apart', async () => {
    const lookups: string[][] = [];
    const pipeline = new ImportPipeline(
      mapping,
      () => {},
      async (phoneKeys) => {
        lookups.push([...phoneKeys]);
        return new Set([phoneKeys[0] as string]);
      },
    );
    const { rows, rowNumbers } = rowsFrom(1, 5);

    await pipeline.processChunk(rows, rowNumbers);

    expect(lookups).toHaveLength(1);
    expect(lookups[0]).toHaveLength(5);
    expect(pipeline.counts).toMatchObject({ rows: 5, valid: 4, alreadySent: 1 });
  });

  it('counts invalid rows by reason', async () => {
    const pipeline = new ImportPipeline(mapping, () => {});

    await pipeline.processChunk(
      [
        ['', 'Lopez', '0612345678', 'a@example.fr'],
        ['Ben', 'Morel', '0145678901', 'b@example.fr'],
        ['Cleo', 'Roy', '0623456789', 'nope'],
      ],
      [1, 2, 3],
    );

    expect(pipeline.counts.invalidByReason).toEqual({
      MISSING_FIELD: 1,
      NOT_A_MOBILE: 1,
      INVALID_EMAIL: 1,
    });
  });
});
