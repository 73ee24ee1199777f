import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ColumnMapping } from '../../src/producer/map-columns.js';
import { validateRow } from '../../src/producer/validate-candidate.js';
import type { RejectReason } from '../../src/shared/reject-reasons.js';

/** What validation alone refuses a row for; duplicates and earlier sends are judged later. */
const ROW_REASONS: readonly RejectReason[] = [
  'MISSING_FIELD',
  'INVALID_PHONE',
  'NOT_A_MOBILE',
  'INVALID_EMAIL',
];

/** C0 and C1 control characters, NUL among them. */
const CONTROL = /\p{Cc}/u;

/** Any text at all, lone surrogates and control characters included, up to a few KB. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('\0', '\u0085', '\ud800', '\udfff', ' ', '\u00a0', '\t') }),
  fc.string({ unit: 'grapheme', minLength: 1_000, maxLength: 4_000 }),
);

/** Values that pass, or nearly: each field of a valid row, with noise around it. */
const nearlyValid = fc.oneof(
  fc.constantFrom('Ana', ' Jean  Pierre ', 'N’Diaye', 'ATS-1', ''),
  fc.constantFrom('06 12 34 56 78', '+33 7 81 23 45 67', '0033612345678', '612345678'),
  fc.constantFrom('01 45 67 89 01', '+32 470 12 34 56', '06 12 34', 'n/a'),
  fc.constantFrom('ana@example.fr', ' Ana.Lopez@Example.FR ', 'ana@', 'a@b'),
);

const noise = fc.constantFrom('', ' ', '\0', '\t', '\u0007', '\u0085', '\r\n', '\ud800');

const field = fc.oneof(
  { weight: 2, arbitrary: anyText },
  {
    weight: 3,
    arbitrary: fc
      .tuple(noise, nearlyValid, noise)
      .map(([before, value, after]) => `${before}${value}${after}`),
  },
);

/** Columns anywhere in a row of up to 8 cells, or past its end (a short row). */
const mapping: fc.Arbitrary<ColumnMapping> = fc.record(
  {
    first_name: fc.nat(9),
    last_name: fc.nat(9),
    phone: fc.nat(9),
    email: fc.nat(9),
    external_id: fc.nat(9),
  },
  { requiredKeys: ['first_name', 'last_name', 'phone', 'email'] },
);

describe('validateRow, on any strings', () => {
  it('never throws, and refuses with a known reason and a message, or accepts clean values', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 8 }), mapping, (fields, columns) => {
        const verdict = validateRow(fields, columns);

        if (!verdict.ok) {
          expect(ROW_REASONS).toContain(verdict.reason);
          expect(verdict.message.trim()).not.toBe('');
          return;
        }

        const { candidate } = verdict;
        for (const name of [candidate.first_name, candidate.last_name]) {
          expect(name).not.toBe('');
          expect(name).toBe(name.trim());
          // PostgreSQL refuses a NUL in text, and no API wants a control character in a name.
          expect(name).not.toMatch(CONTROL);
        }
        expect(candidate.externalId ?? 'none').not.toMatch(CONTROL);
        expect(candidate.externalId).not.toBe('');
        expect(candidate.phone).toMatch(/^0[67]\d{8}$/);
        expect(candidate.phoneKey).toBe(`+33${candidate.phone.slice(1)}`);
        expect(candidate.email).toBe(candidate.email.trim().toLowerCase());
        expect(candidate.email).toContain('@');
      }),
      { numRuns: 3_000 },
    );
  });
});
