import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { settleCommonMobile } from '../../src/shared/phone-fast-path.js';
import { checkPhone, checkPhoneWithLibphonenumber } from '../../src/shared/phone-rules.js';

const digit = fc.constantFrom(...'0123456789');

/** 9 national digits, biased towards mobiles and the ranges next to them that /max refuses. */
const national = fc
  .oneof(
    fc.tuple(fc.constantFrom('6', '7'), fc.array(digit, { minLength: 8, maxLength: 8 })),
    fc.tuple(
      fc.constantFrom('690', '691', '692', '693', '694', '695', '698', '699', '639', '70', '71'),
      fc.array(digit, { minLength: 6, maxLength: 7 }),
    ),
    fc.tuple(fc.constantFrom('1', '2', '3', '4', '5', '8', '9'), fc.array(digit, { minLength: 8 })),
    fc.tuple(fc.constant(''), fc.array(digit, { minLength: 6, maxLength: 12 })),
  )
  .map(([start, rest]) => start + rest.join(''));

const prefix = fc.constantFrom('', '0', '33', '+33', '0033', '+330', '+33 0', '+33 (0)', '00 33');

/** What people put between digit groups, the unicode spaces of spreadsheets included. */
const separator = fc.constantFrom('', ' ', '.', '-', '  ', '\u00a0', '\u202f', '/', '..', '- ');

/** Cuts the digits in groups of 1 to 3, as phones are written. */
function writeDigits(digits: string, separators: string[], cuts: number[]): string {
  let written = '';
  let at = 0;
  let group = 0;
  while (at < digits.length) {
    const size = cuts[group % cuts.length] ?? 2;
    written +=
      (group === 0 ? '' : (separators[group % separators.length] ?? '')) +
      digits.slice(at, at + size);
    at += size;
    group += 1;
  }
  return written;
}

const mutation = fc.constantFrom(
  'none',
  'none',
  'letter',
  'extra digit',
  'drop digit',
  'edge space',
  'edge separator',
);

function mutate(phone: string, kind: string, position: number): string {
  const at = position % (phone.length + 1);
  switch (kind) {
    case 'letter':
      return `${phone.slice(0, at)}x${phone.slice(at)}`;
    case 'extra digit':
      return `${phone.slice(0, at)}5${phone.slice(at)}`;
    case 'drop digit':
      return phone.slice(0, at) + phone.slice(at + 1);
    case 'edge space':
      return ` ${phone}\u00a0`;
    case 'edge separator':
      return `${phone}.`;
    default:
      return phone;
  }
}

/** A mobile as most people type it: one kind of separator, a usual prefix, nothing else. */
const cleanPhone = fc
  .record({
    prefix: fc.constantFrom('', '0', '33', '+33', '0033'),
    mobile: fc.tuple(fc.constantFrom('6', '7'), fc.array(digit, { minLength: 8, maxLength: 8 })),
    separator: fc.constantFrom('', ' ', '.', '-'),
    cuts: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
  })
  .map(({ prefix, mobile: [first, rest], separator, cuts }) => {
    const digits = first + rest.join('');
    return prefix + (prefix === '' ? '' : separator) + writeDigits(digits, [separator], cuts);
  });

const messyPhone = fc
  .record({
    prefix,
    national,
    separators: fc.array(separator, { minLength: 1, maxLength: 4 }),
    cuts: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 4 }),
    afterPrefix: separator,
    mutation,
    position: fc.nat(),
  })
  .map(({ prefix, national, separators, cuts, afterPrefix, mutation, position }) => {
    const phone =
      prefix + (prefix === '' ? '' : afterPrefix) + writeDigits(national, separators, cuts);
    return mutate(phone, mutation, position);
  });

const typedPhone = fc.oneof(cleanPhone, messyPhone);

describe('the fast phone path', () => {
  it('gives libphonenumber /max its verdict on every form, near-misses included', () => {
    let settled = 0;

    fc.assert(
      fc.property(typedPhone, (input) => {
        if (settleCommonMobile(input) !== undefined) {
          settled += 1;
        }
        expect(checkPhone(input)).toEqual(checkPhoneWithLibphonenumber(input));
      }),
      { numRuns: 20_000, seed: 7 },
    );

    // The property would hold trivially if the fast path settled nothing.
    expect(settled).toBeGreaterThan(1_000);
  });

  it('agrees on arbitrary strings too', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), (input) => {
        expect(checkPhone(input)).toEqual(checkPhoneWithLibphonenumber(input));
      }),
      { numRuns: 5_000, seed: 11 },
    );
  });

  it.each([
    ['06 12 34 56 78', '0612345678'],
    ['07.81.23.45.67', '0781234567'],
    ['+33 6 12 34 56 78', '0612345678'],
    ['0033612345678', '0612345678'],
    ['33612345678', '0612345678'],
    ['612345678', '0612345678'],
  ])('settles the clean form %j itself', (input, nationalForm) => {
    expect(settleCommonMobile(input)?.national).toBe(nationalForm);
  });

  it.each(['0690123456', '0700123456', '0710123456', '06 12 34 56 78 9', '06\u00a012 34 56 78'])(
    'leaves the near-miss %j to libphonenumber',
    (input) => {
      expect(settleCommonMobile(input)).toBeUndefined();
    },
  );
});
