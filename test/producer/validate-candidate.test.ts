import { describe, expect, it } from 'vitest';
import type { ColumnMapping } from '../../src/producer/map-columns.js';
import { validateRow } from '../../src/producer/validate-candidate.js';

const mapping: ColumnMapping = { first_name: 0, last_name: 1, phone: 2, email: 3, external_id: 4 };

function row(overrides: Partial<Record<'first' | 'last' | 'phone' | 'email' | 'id', string>>) {
  return [
    overrides.first ?? 'Camille',
    overrides.last ?? 'Durand',
    overrides.phone ?? '06 12 34 56 78',
    overrides.email ?? 'camille.durand@example.fr',
    overrides.id ?? 'ATS-1',
  ];
}

describe('validateRow', () => {
  it('writes a valid row in the API form and keys its phone as E.164', () => {
    const verdict = validateRow(
      row({ first: '  Jean   Pierre ', email: ' Camille.Durand@Example.FR ' }),
      mapping,
    );

    expect(verdict).toEqual({
      ok: true,
      candidate: {
        first_name: 'Jean Pierre',
        last_name: 'Durand',
        phone: '0612345678',
        email: 'camille.durand@example.fr',
        externalId: 'ATS-1',
        phoneKey: '+33612345678',
      },
    });
  });

  it.each([
    '0612345678',
    '06 12 34 56 78',
    '06.12.34.56.78',
    '+33 6 12 34 56 78',
    '0033612345678',
    '33612345678',
    '612345678',
  ])('accepts the French mobile written %j', (phone) => {
    const verdict = validateRow(row({ phone }), mapping);

    expect(verdict.ok && verdict.candidate.phone).toBe('0612345678');
  });

  it.each([
    ['01 45 67 89 01', 'NOT_A_MOBILE'],
    ['+32 470 12 34 56', 'NOT_A_MOBILE'],
    ['06 12 34 56 7', 'INVALID_PHONE'],
    ['not a phone', 'INVALID_PHONE'],
    ['0690123456', 'INVALID_PHONE'],
  ])('refuses the phone %j with %s', (phone, reason) => {
    const verdict = validateRow(row({ phone }), mapping);

    expect(verdict.ok ? 'accepted' : verdict.reason).toBe(reason);
  });

  it('refuses a malformed email', () => {
    const verdict = validateRow(row({ email: 'camille@' }), mapping);

    expect(verdict.ok ? 'accepted' : verdict.reason).toBe('INVALID_EMAIL');
  });

  it('names an empty field first, whatever else is wrong with the row', () => {
    const verdict = validateRow(row({ first: '   ', phone: 'junk' }), mapping);

    expect(verdict).toMatchObject({ ok: false, reason: 'MISSING_FIELD' });
    expect(verdict.ok ? '' : verdict.message).toContain('first name is empty');
  });

  it('treats a row shorter than the header as missing fields', () => {
    const verdict = validateRow(['Camille', 'Durand'], mapping);

    expect(verdict).toMatchObject({ ok: false, reason: 'MISSING_FIELD' });
  });

  it('leaves the external id out when its cell is empty', () => {
    const verdict = validateRow(row({ id: '  ' }), mapping);

    expect(verdict.ok && verdict.candidate.externalId).toBeUndefined();
  });
});

describe('validateRow, on control characters', () => {
  // Found by validate-candidate.property.test.ts: a BEL before a name passed as it was, and a
  // NUL would have failed the batch's insert into a PostgreSQL results store.
  it('turns them into spaces in names, and drops them from the external id', () => {
    const verdict = validateRow(
      row({ first: '\u0007Jean\0Pierre', id: 'ATS\u0000-1\u0085' }),
      mapping,
    );

    expect(verdict).toMatchObject({
      ok: true,
      candidate: { first_name: 'Jean Pierre', externalId: 'ATS-1' },
    });
  });

  it('refuses a name made of nothing else as empty', () => {
    const verdict = validateRow(row({ last: '\0\u0001\u007f' }), mapping);

    expect(verdict).toMatchObject({ ok: false, reason: 'MISSING_FIELD' });
  });
});
