/**
 * Every way a VoiceHire call can fail, as classes with stable codes. Whether a failure is retried,
 * and whether it halts the whole queue, is decided here, by the class, and nowhere else.
 * The API's codes and what each means for us: /work/shared/voicehire-api.md, "Errors".
 */

import { redactContacts } from './redact-contacts.js';

/** The API's own codes, and the ones this client adds for failures that have no API code. */
export const ErrorCode = {
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  INVALID_PHONE_NUMBER: 'INVALID_PHONE_NUMBER',
  TOO_MANY_CANDIDATES: 'TOO_MANY_CANDIDATES',
  MISSING_API_KEY: 'MISSING_API_KEY',
  INVALID_API_KEY: 'INVALID_API_KEY',
  INVALID_API_KEY_FORMAT: 'INVALID_API_KEY_FORMAT',
  INSUFFICIENT_CREDITS: 'INSUFFICIENT_CREDITS',
  AGENCY_INACTIVE: 'AGENCY_INACTIVE',
  CAMPAIGN_NOT_FOUND: 'CAMPAIGN_NOT_FOUND',
  RESOURCE_NOT_FOUND: 'RESOURCE_NOT_FOUND',
  RESOURCE_CONFLICT: 'RESOURCE_CONFLICT',
  DUPLICATE_CANDIDATE: 'DUPLICATE_CANDIDATE',
  RATE_LIMIT_EXCEEDED: 'RATE_LIMIT_EXCEEDED',

  // Ours: failures that never reached the API, or answers the API's contract does not allow.
  /** The call took longer than the client's `timeoutMs`. */
  TIMEOUT: 'TIMEOUT',
  /** The connection failed, was refused, reset or closed before a whole answer came. */
  NETWORK_ERROR: 'NETWORK_ERROR',
  /** The caller's own signal aborted the call. */
  ABORTED: 'ABORTED',
  /** A success status whose body does not have the documented shape. */
  UNEXPECTED_RESPONSE: 'UNEXPECTED_RESPONSE',
  /** A campaign id that is not 12 lowercase hex characters; no call was made. */
  INVALID_CAMPAIGN_ID: 'INVALID_CAMPAIGN_ID',
} as const;

/** Used when a 429 says nothing about how long to wait. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

export interface VoiceHireErrorOptions {
  /** The API's code, one of ours, or `HTTP_<status>` when the answer had none. */
  code: string;
  status?: number | undefined;
  details?: Record<string, unknown> | undefined;
}

/**
 * A failed VoiceHire call. Used as is for failures no subclass covers (an unknown 4xx, a
 * malformed success body): those are not retried and do not halt the queue.
 *
 * Never put request headers on an error: they carry the API key, and errors end up in logs.
 */
export class VoiceHireError extends Error {
  override name = 'VoiceHireError';

  readonly code: string;

  /** The HTTP status, or undefined when no answer came (network, timeout) or no call was made. */
  readonly status: number | undefined;

  /** The API's `error.details`, or facts of ours (the network cause's code). */
  readonly details: Record<string, unknown>;

  /** Whether the same request may succeed later. */
  readonly retryable: boolean = false;

  /** Whether every later call will fail too, so the queue should stop until an operator acts. */
  readonly haltsQueue: boolean = false;

  /** Whether a retry uses up one of the job's attempts; false only for rate limiting. */
  readonly countsAsAttempt: boolean = true;

  constructor(message: string, options: VoiceHireErrorOptions) {
    super(message);
    this.code = options.code;
    this.status = options.status;
    this.details = options.details ?? {};
  }
}

/** 402: the account has no credits left. Keep the batch; resume after a top-up. */
export class InsufficientCreditsError extends VoiceHireError {
  override name = 'InsufficientCreditsError';
  override readonly haltsQueue = true;

  /** Credits the refused call needed, when the API said. */
  readonly required: number | undefined;

  /** Credits the account had, when the API said. */
  readonly available: number | undefined;

  constructor(message: string, options: Partial<VoiceHireErrorOptions> = {}) {
    super(message, {
      status: 402,
      ...options,
      code: options.code ?? ErrorCode.INSUFFICIENT_CREDITS,
    });
    this.required = toFiniteNumber(this.details.required);
    this.available = toFiniteNumber(this.details.available);
  }
}

/** 429: wait `retryAfterMs`, then send the same request again; this is not a failed attempt. */
export class RateLimitedError extends VoiceHireError {
  override name = 'RateLimitedError';
  override readonly retryable = true;
  override readonly countsAsAttempt = false;

  /** How long to wait before the next call. Default 1 s when the API gave no figure. */
  readonly retryAfterMs: number;

  constructor(
    message: string,
    options: Partial<VoiceHireErrorOptions> & { retryAfterMs?: number | undefined } = {},
  ) {
    const { retryAfterMs, ...rest } = options;
    super(message, { status: 429, ...rest, code: rest.code ?? ErrorCode.RATE_LIMIT_EXCEEDED });
    this.retryAfterMs = retryAfterMs ?? DEFAULT_RETRY_AFTER_MS;
  }
}

/** 401 (missing, invalid or malformed key) or 403 (agency inactive): every call will fail. */
export class AuthenticationError extends VoiceHireError {
  override name = 'AuthenticationError';
  override readonly haltsQueue = true;
}

/** 404: the campaign (or another resource) does not exist; its batches cannot succeed. */
export class CampaignNotFoundError extends VoiceHireError {
  override name = 'CampaignNotFoundError';
}

