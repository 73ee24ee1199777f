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

  it('tells apart 300,000 distinct phones, through five growths of its table', () => {
    const dedup = new InFileDedup();
    const phone = (i: number) => `+336${String(i * 37).padStart(8, '0')}`;
    let seenBefore = 0;
    for (let i = 0; i < 300_000; i++) {
      if (dedup.firstRowOf(phone(i), i + 1) !== undefined) {
        seenBefore += 1;
      }
    }

    expect(seenBefore).toBe(0);
    expect(dedup.size).toBe(300_000);
    expect(dedup.firstRowOf(phone(500), 2_000_000)).toBe(501);
    expect(dedup.firstRowOf(phone(299_999), 2_000_001)).toBe(300_000);
  });
});
