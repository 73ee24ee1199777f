import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CampaignNotFoundError,
  ConflictError,
  InsufficientCreditsError,
  RateLimitedError,
  TransientError,
  ValidationError,
  VoiceHireError,
} from '../../src/shared/api-errors.js';
import { type ResponseEvent, VoiceHireClient } from '../../src/shared/voicehire-client.js';

const API_KEY = 'vh_live_s3cr3tK3yThatMustNeverLeak0123';
const CAMPAIGN = 'abc123def456';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingMessage['headers'];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
let seen: Seen[];

/** Answers every request with this status, JSON body and headers. */
function answer(status: number, body: unknown, headers: Record<string, string> = {}): void {
  handler = (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
}

function apiError(code: string, message = 'refused', details: Record<string, unknown> = {}) {
  return { error: { code, message, details } };
}

function client(options: { timeoutMs?: number; onResponse?: (event: ResponseEvent) => void } = {}) {
  return new VoiceHireClient({ baseUrl, apiKey: API_KEY, timeoutMs: 2_000, ...options });
}

/** The error a promise rejects with; fails the test if it resolves. */
async function failure(promise: Promise<unknown>): Promise<VoiceHireError> {
  const error = await promise.then(
    () => expect.unreachable('the call should have failed'),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VoiceHireError);
  return error as VoiceHireError;
}

const candidate = {
  first_name: 'Camille',
  last_name: 'Martin',
  phone: '0612345678',
  email: 'camille@example.fr',
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});

