/**
 * Masks what looks like a phone number or an email address in a text that came from outside,
 * such as an API error message, before it is logged or kept in Redis: the API may quote the
 * candidate it refused. Ids and counts stay readable.
 */

// Nine digits or more, with the separators people write phones with: 0612345678,
// +33 6 12 34 56 78, 33612345678. A date (8 digits) or a campaign id is left alone.
const PHONE = /\+?\d(?:[\s().-]{0,2}\d){8,}/g;

const EMAIL = /[^\s@<>"'(),;:]+@[^\s@<>"'(),;:]+\.[A-Za-z]{2,}/g;

export function redactContacts(text: string): string {
  return text.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}