/** 400: our bug or bad data. The same request would fail again, so it is never retried. */
export class ValidationError extends VoiceHireError {
  override name = 'ValidationError';
}

/** 400 or 409: the candidate or resource is already there. Count it as skipped; never retry. */
export class ConflictError extends VoiceHireError {
  override name = 'ConflictError';
}

/** 5xx, 408, network failure, timeout: the same request may succeed later, after a backoff. */
export class TransientError extends VoiceHireError {
  override name = 'TransientError';
  override readonly retryable = true;
}

/** Anything with a `get(name)` like the Fetch API's `Headers`. */
export interface HeaderReader {
  get(name: string): string | null;
}

type ErrorClass = new (message: string, options: VoiceHireErrorOptions) => VoiceHireError;

// The code decides before the status does: the docs give no status for the conflict codes, and
// a DUPLICATE_CANDIDATE sent with a 400 must still count as skipped, not as a validation error.
const classByCode: Record<string, ErrorClass> = {
  [ErrorCode.VALIDATION_ERROR]: ValidationError,
  [ErrorCode.INVALID_PHONE_NUMBER]: ValidationError,
  [ErrorCode.TOO_MANY_CANDIDATES]: ValidationError,
  [ErrorCode.MISSING_API_KEY]: AuthenticationError,
  [ErrorCode.INVALID_API_KEY]: AuthenticationError,
  [ErrorCode.INVALID_API_KEY_FORMAT]: AuthenticationError,
  [ErrorCode.AGENCY_INACTIVE]: AuthenticationError,
  [ErrorCode.INSUFFICIENT_CREDITS]: InsufficientCreditsError,
  [ErrorCode.CAMPAIGN_NOT_FOUND]: CampaignNotFoundError,
  [ErrorCode.RESOURCE_NOT_FOUND]: CampaignNotFoundError,
  [ErrorCode.RESOURCE_CONFLICT]: ConflictError,
  [ErrorCode.DUPLICATE_CANDIDATE]: ConflictError,
  [ErrorCode.RATE_LIMIT_EXCEEDED]: RateLimitedError,
};

/**
 * The one place that turns a failed HTTP answer into an error.
 *
 * @param body the parsed JSON body; a string when the body was not JSON (an HTML page from a
 *   proxy), undefined when there was none.
 * @param call names the call in the message, such as "POST /campaigns/abc123def456/candidates".
 */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: HeaderReader,
  call = 'VoiceHire call',
): VoiceHireError {
  const apiError = readApiError(body);
  const code = apiError.code ?? `HTTP_${status}`;
  const details = apiError.details;
  // The message reaches logs and the failed job's reason: a phone or email it quotes does not.
  const suffix = apiError.message ? `: ${redactContacts(apiError.message)}` : '';
  const message = `${call} failed with ${status} ${code}${suffix}`;

  const ErrorForCode = apiError.code ? classByCode[apiError.code] : undefined;
  const ErrorForStatus = classForStatus(status);
  const ErrorClass = ErrorForCode ?? ErrorForStatus;

  if (ErrorClass === RateLimitedError) {
    const retryAfterMs = retryAfterFrom(details, headers);
    return new RateLimitedError(message, { code, status, details, retryAfterMs });
  }
  return new ErrorClass(message, { code, status, details });
}

/** For an answer whose code we do not know (or that had none). */
function classForStatus(status: number): ErrorClass {
  if (status >= 500 || status === 408) {
    return TransientError;
  }

  switch (status) {
    case 401:
      return AuthenticationError;
    case 402:
      return InsufficientCreditsError;
    case 429:
      return RateLimitedError;
    default:
      // An unknown 404 or 409 could mean a wrong base URL or a new meaning: failing the batch
      // for good is safer than calling it "not found" or "already there".
      return VoiceHireError;
  }
}

interface ApiErrorFields {
  code: string | undefined;
  message: string | undefined;
  details: Record<string, unknown>;
}

/** Reads `{"error": {"code", "message", "details"}}`, tolerating any part missing. */
function readApiError(body: unknown): ApiErrorFields {
  if (typeof body === 'string') {
    // Not JSON: keep a little of it, enough to recognise a proxy's error page.
    return { code: undefined, message: undefined, details: { body: body.slice(0, 200) } };
  }

  const error = isRecord(body) && isRecord(body.error) ? body.error : {};
  return {
    code: typeof error.code === 'string' && error.code !== '' ? error.code : undefined,
    message: typeof error.message === 'string' && error.message !== '' ? error.message : undefined,
    details: isRecord(error.details) ? error.details : {},
  };
}

/**
 * How long a 429 asks us to wait: `details.retry_after` (seconds, may be fractional), else the
 * `Retry-After` header (seconds or an HTTP date), else one second.
 */
export function retryAfterFrom(
  details: Record<string, unknown>,
  headers: HeaderReader,
  now = Date.now(),
): number {
  const fromBody = toFiniteNumber(details.retry_after);
  if (fromBody !== undefined && fromBody >= 0) {
    return Math.ceil(fromBody * 1000);
  }

  const header = headers.get('retry-after')?.trim();
  if (header) {
    if (/^\d+(\.\d+)?$/.test(header)) {
      return Math.ceil(Number(header) * 1000);
    }
    const date = Date.parse(header);
    if (!Number.isNaN(date)) {
      return Math.max(0, date - now);
    }
  }

  return DEFAULT_RETRY_AFTER_MS;
}

function toFiniteNumber(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return Number.isFinite(value) ? value : undefined;
  }
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    return Number.isFinite(number) ? number : undefined;
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
