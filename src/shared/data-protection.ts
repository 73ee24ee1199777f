import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto';

/**
 * Encryption of candidates' details at rest in Redis, and keyed hashes of their phones, under
 * DATA_ENCRYPTION_KEY. Values are sealed with AES-256-GCM, which authenticates as it encrypts:
 * a changed byte, a wrong key or a payload moved to another job fails to open instead of giving
 * garbage. Older keys (DATA_ENCRYPTION_PREVIOUS_KEYS) still open what they sealed, so that a key
 * can be rotated while jobs sealed under the old one wait in the queue.
 */

/** A sealed value as it sits in a job's data: every part base64 except the key id. */
export interface SealedEnvelope {
  /** Format version; 1 is AES-256-GCM with a 12-byte IV and a 16-byte tag. */
  v: 1;
  /** Which key sealed it: 8 hex digits of a one-way hash of the key, not the key itself. */
  kid: string;
  iv: string;
  tag: string;
  data: string;
}

export type SealedDataCode = 'DATA_KEY_MISSING' | 'DATA_KEY_UNKNOWN' | 'DATA_TAMPERED';

/** A sealed value that cannot be opened; the message names the key id, never a key. */
export class SealedDataError extends Error {
  override name = 'SealedDataError';

  constructor(
    readonly code: SealedDataCode,
    message: string,
  ) {
    super(message);
  }
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
/** GCM's full tag: 128 bits. */
const TAG_BYTES = 16;

/**
 * Reads a key written as 64 hex digits or as base64 of 32 bytes (`openssl rand -base64 32`).
 * Returns undefined for anything else; the caller says so without quoting the value.
 */
export function parseDataKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) {
    return Buffer.from(trimmed, 'hex');
  }
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) {
    const bytes = Buffer.from(trimmed, 'base64');
    return bytes.length === KEY_BYTES ? bytes : undefined;
  }
  return undefined;
}

/** The comma-separated list of DATA_ENCRYPTION_PREVIOUS_KEYS, blanks left out. */
export function splitKeyList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

interface DataKey {
  id: string;
  cipherKey: Buffer;
  /** For keyed hashes: derived, so that the cipher key is never used for two purposes. */
  hashKey: Buffer;
}

function deriveKey(key: Buffer): DataKey {
  const derive = (info: string, length: number) =>
    Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, length));
  return {
    id: derive('voicehire key id', 4).toString('hex'),
    cipherKey: key,
    hashKey: derive('voicehire keyed hash', KEY_BYTES),
  };
}

/**
 * What the product seals and hashes with. Without a key it is disabled: values stay in clear,
 * as before the key existed, and hashes are those of the value alone.
 */
export class DataProtection {
  readonly #current: DataKey | undefined;
  /** Current key first, then the previous ones, each by id. */
  readonly #byId = new Map<string, DataKey>();

