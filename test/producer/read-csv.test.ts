import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { type CsvFormat, detectFormat } from '../../src/producer/detect-format.js';
import { CsvInputError } from '../../src/producer/input-errors.js';
import { type CsvFile, openCsv, type RowChunk } from '../../src/producer/read-csv.js';
import { fixture, tempFilesPerTestFile } from '../support/temp-files.js';

const temp = tempFilesPerTestFile('read-csv-');
const writeTemp = temp.write;

/** `count` rows of a French export, without its header: `Hélène1;Dupré1;…`, CRLF. */
function candidateRows(count: number, first = 1): string {
  const lines: string[] = [];
  for (let row = first; row < first + count; row++) {
    const phone = `06${String(row).padStart(8, '0')}`;
    lines.push(`Hélène${row};Dupré${row};${phone};helene.${row}@example.fr\r\n`);
  }
  return lines.join('');
}

const HEADER = 'Prénom;Nom;Téléphone;E-mail\r\n';

async function open(path: string): Promise<CsvFile> {
  return openCsv(path, await detectFormat(path));
}

async function readAll(csv: CsvFile, chunkSize?: number): Promise<RowChunk[]> {
  const chunks: RowChunk[] = [];
  for await (const chunk of csv.chunks(chunkSize)) {
    chunks.push(chunk);
  }
  return chunks;
}

async function readRows(
  path: string,
): Promise<{ csv: CsvFile; rows: string[][]; rowNumbers: number[] }> {
  const csv = await open(path);
  const chunks = await readAll(csv);
  return {
    csv,
    rows: chunks.flatMap((chunk) => chunk.rows),
    rowNumbers: chunks.flatMap((chunk) => chunk.rowNumbers),
  };
}

/** The error a read rejects with, for assertions on several of its fields. */
async function failureOf(reading: Promise<unknown>): Promise<CsvInputError> {
  const error = await reading.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(CsvInputError);
  return error as CsvInputError;
}

