import { DelayedError, type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { importedCandidates, type MappingStore } from '../results/mapping-store.js';
import {
  ConflictError,
  InsufficientCreditsError,
  RateLimitedError,
  ValidationError,
  VoiceHireError,
} from '../shared/api-errors.js';
import type { BatchQueue } from '../shared/batch-queue.js';
import { type DataProtection, NO_DATA_KEY, SealedDataError } from '../shared/data-protection.js';
import { haltMessage, haltQueue, readHalt } from '../shared/halt-state.js';
import { settleBatch } from '../shared/import-record.js';
import {
  type BatchCandidate,
  type BatchJobData,
  type BatchResult,
  batchCandidates,
} from '../shared/jobs.js';
import { redactContacts } from '../shared/redact-contacts.js';
import type { RedisKeys } from '../shared/redis-keys.js';
import type { Reject } from '../shared/reject-reasons.js';
import { recordSentPhones } from '../shared/sent-phones.js';
import type { AddCandidatesResult, VoiceHireClient } from '../shared/voicehire-client.js';
import type { CampaignGate } from './campaign-gate.js';
import type { ApiRateLimiter } from './rate-limiter.js';
import type { WorkerEvents } from './worker-events.js';

export interface BatchProcessorDeps {
  redis: Redis;
  keys: RedisKeys;
  queue: BatchQueue;
  client: VoiceHireClient;
  limiter: ApiRateLimiter;
  events: WorkerEvents;
  /** Holds back the batches of a paused or completed campaign; none: every batch is sent. */
  gate?: CampaignGate;
  /** How long a held-back batch waits before its campaign is checked again. Default 60 s. */
  campaignRecheckMs?: number;
  /** Opens the candidates of batches queued with DATA_ENCRYPTION_KEY. Default: no key. */
  protection?: DataProtection;
  /**
   * Where each batch's candidates are recorded, with the user's ids and rows, before the batch
   * is sent; none: nothing is recorded.
   */
  store?: MappingStore;
}

/** A refused candidate as the import keeps it: the row tells the user which one, no PII. */
export interface ApiReject extends Reject {
  externalId?: string;
}

/**
 * Sends one batch to the API. Every way out of this function leaves the batch in a known place:
 * completed with its counts, back in the queue (halt, rate limit: no attempt used), retried
 * later (transient failure), or failed with the API's reason.
 */
export function createBatchProcessor(deps: BatchProcessorDeps) {
  const { redis, keys, queue, client, limiter, events, gate } = deps;
  const campaignRecheckMs = deps.campaignRecheckMs ?? 60_000;
  const protection = deps.protection ?? NO_DATA_KEY;

  return async (job: Job<BatchJobData, BatchResult, 'batch'>, token?: string) => {
    const { importId, campaignId, batchNumber } = job.data;

    let candidates: BatchCandidate[];
    try {
      candidates = batchCandidates(protection, job.data);
    } catch (err) {
      return failUnopened(err, job);
    }

    // Taken just before the queue was paused: give it back untouched.
    if ((await readHalt(redis, keys)) !== undefined) {
      return backToWaiting(job, token);
    }

    const verdict = await gate?.check(campaignId);
    if (verdict !== undefined && !verdict.open) {
      return waitForCampaign(job, token, verdict.status);
    }

    // Before the call, so that the webhooks of its candidates find their mapping; before the
    // limiter too, so that a store out of reach costs no place in the API's windows. Recording a
    // batch again (sent again, retried) changes nothing: the upsert keeps what webhooks recorded.
    await deps.store?.recordImported(importedCandidates(job.data, candidates));

    const permit = await limiter.acquire('adds');
    if (!permit.granted) {
      // Queue-wide: every worker waits, and the batch goes back without using an attempt.
      await queue.rateLimit(permit.waitMs);
      events.rateLimited({ importId, batchNumber, waitMs: permit.waitMs, source: 'limiter' });
      throw Worker.RateLimitError();
    }

    // Settled already: the worker that sent it died before BullMQ marked the job completed.
    // Sending it again would spend one of the hour's scarce calls for nothing.
    if ((await redis.hget(keys.importSettled(importId), String(batchNumber))) !== null) {
      return { added: 0, skipped: 0, refused: 0 };
    }

    const inFlight = keys.importInFlight(importId);
    const resent = (await redis.hsetnx(inFlight, String(batchNumber), '1')) === 0;

    let response: AddCandidatesResult;
    try {
      response = await client.addCandidates(campaignId, candidates);
    } catch (err) {
      // An answer, even an error, says this call was not handled; only silence leaves it
      // unknown. It says nothing of an earlier call that went unanswered: that mark stays.
      if (!resent && err instanceof VoiceHireError && err.status !== undefined) {
        await redis.hdel(inFlight, String(batchNumber));
      }
      return handleFailure(err, job, token, candidates, resent);
    }

    return recordSent(job.data, candidates, response, resent);
  };

  /**
   * Settles a batch the API handled: its refusals listed, its accepted phones recorded as sent,
   * its counts kept, its in-flight mark cleared.
   *
   * `resent`: an earlier call with this batch may have reached the API without us learning its
   * answer. The API then skips the phones that call added; they count as added by this import,
   * not as skipped.
   */
  async function recordSent(
    batch: BatchJobData,
    candidates: readonly BatchCandidate[],
    response: Pick<AddCandidatesResult, 'candidates_added' | 'candidates_skipped' | 'errors'>,
    resent: boolean,
  ): Promise<BatchResult> {
    const refusedIndexes = new Set<number>();
    const rejects: ApiReject[] = [];
    for (const item of response.errors) {
      const candidate = candidates[item.index];
      if (candidate === undefined || refusedIndexes.has(item.index)) {
        continue;
      }
      refusedIndexes.add(item.index);
      rejects.push({
        row: candidate.row,
        reason: 'API_REFUSED',
        // The API's own words, kept for the user, but a phone or email it quotes is not.
        message: redactContacts(item.error),
        ...(candidate.externalId === undefined ? {} : { externalId: candidate.externalId }),
      });
    }

    const accepted = candidates.filter((_, index) => !refusedIndexes.has(index));
    await recordSentPhones(
      redis,
      keys,
      batch.campaignId,
      batch.importId,
      accepted.map((candidate) => candidate.phoneKey),
      protection,
    );
    if (rejects.length > 0) {
      await redis.rpush(
        keys.importApiRejects(batch.importId),
        ...rejects.map((reject) => JSON.stringify(reject)),
      );
    }

    const result: BatchResult = {
      added: response.candidates_added + (resent ? response.candidates_skipped : 0),
      skipped: resent ? 0 : response.candidates_skipped,
      refused: rejects.length,
    };
    await settleBatch(redis, keys, batch.importId, batch.batchNumber, { failed: false, ...result });
    await redis.hdel(keys.importInFlight(batch.importId), String(batch.batchNumber));
    events.batchSent({ importId: batch.importId, batchNumber: batch.batchNumber, ...result });
    return result;
  }

  async function handleFailure(
    err: unknown,
    job: Job<BatchJobData, BatchResult, 'batch'>,
    token: string | undefined,
    candidates: readonly BatchCandidate[],
    resent: boolean,
  ): Promise<BatchResult> {
    const { importId, batchNumber } = job.data;

    if (!(err instanceof VoiceHireError)) {
      throw err;
    }

    if (err.haltsQueue) {
      const credits = err instanceof InsufficientCreditsError ? err : undefined;
      const first = await haltQueue(redis, keys, queue, {
        code: err.code,
        message: haltMessage(err),
        required: credits?.required,
        available: credits?.available,
      });
      events.halted({ importId, batchNumber, code: err.code, message: haltMessage(err), first });
      return backToWaiting(job, token);
    }

    if (err instanceof RateLimitedError) {
      // The API counted more than our limiter did (another client on the same key, a window
      // out of step): wait as long as it says, queue-wide, without using an attempt.
      await queue.rateLimit(err.retryAfterMs);
      events.rateLimited({ importId, batchNumber, waitMs: err.retryAfterMs, source: 'api' });
      throw Worker.RateLimitError();
    }

    if (err instanceof ConflictError) {
      // The whole request met candidates already there: nothing to retry. It settles as an
      // answer that skipped every candidate, so that a batch resent after a lost answer counts
      // them as added, as any other answer would.
      const skippedAll = { candidates_added: 0, candidates_skipped: candidates.length, errors: [] };
      return recordSent(job.data, candidates, skippedAll, resent);
    }

    // The API refuses every candidate of a campaign that was paused or completed meanwhile:
    // the batch waits for the campaign to be active again rather than failing.
    if (err instanceof ValidationError && gate !== undefined) {
      const verdict = await gate.check(job.data.campaignId, { fresh: true });
      if (!verdict.open) {
        return waitForCampaign(job, token, verdict.status);
      }
    }

    const attemptsLeft = (job.opts.attempts ?? 1) - job.attemptsMade - 1;
    if (err.retryable && attemptsLeft > 0) {
      events.batchRetrying({ importId, batchNumber, code: err.code, attemptsLeft });
      throw err;
    }

    // Final: a 400 or 404 would fail the same way again, and transient failures ran out of
    // attempts. The batch stays in the failed set with the API's message.
    return failForGood(job, err, candidates.length);
  }

  /**
   * A batch whose sealed candidates cannot be opened (no key, an unknown key, altered data) would
   * fail the same way on every attempt: it goes to the failed set at once with the reason, and
   * `voicehire retry-failed` sends it back once the key is fixed.
   */
  async function failUnopened(
    err: unknown,
    job: Job<BatchJobData, BatchResult, 'batch'>,
  ): Promise<never> {
    if (!(err instanceof SealedDataError)) {
      throw err;
    }

    return failForGood(job, err, 0);
  }

  /** Settles the batch as failed and leaves it in the failed set with the reason. */
  async function failForGood(
    job: Job<BatchJobData, BatchResult, 'batch'>,
    err: { code: string; message: string },
    candidateCount: number,
  ): Promise<never> {
    const { importId, batchNumber } = job.data;
    await settleBatch(redis, keys, importId, batchNumber, {
      failed: true,
      candidates: candidateCount,
    });
    events.batchFailed({ importId, batchNumber, code: err.code, message: err.message });
    throw new UnrecoverableError(`${err.code}: ${err.message}`);
  }

  /** Puts the batch aside until its campaign may be active again; no attempt is used. */
  async function waitForCampaign(
    job: Job<BatchJobData, BatchResult, 'batch'>,
    token: string | undefined,
    status: string,
  ): Promise<never> {
    const { importId, batchNumber, campaignId } = job.data;
    events.campaignWaiting({
      importId,
      batchNumber,
      campaignId,
      status,
      waitMs: campaignRecheckMs,
    });
    await job.moveToDelayed(Date.now() + campaignRecheckMs, token);
    throw new DelayedError();
  }
}

/** Puts an active batch back in the queue; no attempt is used. */
async function backToWaiting(
  job: Job<BatchJobData, BatchResult, 'batch'>,
  token: string | undefined,
): Promise<never> {
  await job.moveToWait(token);
  throw new WaitingError();
}
