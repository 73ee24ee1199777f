import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/shared/config.js';
import {
  DataProtection,
  dataProtectionFor,
  parseDataKey,
  type SealedEnvelope,
} from '../../src/shared/data-protection.js';
import { redactContacts } from '../../src/shared/redact-contacts.js';

const candidates = [
  { first_name: 'Élodie', last_name: 'Martin', phone: '0612345678', email: 'elodie@example.fr' },
];

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

describe('sealing', () => {
  it('opens what it sealed, and the envelope holds none of the clear text', () => {
    const protection = new DataProtection(randomBytes(32));

    const envelope = protection.seal(candidates, 'batch:1');

    expect(protection.open(envelope, 'batch:1')).toEqual(candidates);
    const stored = JSON.stringify(envelope);
    for (const value of ['Élodie', 'Martin', '0612345678', '612345678', 'elodie@example.fr']) {
      expect(stored).not.toContain(value);
    }
    // A fresh IV each time: the same candidates never give the same ciphertext twice.
    expect(protection.seal(candidates, 'batch:1').data).not.toBe(envelope.data);
  });

  it.each([
    ['a byte of the data', (e: SealedEnvelope) => ({ ...e, data: flipFirstByte(e.data) })],
    ['the tag', (e: SealedEnvelope) => ({ ...e, tag: flipFirstByte(e.tag) })],
    ['the IV', (e: SealedEnvelope) => ({ ...e, iv: flipFirstByte(e.iv) })],
    // Its first 4 bytes are genuine: a decipher that took short tags would open it.
    ['the tag, cut to 4 bytes', (e: SealedEnvelope) => ({ ...e, tag: cutTag(e.tag, 4) })],
  ])('refuses an envelope whose %s changed, as DATA_TAMPERED', (_, alter) => {
    const protection = new DataProtection(randomBytes(32));
    const envelope = protection.seal(candidates, 'batch:1');

    expect(codeOf(() => protection.open(alter(envelope), 'batch:1'))).toBe('DATA_TAMPERED');
  });

  it('refuses an envelope moved to another context (another batch)', () => {
    const protection = new DataProtection(randomBytes(32));
    const envelope = protection.seal(candidates, 'batch:1');

    expect(codeOf(() => protection.open(envelope, 'batch:2'))).toBe('DATA_TAMPERED');
  });

  it('says DATA_KEY_MISSING without a key and DATA_KEY_UNKNOWN with another one', () => {
    const envelope = new DataProtection(randomBytes(32)).seal(candidates, 'batch:1');

    expect(codeOf(() => new DataProtection(undefined).open(envelope, 'batch:1'))).toBe(
      'DATA_KEY_MISSING',
    );
    const other = new DataProtection(randomBytes(32));
    expect(codeOf(() => other.open(envelope, 'batch:1'))).toBe('DATA_KEY_UNKNOWN');
  });

  it('after a rotation, opens with a previous key and seals with the new one', () => {
    const oldKey = randomBytes(32);
    const sealedBefore = new DataProtection(oldKey).seal(candidates, 'batch:1');
    const rotated = new DataProtection(randomBytes(32), [oldKey]);

    expect(rotated.open(sealedBefore, 'batch:1')).toEqual(candidates);
    const sealedAfter = rotated.seal(candidates, 'batch:1');
    expect(sealedAfter.kid).not.toBe(sealedBefore.kid);
    expect(codeOf(() => new DataProtection(oldKey).open(sealedAfter, 'batch:1'))).toBe(
      'DATA_KEY_UNKNOWN',
    );
  });
});

describe('keyed hashes', () => {
  it('stand for a phone without revealing it, differ by key, and list every key', () => {
    const oldKey = randomBytes(32);
    const before = new DataProtection(oldKey);
    const after = new DataProtection(randomBytes(32), [oldKey]);

    const hash = after.hash('+33612345678');
    expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(hash).not.toContain('612345678');
    expect(hash).not.toBe(before.hash('+33612345678'));
    expect(after.hashesUnderEveryKey('+33612345678')).toEqual([hash, before.hash('+33612345678')]);
    expect(new DataProtection(undefined).hash('+33612345678')).toBe('+33612345678');
  });

  it('key the digest of raw bytes only when a key is set', () => {
    const body = Buffer.from('{"phone":"0612345678"}');
    const keyed = new DataProtection(randomBytes(32)).digest(body);

    expect(keyed).toMatch(/^[0-9a-f]{64}$/);
    expect(keyed).not.toBe(new DataProtection(undefined).digest(body));
    expect(keyed).not.toBe(new DataProtection(randomBytes(32)).digest(body));
  });
});

describe('DATA_ENCRYPTION_KEY', () => {
  const key = randomBytes(32);

  it('is read as base64 or as hex, and anything else is no key', () => {
    expect(parseDataKey(key.toString('base64'))).toEqual(key);
    expect(parseDataKey(key.toString('base64url'))).toEqual(key);
    expect(parseDataKey(key.toString('hex'))).toEqual(key);
    expect(parseDataKey(randomBytes(16).toString('base64'))).toBeUndefined();
    expect(parseDataKey('correct horse battery staple')).toBeUndefined();
  });

  it('refuses a malformed key, naming the variable and never quoting the value', () => {
    const badKey = 'my-secret-passphrase-that-is-no-key';
    const previous = `${key.toString('base64')},short`;
    let error: unknown;
    try {
      loadConfig({ DATA_ENCRYPTION_KEY: badKey, DATA_ENCRYPTION_PREVIOUS_KEYS: previous });
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('DATA_ENCRYPTION_KEY: must be 32 bytes');
    expect(message).toContain('DATA_ENCRYPTION_PREVIOUS_KEYS: each key must be 32 bytes');
    expect(message).not.toContain(badKey);
    expect(message).not.toContain(key.toString('base64'));
    expect(message).not.toContain('short');
  });

  it('gives a protection that seals with the key and opens with the previous ones', () => {
    const oldKey = randomBytes(32);
    const sealed = new DataProtection(oldKey).seal(candidates, 'c');
    const config = loadConfig({
      DATA_ENCRYPTION_KEY: key.toString('hex'),
      DATA_ENCRYPTION_PREVIOUS_KEYS: ` ${oldKey.toString('base64')} `,
    });

    const protection = dataProtectionFor(config);
    expect(protection.enabled).toBe(true);
    expect(protection.open(sealed, 'c')).toEqual(candidates);
    expect(new DataProtection(key).open(protection.seal(candidates, 'c'), 'c')).toEqual(candidates);
    expect(dataProtectionFor(loadConfig({})).enabled).toBe(false);
  });
});

describe('redactContacts', () => {
  it('masks phones and emails quoted in a message, and leaves ids and counts alone', () => {
    const message =
      'POST /campaigns/abc123def456/candidates failed with 400 INVALID_PHONE_NUMBER: ' +
      '06 12 34 56 78, +33612345678 and 33712345678 refused (jean.dupont@example.fr), ' +
      'item 42 on 2026-12-03';

    expect(redactContacts(message)).toBe(
      'POST /campaigns/abc123def456/candidates failed with 400 INVALID_PHONE_NUMBER: ' +
        '[phone], [phone] and [phone] refused ([email]), item 42 on 2026-12-03',
    );
  });
});

function flipFirstByte(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 1;
  return bytes.toString('base64');
}

function cutTag(tag: string, bytes: number): string {
  return Buffer.from(tag, 'base64').subarray(0, bytes).toString('base64');
}
