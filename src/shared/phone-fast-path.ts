import { Metadata } from 'libphonenumber-js/max';

/**
 * The fast path of checkPhone: settles the clean ways of writing a French mobile in ~1 µs,
 * against 7–15 µs for libphonenumber (shared/field-notes.md), and hands everything else back.
 * It accepts only what libphonenumber `/max` accepts, with the same national and E.164 forms,
 * and never refuses: a near-miss (0690, 070, a letter, a digit too many) always gets
 * libphonenumber's own verdict. test/shared/phone-fast-path.test.ts checks the agreement on
 * generated inputs of every form.
 */

/** A French mobile the fast path settled. */
export interface FastMobile {
  /** `0612345678` */
  national: string;
  /** `+33612345678` */
  e164: string;
}

/** Digits, with single spaces, dots or dashes between them, and an optional leading `+`. */
const CLEAN_SHAPE = /^\+?\d+(?:[ .-]\d+)*$/;
const SEPARATORS = /[ .-]/g;

/** Longer than `+33 6 12 34 56 78` with a separator between every digit is not clean. */
const MAX_CLEAN_LENGTH = 25;

/**
 * Once the separators are gone, the length alone tells the prefix before the 9-digit national
 * number: none (Excel ate the 0), `0`, `33`, `+33` or `0033`.
 */
const PREFIX_BY_LENGTH: ReadonlyMap<number, string> = new Map([
  [9, ''],
  [10, '0'],
  [11, '33'],
  [12, '+33'],
  [13, '0033'],
]);

/** The types libphonenumber's getType() tries; a number matching two is left to it. */
const OTHER_TYPES = [
  'FIXED_LINE',
  'PREMIUM_RATE',
  'TOLL_FREE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

/** The parts of libphonenumber's numbering plan read here; its typings do not declare them. */
interface PlanInternals {
  nationalNumberPattern(): string;
  type(name: string): { pattern(): string } | undefined;
}

interface MobileRanges {
  /** Every pattern a French mobile's 9 digits must match: the general one and MOBILE's. */
  required: RegExp[];
  /** The other types' patterns, none of which it may match. */
  excluded: RegExp[];
}

/**
 * The ranges come from libphonenumber's own metadata, so that an update moves both paths
 * together. Should a later version change its internals, the fast path turns itself off
 * (every phone goes to libphonenumber): slower, never wrong.
 */
const ranges = frenchMobileRanges();

/** The verdict for the common clean forms, or undefined when libphonenumber must decide. */
export function settleCommonMobile(input: string): FastMobile | undefined {
  if (ranges === undefined || input.length > MAX_CLEAN_LENGTH || !CLEAN_SHAPE.test(input)) {
    return undefined;
  }

  const compact = input.replace(SEPARATORS, '');
  const prefix = PREFIX_BY_LENGTH.get(compact.length);
  if (prefix === undefined || !compact.startsWith(prefix)) {
    return undefined;
  }

  const national = compact.slice(prefix.length);
  for (const pattern of ranges.required) {
    if (!pattern.test(national)) {
      return undefined;
    }
  }
  for (const pattern of ranges.excluded) {
    if (pattern.test(national)) {
      return undefined;
    }
  }
  return { national: `0${national}`, e164: `+33${national}` };
}

function frenchMobileRanges(): MobileRanges | undefined {
  try {
    const metadata = new Metadata();
    metadata.selectNumberingPlan('FR');
    const plan = metadata.numberingPlan as unknown as PlanInternals | undefined;
    const mobile = plan?.type('MOBILE')?.pattern();
    const general = plan?.nationalNumberPattern();
    if (plan === undefined || typeof mobile !== 'string' || typeof general !== 'string') {
      return undefined;
    }

    const excluded = OTHER_TYPES.flatMap((type) => {
      const pattern = plan.type(type)?.pattern();
      return typeof pattern === 'string' ? [anchored(pattern)] : [];
    });
    return { required: [anchored(general), anchored(mobile)], excluded };
  } catch {
    return undefined;
  }
}

function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}
