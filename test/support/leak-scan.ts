import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import type { GeneratedRow } from './candidate-file.js';

/**
 * Searching everything a run leaves behind (Redis, log lines, metrics) for the personal data of
 * a candidate file and for the secrets of the configuration.
 */

export interface Needle {
  kind: string;
  text: string;
}

export interface Leak extends Needle {
  source: string;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;

/**
 * Every phone of the file in the forms it may take (as typed; its last nine digits, which
 * 06…, +336… and 336… all contain), every well-formed email and every name of five letters or
 * more (shorter ones, such as "Jade", could match unrelated text).
 */
export function candidateNeedles(rows: Iterable<GeneratedRow>): Needle[] {
  const needles = new Map<string, Needle>();
  const add = (kind: string, text: string) => needles.set(`${kind}:${text}`, { kind, text });

  for (const { fields, phone } of rows) {
    const [, firstName, lastName, typedPhone, email] = fields;
    if (typedPhone.replace(/\D/g, '').length >= 9) {
      add('phone as typed', typedPhone);
    }
    if (phone !== undefined) {
      add('phone digits', phone.slice(-9));
    }
    if (EMAIL.test(email)) {
      add('email', email);
    }
    for (const name of [firstName.trim(), lastName.trim()]) {
      if (name.length >= 5) {
        add('name', name);
      }
    }
  }
  return [...needles.values()];
}

/** Each secret as it is written, and the data key in every form it could be written in. */
export function secretNeedles(secrets: Record<string, string>, dataKey: Buffer): Needle[] {
  const needles = Object.entries(secrets).map(([kind, text]) => ({ kind, text }));
  for (const encoding of ['base64', 'base64url', 'hex'] as const) {
    needles.push({ kind: `data key (${encoding})`, text: dataKey.toString(encoding) });
  }
  needles.push({ kind: 'data key (raw bytes)', text: dataKey.toString('latin1') });
  return needles;
}

/** Every needle found in a source; the raw key is looked for as bytes, the rest as UTF-8. */
export function findLeaks(sources: Record<string, Buffer | string>, needles: Needle[]): Leak[] {
  const leaks: Leak[] = [];
  for (const [source, content] of Object.entries(sources)) {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    for (const needle of needles) {
      const encoding = needle.kind === 'data key (raw bytes)' ? 'latin1' : 'utf8';
      if (bytes.includes(Buffer.from(needle.text, encoding))) {
        leaks.push({ ...needle, source });
      }
    }
  }
  return leaks;
}

/** Every key of the database and everything it holds, one line per key, whatever its type. */
export async function dumpEveryKey(redis: Redis): Promise<string> {
  const lines: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      lines.push(`${key} ${JSON.stringify(await readKey(redis, key))}`);
    }
  } while (cursor !== '0');
  return lines.join('\n');
}

async function readKey(redis: Redis, key: string): Promise<unknown> {
  switch (await redis.type(key)) {
    case 'string':
      return redis.get(key);
    case 'hash':
      return redis.hgetall(key);
    case 'list':
      return redis.lrange(key, 0, -1);
    case 'set':
      return redis.smembers(key);
    case 'zset':
      return redis.zrange(key, 0, -1, 'WITHSCORES');
    case 'stream':
      return redis.xrange(key, '-', '+');
    default:
      return null;
  }
}

/** SAVE, then the RDB file's bytes: readable as text when Redis runs with rdbcompression no. */
export async function savedRdb(redis: Redis): Promise<Buffer> {
  await redis.save();
  const [, dir] = (await redis.config('GET', 'dir')) as [string, string];
  const [, file] = (await redis.config('GET', 'dbfilename')) as [string, string];
  return readFileSync(join(dir, file));
}
