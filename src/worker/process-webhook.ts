import { type Job, UnrecoverableError } from 'bullmq';
import type { Redis } from 'ioredis';
import { applyWebhookEvent } from '../results/apply-webhook-event.js';
import type { MappingStore } from '../results/mapping-store.js';
import type { BatchQueue } from '../shared/batch-queue.js';
import type { CampaignCache } from '../shared/campaign-cache.js';
import { recordCampaignState } from '../shared/campaign-state.js';
import { type DataProtection, NO_DATA_KEY, SealedDataError } from '../shared/data-protection.js';
import { haltQueue } from '../shared/halt-state.js';
import type { RedisKeys } from '../shared/redis-keys.js';
import type { WebhookEvent } from '../shared/webhook-events.js';
import { openWebhookJob, type WebhookJobData } from '../shared/webhook-queue.js';
import type { WorkerEvents } from './worker-events.js';

export interface WebhookProcessorDeps {
  redis: Redis;
  keys: RedisKeys;
  queue: BatchQueue;
  store: MappingStore;
  cache: CampaignCache | undefined;
  events: WorkerEvents;
  /** How long a campaign status from a webhook stands before the API's counts again. */
  campaignTtlMs: number;
  /** Opens the events queued with DATA_ENCRYPTION_KEY. Default: no key. */
  protection?: DataProtection;
}

/** An interview event whose candidate.added has not been processed yet: tried again later. */
export class CandidateNotLinkedError extends Error {
  override name = 'CandidateNotLinkedError';
  readonly code = 'CANDIDATE_NOT_LINKED';
}

/**
 * Processes one accepted webhook delivery. Candidate events go to the mapping store; the
 * credits and campaign events steer the batch queue, as the worker's own calls would.
 */
export function createWebhookProcessor(deps: WebhookProcessorDeps) {
  const { redis, keys, queue, store, cache, events, campaignTtlMs } = deps;
  const protection = deps.protection ?? NO_DATA_KEY;

  return async (job: Job<WebhookJobData, string, string>): Promise<string> => {
    const event = openEvent(protection, job.data);

    switch (event.event) {
      case 'credits.depleted': {
        // VoiceHire's guide prefers webhooks to polling: halt before a batch meets the 402.
        const message =
          `insufficient credits (${event.data.credits_remaining} left, said by a webhook); ` +
          'top up, then run `voicehire resume`';
        const first = await haltQueue(redis, keys, queue, {
          code: 'INSUFFICIENT_CREDITS',
          message,
          required: undefined,
          available: event.data.credits_remaining,
        });
        events.halted({
          importId: '',
          batchNumber: 0,
          code: 'INSUFFICIENT_CREDITS',
          message,
          first,
        });
        return 'halted';
      }

      case 'credits.low':
        events.creditsRead({ creditsAvailable: event.data.credits_remaining });
        return 'alerted';

      case 'campaign.status_changed': {
        cache?.invalidate(event.data.campaign_id);
        const applied = await recordCampaignState(redis, keys, event.data.campaign_id, {
          status: event.data.new_status,
          at: new Date(event.timestamp),
          ttlMs: campaignTtlMs,
        });
        return applied ? `campaign ${event.data.new_status}` : 'stale';
      }

      case 'campaign.created':
        cache?.invalidate(event.data.campaign_id);
        return 'ignored';

      default: {
        const outcome = await applyWebhookEvent(store, event);
        if (outcome === 'unknown') {
          // BullMQ retries with backoff: the candidate.added that links it may still come.
          throw new CandidateNotLinkedError(
            `${event.event}: candidate ${event.data.candidate_id} is not linked yet`,
          );
        }
        return outcome;
      }
    }
  };
}

/** An event that cannot be opened fails at once: another attempt would fail the same way. */
function openEvent(protection: DataProtection, data: WebhookJobData): WebhookEvent {
  try {
    return openWebhookJob(protection, data);
  } catch (err) {
    if (err instanceof SealedDataError) {
      throw new UnrecoverableError(`${err.code}: ${err.message}`);
    }
    throw err;
  }
}
