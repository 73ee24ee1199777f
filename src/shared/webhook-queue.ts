import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { type DataProtection, NO_DATA_KEY, type SealedEnvelope } from './data-protection.js';
import { WEBHOOK_QUEUE, type WebhookEvent, type WebhookEventName } from './webhook-events.js';

/**
 * A webhook job's data: the event in clear, or, with DATA_ENCRYPTION_KEY set, its name in clear
 * (for the board) and the whole event sealed, as it carries candidates' phones, names, emails
 * and interview answers.
 */
export type WebhookJobData =
  | WebhookEvent
  | { event: WebhookEventName; sealedEvent: SealedEnvelope };

export type WebhookQueue = Queue<WebhookJobData, string, string>;

function sealContext(event: WebhookEventName): string {
  return `webhook:${event}`;
}

/** The event as the worker reads it; throws a SealedDataError when it cannot be opened. */
export function openWebhookJob(protection: DataProtection, data: WebhookJobData): WebhookEvent {
  if ('sealedEvent' in data) {
    return protection.open<WebhookEvent>(data.sealedEvent, sealContext(data.event));
  }
  return data;
}

/** VoiceHire may deliver the same event again for a day; one processing is enough. */
export const WEBHOOK_DEDUP_MS = 25 * 3600 * 1000;

export function createWebhookQueue(connection: Redis, config: Config): WebhookQueue {
  const queue = new Queue<WebhookJobData, string, string>(WEBHOOK_QUEUE, {
    connection,
    prefix: config.QUEUE_PREFIX,
  });
  // As for the batch queue: a lost connection is reported by the connection's owner.
  queue.on('error', () => {});
  return queue;
}

/**
 * Queues an accepted delivery, sealed when the protection has a key. The hash of its raw body
 * (keyed with DATA_ENCRYPTION_KEY: see DataProtection.digest) is BullMQ's deduplication id, kept for
 * WEBHOOK_DEDUP_MS whatever happens to the job, and checked in the same Redis script that adds
 * it: a repeated delivery is never processed twice, and a delivery is never marked seen without
 * being queued.
 */
export async function enqueueWebhook(
  queue: WebhookQueue,
  event: WebhookEvent,
  bodyHash: string,
  retryMs: number,
  protection: DataProtection = NO_DATA_KEY,
): Promise<void> {
  const data: WebhookJobData = protection.enabled
    ? { event: event.event, sealedEvent: protection.seal(event, sealContext(event.event)) }
    : event;
  await queue.add(event.event, data, {
    deduplication: { id: bodyHash, ttl: WEBHOOK_DEDUP_MS },
    // An interview event can arrive before the candidate.added that links its id: it is tried
    // again, 2 s, 4 s, … (WEBHOOK_RETRY_MS) up to about half an hour in all.
    attempts: 10,
    backoff: { type: 'exponential', delay: retryMs, jitter: 0.3 },
    removeOnComplete: { age: 24 * 3600, count: 10_000 },
    removeOnFail: { age: 7 * 24 * 3600 },
  });
}
