import fc from 'fast-check';

/**
 * fast-check generators of CSV input, good and bad, for the property tests of the producer.
 * Random bytes alone rarely get past detection, so the bad files are built from the pieces
 * that trouble a CSV reader: quotes, delimiters, CR and LF, NUL, bytes that are not UTF-8,
 * a BOM; and half of them start with a header the column mapping accepts, so that their rows
 * reach validation.
 */

/** A header every run maps: `first_name,last_name,phone,email` in the given delimiter. */
export function candidateHeader(delimiter: string): string {
  return ['first_name', 'last_name', 'phone', 'email'].join(delimiter);
}

/** Pieces of text that a CSV reader must tell apart. */
const TRICKY_PIECES = [
  ',',
  ';',
  '\t',
  '"',
  '""',
  '\r',
  '\n',
  '\r\n',
  ' ',
  '\0',
  'é',
  '€',
  '\uFEFF',
  '0612345678',
  '+33 6 12 34 56 78',
  'ana@example.fr',
  'Ana',
] as const;

/** Bytes that are no text: NUL, C0 controls, lone UTF-8 lead and continuation bytes, 0xFF. */
const BAD_BYTES = [0x00, 0x01, 0x1b, 0x80, 0x81, 0x9d, 0xc3, 0xe2, 0xed, 0xf0, 0xfe, 0xff];

const piece: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...TRICKY_PIECES).map((text) => encode(text)) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map(encode) },
  { weight: 1, arbitrary: fc.constantFrom(...BAD_BYTES).map((byte) => Uint8Array.of(byte)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }) },
);

/** A value that may pass validation: few phones and emails, so that duplicates are common. */
const candidateValue: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('Ana', 'Lopez', 'Hélène', ' ', ''),
  fc.integer({ min: 0, max: 40 }).map((n) => `06 12 34 56 ${String(n).padStart(2, '0')}`),
  fc.integer({ min: 0, max: 40 }).map((n) => `ana.${n}@example.fr`),
  fc.constantFrom(...TRICKY_PIECES),
);

/** A cell as written: bare, properly quoted, or (rarely) opening a quote it never closes. */
const writtenCell: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: candidateValue },
  { weight: 3, arbitrary: candidateValue.map((value) => `"${value.replaceAll('"', '""')}"`) },
  { weight: 1, arbitrary: candidateValue.map((value) => `"${value}`) },
);

/** The four cells of a row in the header's order; most of them pass validation. */
const candidateCells: fc.Arbitrary<string[]> = fc.tuple(
  fc.constantFrom('Ana', '"Lopez, Ana"', ' Hélène ', ''),
  fc.constantFrom('Lopez', 'N’Diaye', '"Martin ""le jeune"""'),
  fc.integer({ min: 0, max: 40 }).map((n) => `06 12 34 56 ${String(n).padStart(2, '0')}`),
  fc.oneof(
    fc.integer({ min: 0, max: 40 }).map((n) => `ana.${n}@example.fr`),
    fc.constantFrom('ana@', 'not an email'),
  ),
);

/** Lines of cells in one delimiter, each ended by LF, CRLF or a lone CR. */
function candidateLines(delimiter: string): fc.Arbitrary<Buffer> {
  const cells = fc.oneof(candidateCells, fc.array(writtenCell, { minLength: 1, maxLength: 6 }));
  const line = fc
    .tuple(cells, fc.constantFrom('\n', '\r\n', '\r'))
    .map(([cells, lineBreak]) => cells.join(delimiter) + lineBreak);
  return fc.array(line, { maxLength: 30 }).map((lines) => encode(lines.join('')));
}

/** Raw bytes, a run of tricky pieces, or rows of cells that mostly look like candidates. */
function anyBody(delimiter: string): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)) },
    {
      weight: 2,
      arbitrary: fc.array(piece, { maxLength: 60 }).map((pieces) => Buffer.concat(pieces)),
    },
    { weight: 5, arbitrary: candidateLines(delimiter) },
  );
}

