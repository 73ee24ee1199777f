import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=` + hex HMAC-SHA256 of the raw body: the value of X-VoiceHire-Signature. */
export function signWebhook(secret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

/**
 * Checks a delivery's signature against the raw bytes as they arrived, in constant time. A
 * missing or malformed header is a refusal: the vendor's own examples accept an unsigned
 * request when a secret is set, which would let anyone post results.
 */
export function verifyWebhookSignature(
  secret: string,
  rawBody: Buffer,
  header: string | undefined,
): boolean {
  const match = header === undefined ? null : SIGNATURE.exec(header.trim());
  if (match?.[1] === undefined) {
    return false;
  }

  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const received = Buffer.from(match[1], 'hex');
  return timingSafeEqual(expected, received);
}
