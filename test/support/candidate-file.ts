import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mulberry32 } from '../../src/shared/seeded-random.js';

/**
 * Deterministic candidate files as recruiters' exports look: French names, every way people
 * write a French mobile, and the usual flaws (landlines, junk, bad emails, empty names,
 * duplicates). Each row's fate is known, so a test can check every counter exactly.
 */

export type RowKind =
  | 'valid'
  | 'DUPLICATE_IN_FILE'
  | 'MISSING_FIELD'
  | 'INVALID_PHONE'
  | 'NOT_A_MOBILE'
  | 'INVALID_EMAIL';

export interface GeneratedRow {
  kind: RowKind;
  fields: [id: string, firstName: string, lastName: string, phone: string, email: string];
  /** The API form of the phone, for valid rows and duplicates. */
  phone?: string;
}

export interface GenerateOptions {
  rows: number;
  seed?: number;
  /** Share of rows with a flaw (each flaw equally likely). Default 0.05. */
  invalidShare?: number;
  /** Share of rows repeating an earlier valid phone. Default 0.05. */
  duplicateShare?: number;
}

const FIRST_NAMES = [
  'Camille',
  'Léa',
  'Manon',
  'Chloé',
  'Inès',
  'Jade',
  'Louise',
  'Zoé',
  'Hélène',
  'Amélie',
  'Lucas',
  'Hugo',
  'Louis',
  'Gabriel',
  'Raphaël',
  'Arthur',
  'Jules',
  'Noé',
  'Théo',
  'François',
];
const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Dubois',
  'Thomas',
  'Robert',
  'Richard',
  'Petit',
  'Durand',
  'Leroy',
  'Moreau',
  'Simon',
  'Laurent',
  'Lefèvre',
  'Michel',
  'Garcia',
  'Fournier',
  'Lambert',
  'Faure',
  'Bonnet',
  'Girard',
  'Mercier',
  'Dupont',
  'Lemoine',
  'Chevalier',
  'Rousseau',
  'Blanc',
];

// Third digits of 06 numbers that libphonenumber's metadata holds valid for metropolitan France
// (063 and 069 are partly overseas or unassigned).
const MOBILE_THIRD_DIGITS = '01245678';
const MOBILE_SPACE = MOBILE_THIRD_DIGITS.length * 10_000_000;

/** The n-th distinct French mobile, `06…`: a stride coprime with the space visits each once. */
export function nthMobile(n: number, offset = 0): string {
  const index = (offset + n * 7_654_321) % MOBILE_SPACE;
  const third = MOBILE_THIRD_DIGITS[Math.floor(index / 10_000_000)];
  return `06${third}${String(index % 10_000_000).padStart(7, '0')}`;
}

/** The ways users write the same mobile. */
export function writePhone(phone: string, style: number): string {
  const pairs = phone.match(/../g) ?? [];
  switch (style % 7) {
    case 0:
      return phone;
    case 1:
      return pairs.join(' ');
    case 2:
      return pairs.join('.');
    case 3:
      return `+33 ${phone.slice(1, 2)} ${pairs.slice(1).join(' ')}`;
    case 4:
      return `0033${phone.slice(1)}`;
    case 5:
      return `+33${phone.slice(1)}`;
    default:
      // What Excel leaves of a phone typed as a number: the leading zero is gone.
      return phone.slice(1);
  }
}

export function* generateRows(options: GenerateOptions): Generator<GeneratedRow> {
  const random = mulberry32(options.seed ?? 1);
  const invalidShare = options.invalidShare ?? 0.05;
  const duplicateShare = options.duplicateShare ?? 0.05;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const validPhones: string[] = [];
  const flaws: RowKind[] = ['MISSING_FIELD', 'INVALID_PHONE', 'NOT_A_MOBILE', 'INVALID_EMAIL'];

  for (let i = 1; i <= options.rows; i++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const id = `ATS-${String(i).padStart(7, '0')}`;
    const email = `${ascii(first)}.${ascii(last)}.${i}@example.fr`.toLowerCase();
    const roll = random();

    if (roll < duplicateShare && validPhones.length > 0) {
      const phone = pick(validPhones);
      const fields = [id, first, last, writePhone(phone, i), email] as GeneratedRow['fields'];
      yield { kind: 'DUPLICATE_IN_FILE', fields, phone };
      continue;
    }

    if (roll < duplicateShare + invalidShare) {
      const kind = pick(flaws);
      const phone = nthMobile(i, 1);
      const fields = [id, first, last, writePhone(phone, i), email] as GeneratedRow['fields'];
      if (kind === 'MISSING_FIELD') {
        fields[1] = '  ';
      } else if (kind === 'INVALID_PHONE') {
        fields[3] = pick(['06 12 34', 'n/a', '0612345', 'téléphone perso', '+33 6 12']);
      } else if (kind === 'NOT_A_MOBILE') {
        fields[3] = pick(['01 45 67 89 01', '04 72 10 20 30', '+32 470 12 34 56']);
      } else {
        fields[4] = pick(['jean.dupont@', 'pas-d-email', 'a@b', 'x@@example.fr']);
      }
      yield { kind, fields };
      continue;
    }

    const phone = nthMobile(i);
    validPhones.push(phone);
    if (validPhones.length > 10_000) {
      validPhones.splice(0, 5_000);
    }
    yield { kind: 'valid', fields: [id, first, last, writePhone(phone, i), email], phone };
  }
}

/** Writes a generated file and returns each row's fate, in order. */
export async function writeCandidateFile(
  path: string,
  options: GenerateOptions & { delimiter?: string; header?: string[] },
): Promise<RowKind[]> {
  const delimiter = options.delimiter ?? ',';
  const header = options.header ?? ['ID', 'First name', 'Last name', 'Phone', 'Email'];
  const stream = createWriteStream(path);
  const kinds: RowKind[] = [];
  let buffer = `${header.join(delimiter)}\n`;

  for (const row of generateRows(options)) {
    kinds.push(row.kind);
    buffer += `${row.fields.map((field) => quote(field, delimiter)).join(delimiter)}\n`;
    if (buffer.length > 65_536) {
      if (!stream.write(buffer)) {
        await once(stream, 'drain');
      }
      buffer = '';
    }
  }
  stream.end(buffer);
  await once(stream, 'finish');
  return kinds;
}

function quote(field: string, delimiter: string): string {
  return field.includes(delimiter) || field.includes('"')
    ? `"${field.replaceAll('"', '""')}"`
    : field;
}

function ascii(name: string): string {
  return name.normalize('NFD').replace(/\p{Diacritic}/gu, '');
}
