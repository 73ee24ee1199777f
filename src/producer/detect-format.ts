import { isUtf8 } from 'node:buffer';
import { type FileHandle, open } from 'node:fs/promises';
import { CsvInputError, fileAccessError, notAFileError } from './input-errors.js';
import { utf8TailLength } from './utf8-check.js';

/**
 * Encodings the reader decodes. Windows-1252 is what Excel writes on a French Windows when a
 * file is saved as "CSV (séparateur: point-virgule)"; "CSV UTF-8" adds a BOM.
 */
export type CsvEncoding = 'utf-8' | 'windows-1252';

export type CsvDelimiter = ',' | ';' | '\t';

/** How to read a CSV file; `detectFormat` finds it, a user may force parts of it. */
export interface CsvFormat {
  encoding: CsvEncoding;
  /** The file starts with a UTF-8 byte order mark, which the reader skips. */
  bom: boolean;
  delimiter: CsvDelimiter;
}

/** What a user may force when detection guesses wrong; each one wins over detection. */
export interface FormatOverrides {
  /** `latin1` is read as Windows-1252, see `detectFormat`. */
  encoding?: CsvEncoding | 'latin1';
  delimiter?: CsvDelimiter;
}

/** An input file opened for reading, with its size for a progress bar. */
export interface InputFile {
  handle: FileHandle;
  size: number;
}

/** Detection reads this much of the file and no more, whatever its size. */
export const SAMPLE_BYTES = 64 * 1024;

export const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const UTF16_BOMS = [Buffer.from([0xff, 0xfe]), Buffer.from([0xfe, 0xff])];

/** The header and this many rows vote for the delimiter. */
const VOTING_ROWS = 20;

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;

/**
 * Finds the encoding and delimiter of a CSV file from its first 64 KB, or refuses the file
 * with a CsvInputError: missing, unreadable, empty, binary or UTF-16.
 */
export async function detectFormat(
  path: string,
  overrides: FormatOverrides = {},
): Promise<CsvFormat> {
  const sample = await readSample(path);
  refuseUnusable(path, sample);

  const bom = sample.bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM);
  const body = bom ? sample.bytes.subarray(UTF8_BOM.length) : sample.bytes;

  // Latin-1 files in the wild are Windows-1252 files: the two agree on every printable
  // character of Latin-1, and only Windows-1252 turns 0x80-0x9F into €, œ and ’.
  const forcedEncoding = overrides.encoding === 'latin1' ? 'windows-1252' : overrides.encoding;
  const encoding = forcedEncoding ?? (bom ? 'utf-8' : detectEncoding(body, sample.wholeFile));
  const delimiter = overrides.delimiter ?? detectDelimiter(body, sample.wholeFile);

  return { encoding, bom, delimiter };
}

/** Opens the input file, refusing what is not a regular file (a pipe cannot be read twice). */
export async function openInputFile(path: string): Promise<InputFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileAccessError(path, error);
  }

  try {
    // A folder opens fine on Linux; only reading it fails.
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw notAFileError(path, stats.isDirectory());
    }
    return { handle, size: stats.size };
  } catch (error) {
    await handle.close();
    throw error instanceof CsvInputError ? error : fileAccessError(path, error);
  }
}

interface Sample {
  bytes: Buffer;
  /** The sample holds the whole file, so what ends it is the end of the file. */
  wholeFile: boolean;
}

async function readSample(path: string): Promise<Sample> {
  const { handle, size } = await openInputFile(path);

  try {
    const bytes = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
    let filled = 0;
    // One read usually fills it; a short read is allowed, so loop until the buffer or the file ends.
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) {
        break;
      }
      filled += bytesRead;
    }
    return { bytes: bytes.subarray(0, filled), wholeFile: filled >= size };
  } catch (error) {
    throw fileAccessError(path, error);
  } finally {
    await handle.close();
  }
}

function refuseUnusable(path: string, { bytes, wholeFile }: Sample): void {
  if (bytes.length === 0) {
    throw new CsvInputError('FILE_EMPTY', path, 'the file is empty');
  }

  if (UTF16_BOMS.some((bom) => bytes.subarray(0, bom.length).equals(bom))) {
    throw new CsvInputError(
      'ENCODING_UNSUPPORTED',
      path,
      'the file is in UTF-16 (Excel\'s "Unicode text"): save it from Excel as "CSV UTF-8" instead',
    );
  }

  if (looksBinary(bytes)) {
    throw new CsvInputError(
      'FILE_BINARY',
      path,
      'not a text file (an Excel workbook, an image, an archive?): open it in Excel and save it as CSV',
    );
  }

  const start = bytes.subarray(0, UTF8_BOM.length).equals(UTF8_BOM) ? UTF8_BOM.length : 0;
  if (wholeFile && isBlank(bytes.subarray(start))) {
    throw new CsvInputError('FILE_EMPTY', path, 'the file holds nothing but blank space');
  }
}

