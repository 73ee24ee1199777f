import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/producer/detect-format.js';
import type { CsvInputError } from '../../src/producer/input-errors.js';
import { type CsvFile, openCsv } from '../../src/producer/read-csv.js';
import { writeCandidateFile } from '../support/candidate-file.js';
import { fixture, tempFilesPerTestFile } from '../support/temp-files.js';

const temp = tempFilesPerTestFile('csv-thread-');

// The built module: only beside its built thread script can the reading thread start (Node 20
// cannot load the thread's TypeScript source). `npm test` builds dist/ before running vitest.
const built = '../../dist/producer/csv-thread.js';
const { openCsvInThread } = (await import(
  built
)) as typeof import('../../src/producer/csv-thread.js');

interface Reading {
  header: string[];
  rows: string[][];
  rowNumbers: number[];
  blankRows: number;
}

async function readAll(csv: CsvFile, chunkSize: number): Promise<Reading> {
  const reading: Reading = { header: csv.header, rows: [], rowNumbers: [], blankRows: 0 };
  for await (const chunk of csv.chunks(chunkSize)) {
    reading.rows.push(...chunk.rows);
    reading.rowNumbers.push(...chunk.rowNumbers);
  }
  reading.blankRows = csv.blankRows;
  return reading;
}

async function inThread(path: string): Promise<CsvFile> {
  const format = await detectFormat(path);
  const opening = openCsvInThread(path, format);
  if (opening === undefined) {
    throw new Error('dist/ has no reading thread: run npm run build');
  }
  return opening;
}

async function failureOf(reading: Promise<unknown>): Promise<CsvInputError> {
  const failure = await reading.then(
    () => undefined,
    (error: unknown) => error,
  );
  // The thread's error is dist/'s CsvInputError, another class than the sources' one.
  expect(failure).toMatchObject({ name: 'CsvInputError' });
  return failure as CsvInputError;
}

describe('the reading thread', () => {
  it('hands over the same rows, row numbers and blank rows as reading in line', async () => {
    const path = join(temp.dir(), 'candidates.csv');
    await writeCandidateFile(path, { rows: 7_321, seed: 5 });
    const format = await detectFormat(path);

    const threaded = await readAll(await inThread(path), 700);
    const inLine = await readAll(await openCsv(path, format), 700);

    expect(threaded.rows).toHaveLength(7_321);
    expect(threaded).toEqual(inLine);
  });

  it('refuses a malformed file with the same error, row and line as reading in line', async () => {
    const path = fixture('unclosed-quote.csv');
    const format = await detectFormat(path);

    const threaded = await failureOf(inThread(path).then((csv) => readAll(csv, 1_000)));
    const inLine = await failureOf(openCsv(path, format).then((csv) => readAll(csv, 1_000)));

    expect(threaded.code).toBe('CSV_MALFORMED');
    expect({ ...threaded, message: threaded.message }).toEqual({
      ...inLine,
      message: inLine.message,
    });
  });
});
