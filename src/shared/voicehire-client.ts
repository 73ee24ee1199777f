import type { z } from 'zod';
import {
  ErrorCode,
  errorFromResponse,
  TransientError,
  ValidationError,
  type VoiceHireError,
} from './api-errors.js';
import {
  type AddCandidatesResult,
  addCandidatesResultSchema,
  type CampaignDetails,
  type CampaignStatus,
  type Credits,
  campaignDetailsSchema,
  campaignStatusSchema,
  creditsSchema,
  parseJson,
  parseSuccess,
  type RateLimitInfo,
  readRateLimit,
  type SuccessAnswer,
} from './voicehire-responses.js';

export type {
  AddCandidatesResult,
  CampaignDetails,
  CampaignStatus,
  Credits,
  RateLimitInfo,
} from './voicehire-responses.js';

/**
 * The few VoiceHire calls this product makes, over the global fetch. Every failure comes out as
 * a VoiceHireError subclass (./api-errors.ts); nothing here retries or waits: the worker decides,
 * from the class. The contract: /work/shared/voicehire-api.md.
 */

export interface VoiceHireClientOptions {
  /** Base URL without a trailing slash, such as https://app.voicehire.io/api/v1. */
  baseUrl: string;
  /** Sent as `X-API-Key`; never appears in an error. */
  apiKey: string;
  /** How long a call may take, body included, before it fails with TIMEOUT. */
  timeoutMs: number;
  /** Called after every answer, error statuses included, for metrics. Must not throw. */
  onResponse?: (event: ResponseEvent) => void;
}

export interface ResponseEvent {
  method: string;
  /** The path with ids replaced by placeholders, such as `/campaigns/:id/candidates`. */
  endpoint: string;
  status: number;
  /** From the start of the call to the end of its body. */
  durationMs: number;
  rateLimit: RateLimitInfo | undefined;
}

export interface CallOptions {
  /** Aborts the call early (a worker shutting down); the call then fails with ABORTED. */
  signal?: AbortSignal;
}

/** A candidate as the API takes it; any other property of the object is left out of the call. */
export interface ApiCandidate {
  first_name: string;
  last_name: string;
  phone: string;
  email: string;
}

/** Campaign ids look like `abc123def456`. */
const CAMPAIGN_ID = /^[0-9a-f]{12}$/;

/** The API takes at most this many candidates a call. */
const MAX_CANDIDATES_PER_CALL = 100;

// Visible ASCII only: fetch would refuse anything else in a header, quoting the value.
const HEADER_SAFE = /^[\x21-\x7e]+$/;

interface Request {
  method: 'GET' | 'POST';
  /** Path with `:id` placeholders, as reported to `onResponse`. */
  endpoint: string;
  id?: string;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

export class VoiceHireClient {
  /** What `X-RateLimit-*` said on the last answer that carried them; undefined before. */
  lastRateLimit: RateLimitInfo | undefined;

  readonly #baseUrl: string;
  // Private, so that neither logging the client nor spreading it can reveal the key.
  readonly #apiKey: string;
  readonly #timeoutMs: number;
  readonly #onResponse: ((event: ResponseEvent) => void) | undefined;

  constructor(options: VoiceHireClientOptions) {
    const { baseUrl, apiKey, timeoutMs, onResponse } = options;

    if (!URL.canParse(baseUrl) || !/^https?:$/.test(new URL(baseUrl).protocol)) {
      throw new TypeError(`baseUrl must be an http(s) URL (got ${JSON.stringify(baseUrl)})`);
    }
    if (typeof apiKey !== 'string' || !HEADER_SAFE.test(apiKey)) {
      // The value is a secret: say what is wrong without quoting it.
      throw new TypeError('apiKey must be a non-empty string of visible ASCII characters');
    }
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
      throw new TypeError(`timeoutMs must be a positive integer (got ${String(timeoutMs)})`);
    }

    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#apiKey = apiKey;
    this.#timeoutMs = timeoutMs;
    this.#onResponse = onResponse;
  }

