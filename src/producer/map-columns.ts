import { UsageError } from '../shared/exit-codes.js';

/** The candidate fields a file's columns map to. */
export const REQUIRED_FIELDS = ['first_name', 'last_name', 'phone', 'email'] as const;
export const CANDIDATE_FIELDS = [...REQUIRED_FIELDS, 'external_id'] as const;

export type CandidateField = (typeof CANDIDATE_FIELDS)[number];

/** Column index of each field in the file's rows; `external_id` only when the file has one. */
export type ColumnMapping = Record<(typeof REQUIRED_FIELDS)[number], number> & {
  external_id?: number;
};

export type MappingResult =
  | { ok: true; mapping: ColumnMapping }
  | { ok: false; missing: CandidateField[]; unknownOverrides: string[] };

/**
 * Header names as ATS and Excel exports write them, in English and French, after normalising
 * (see normaliseHeader): "Prénom" and "first name" both become "prenom" / "firstname".
 */
const aliases: Record<CandidateField, string[]> = {
  first_name: ['firstname', 'first', 'givenname', 'forename', 'prenom', 'prenoms'],
  last_name: ['lastname', 'last', 'surname', 'familyname', 'nom', 'nomdefamille', 'nomdusage'],
  phone: [
    'phone',
    'phonenumber',
    'mobile',
    'mobilephone',
    'mobilenumber',
    'cellphone',
    'cell',
    'gsm',
    'tel',
    'telephone',
    'telmobile',
    'telportable',
    'telephoneportable',
    'telephonemobile',
    'portable',
    'numero',
    'numerodetelephone',
    'numerodeportable',
  ],
  email: ['email', 'mail', 'emailaddress', 'courriel', 'adressemail', 'adresseemail'],
  external_id: [
    'id',
    'externalid',
    'candidateid',
    'identifiant',
    'idcandidat',
    'ref',
    'reference',
    'matricule',
  ],
};

/** Lowercase, without accents, spaces or punctuation: "E-mail " -> "email", "Prénom" -> "prenom". */
export function normaliseHeader(header: string): string {
  return header
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Finds the column of each candidate field. `overrides` (from `--map field=Header`) win over the
 * aliases; a header that appears twice maps by its first occurrence.
 */
export function mapColumns(
  header: readonly string[],
  overrides: Partial<Record<CandidateField, string>> = {},
): MappingResult {
  const normalised = header.map(normaliseHeader);
  const found: Partial<Record<CandidateField, number>> = {};
  const unknownOverrides: string[] = [];

  for (const field of CANDIDATE_FIELDS) {
    const override = overrides[field];
    if (override !== undefined) {
      const exact = header.indexOf(override);
      const index = exact >= 0 ? exact : normalised.indexOf(normaliseHeader(override));
      if (index < 0) {
        unknownOverrides.push(`${field}=${override}`);
      } else {
        found[field] = index;
      }
      continue;
    }

    const index = normalised.findIndex((name) => aliases[field].includes(name));
    if (index >= 0) {
      found[field] = index;
    }
  }

  const missing = REQUIRED_FIELDS.filter((field) => found[field] === undefined);
  if (missing.length > 0 || unknownOverrides.length > 0) {
    return { ok: false, missing, unknownOverrides };
  }
  return { ok: true, mapping: found as ColumnMapping };
}

/** Parses `--map` values such as `phone=Mobile perso` into overrides, or says what is wrong. */
export function parseMapOptions(
  values: readonly string[],
): Partial<Record<CandidateField, string>> {
  const overrides: Partial<Record<CandidateField, string>> = {};

  for (const value of values) {
    const separator = value.indexOf('=');
    const field = value.slice(0, separator).trim();
    const column = value.slice(separator + 1);
    if (separator <= 0 || column === '' || !isCandidateField(field)) {
      throw new UsageError(
        `--map ${JSON.stringify(value)}: expected field=Header with field one of ` +
          CANDIDATE_FIELDS.join(', '),
      );
    }
    overrides[field] = column;
  }
  return overrides;
}

function isCandidateField(name: string): name is CandidateField {
  return (CANDIDATE_FIELDS as readonly string[]).includes(name);
}
