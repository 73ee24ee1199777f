import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InFileDedup } from '../../src/producer/in-file-dedup.js';

const frenchMobile = fc
  .tuple(fc.constantFrom('6', '7'), fc.integer({ min: 0, max: 99_999_999 }))
  .map(([first, rest]) => `+33${first}${String(rest).padStart(8, '0')}`);

describe('InFileDedup', () => {
  it('gives the first row of every phone seen before, as a Map would, across its growth', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(frenchMobile, fc.constantFrom('+3247012345', '+33612345678')), {
          minLength: 1,
          maxLength: 40_000,
        }),
        (phones) => {
          const dedup = new InFileDedup();
          const reference = new Map<string, number>();

          phones.forEach((phone, index) => {
            const row = index + 1;
            expect(dedup.firstRowOf(phone, row)).toBe(reference.get(phone));
            if (!reference.has(phone)) {
              reference.set(phone, row);
            }
          });
          expect(dedup.size).toBe(reference.size);
        },
      ),
      { numRuns: 30, seed: 3 },
    );
  });

  it('tells apart a million distinct phones', () => {
    const dedup = new InFileDedup();
    for (let i = 0; i < 1_000_000; i++) {
      expect(dedup.firstRowOf(`+336${String(i * 37).padStart(8, '0')}`, i + 1)).toBeUndefined();
    }

    expect(dedup.size).toBe(1_000_000);
    expect(dedup.firstRowOf(`+336${String(500 * 37).padStart(8, '0')}`, 2_000_000)).toBe(501);
  });
});