  constructor(current: Buffer | undefined, previous: readonly Buffer[] = []) {
    this.#current = current === undefined ? undefined : deriveKey(current);
    for (const key of [this.#current, ...previous.map(deriveKey)]) {
      if (key !== undefined && !this.#byId.has(key.id)) {
        this.#byId.set(key.id, key);
      }
    }
  }

  /** Whether DATA_ENCRYPTION_KEY is set: values are then sealed and phones hashed with it. */
  get enabled(): boolean {
    return this.#current !== undefined;
  }

  /**
   * Seals a JSON value under the current key. `context` is authenticated with it (but not
   * stored): the envelope opens only for the same context, so that one job's sealed candidates
   * copied into another job are refused.
   */
  seal(value: unknown, context: string): SealedEnvelope {
    const key = this.#current;
    if (key === undefined) {
      throw new SealedDataError('DATA_KEY_MISSING', 'no DATA_ENCRYPTION_KEY to seal with');
    }

    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key.cipherKey, iv);
    cipher.setAAD(Buffer.from(context));
    const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return {
      v: 1,
      kid: key.id,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  /** Opens what seal() sealed with the same context; a SealedDataError says why it cannot. */
  open<T>(envelope: SealedEnvelope, context: string): T {
    if (this.#byId.size === 0) {
      throw new SealedDataError(
        'DATA_KEY_MISSING',
        `sealed with key ${envelope.kid}, but DATA_ENCRYPTION_KEY is not set`,
      );
    }
    const key = this.#byId.get(envelope.kid);
    if (key === undefined || envelope.v !== 1) {
      throw new SealedDataError(
        'DATA_KEY_UNKNOWN',
        `sealed with key ${envelope.kid}, which is neither DATA_ENCRYPTION_KEY nor one of ` +
          'DATA_ENCRYPTION_PREVIOUS_KEYS',
      );
    }

    try {
      // The tag's full length, required: Node would otherwise take a tag cut to 4 bytes, which
      // someone able to write to Redis could forge in 2^32 tries.
      const decipher = createDecipheriv('aes-256-gcm', key.cipherKey, b64(envelope.iv), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(b64(envelope.tag));
      const text = Buffer.concat([decipher.update(b64(envelope.data)), decipher.final()]);
      return JSON.parse(text.toString('utf8')) as T;
    } catch {
      throw new SealedDataError(
        'DATA_TAMPERED',
        `sealed data under key ${envelope.kid} fails its authentication: altered or moved`,
      );
    }
  }

  /**
   * The keyed hash that stands for a phone (or any value) in Redis under the current key:
   * 22 base64url characters (128 bits), enough against collisions in any campaign, and no
   * dictionary of the 200 million French mobiles reverses it without the key.
   */
  hash(value: string): string {
    const key = this.#current;
    return key === undefined ? value : keyedHash(key, value);
  }

  /** The hashes of the value under every key, current first: what older records may hold. */
  hashesUnderEveryKey(value: string): string[] {
    return [...this.#byId.values()].map((key) => keyedHash(key, value));
  }

  /** A digest of raw bytes, keyed when a key is set: an id that reveals nothing of its input. */
  digest(bytes: Buffer): string {
    const key = this.#current;
    const hash =
      key === undefined ? createHash('sha256') : createHmac('sha256', key.hashKey).update('raw:');
    return hash.update(bytes).digest('hex');
  }
}

function keyedHash(key: DataKey, value: string): string {
  return createHmac('sha256', key.hashKey)
    .update(`value:${value}`)
    .digest('base64url')
    .slice(0, 22);
}

function b64(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

/** Whether a job's payload is a sealed envelope rather than a value in clear. */
export function isSealedEnvelope(value: unknown): value is SealedEnvelope {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const envelope = value as Partial<SealedEnvelope>;
  return (
    typeof envelope.kid === 'string' &&
    typeof envelope.iv === 'string' &&
    typeof envelope.tag === 'string' &&
    typeof envelope.data === 'string'
  );
}

/** The protection without a key, for callers given none: values in clear, as before keys. */
export const NO_DATA_KEY = new DataProtection(undefined);

const byConfig = new WeakMap<object, DataProtection>();

/**
 * The protection DATA_ENCRYPTION_KEY and DATA_ENCRYPTION_PREVIOUS_KEYS give, built once per
 * configuration: the key derivations are not redone for every batch.
 */
export function dataProtectionFor(config: {
  DATA_ENCRYPTION_KEY?: string | undefined;
  DATA_ENCRYPTION_PREVIOUS_KEYS?: string | undefined;
}): DataProtection {
  let protection = byConfig.get(config);
  if (protection === undefined) {
    // The configuration has validated every key already: undefined here means "not set".
    const current =
      config.DATA_ENCRYPTION_KEY === undefined
        ? undefined
        : parseDataKey(config.DATA_ENCRYPTION_KEY);
    const previous = splitKeyList(config.DATA_ENCRYPTION_PREVIOUS_KEYS)
      .map(parseDataKey)
      .filter((key): key is Buffer => key !== undefined);
    protection = new DataProtection(current, previous);
    byConfig.set(config, protection);
  }
  return protection;
}
