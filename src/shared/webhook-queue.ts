import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { WEBHOOK_QUEUE, type WebhookEvent } from './webhook-events.js';

export type WebhookQueue = Queue<WebhookEvent, string, string>;

/** VoiceHire may deliver the same event again for a day; one processing is enough. */
export const WEBHOOK_DEDUP_MS = 25 * 3600 * 1000;

export function createWebhookQueue(connection: Redis, config: Config): WebhookQueue {
  const queue = new Queue<WebhookEvent, string, string>(WEBHOOK_QUEUE, {
    connection,
    prefix: config.QUEUE_PREFIX,
  });
  // As for the batch queue: a lost connection is reported by the connection's owner.
  queue.on('error', () => {});
  return queue;
}

/**
 * Queues an accepted delivery. The hash of its raw body is BullMQ's deduplication id, kept for
 * WEBHOOK_DEDUP_MS whatever happens to the job, and checked in the same Redis script that adds
 * it: a repeated delivery is never processed twice, and a delivery is never marked seen without
 * being queued.
 */
export async function enqueueWebhook(
  queue: WebhookQueue,
  event: WebhookEvent,
  bodyHash: string,
  retryMs: number,
): Promise<void> {
  await queue.add(event.event, event, {
    deduplication: { id: bodyHash, ttl: WEBHOOK_DEDUP_MS },
    // An interview event can arrive before the candidate.added that links its id: it is tried
    // again, 2 s, 4 s, … (WEBHOOK_RETRY_MS) up to about half an hour in all.
    attempts: 10,
    backoff: { type: 'exponential', delay: retryMs, jitter: 0.3 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}
