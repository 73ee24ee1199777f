import type { Redis } from 'ioredis';
import { InsufficientCreditsError, type VoiceHireError } from './api-errors.js';
import type { BatchQueue } from './batch-queue.js';
import type { RedisKeys } from './redis-keys.js';

/** Why the batch queue stopped, as every process reads it from Redis. */
export interface HaltState {
  /** The API's code: INSUFFICIENT_CREDITS, INVALID_API_KEY, AGENCY_INACTIVE… */
  code: string;
  /** One sentence for the operator: what happened and what to do. */
  message: string;
  at: string;
  /** Credits the refused call needed, for a credits halt. */
  required: number | undefined;
  available: number | undefined;
}

/**
 * Pauses the batch queue for every worker on every machine (BullMQ's global pause) and records
 * why. Returns true for the call that halted a running queue, false when it was halted already
 * (several workers meet the same 402 at once): only the first should raise the alarm.
 */
export async function haltQueue(
  redis: Redis,
  keys: RedisKeys,
  queue: BatchQueue,
  halt: Omit<HaltState, 'at'>,
): Promise<boolean> {
  const fields: Record<string, string> = {
    code: halt.code,
    message: halt.message,
    at: new Date().toISOString(),
  };
  if (halt.required !== undefined) {
    fields.required = String(halt.required);
  }
  if (halt.available !== undefined) {
    fields.available = String(halt.available);
  }

  // Record first: a worker that finds the queue paused can always read why.
  const results = await redis
    .multi()
    .hsetnx(keys.halt, 'code', halt.code)
    .del(keys.halt)
    .hset(keys.halt, fields)
    .exec();
  await queue.pause();
  return results?.[0]?.[1] === 1;
}

export async function readHalt(redis: Redis, keys: RedisKeys): Promise<HaltState | undefined> {
  const hash = await redis.hgetall(keys.halt);
  if (hash.code === undefined) {
    return undefined;
  }

  return {
    code: hash.code,
    message: hash.message ?? '',
    at: hash.at ?? '',
    required: hash.required === undefined ? undefined : Number(hash.required),
    available: hash.available === undefined ? undefined : Number(hash.available),
  };
}

/** Lets the workers take batches again. */
export async function resumeQueue(redis: Redis, keys: RedisKeys, queue: BatchQueue): Promise<void> {
  await queue.resume();
  await redis.del(keys.halt);
}

/** What the halt says to the operator: why, and what to do before `voicehire resume`. */
export function haltMessage(err: VoiceHireError): string {
  if (err instanceof InsufficientCreditsError) {
    const figures =
      err.required === undefined ? '' : ` (required ${err.required}, available ${err.available})`;
    return `insufficient credits${figures}; top up, then run \`voicehire resume\``;
  }
  return (
    `the API refused the key (${err.code}); check VOICEHIRE_API_KEY and the agency, ` +
    'then run `voicehire resume`'
  );
}
