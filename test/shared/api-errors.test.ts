import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ConflictError,
  DEFAULT_RETRY_AFTER_MS,
  errorFromResponse,
  InsufficientCreditsError,
  RateLimitedError,
  retryAfterFrom,
  TransientError,
  ValidationError,
  VoiceHireError,
} from '../../src/shared/api-errors.js';

const CALL = 'POST /campaigns/abc123def456/candidates';
const noHeaders = new Headers();

function body(code: string, message = 'no', details: Record<string, unknown> = {}) {
  return { error: { code, message, details } };
}

describe('errorFromResponse', () => {
  it('lets the code win over the status', () => {
    const conflict = errorFromResponse(400, body('DUPLICATE_CANDIDATE'), noHeaders, CALL);
    const validation = errorFromResponse(409, body('VALIDATION_ERROR'), noHeaders, CALL);

    expect(conflict).toBeInstanceOf(ConflictError);
    expect(validation).toBeInstanceOf(ValidationError);
  });

  it('names the call, the status, the code and the API message', () => {
    const error = errorFromResponse(
      404,
      body('CAMPAIGN_NOT_FOUND', 'Campaign not found'),
      noHeaders,
      CALL,
    );

    expect(error.message).toBe(`${CALL} failed with 404 CAMPAIGN_NOT_FOUND: Campaign not found`);
  });

  it('makes an unknown 4xx code a plain non-retryable error that keeps its code', () => {
    const error = errorFromResponse(422, body('SOMETHING_NEW', 'new rule'), noHeaders, CALL);

    expect(error.constructor).toBe(VoiceHireError);
    expect(error.code).toBe('SOMETHING_NEW');
    expect(error.retryable).toBe(false);
    expect(error.haltsQueue).toBe(false);
  });

  it.each([
    [500, TransientError],
    [502, TransientError],
    [408, TransientError],
    [401, AuthenticationError],
    [402, InsufficientCreditsError],
    [429, RateLimitedError],
    [404, VoiceHireError],
    [409, VoiceHireError],
  ] as const)('maps a %i without a code by its status', (status, ErrorClass) => {
    const error = errorFromResponse(status, undefined, noHeaders, CALL);

    expect(error.constructor).toBe(ErrorClass);
    expect(error.code).toBe(`HTTP_${status}`);
    expect(error.status).toBe(status);
  });

  it('keeps the start of a body that is not JSON', () => {
    const error = errorFromResponse(502, '<html>Bad gateway</html>', noHeaders, CALL);

    expect(error).toBeInstanceOf(TransientError);
    expect(error.details.body).toBe('<html>Bad gateway</html>');
  });

  it('reads the credits of a 402, and leaves them undefined when absent', () => {
    const told = errorFromResponse(
      402,
      body('INSUFFICIENT_CREDITS', 'no', { required: 40, available: 3.5 }),
      noHeaders,
    ) as InsufficientCreditsError;
    const untold = errorFromResponse(
      402,
      body('INSUFFICIENT_CREDITS'),
      noHeaders,
    ) as InsufficientCreditsError;

    expect([told.required, told.available]).toEqual([40, 3.5]);
    expect([untold.required, untold.available]).toEqual([undefined, undefined]);
    expect(told.haltsQueue).toBe(true);
  });

  it('serialises code, status and flags for the logger', () => {
    const error = errorFromResponse(503, body('SERVICE_UNAVAILABLE'), noHeaders, CALL);

    expect(JSON.parse(JSON.stringify(error))).toMatchObject({
      name: 'TransientError',
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      retryable: true,
      haltsQueue: false,
    });
  });
});

describe('retryAfterFrom', () => {
  const now = Date.UTC(2025, 5, 1, 12, 0, 0);

  it('prefers the body, rounding fractional seconds up to the millisecond', () => {
    const headers = new Headers({ 'Retry-After': '30' });

    expect(retryAfterFrom({ retry_after: 0.0015 }, headers, now)).toBe(2);
    expect(retryAfterFrom({ retry_after: 1.25 }, headers, now)).toBe(1_250);
  });

  it('reads the header in seconds or as an HTTP date', () => {
    const seconds = new Headers({ 'Retry-After': '12' });
    const date = new Headers({ 'Retry-After': new Date(now + 90_000).toUTCString() });
    const past = new Headers({ 'Retry-After': new Date(now - 90_000).toUTCString() });

    expect(retryAfterFrom({}, seconds, now)).toBe(12_000);
    expect(retryAfterFrom({}, date, now)).toBe(90_000);
    expect(retryAfterFrom({}, past, now)).toBe(0);
  });

  it('waits one second when neither says, or when they say nonsense', () => {
    expect(retryAfterFrom({}, noHeaders, now)).toBe(DEFAULT_RETRY_AFTER_MS);
    expect(retryAfterFrom({ retry_after: -3 }, new Headers({ 'Retry-After': 'soon' }), now)).toBe(
      DEFAULT_RETRY_AFTER_MS,
    );
    expect(DEFAULT_RETRY_AFTER_MS).toBe(1_000);
  });
});
