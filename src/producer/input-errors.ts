/**
 * Why an input file is refused as a whole. Codes are stable: the CLI and tests match on them,
 * never on the wording, so a retired code is never reused for something else.
 */
export type CsvInputErrorCode =
  /** No file at that path. */
  | 'FILE_NOT_FOUND'
  /** The path exists but cannot be read: a folder, missing permission, a disk error. */
  | 'FILE_UNREADABLE'
  /** Nothing but a BOM or blank space. */
  | 'FILE_EMPTY'
  /** Not a text file: a workbook, an image, an archive. */
  | 'FILE_BINARY'
  /** A text encoding the reader does not decode (UTF-16, Excel's "Unicode text"). */
  | 'ENCODING_UNSUPPORTED'
  /** Bytes that are not valid in the file's encoding, past the sample that chose it. */
  | 'ENCODING_INVALID'
  /** Quotes that never close, or a row too long to be one. */
  | 'CSV_MALFORMED'
  /** The first row is empty, or there is no row at all. */
  | 'HEADER_MISSING'
  /** No column for a required candidate field, or `--map` names a column the file lacks. */
  | 'COLUMNS_MISSING';

/** Where in the file a problem is, in the terms of the rejects report and of a text editor. */
export interface RowPlace {
  /** Data row number: the header is row 0, the first record after it row 1. */
  row: number;
  /** 1-based line of the file, as a text editor counts them. */
  line: number;
}

/** The input file is refused as a whole; the message names the file and, when known, the row. */
export class CsvInputError extends Error {
  override name = 'CsvInputError';
  readonly code: CsvInputErrorCode;
  readonly path: string;
  readonly row: number | undefined;
  readonly line: number | undefined;

  /** `problem` is worded for a recruiter; the message prefixes it with the file's path. */
  constructor(
    code: CsvInputErrorCode,
    path: string,
    problem: string,
    place?: RowPlace,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${problem}`, options);
    this.code = code;
    this.path = path;
    this.row = place?.row;
    this.line = place?.line;
  }
}

/** Turns a failed open, stat or read of the input file into the error a user can act on. */
export function fileAccessError(path: string, error: unknown): CsvInputError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const cause = { cause: error };

  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new CsvInputError('FILE_NOT_FOUND', path, 'no such file', undefined, cause);
  }
  if (code === 'EISDIR') {
    return notAFileError(path, true);
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new CsvInputError('FILE_UNREADABLE', path, 'permission denied', undefined, cause);
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new CsvInputError('FILE_UNREADABLE', path, `cannot be read (${reason})`, undefined, cause);
}

/** The path names a folder, a pipe or a device: the reader needs a regular file it can read twice. */
export function notAFileError(path: string, isFolder: boolean): CsvInputError {
  const problem = isFolder ? 'is a folder, not a CSV file' : 'is not a regular file';
  return new CsvInputError('FILE_UNREADABLE', path, problem);
}

/** The first row, which must name the columns, is empty, or the file has no row at all. */
export function headerMissingError(path: string): CsvInputError {
  const problem = 'the first row is empty, but it must name the columns';
  return new CsvInputError('HEADER_MISSING', path, problem, { row: 0, line: 1 });
}

/** Read as UTF-8, but not UTF-8 throughout: typically two exports pasted together. */
export function mixedEncodingError(
  path: string,
  place: RowPlace | undefined,
  cause: Error,
): CsvInputError {
  const problem =
    `${describePlace(place)} is not valid UTF-8, though the file is read as UTF-8: it probably ` +
    'mixes two encodings; save it again from Excel as "CSV UTF-8"';
  return new CsvInputError('ENCODING_INVALID', path, problem, place, { cause });
}

/**
 * What csv-parse refused, in a recruiter's words. With relax_quotes, what remains is a quote
 * that opens a cell and never closes: csv-parse meets the end of the file, or the row grows past
 * the reader's bound, still inside the cell.
 */
export function malformedCsvError(
  path: string,
  cause: Error & { code?: unknown },
  place: RowPlace | undefined,
): CsvInputError {
  const where = describePlace(place);
  const options = { cause };

  if (cause.code === 'CSV_QUOTE_NOT_CLOSED') {
    const problem = `unclosed quote starting at ${where}: check for a stray " in that row`;
    return new CsvInputError('CSV_MALFORMED', path, problem, place, options);
  }
  // The bound is MAX_ROW_BYTES in read-csv.ts. csv-parse tells whether the row was inside a
  // quoted cell when it grew past it; a row without one is really that long (a pasted
  // document, 100,000 long column names), and blaming a quote would send the user looking
  // for one that is not there.
  if (cause.code === 'CSV_MAX_RECORD_SIZE') {
    const problem =
      (cause as { quoting?: unknown }).quoting === false
        ? `${where} runs on for more than 1 MB, more than a row may hold: shorten its cells`
        : `${where} runs on for more than 1 MB: a quote opened in that row is probably never ` +
          'closed; check for a stray " in that row';
    return new CsvInputError('CSV_MALFORMED', path, problem, place, options);
  }
  const problem = `${where} cannot be read as CSV (${cause.message})`;
  return new CsvInputError('CSV_MALFORMED', path, problem, place, options);
}

/** Columns a message names: enough to recognise the file, never the whole of a huge header. */
const LISTED_COLUMNS = 20;
const LISTED_NAME_LENGTH = 40;

/**
 * The header's columns for a message, `"Prénom", "Nom", "Courriel"`: the first 20, each cut to
 * 40 characters, then how many there are in all. A header of 100,000 columns would otherwise
 * make a message of a megabyte.
 */
export function describeColumns(header: readonly string[]): string {
  const listed = header.slice(0, LISTED_COLUMNS).map((name) => {
    const cut = name.length > LISTED_NAME_LENGTH ? `${name.slice(0, LISTED_NAME_LENGTH)}…` : name;
    return JSON.stringify(cut);
  });

  if (header.length <= LISTED_COLUMNS) {
    return listed.join(', ');
  }
  const more = (header.length - LISTED_COLUMNS).toLocaleString('en-US');
  const all = header.length.toLocaleString('en-US');
  return `${listed.join(', ')} and ${more} more (${all} columns)`;
}

/** "row 42 (line 43)", "the header (line 1)" for row 0, "one row" when the place is unknown. */
function describePlace(place: RowPlace | undefined): string {
  if (place === undefined) {
    return 'one row';
  }
  const row = place.row === 0 ? 'the header' : `row ${place.row}`;
  return `${row} (line ${place.line})`;
}