beforeEach(() => {
  seen = [];
  answer(500, apiError('UNSET', 'no handler set for this test'));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('when the API answers with success', () => {
  it('sends the key, JSON headers and only the four candidate fields', async () => {
    answer(200, {
      campaign_id: CAMPAIGN,
      candidates_added: 1,
      candidates_skipped: 0,
      calls_queued: 1,
      errors: [],
    });

    // A batch's candidate carries more than the API takes.
    const fromBatch = { ...candidate, row: 7, phoneKey: '+33612345678' };

    await client().addCandidates(CAMPAIGN, [fromBatch]);

    expect(seen).toHaveLength(1);
    const [request] = seen;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/api/v1/campaigns/${CAMPAIGN}/candidates`);
    expect(request?.headers['x-api-key']).toBe(API_KEY);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.headers.accept).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ candidates: [candidate] });
  });

  it('returns the add result, refused items included', async () => {
    answer(200, {
      campaign_id: CAMPAIGN,
      candidates_added: 1,
      candidates_skipped: 1,
      calls_queued: 1,
      errors: [{ index: 2, error: 'invalid phone number' }],
    });

    const result = await client().addCandidates(CAMPAIGN, [candidate, candidate, candidate]);

    expect(result).toEqual({
      campaign_id: CAMPAIGN,
      candidates_added: 1,
      candidates_skipped: 1,
      calls_queued: 1,
      errors: [{ index: 2, error: 'invalid phone number' }],
    });
  });

  it('reads fractional credits and the campaign status', async () => {
    const vh = client();
    answer(200, {
      credits_available: 12.5,
      credits_used_this_month: 40,
      subscription_type: 'pro',
      reset_date: '2025-07-01',
    });
    const credits = await vh.getCredits();

    answer(200, { campaign_id: CAMPAIGN, status: 'paused', stats: { total_candidates: 3 } });
    const status = await vh.getCampaignStatus(CAMPAIGN);

    expect(credits.credits_available).toBe(12.5);
    expect(status).toEqual({
      campaign_id: CAMPAIGN,
      status: 'paused',
      stats: { total_candidates: 3 },
    });
    expect(seen.map((request) => request.url)).toEqual([
      '/api/v1/account/credits',
      `/api/v1/campaigns/${CAMPAIGN}/status`,
    ]);
  });

  it('keeps every field of the campaign details', async () => {
    answer(200, { campaign_id: CAMPAIGN, job_title: 'Vendeur', questions: [{ text: 'Dispo ?' }] });

    const details = await client().getCampaignDetails(CAMPAIGN);

    expect(details).toEqual({
      campaign_id: CAMPAIGN,
      job_title: 'Vendeur',
      questions: [{ text: 'Dispo ?' }],
    });
  });

  it('keeps the rate-limit headers and reports each answer with a templated endpoint', async () => {
    const events: ResponseEvent[] = [];
    const vh = client({ onResponse: (event) => events.push(event) });
    answer(
      200,
      { campaign_id: CAMPAIGN, status: 'active', stats: {} },
      {
        'X-RateLimit-Limit': '100',
        'X-RateLimit-Remaining': '97',
        'X-RateLimit-Reset': '1750000000',
      },
    );

    await vh.getCampaignStatus(CAMPAIGN);

    const rateLimit = { limit: 100, remaining: 97, resetAt: new Date(1_750_000_000_000) };
    expect(vh.lastRateLimit).toEqual(rateLimit);
    expect(events).toEqual([
      {
        method: 'GET',
        endpoint: '/campaigns/:id/status',
        status: 200,
        durationMs: expect.any(Number),
        rateLimit,
      },
    ]);
  });

  it('turns a 200 with a malformed body into UNEXPECTED_RESPONSE', async () => {
    answer(200, { credits_available: 'lots', subscription_type: 'pro' });

    const error = await failure(client().getCredits());

    expect(error.code).toBe('UNEXPECTED_RESPONSE');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('GET /account/credits');
    expect(error.message).toContain('credits_available');
  });

  it('turns an unknown campaign status into UNEXPECTED_RESPONSE', async () => {
    answer(200, { campaign_id: CAMPAIGN, status: 'archived', stats: {} });

    const error = await failure(client().getCampaignStatus(CAMPAIGN));

    expect(error.code).toBe('UNEXPECTED_RESPONSE');
  });
});

describe('when the API refuses', () => {
  it.each(
    (
      [
        [400, 'VALIDATION_ERROR', ValidationError, false, false],
        [400, 'INVALID_PHONE_NUMBER', ValidationError, false, false],
        [400, 'TOO_MANY_CANDIDATES', ValidationError, false, false],
        [401, 'MISSING_API_KEY', AuthenticationError, false, true],
        [401, 'INVALID_API_KEY', AuthenticationError, false, true],
        [401, 'INVALID_API_KEY_FORMAT', AuthenticationError, false, true],
        [403, 'AGENCY_INACTIVE', AuthenticationError, false, true],
        [402, 'INSUFFICIENT_CREDITS', InsufficientCreditsError, false, true],
        [404, 'CAMPAIGN_NOT_FOUND', CampaignNotFoundError, false, false],
        [404, 'RESOURCE_NOT_FOUND', CampaignNotFoundError, false, false],
        [409, 'RESOURCE_CONFLICT', ConflictError, false, false],
        [409, 'DUPLICATE_CANDIDATE', ConflictError, false, false],
        [400, 'DUPLICATE_CANDIDATE', ConflictError, false, false],
        [429, 'RATE_LIMIT_EXCEEDED', RateLimitedError, true, false],
        [500, 'INTERNAL_ERROR', TransientError, true, false],
        [503, 'SERVICE_UNAVAILABLE', TransientError, true, false],
      ] as const
    ).map(([status, code, ErrorClass, retryable, halts]) => ({
      status,
      code,
      ErrorClass,
      retryable,
      halts,
    })),
  )(
    'maps $status $code to $ErrorClass.name',
    async ({ status, code, ErrorClass, retryable, halts }) => {
      answer(status, apiError(code, 'the API says no'));

      const error = await failure(client().addCandidates(CAMPAIGN, [candidate]));

      expect(error).toBeInstanceOf(ErrorClass);
      expect(error.code).toBe(code);
      expect(error.status).toBe(status);
      expect(error.retryable).toBe(retryable);
      expect(error.haltsQueue).toBe(halts);
      expect(error.message).toBe(
        `POST /campaigns/${CAMPAIGN}/candidates failed with ${status} ${code}: the API says no`,
      );
    },
  );

  it('gives the credits a 402 asked for and had', async () => {
    answer(402, apiError('INSUFFICIENT_CREDITS', 'not enough', { required: 100, available: 12.5 }));

    const error = await failure(client().addCandidates(CAMPAIGN, [candidate]));

    expect(error).toBeInstanceOf(InsufficientCreditsError);
    expect((error as InsufficientCreditsError).required).toBe(100);
    expect((error as InsufficientCreditsError).available).toBe(12.5);
  });

  it('waits the fractional retry_after of a 429 body, not a failed attempt', async () => {
    answer(429, apiError('RATE_LIMIT_EXCEEDED', 'slow down', { retry_after: 2.5 }), {
      'Retry-After': '30',
    });

    const error = await failure(client().getCredits());

    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBe(2_500);
    expect(error.countsAsAttempt).toBe(false);
  });

  it('falls back to the Retry-After header of a 429', async () => {
    answer(429, apiError('RATE_LIMIT_EXCEEDED', 'slow down'), { 'Retry-After': '7' });

    const error = await failure(client().getCredits());

    expect((error as RateLimitedError).retryAfterMs).toBe(7_000);
  });

  it('keeps the rate-limit headers of an error answer too', async () => {
    const vh = client();
    answer(429, apiError('RATE_LIMIT_EXCEEDED', 'slow down'), {
      'X-RateLimit-Limit': '60',
      'X-RateLimit-Remaining': '0',
      'X-RateLimit-Reset': '1750000060',
    });

    await failure(vh.getCredits());

    expect(vh.lastRateLimit?.remaining).toBe(0);
    expect(vh.lastRateLimit?.resetAt.getTime()).toBe(1_750_000_060_000);
  });

  it('treats a 503 whose body is not JSON as transient', async () => {
    answer(503, '<html>Bad gateway</html>', { 'content-type': 'text/html' });

    const error = await failure(client().getCampaignStatus(CAMPAIGN));

    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('HTTP_503');
    expect(error.retryable).toBe(true);
  });

  it('does not follow a redirect, which would carry the key elsewhere', async () => {
    answer(302, '', { location: 'http://127.0.0.1:1/steal' });

    const error = await failure(client().getCredits());

    expect(error.code).toBe('HTTP_302');
    expect(error.retryable).toBe(false);
    expect(seen).toHaveLength(1);
  });
});

describe('when no answer comes', () => {
  it('reports a reset connection as NETWORK_ERROR with its cause', async () => {
    handler = (req) => req.socket.resetAndDestroy();

    const error = await failure(client().addCandidates(CAMPAIGN, [candidate]));

    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.status).toBeUndefined();
    expect(error.details.causeCode).toBe('ECONNRESET');
    expect(error.message).toContain(`POST /campaigns/${CAMPAIGN}/candidates`);
  });

  it('reports a socket closed before an answer as NETWORK_ERROR', async () => {
    handler = (req) => req.socket.destroy();

    const error = await failure(client().getCredits());

    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.details.causeCode).toEqual(expect.any(String));
  });

  it('reports a refused connection as NETWORK_ERROR ECONNREFUSED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const vh = new VoiceHireClient({
      baseUrl: `http://127.0.0.1:${port}`,
      apiKey: API_KEY,
      timeoutMs: 2_000,
    });

    const error = await failure(vh.getCredits());

    expect(error.code).toBe('NETWORK_ERROR');
    expect(error.details.causeCode).toBe('ECONNREFUSED');
    expect(error.retryable).toBe(true);
  });

  it('gives up after timeoutMs with TIMEOUT', async () => {
    handler = () => {
      // Never answers.
    };
    const startedAt = Date.now();

    const error = await failure(client({ timeoutMs: 150 }).getCredits());

    expect(error).toBeInstanceOf(TransientError);
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(1_500);
  });

  it('stops when the caller aborts, with ABORTED', async () => {
    handler = () => {
      // Never answers.
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await failure(client().getCredits({ signal: controller.signal }));

    expect(error.code).toBe('ABORTED');
  });
});

describe('the API key', () => {
  function expectNoKey(error: unknown): void {
    const error_ = error as Error;
    for (const text of [
      error_.message,
      error_.stack ?? '',
      JSON.stringify(error),
      inspect(error, { showHidden: true, depth: 10 }),
    ]) {
      expect(text).not.toContain(API_KEY);
      expect(text).not.toContain('s3cr3tK3y');
    }
  }

  it('never appears in an error, even when the API echoes it back', async () => {
    answer(401, apiError('INVALID_API_KEY', `Unknown key ${API_KEY}`, { key: API_KEY }));

    const error = await failure(client().addCandidates(CAMPAIGN, [candidate]));

    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.message).toContain('Unknown key [redacted]');
    expectNoKey(error);
  });

  it('never appears in a network or timeout error', async () => {
    handler = (req) => req.socket.resetAndDestroy();
    const reset = await failure(client().getCredits());
    handler = () => {};
    const timeout = await failure(client({ timeoutMs: 100 }).getCredits());

    expect([reset.code, timeout.code]).toEqual(['NETWORK_ERROR', 'TIMEOUT']);
    expectNoKey(reset);
    expectNoKey(timeout);
  });

  it('is not quoted when it cannot be sent as a header', () => {
    const make = () =>
      new VoiceHireClient({ baseUrl, apiKey: 'vh_live_bad\nkey', timeoutMs: 1_000 });

    expect(make).toThrow(/apiKey must be/);
    expect(() => make()).not.toThrow(/bad/);
  });
});

describe('when the campaign id is malformed', () => {
  it.each(['ABC123DEF456', 'abc123', 'abc123def456/../x', ''])(
    'refuses %j without a request',
    async (id) => {
      const error = await failure(client().addCandidates(id, [candidate]));

      expect(error).toBeInstanceOf(ValidationError);
      expect(error.code).toBe('INVALID_CAMPAIGN_ID');
      expect(error.retryable).toBe(false);
      expect(seen).toHaveLength(0);
    },
  );

  it('refuses more than 100 candidates without a request', async () => {
    const error = await failure(client().addCandidates(CAMPAIGN, Array(101).fill(candidate)));

    expect(error.code).toBe('TOO_MANY_CANDIDATES');
    expect(seen).toHaveLength(0);
  });
});
