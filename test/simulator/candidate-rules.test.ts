import { describe, expect, it } from 'vitest';
import { checkCandidate, normaliseFrenchMobile } from '../../src/simulator/candidate-rules.js';

const valid = { first_name: 'Léa', last_name: 'Martin', phone: '0612345678', email: 'lea@ex.fr' };

describe('normaliseFrenchMobile', () => {
  it.each([
    ['0612345678', '0612345678'],
    ['0712345678', '0712345678'],
    ['06 12 34 56 78', '0612345678'],
    ['+33612345678', '0612345678'],
    ['+33712345678', '0712345678'],
  ])('accepts the documented spelling %j as %j', (phone, national) => {
    expect(normaliseFrenchMobile(phone)).toBe(national);
  });

  it.each([
    '0112345678',
    '0512345678',
    '06.12.34.56.78',
    '06-12-34-56-78',
    '0033612345678',
    '+33 6 12 34 56 78',
    '+330612345678',
    '061234567',
    '06123456789',
    '06 1234 5678',
    ' 0612345678',
    '612345678',
  ])('refuses %j', (phone) => {
    expect(normaliseFrenchMobile(phone)).toBeUndefined();
  });
});

describe('checkCandidate', () => {
  it('returns the candidate with its phone in national form', () => {
    expect(checkCandidate({ ...valid, phone: '+33712345678' })).toEqual({
      candidate: { ...valid, phone: '0712345678' },
    });
  });

  it.each([
    ['a missing field', { ...valid, email: undefined }, 'email is required'],
    ['an empty field', { ...valid, first_name: '  ' }, 'first_name is required'],
    ['a field that is not a string', { ...valid, last_name: 42 }, 'last_name is required'],
    ['an extra field', { ...valid, age: 30 }, 'unexpected field "age"'],
    ['an invalid email', { ...valid, email: 'lea@ex' }, 'email is not a valid address'],
    ['a landline', { ...valid, phone: '0145678912' }, 'phone must be a French mobile'],
    ['a string instead of an object', 'Léa Martin', 'a candidate must be an object'],
    ['null', null, 'a candidate must be an object'],
  ])('refuses %s', (_, item, message) => {
    const check = checkCandidate(item);

    expect(check).toEqual({ error: expect.stringContaining(message) });
  });

  it('never repeats the refused phone or email in its message', () => {
    const badPhone = checkCandidate({ ...valid, phone: '0145678912' });
    const badEmail = checkCandidate({ ...valid, email: 'not-an-address' });

    expect(JSON.stringify(badPhone)).not.toContain('0145678912');
    expect(JSON.stringify(badEmail)).not.toContain('not-an-address');
  });
});