describe('openCsv', () => {
  describe('when the file is well formed', () => {
    it('decodes a French Excel export written in Windows-1252', async () => {
      const { csv, rows } = await readRows(fixture('excel-fr-windows-1252.csv'));

      expect(csv.header).toEqual(['Prénom', 'Nom', 'Téléphone', 'E-mail']);
      expect(rows).toEqual([
        ['Hélène', 'Dupré', '06 12 34 56 78', 'helene.dupre@example.fr'],
        ['Jérôme', 'Lefèvre', '0698765432', 'jerome.lefevre@example.fr'],
        ['François', 'Garçon', '+33 6 11 22 33 44', 'francois.garcon@example.fr'],
        ['Zoë', 'Cœur', '07 55 44 33 22', 'zoe.coeur@example.fr'],
        ['Aïssatou', 'N’Diaye', '06 01 02 03 04', 'aissatou.ndiaye@example.fr'],
      ]);
    });

    it("skips Excel's blank ;;; rows and counts them", async () => {
      const { csv, rowNumbers } = await readRows(fixture('excel-fr-windows-1252.csv'));

      expect(rowNumbers).toEqual([1, 2, 3, 4, 5]);
      expect(csv.blankRows).toBe(1);
    });

    it('reads a UTF-8 file with a BOM, whose header loses the BOM and blank space', async () => {
      const { csv, rows } = await readRows(fixture('utf8-bom-comma.csv'));

      expect(csv.header).toEqual(['first_name', 'last_name', 'phone', 'email']);
      expect(rows).toEqual([
        ['Amélie', 'Poulain', '0612345678', 'amelie.poulain@example.fr'],
        ['Noël', 'Crémieux', '0687654321', 'noel.cremieux@example.fr'],
      ]);
    });

    it('strips a BOM that the format did not announce', async () => {
      const path = fixture('utf8-bom-comma.csv');
      const format: CsvFormat = { encoding: 'utf-8', bom: false, delimiter: ',' };

      const csv = await openCsv(path, format);
      csv.close();

      expect(csv.header[0]).toBe('first_name');
    });

    it('reads a tab-separated file', async () => {
      const { csv, rows } = await readRows(fixture('tab-separated.tsv'));

      expect(csv.header).toEqual(['Prénom', 'Nom', 'Téléphone', 'E-mail']);
      expect(rows[1]).toEqual(['Inès', 'Durand', '06 50 60 70 80', 'ines.durand@example.fr']);
    });

    it('keeps separators, doubled quotes and line breaks inside quoted cells', async () => {
      const { rows } = await readRows(fixture('quoted-fields.csv'));

      expect(rows[0]?.[1]).toBe('Dupont, dit "Jojo"');
      expect(rows[1]?.[4]).toBe('adresse :\r\n12 rue des Écoles\r\n75005 Paris');
      expect(rows[3]?.[4]).toBe('disponible; le soir');
      expect(rows.map((row) => row.length)).toEqual([5, 5, 5, 5]);
    });

    it('numbers rows by record, so a line break inside quotes does not shift the next row', async () => {
      const { rows, rowNumbers } = await readRows(fixture('quoted-fields.csv'));

      expect(rowNumbers).toEqual([1, 2, 3, 4]);
      expect(rows[2]?.[0]).toBe('Paul');
    });

    it('keeps a stray quote inside an unquoted cell as a character', async () => {
      const { rows } = await readRows(fixture('quoted-fields.csv'));

      expect(rows[2]?.[1]).toBe('Martin "le jeune"');
    });

    it('hands over short and long rows as they are, for the validator to reject', async () => {
      const { rows, rowNumbers } = await readRows(fixture('ragged-rows.csv'));

      expect(rows.map((row) => row.length)).toEqual([4, 3, 5]);
      expect(rows[2]?.[4]).toBe('en poste');
      expect(rowNumbers).toEqual([1, 2, 3]);
    });

    it('reads a file with a header and no row as zero rows', async () => {
      const { csv, rows } = await readRows(fixture('header-only.csv'));

      expect(csv.header).toEqual(['Prénom', 'Nom', 'Téléphone', 'E-mail']);
      expect(rows).toEqual([]);
    });

    it("counts an empty line as a row, so that row numbers follow Excel's", async () => {
      const path = await writeTemp(
        'empty-line.csv',
        `${HEADER}${candidateRows(1)}\r\n${candidateRows(1, 3)}`,
      );

      const { csv, rows, rowNumbers } = await readRows(path);

      expect(rowNumbers).toEqual([1, 3]);
      expect(rows[1]?.[0]).toBe('Hélène3');
      expect(csv.blankRows).toBe(1);
    });

    it('reads a character cut between two reads of the file', async () => {
      // The first read stops after 64 KiB: "é" is C3 A9, and C3 is the last byte of that read.
      const filler = `Prenom;Nom;Telephone;Email\n${'Jean;Dupont;0611111111;jean@example.fr\n'.repeat(2000)}`;
      const start = Buffer.from(filler).subarray(0, 64 * 1024 - 1);
      const path = await writeTemp(
        'cut-between-reads.csv',
        Buffer.concat([start, Buffer.from('é;Roux;0644444444;lea@example.fr\n')]),
      );

      const { rows } = await readRows(path);

      const last = rows.at(-1) ?? [];
      expect(last.slice(-4)).toEqual([
        expect.stringMatching(/jeané$/),
        'Roux',
        '0644444444',
        'lea@example.fr',
      ]);
      expect(rows.flat().join('')).not.toContain('\uFFFD');
    });
  });

  describe('when rows are read in chunks', () => {
    it('cuts 2,500 rows into chunks of 1,000, 1,000 and 500, numbered in order', async () => {
      const path = await writeTemp('2500-rows.csv', HEADER + candidateRows(2500));
      const csv = await open(path);

      const chunks = await readAll(csv, 1000);

      expect(chunks.map((chunk) => chunk.rows.length)).toEqual([1000, 1000, 500]);
      expect(chunks[1]?.rowNumbers[0]).toBe(1001);
      expect(chunks[2]?.rowNumbers.at(-1)).toBe(2500);
      expect(chunks[2]?.rows.at(-1)?.[0]).toBe('Hélène2500');
    });

    it('reports progress in bytes, up to the size of the file', async () => {
      const path = await writeTemp('progress.csv', HEADER + candidateRows(2500));
      const csv = await open(path);

      await readAll(csv, 1000);

      const { size } = await stat(path);
      expect(csv.size).toBe(size);
      expect(csv.bytesRead).toBe(size);
    });

    it('reads only a few chunks ahead of a busy consumer, whatever the size of the file', async () => {
      const path = await writeTemp('100k-rows.csv', HEADER + candidateRows(100_000));
      const csv = await open(path);
      const readAhead: number[] = [];

      for await (const _chunk of csv.chunks(1000)) {
        // The consumer is busy with its first chunk: the reader must wait for it.
        await delay(200);
        readAhead.push(csv.bytesRead);
        await delay(200);
        readAhead.push(csv.bytesRead);
        break;
      }

      const [early = 0, late] = readAhead;
      expect(late).toBe(early);
      expect(early).toBeGreaterThan(0);
      expect(early).toBeLessThan(csv.size / 10);
    });

    it('stops reading when the consumer stops early', async () => {
      const path = await writeTemp('stop-early.csv', HEADER + candidateRows(100_000));
      const csv = await open(path);

      for await (const _chunk of csv.chunks(1000)) {
        break;
      }
      const readWhenStopped = csv.bytesRead;
      await delay(50);

      expect(csv.bytesRead).toBe(readWhenStopped);
      expect(csv.bytesRead).toBeLessThan(csv.size);
    });

    it('refuses a chunk size that is not a positive integer', async () => {
      const csv = await open(fixture('ragged-rows.csv'));

      expect(() => csv.chunks(0)).toThrow(RangeError);
      expect(() => csv.chunks(2.5)).toThrow('chunkSize must be a positive integer, got 2.5');
      csv.close();
    });

    it('refuses a second iteration, since the file is read once', async () => {
      const csv = await open(fixture('ragged-rows.csv'));
      await readAll(csv);

      expect(() => csv.chunks()).toThrow('chunks() may be called once');
    });

    it('stops with an AbortError when the signal aborts', async () => {
      const path = await writeTemp('abort.csv', HEADER + candidateRows(100_000));
      const controller = new AbortController();
      const csv = await openCsv(path, await detectFormat(path), { signal: controller.signal });

      const reading = (async () => {
        for await (const _chunk of csv.chunks(1000)) {
          controller.abort();
        }
      })();

      await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
      expect(csv.bytesRead).toBeLessThan(csv.size);
    });

    it('does not open the file when the signal has already aborted', async () => {
      const path = fixture('ragged-rows.csv');
      const format = await detectFormat(path);

      const opening = openCsv(path, format, { signal: AbortSignal.abort() });

      await expect(opening).rejects.toMatchObject({ name: 'AbortError' });
    });
  });

  describe('when the file is refused', () => {
    it('names the row and line of a quote that never closes', async () => {
      const path = fixture('unclosed-quote.csv');

      const error = await failureOf(readRows(path));

      expect(error.code).toBe('CSV_MALFORMED');
      expect({ row: error.row, line: error.line }).toEqual({ row: 3, line: 5 });
      expect(error.message).toBe(
        `${path}: unclosed quote starting at row 3 (line 5): check for a stray " in that row`,
      );
    });

    it('stops at 1 MB a quote that swallows the rest of a large file, naming where it opens', async () => {
      const rest = `${'x'.repeat(99)}\n`.repeat(12_000);
      const path = await writeTemp(
        'runaway-quote.csv',
        `${HEADER}${candidateRows(1)}Marie;"Curie\r\nnée Skłodowska";0622222222;marie@example.fr\r\n` +
          `Paul;"Martin;0633333333;paul.martin@example.fr\r\n${rest}`,
      );

      const error = await failureOf(readRows(path));

      expect(error.code).toBe('CSV_MALFORMED');
      expect({ row: error.row, line: error.line }).toEqual({ row: 3, line: 5 });
      expect(error.message).toContain('row 3 (line 5) runs on for more than 1 MB');
    });

    it('refuses a UTF-8 file that turns to Windows-1252 past its sampled start', async () => {
      const utf8 = Buffer.from(HEADER + candidateRows(1799));
      const latin = iconv.encode(candidateRows(1, 1800), 'windows-1252');
      const path = await writeTemp('mixed.csv', Buffer.concat([utf8, latin]));
      expect(utf8.length).toBeGreaterThan(64 * 1024);

      const error = await failureOf(readRows(path));

      expect(error.code).toBe('ENCODING_INVALID');
      expect({ row: error.row, line: error.line }).toEqual({ row: 1800, line: 1801 });
      expect(error.message).toMatch(/^.*mixed\.csv: row 1800 \(line 1801\) is not valid UTF-8/);
    });

    it('refuses a file whose first row is empty', async () => {
      const path = await writeTemp('blank-header.csv', `;;;\r\n${candidateRows(2)}`);

      const error = await failureOf(open(path));

      expect(error.code).toBe('HEADER_MISSING');
      expect(error.message).toBe(`${path}: the first row is empty, but it must name the columns`);
    });

    it('refuses a file that disappeared since its format was detected', async () => {
      const path = await writeTemp('gone.csv', HEADER);
      const format = await detectFormat(path);
      await rm(path);

      const error = await failureOf(openCsv(path, format));

      expect(error.code).toBe('FILE_NOT_FOUND');
    });

    it('refuses a folder', async () => {
      const path = join(temp.dir(), 'a-folder.csv');
      await mkdir(path);
      const format: CsvFormat = { encoding: 'utf-8', bom: false, delimiter: ';' };

      const error = await failureOf(openCsv(path, format));

      expect(error.code).toBe('FILE_UNREADABLE');
      expect(error.message).toBe(`${path}: is a folder, not a CSV file`);
    });
  });
});