  /**
   * Adds up to 100 candidates to a campaign. Each added candidate costs a credit and starts a
   * call at once; a phone already in the campaign is skipped; a refused one is in `errors`.
   */
  async addCandidates(
    campaignId: string,
    candidates: readonly ApiCandidate[],
    options: CallOptions = {},
  ): Promise<AddCandidatesResult> {
    const endpoint = '/campaigns/:id/candidates';
    assertCampaignId('POST', endpoint, campaignId);
    if (candidates.length > MAX_CANDIDATES_PER_CALL) {
      throw new ValidationError(
        `POST ${endpoint}: at most ${MAX_CANDIDATES_PER_CALL} candidates a call (got ${candidates.length})`,
        { code: ErrorCode.TOO_MANY_CANDIDATES },
      );
    }

    // The API refuses any property beyond these four; our batches carry more (row, phoneKey).
    const body = {
      candidates: candidates.map(({ first_name, last_name, phone, email }) => ({
        first_name,
        last_name,
        phone,
        email,
      })),
    };
    const answer = await this.#request({
      method: 'POST',
      endpoint,
      id: campaignId,
      body,
      signal: options.signal,
    });

    return parseSuccess(answer, addCandidatesResultSchema);
  }

  /** The account's credits; `credits_available` may be fractional. */
  async getCredits(options: CallOptions = {}): Promise<Credits> {
    const answer = await this.#request({
      method: 'GET',
      endpoint: '/account/credits',
      signal: options.signal,
    });

    return parseSuccess(answer, creditsSchema);
  }

  /** The campaign's fields, questions and settings, as the API gives them. */
  async getCampaignDetails(
    campaignId: string,
    options: CallOptions = {},
  ): Promise<CampaignDetails> {
    return this.#readCampaign('/campaigns/:id/details', campaignId, campaignDetailsSchema, options);
  }

  /** Whether the campaign takes candidates (`active`) or not (`paused`, `completed`). */
  async getCampaignStatus(campaignId: string, options: CallOptions = {}): Promise<CampaignStatus> {
    return this.#readCampaign('/campaigns/:id/status', campaignId, campaignStatusSchema, options);
  }

  async #readCampaign<T>(
    endpoint: string,
    campaignId: string,
    schema: z.ZodType<T>,
    options: CallOptions,
  ): Promise<T> {
    assertCampaignId('GET', endpoint, campaignId);

    const answer = await this.#request({
      method: 'GET',
      endpoint,
      id: campaignId,
      signal: options.signal,
    });

    return parseSuccess(answer, schema);
  }

  /** Sends one call; returns a 2xx answer's parsed body, or throws a VoiceHireError. */
  async #request(request: Request): Promise<SuccessAnswer> {
    const { method, endpoint, id, body } = request;
    const path = id === undefined ? endpoint : endpoint.replace(':id', encodeURIComponent(id));
    const call = `${method} ${path}`;

    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
    const startedAt = performance.now();

    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, {
        method,
        headers: {
          'X-API-Key': this.#apiKey,
          'Content-Type': 'application/json',
          Accept: 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        // A followed redirect would carry the key to wherever it points; the API never redirects.
        redirect: 'manual',
        signal,
      });
      // The timeout covers the body too: a server that stalls mid-body is as stuck as a silent one.
      text = await response.text();
    } catch (error) {
      throw this.#failureWithoutAnswer(call, error, timeout, request.signal);
    }

    const durationMs = performance.now() - startedAt;
    const rateLimit = readRateLimit(response.headers);
    if (rateLimit) {
      this.lastRateLimit = rateLimit;
    }
    this.#report({ method, endpoint, status: response.status, durationMs, rateLimit });

    // An API that echoed the key back (in a message about a bad key, say) must not leak it.
    const parsed = parseJson(this.#redact(text));
    if (response.status < 200 || response.status > 299) {
      throw errorFromResponse(
        response.status,
        parsed.ok ? parsed.value : parsed.text,
        response.headers,
        call,
      );
    }

    return { call, status: response.status, parsed };
  }

  /** Timeout, caller abort or network failure: no answer to map, so no status. */
  #failureWithoutAnswer(
    call: string,
    error: unknown,
    timeout: AbortSignal,
    callerSignal: AbortSignal | undefined,
  ): VoiceHireError {
    if (timeout.aborted) {
      return new TransientError(`${call} timed out after ${this.#timeoutMs} ms`, {
        code: ErrorCode.TIMEOUT,
        details: { timeoutMs: this.#timeoutMs },
      });
    }
    if (callerSignal?.aborted) {
      // Retryable: the call may or may not have reached the API, and a repeated add is skipped
      // by phone, so sending it again later is safe.
      return new TransientError(`${call} was aborted by the caller`, { code: ErrorCode.ABORTED });
    }

    // fetch says only "fetch failed"; what happened (ECONNRESET, UND_ERR_SOCKET…) is in the cause.
    // The raw cause is not attached: undici's errors may quote what was sent.
    const cause = describeCause(error);
    const causeMessage = this.#redact(cause.message);
    return new TransientError(`${call} failed: network error (${cause.code}: ${causeMessage})`, {
      code: ErrorCode.NETWORK_ERROR,
      details: { causeCode: cause.code, causeMessage },
    });
  }

  #report(event: ResponseEvent): void {
    if (!this.#onResponse) {
      return;
    }
    try {
      this.#onResponse(event);
    } catch {
      // Metrics must never fail a call whose effect (credits spent, calls started) already
      // happened; a throwing listener is a bug its owner's own tests should catch.
    }
  }

  #redact(text: string): string {
    return text.includes(this.#apiKey) ? text.replaceAll(this.#apiKey, '[redacted]') : text;
  }
}

/** Checked before any call: a bad id would otherwise spend a rate-limit slot on a sure 404. */
function assertCampaignId(method: string, endpoint: string, campaignId: string): void {
  if (typeof campaignId === 'string' && CAMPAIGN_ID.test(campaignId)) {
    return;
  }

  const shown = JSON.stringify(String(campaignId).slice(0, 40));
  throw new ValidationError(
    `${method} ${endpoint}: campaign id must be 12 lowercase hex characters, such as abc123def456 (got ${shown})`,
    { code: ErrorCode.INVALID_CAMPAIGN_ID },
  );
}

/** The innermost error code and message in a fetch failure's chain of causes. */
function describeCause(error: unknown): { code: string; message: string } {
  let code: string | undefined;
  let message = error instanceof Error ? error.message : String(error);

  // undici nests: TypeError("fetch failed") -> SocketError / Error with a `code`.
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const currentCode = (current as { code?: unknown }).code;
    if (typeof currentCode === 'string') {
      code = currentCode;
      message = current.message;
    }
    current = current.cause;
  }

  return { code: code ?? 'UNKNOWN', message };
}