/**
 * A NUL byte never occurs in a text file in a one-byte encoding or UTF-8, and occurs within the
 * first few bytes of every workbook, image or archive. Other control characters are rare in
 * text (a stray vertical tab from Excel); past one byte in ten, the file is not text.
 */
function looksBinary(bytes: Uint8Array): boolean {
  let controls = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      return true;
    }
    if (byte < SPACE && byte !== TAB && byte !== LF && byte !== CR) {
      controls++;
    }
  }
  return controls * 10 > bytes.length;
}

function isBlank(bytes: Uint8Array): boolean {
  return bytes.every((byte) => byte === SPACE || byte === TAB || byte === LF || byte === CR);
}

/** Strict UTF-8 means UTF-8: Windows-1252 text with accents is never valid UTF-8. */
function detectEncoding(body: Buffer, wholeFile: boolean): CsvEncoding {
  const end = body.length - (wholeFile ? 0 : utf8TailLength(body));
  return isUtf8(body.subarray(0, end)) ? 'utf-8' : 'windows-1252';
}

type DelimiterCounts = Record<CsvDelimiter, number>;

/**
 * The delimiter present in the header that splits the most rows into as many cells as the
 * header; on a tie, the one the header holds most of, then `,` before `;` before tab. A file
 * with a single column has none in its header and gets `,`.
 */
function detectDelimiter(body: Buffer, wholeFile: boolean): CsvDelimiter {
  const [header, ...rows] = countDelimitersByLine(body, wholeFile);
  if (header === undefined) {
    return ',';
  }

  let best: CsvDelimiter = ',';
  let bestAgreement = -1;
  for (const delimiter of [',', ';', '\t'] as const) {
    const inHeader = header[delimiter];
    if (inHeader === 0) {
      continue;
    }

    const agreeing = rows.filter((row) => row[delimiter] === inHeader).length;
    const agreement = rows.length === 0 ? 1 : agreeing / rows.length;
    const better =
      agreement > bestAgreement || (agreement === bestAgreement && inHeader > header[best]);
    if (better) {
      best = delimiter;
      bestAgreement = agreement;
    }
  }
  return best;
}

/**
 * Counts each candidate delimiter on the first non-blank lines, outside quoted cells, so that
 * `"Dupont, Jean"` does not vote for `,`. A quote opens a cell only at its start, as csv-parse
 * reads it with relax_quotes; the start of a cell is after any of the candidates.
 */
function countDelimitersByLine(bytes: Uint8Array, wholeFile: boolean): DelimiterCounts[] {
  const lines: DelimiterCounts[] = [];
  let counts = emptyCounts();
  let quoted = false;
  let cellStart = true;
  let lineHasContent = false;

  for (let index = 0; index < bytes.length && lines.length <= VOTING_ROWS; index++) {
    const byte = bytes[index];

    if (quoted) {
      // `""` is a quote inside the cell; a lone quote closes it.
      if (byte === QUOTE && bytes[index + 1] === QUOTE) {
        index++;
      } else if (byte === QUOTE) {
        quoted = false;
      }
      continue;
    }

    if (byte === LF || byte === CR) {
      if (lineHasContent) {
        lines.push(counts);
      }
      counts = emptyCounts();
      cellStart = true;
      lineHasContent = false;
      continue;
    }

    lineHasContent = true;
    const delimiter = byte === COMMA ? ',' : byte === SEMICOLON ? ';' : byte === TAB ? '\t' : null;
    if (delimiter !== null) {
      counts[delimiter]++;
      cellStart = true;
      continue;
    }
    quoted = byte === QUOTE && cellStart;
    cellStart = false;
  }

  // A last line without its line break votes only if the file really ends there.
  if (lineHasContent && wholeFile && lines.length <= VOTING_ROWS) {
    lines.push(counts);
  }
  return lines;
}

function emptyCounts(): DelimiterCounts {
  return { ',': 0, ';': 0, '\t': 0 };
}
