import type { Redis } from 'ioredis';
import { AuthenticationError } from '../shared/api-errors.js';
import type { BatchQueue } from '../shared/batch-queue.js';
import { type HaltState, readHalt, resumeQueue } from '../shared/halt-state.js';
import { BATCH_SIZE } from '../shared/jobs.js';
import type { RedisKeys } from '../shared/redis-keys.js';
import type { VoiceHireClient } from '../shared/voicehire-client.js';
import type { ApiRateLimiter } from './rate-limiter.js';

export interface ResumeDeps {
  redis: Redis;
  keys: RedisKeys;
  queue: BatchQueue;
  client: VoiceHireClient;
  limiter: ApiRateLimiter;
}

export type ResumeOutcome =
  | { resumed: true; halt: HaltState | undefined; creditsAvailable: number }
  | { resumed: false; halt: HaltState; creditsAvailable: number | undefined; reason: string };

/**
 * Resumes a halted queue only when the API would now take a batch: enough credits for the call
 * that was refused (a full batch when the API gave no figure) and a key it accepts.
 */
export async function tryResume(deps: ResumeDeps): Promise<ResumeOutcome> {
  const { redis, keys, queue, client, limiter } = deps;
  const halt = await readHalt(redis, keys);

  let creditsAvailable: number;
  try {
    await waitForPermit(limiter);
    creditsAvailable = (await client.getCredits()).credits_available;
  } catch (err) {
    if (halt !== undefined && err instanceof AuthenticationError) {
      const reason = `the API still refuses the key (${err.code})`;
      return { resumed: false, halt, creditsAvailable: undefined, reason };
    }
    throw err;
  }

  const required = halt?.required ?? BATCH_SIZE;
  if (halt?.code === 'INSUFFICIENT_CREDITS' && creditsAvailable < required) {
    const reason = `credits are still too low (required ${required}, available ${creditsAvailable})`;
    return { resumed: false, halt, creditsAvailable, reason };
  }

  await resumeQueue(redis, keys, queue);
  return { resumed: true, halt, creditsAvailable };
}

async function waitForPermit(limiter: ApiRateLimiter): Promise<void> {
  for (;;) {
    const permit = await limiter.acquire('reads');
    if (permit.granted) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, permit.waitMs));
  }
}
