import type { Redis } from 'ioredis';
import { type DataProtection, NO_DATA_KEY } from './data-protection.js';
import type { RedisKeys } from './redis-keys.js';

/**
 * Per campaign, the phones the API has accepted, each with the import that sent it. An import
 * run again on the same file (after a crash, say) must not see its own phones as already sent,
 * or its batches would be packed differently from the ones already queued.
 *
 * With DATA_ENCRYPTION_KEY set, a phone is recorded as its keyed hash, never in clear. It is
 * looked up under every key (the previous ones too, so that a rotation forgets nothing) and in
 * clear, as recorded before a key was set.
 */

/** The fields a phone may have been recorded under, the current one first. */
function fieldsOf(phoneKey: string, protection: DataProtection): string[] {
  return protection.enabled ? [...protection.hashesUnderEveryKey(phoneKey), phoneKey] : [phoneKey];
}

/** Which of these phone keys an earlier import already sent to the campaign. */
export async function findAlreadySent(
  redis: Redis,
  keys: RedisKeys,
  campaignId: string,
  importId: string,
  phoneKeys: readonly string[],
  protection: DataProtection = NO_DATA_KEY,
): Promise<Set<string>> {
  const alreadySent = new Set<string>();
  if (phoneKeys.length === 0) {
    return alreadySent;
  }

  const fields = phoneKeys.map((phoneKey) => fieldsOf(phoneKey, protection));
  const senders = await redis.hmget(keys.sentPhones(campaignId), ...fields.flat());
  let next = 0;
  fields.forEach((variants, index) => {
    const found = senders.slice(next, next + variants.length);
    next += variants.length;
    const phoneKey = phoneKeys[index];
    if (phoneKey !== undefined && found.some((sender) => sender !== null && sender !== importId)) {
      alreadySent.add(phoneKey);
    }
  });
  return alreadySent;
}

/** Records phones the API accepted (added, or skipped as already in the campaign). */
export async function recordSentPhones(
  redis: Redis,
  keys: RedisKeys,
  campaignId: string,
  importId: string,
  phoneKeys: readonly string[],
  protection: DataProtection = NO_DATA_KEY,
): Promise<void> {
  if (phoneKeys.length === 0) {
    return;
  }

  // HSETNX per phone keeps the first sender: a later import never takes a phone over.
  const pipeline = redis.pipeline();
  for (const phoneKey of phoneKeys) {
    pipeline.hsetnx(keys.sentPhones(campaignId), protection.hash(phoneKey), importId);
  }
  await pipeline.exec();
}
