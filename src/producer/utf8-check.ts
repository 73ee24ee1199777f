import { isUtf8 } from 'node:buffer';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * Length of a UTF-8 sequence cut by the end of `bytes` (0 to 3), which the next bytes may
 * complete. A cut sequence is only invalid when the file itself ends there.
 */
export function utf8TailLength(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    // A continuation byte: the sequence starts further back.
    if ((byte & 0xc0) === 0x80) {
      continue;
    }
    const length = utf8SequenceLength(byte);
    return length > back ? back : 0;
  }
  return 0;
}

/**
 * Index of the first byte that is not valid UTF-8, or -1. As strict as Buffer's isUtf8: no
 * overlong forms, no surrogates. A JavaScript loop, so only for finding what isUtf8 refused.
 */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] as number;
    const length = utf8SequenceLength(lead);
    if (length === 0 || index + length > bytes.length) {
      return index;
    }

    // RFC 3629, section 4: after E0, ED, F0 and F4 the second byte's range is narrower.
    const secondLow = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const secondHigh = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let offset = 1; offset < length; offset++) {
      const byte = bytes[index + offset] as number;
      const low = offset === 1 ? secondLow : 0x80;
      const high = offset === 1 ? secondHigh : 0xbf;
      if (byte < low || byte > high) {
        return index;
      }
    }
    index += length;
  }
  return -1;
}

/** Bytes that are not UTF-8 at this offset of the file. */
export class InvalidUtf8Error extends Error {
  override name = 'InvalidUtf8Error';
  readonly byte: number;

  constructor(byte: number) {
    super(`invalid UTF-8 at byte ${byte}`);
    this.byte = byte;
  }
}

/**
 * Passes UTF-8 bytes through unchanged and fails with an InvalidUtf8Error at the first invalid
 * one. Detection sees only the first 64 KB; without this check a Windows-1252 "é" further down
 * would silently become "\uFFFD" in a candidate's name. Buffer's isUtf8 is native and costs
 * little next to parsing.
 */
export class Utf8Check extends Transform {
  /** File offset of the first byte not yet checked. */
  #offset: number;
  /** The start of a character cut by the end of the previous chunk. */
  #carry = Buffer.alloc(0);

  /** `start` is the file offset of the first byte this stream receives. */
  constructor(start: number) {
    super();
    this.#offset = start;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    const bytes = this.#carry.length === 0 ? chunk : Buffer.concat([this.#carry, chunk]);
    const complete = bytes.subarray(0, bytes.length - utf8TailLength(bytes));

    if (!isUtf8(complete)) {
      done(new InvalidUtf8Error(this.#offset + Math.max(0, findInvalidUtf8(complete))));
      return;
    }

    this.#offset += complete.length;
    this.#carry = Buffer.from(bytes.subarray(complete.length));
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    // The file ends in the middle of a character.
    done(this.#carry.length === 0 ? null : new InvalidUtf8Error(this.#offset));
  }
}

function utf8SequenceLength(lead: number): number {
  if (lead < 0x80) {
    return 1;
  }
  if (lead >= 0xc2 && lead <= 0xdf) {
    return 2;
  }
  if (lead >= 0xe0 && lead <= 0xef) {
    return 3;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    return 4;
  }
  return 0;
}
