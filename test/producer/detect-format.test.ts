import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectFormat, SAMPLE_BYTES } from '../../src/producer/detect-format.js';
import { CsvInputError } from '../../src/producer/input-errors.js';
import { fixture, tempFilesPerTestFile } from '../support/temp-files.js';

const temp = tempFilesPerTestFile('detect-format-');
const writeTemp = temp.write;

/** ASCII rows up to `length` bytes, so that a test can place a byte exactly. */
function asciiRows(length: number): string {
  const row = 'Jean;Dupont;0611111111;jean.dupont@example.fr\n';
  const header = 'Prenom;Nom;Telephone;Email\n';
  const body = row.repeat(Math.ceil(length / row.length));
  return (header + body).slice(0, length);
}

describe('detectFormat', () => {
  describe('when the file is readable', () => {
    it('recognises a French Excel export: Windows-1252, semicolons, no BOM', async () => {
      const format = await detectFormat(fixture('excel-fr-windows-1252.csv'));

      expect(format).toEqual({ encoding: 'windows-1252', bom: false, delimiter: ';' });
    });

    it('recognises Excel\'s "CSV UTF-8": a BOM and commas', async () => {
      const format = await detectFormat(fixture('utf8-bom-comma.csv'));

      expect(format).toEqual({ encoding: 'utf-8', bom: true, delimiter: ',' });
    });

    it('recognises a tab-separated UTF-8 file without a BOM', async () => {
      const format = await detectFormat(fixture('tab-separated.tsv'));

      expect(format).toEqual({ encoding: 'utf-8', bom: false, delimiter: '\t' });
    });

    it('ignores separators inside quoted cells when choosing the delimiter', async () => {
      // Counted naively, `;` would win: two in each line against one `,`.
      const path = await writeTemp(
        'quoted-semicolons.csv',
        '"Nom; prénom; civilité",Téléphone\n"Dupont; Jean; M.",0611111111\n' +
          '"Curie; Marie; Mme",0622222222\n',
      );

      const format = await detectFormat(path);

      expect(format.delimiter).toBe(',');
    });

    it('does not take a comma inside a header cell for the delimiter', async () => {
      const path = await writeTemp(
        'comma-in-header.csv',
        'Nom, prénom;Téléphone;E-mail\nDupont Jean;0611111111;jean@example.fr\n' +
          'Curie Marie;0622222222;marie@example.fr\n',
      );

      const format = await detectFormat(path);

      expect(format.delimiter).toBe(';');
    });

    it('chooses the delimiter that splits the rows like the header, past a ragged row', async () => {
      // The header holds more commas, but only `;` splits the rows as it splits the header.
      const path = await writeTemp(
        'ragged.csv',
        'Nom, prénom, civilité;Téléphone\nDupont Jean M.;0611111111\n' +
          'Curie Marie Mme;0622222222;en poste\nRoux Léa Mme;0644444444\n',
      );

      const format = await detectFormat(path);

      expect(format.delimiter).toBe(';');
    });

    it('falls back to a comma for a file of a single column', async () => {
      const path = await writeTemp('single-column.csv', 'Téléphone\n0611111111\n0622222222\n');

      const format = await detectFormat(path);

      expect(format).toEqual({ encoding: 'utf-8', bom: false, delimiter: ',' });
    });

    it('takes a UTF-8 character cut by the end of the sample for UTF-8', async () => {
      // "é" is C3 A9: its first byte is the last byte of the sample.
      const start = Buffer.from(asciiRows(SAMPLE_BYTES - 1));
      expect(start.length).toBe(SAMPLE_BYTES - 1);
      const path = await writeTemp(
        'cut-character.csv',
        Buffer.concat([start, Buffer.from('é;Roux;0644444444;lea@example.fr\n')]),
      );

      const format = await detectFormat(path);

      expect(format.encoding).toBe('utf-8');
    });

    it('takes a UTF-8 character cut by the end of the file for Windows-1252', async () => {
      const path = await writeTemp(
        'truncated-character.csv',
        Buffer.concat([Buffer.from('Nom;Téléphone\nRoux;06'), Buffer.from([0xc3])]),
      );

      const format = await detectFormat(path);

      expect(format.encoding).toBe('windows-1252');
    });

    it('refuses UTF-8 look-alikes that strict UTF-8 forbids (an overlong form)', async () => {
      const path = await writeTemp(
        'overlong.csv',
        Buffer.concat([
          Buffer.from('Nom;Prénom\nDupont;'),
          Buffer.from([0xc0, 0xae]),
          Buffer.from('\n'),
        ]),
      );

      const format = await detectFormat(path);

      expect(format.encoding).toBe('windows-1252');
    });

    it('reads only the start of the file: a Windows-1252 byte past 64 KB goes unseen', async () => {
      const start = Buffer.from(asciiRows(SAMPLE_BYTES + 100));
      const latin = iconv.encode('Hélène;Dupré;0612345678;helene@example.fr\n', 'windows-1252');
      const path = await writeTemp('late-latin.csv', Buffer.concat([start, latin]));

      const format = await detectFormat(path);

      expect(format.encoding).toBe('utf-8');
    });
  });

  describe('when the user forces the format', () => {
    it('lets each override win over detection', async () => {
      const format = await detectFormat(fixture('excel-fr-windows-1252.csv'), {
        encoding: 'utf-8',
        delimiter: ',',
      });

      expect(format).toEqual({ encoding: 'utf-8', bom: false, delimiter: ',' });
    });

    it('reads a forced latin1 as Windows-1252', async () => {
      const format = await detectFormat(fixture('tab-separated.tsv'), { encoding: 'latin1' });

      expect(format).toEqual({ encoding: 'windows-1252', bom: false, delimiter: '\t' });
    });

    it('still refuses an unusable file', async () => {
      const detection = detectFormat(fixture('candidates.xlsx'), { encoding: 'utf-8' });

      await expect(detection).rejects.toMatchObject({ code: 'FILE_BINARY' });
    });
  });

  describe('when the file cannot be used', () => {
    it('refuses a missing file, naming it', async () => {
      const path = join(temp.dir(), 'nowhere.csv');

      const detection = detectFormat(path);

      await expect(detection).rejects.toBeInstanceOf(CsvInputError);
      await expect(detection).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', path });
      await expect(detection).rejects.toThrow(`${path}: no such file`);
    });

    it('refuses a folder', async () => {
      const path = join(temp.dir(), 'exports');
      await mkdir(path);

      const detection = detectFormat(path);

      await expect(detection).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
      await expect(detection).rejects.toThrow(`${path}: is a folder`);
    });

    it('refuses an empty file', async () => {
      const detection = detectFormat(fixture('empty.csv'));

      await expect(detection).rejects.toMatchObject({ code: 'FILE_EMPTY' });
      await expect(detection).rejects.toThrow('empty.csv: the file is empty');
    });

    it('refuses a file holding only a BOM and a line break', async () => {
      const detection = detectFormat(fixture('bom-only.csv'));

      await expect(detection).rejects.toMatchObject({ code: 'FILE_EMPTY' });
      await expect(detection).rejects.toThrow('bom-only.csv');
    });

    it('refuses a file of blank space', async () => {
      const path = await writeTemp('blank.csv', ' \r\n\t\r\n  \n');

      await expect(detectFormat(path)).rejects.toMatchObject({ code: 'FILE_EMPTY' });
    });

    it('refuses a workbook given instead of its CSV export', async () => {
      const detection = detectFormat(fixture('candidates.xlsx'));

      await expect(detection).rejects.toMatchObject({ code: 'FILE_BINARY' });
      await expect(detection).rejects.toThrow(/candidates\.xlsx: not a text file/);
    });

    it('refuses a binary file without NUL bytes by its share of control characters', async () => {
      const bytes = Buffer.alloc(400, 'a');
      for (let index = 0; index < bytes.length; index += 5) {
        bytes[index] = 0x01;
      }
      const path = await writeTemp('controls.bin', bytes);

      await expect(detectFormat(path)).rejects.toMatchObject({ code: 'FILE_BINARY' });
    });

    it('accepts a text file holding a few stray control characters', async () => {
      const path = await writeTemp(
        'vertical-tab.csv',
        'Nom;Notes\nDupont;appeler\u000ble matin\nCurie;rien\n',
      );

      await expect(detectFormat(path)).resolves.toMatchObject({ delimiter: ';' });
    });

    it('refuses Excel\'s "Unicode text" (UTF-16), saying how to save it instead', async () => {
      const detection = detectFormat(fixture('unicode-text-utf16.txt'));

      await expect(detection).rejects.toMatchObject({ code: 'ENCODING_UNSUPPORTED' });
      await expect(detection).rejects.toThrow(/UTF-16.*CSV UTF-8/);
    });
  });
});
