import type { Redis } from 'ioredis';
import type { RedisKeys } from './redis-keys.js';

/**
 * Per campaign, the phones the API has accepted, each with the import that sent it. An import
 * run again on the same file (after a crash, say) must not see its own phones as already sent,
 * or its batches would be packed differently from the ones already queued.
 */

/** Which of these phone keys an earlier import already sent to the campaign. */
export async function findAlreadySent(
  redis: Redis,
  keys: RedisKeys,
  campaignId: string,
  importId: string,
  phoneKeys: readonly string[],
): Promise<Set<string>> {
  const alreadySent = new Set<string>();
  if (phoneKeys.length === 0) {
    return alreadySent;
  }

  const senders = await redis.hmget(keys.sentPhones(campaignId), ...phoneKeys);
  senders.forEach((sender, index) => {
    const phoneKey = phoneKeys[index];
    if (sender !== null && sender !== importId && phoneKey !== undefined) {
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
): Promise<void> {
  if (phoneKeys.length === 0) {
    return;
  }

  // HSETNX per phone keeps the first sender: a later import never takes a phone over.
  const pipeline = redis.pipeline();
  for (const phoneKey of phoneKeys) {
    pipeline.hsetnx(keys.sentPhones(campaignId), phoneKey, importId);
  }
  await pipeline.exec();
}
