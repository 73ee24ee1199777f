// The "max" metadata, not the default "min": with "min", isValid() accepts numbers that are not
// valid (about 0.6% of a realistic French file) and getType() is always undefined
// (shared/field-notes.md).
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { settleCommonMobile } from './phone-fast-path.js';

export type PhoneRefusal = 'INVALID_PHONE' | 'NOT_A_MOBILE';

export type PhoneVerdict =
  | {
      ok: true;
      /** The API's form: `0612345678`. */
      national: string;
      /** `+33612345678`: the dedup key. */
      e164: string;
    }
  | { ok: false; reason: PhoneRefusal; message: string };

/**
 * Decides whether a phone as a user typed it is a French mobile the API takes, and writes it in
 * the API's form. Accepts every usual way of writing one (spaces, dots, dashes, +33, 0033, 33,
 * and the 9 digits Excel leaves after eating the leading zero).
 */
export function checkPhone(input: string): PhoneVerdict {
  // ~95% of a realistic file is settled here, at a tenth of libphonenumber's cost.
  const settled = settleCommonMobile(input);
  if (settled !== undefined) {
    return { ok: true, national: settled.national, e164: settled.e164 };
  }
  return checkPhoneWithLibphonenumber(input);
}

/** checkPhone without its fast path: libphonenumber's verdict on every input. */
export function checkPhoneWithLibphonenumber(input: string): PhoneVerdict {
  const parsed = parsePhoneNumberFromString(input, 'FR');

  if (parsed === undefined || !parsed.isValid()) {
    return { ok: false, reason: 'INVALID_PHONE', message: 'not a valid phone number' };
  }

  // The API takes only French mobiles (06/07): a landline, or a valid mobile of another country,
  // would be refused by it and waste part of the hourly quota.
  if (parsed.country !== 'FR') {
    return {
      ok: false,
      reason: 'NOT_A_MOBILE',
      message: 'a foreign number: VoiceHire calls French mobiles (06/07) only',
    };
  }
  if (parsed.getType() !== 'MOBILE') {
    return {
      ok: false,
      reason: 'NOT_A_MOBILE',
      message: 'not a mobile number: VoiceHire calls French mobiles (06/07) only',
    };
  }

  return { ok: true, national: `0${parsed.nationalNumber}`, e164: parsed.number };
}