/** One byte that is no text, put somewhere in the body; most bodies get none. */
const strayByte = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.tuple(fc.nat(), fc.constantFrom(...BAD_BYTES)) },
);

/**
 * Any bytes a user might drop in: mostly a header that maps and rows of cells, perhaps with a
 * stray byte that is not text; sometimes after a BOM (UTF-8 or UTF-16), sometimes no header.
 */
export const anyCsvBytes: fc.Arbitrary<Buffer> = fc
  .record({
    prefix: fc.oneof(
      { weight: 8, arbitrary: fc.constant('') },
      { weight: 2, arbitrary: fc.constant('\uFEFF') },
      { weight: 1, arbitrary: fc.constant('utf16') },
    ),
    header: fc.option(fc.constantFrom(',', ';', '\t'), { freq: 4 }),
    delimiter: fc.constantFrom(',', ';', '\t'),
    stray: strayByte,
  })
  .chain(({ header, delimiter, ...rest }) =>
    anyBody(header ?? delimiter).map((body) => ({ ...rest, header, body })),
  )
  .map(({ prefix, header, body, stray }) => {
    const start = prefix === 'utf16' ? Buffer.from([0xff, 0xfe]) : encode(prefix);
    const headerLine = header === null ? Buffer.alloc(0) : encode(`${candidateHeader(header)}\n`);
    const content = Buffer.concat([headerLine, body]);
    if (stray === null) {
      return Buffer.concat([start, content]);
    }

    const [position, byte] = stray;
    const at = content.length === 0 ? 0 : position % content.length;
    return Buffer.concat([
      start,
      content.subarray(0, at),
      Uint8Array.of(byte),
      content.subarray(at),
    ]);
  });

/** A cell's text: mostly tricky pieces, so that quoting matters in nearly every row. */
export const cellText: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(fc.constantFrom(...TRICKY_PIECES), fc.string({ unit: 'grapheme', maxLength: 8 })),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''));

/** A table and how to write it: rows may be ragged, as real exports are. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  delimiter: ',' | ';' | '\t';
  lineBreak: '\n' | '\r\n' | '\r';
  bom: boolean;
  /** Whether the last row ends with a line break. */
  finalLineBreak: boolean;
  /** Which cells are quoted though they need not be, one flag per cell, row by row. */
  extraQuotes: boolean[][];
}

export const csvTable: fc.Arbitrary<CsvTable> = fc
  .record({
    header: fc.array(cellText, { minLength: 1, maxLength: 6 }),
    rows: fc.array(fc.array(cellText, { minLength: 1, maxLength: 7 }), { maxLength: 25 }),
    delimiter: fc.constantFrom(',', ';', '\t'),
    lineBreak: fc.constantFrom('\n', '\r\n', '\r'),
    bom: fc.boolean(),
    finalLineBreak: fc.boolean(),
    quoteSeed: fc.array(fc.boolean(), { minLength: 1, maxLength: 50 }),
  })
  // The reader refuses a file whose header is blank: that case has tests of its own.
  .filter(({ header }) => header.some((cell) => cell.trim() !== ''))
  .map(({ quoteSeed, ...table }) => {
    let next = 0;
    const flag = () => quoteSeed[next++ % quoteSeed.length] as boolean;
    const extraQuotes = [table.header, ...table.rows].map((row) => row.map(flag));
    return { ...table, extraQuotes };
  });

/** Writes the table as proper CSV: a cell holding a delimiter, quote or line break is quoted. */
export function writeCsvTable(table: CsvTable): Buffer {
  const lines = [table.header, ...table.rows].map((row, rowIndex) =>
    row
      .map((cell, cellIndex) => {
        const needsQuotes = /[,;\t"\r\n]/.test(cell);
        const quoted = needsQuotes || table.extraQuotes[rowIndex]?.[cellIndex] === true;
        return quoted ? `"${cell.replaceAll('"', '""')}"` : cell;
      })
      .join(table.delimiter),
  );
  const text = lines.join(table.lineBreak) + (table.finalLineBreak ? table.lineBreak : '');
  return encode(table.bom ? `\uFEFF${text}` : text);
}

function encode(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
