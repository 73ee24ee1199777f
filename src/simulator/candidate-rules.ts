/**
 * What the API accepts as one candidate of an add call. Every problem here refuses the item
 * alone (it appears in `errors` by its index) and never the whole request, so that one bad row
 * does not block the 99 good ones beside it.
 */

/** A candidate that passed every rule; `phone` is in the national form `0612345678`. */
export interface ValidCandidate {
  first_name: string;
  last_name: string;
  phone: string;
  email: string;
}

export type CandidateCheck = { candidate: ValidCandidate } | { error: string };

const FIELDS = ['first_name', 'last_name', 'phone', 'email'] as const;

// The three spellings the API documents, and nothing else: no dots, no 0033, no +33 6 12 ….
const NATIONAL = /^0[67]\d{8}$/;
const NATIONAL_SPACED = /^0[67]( \d{2}){4}$/;
const INTERNATIONAL = /^\+33[67]\d{8}$/;

// Syntax only: one @, no spaces, a dot in the domain.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The phone in national form `0612345678`, or undefined when the API would refuse it. */
export function normaliseFrenchMobile(phone: string): string | undefined {
  if (NATIONAL.test(phone)) {
    return phone;
  }
  if (NATIONAL_SPACED.test(phone)) {
    return phone.replaceAll(' ', '');
  }
  if (INTERNATIONAL.test(phone)) {
    return `0${phone.slice(3)}`;
  }
  return undefined;
}

/**
 * Checks one item of the `candidates` array. Messages never repeat the value they refuse:
 * callers log them, and a phone or an email is personal data.
 */
export function checkCandidate(item: unknown): CandidateCheck {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return { error: 'a candidate must be an object' };
  }

  const extra = Object.keys(item).find((field) => !(FIELDS as readonly string[]).includes(field));
  if (extra !== undefined) {
    return { error: `unexpected field "${extra}": a candidate has only ${FIELDS.join(', ')}` };
  }

  const fields = item as Record<string, unknown>;
  for (const field of FIELDS) {
    const value = fields[field];
    if (typeof value !== 'string' || value.trim() === '') {
      return { error: `${field} is required and must be a non-empty string` };
    }
  }
  const { first_name, last_name, phone, email } = fields as unknown as ValidCandidate;

  if (!EMAIL.test(email)) {
    return { error: 'email is not a valid address' };
  }
  const national = normaliseFrenchMobile(phone);
  if (national === undefined) {
    return {
      error:
        'phone must be a French mobile (06 or 07) written 0612345678, 06 12 34 56 78 or ' +
        '+33612345678',
    };
  }

  return { candidate: { first_name, last_name, phone: national, email } };
}
