import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { type ApiResponse, apiError, resourceNotFound } from './api-response.js';
import { resetConnection, sendResponse } from './http-io.js';
import type { WindowReport } from './rate-windows.js';
import { matchRoute, requestScope } from './routes.js';
import { API_KEY_FORMAT } from './simulator-options.js';
import type { SimulatorState } from './simulator-state.js';

/** One request under /api/v1, its body already read. */
export interface ApiRequest {
  request: IncomingMessage;
  response: ServerResponse;
  method: string;
  /** Relative to /api/v1: `/campaigns/abc123def456/candidates`. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
  origin: string;
}

/**
 * Takes one API request through the steps the API applies, in order: latency, key, rate limits,
 * injected failure, agency status, endpoint. A step that answers ends the request.
 */
export async function handleApiRequest(state: SimulatorState, api: ApiRequest): Promise<void> {
  const { options, recorder } = state;
  recorder.count('requests');

  if (options.latencyMs > 0) {
    await delay(options.latencyMs);
  }

  // Without a valid key there is nobody to count the request against: no rate-limit headers.
  const key = checkApiKey(api.request.headers['x-api-key'], options.apiKeys);
  if ('refusal' in key) {
    recorder.count('unauthorized');
    sendResponse(api.response, key.refusal);
    return;
  }

  const match = matchRoute(api.method, api.path);
  const decision = state.rateWindows.consume(key.apiKey, requestScope(api.method, match));
  const limitHeaders = rateLimitHeaders(decision.report);
  if (!decision.allowed) {
    recorder.count('rateLimited');
    sendResponse(api.response, rateLimitExceeded(decision.retryAfterMs), limitHeaders);
    return;
  }

  // Failures strike after the rate limits: a failed call still used its place in the windows,
  // which is the case a client must survive. A test's scripted failures leave the seeded
  // sequence untouched.
  const scripted = match?.route.scope === 'adds' ? state.nextAddFaults.shift() : undefined;
  const fault = scripted ?? state.faults.draw();
  if (fault === 'unavailable') {
    recorder.count('unavailable');
    const unavailable = apiError(503, 'SERVICE_UNAVAILABLE', 'the service is unavailable');
    sendResponse(api.response, unavailable, limitHeaders);
    return;
  }
  if (fault === 'reset') {
    recorder.count('resets');
    resetConnection(api.request);
    return;
  }
  if (fault === 'conflict') {
    recorder.count('conflicts');
    const conflict = apiError(409, 'DUPLICATE_CANDIDATE', 'the candidates are already there');
    sendResponse(api.response, conflict, limitHeaders);
    return;
  }
  if (fault === 'timeout') {
    // No answer at all: the socket stays open until the client gives up or the simulator closes.
    recorder.count('timeouts');
    return;
  }

  const context = { state, body: api.body, query: api.query, origin: api.origin };
  let answer: ApiResponse;
  if (options.agencyInactive) {
    answer = apiError(403, 'AGENCY_INACTIVE', 'the agency account is inactive');
  } else if (match === undefined) {
    answer = resourceNotFound(api.method, `/api/v1${api.path}`);
  } else {
    answer = match.route.handle(context, match.campaignId);
  }

  if (fault === 'lost-answer') {
    recorder.count('lostAnswers');
    resetConnection(api.request);
    return;
  }
  sendResponse(api.response, answer, limitHeaders);
}

function checkApiKey(
  apiKey: string | string[] | undefined,
  accepted: readonly string[],
): { apiKey: string } | { refusal: ApiResponse } {
  if (apiKey === undefined || apiKey === '') {
    return { refusal: apiError(401, 'MISSING_API_KEY', 'the X-API-Key header is missing') };
  }
  if (typeof apiKey !== 'string' || !API_KEY_FORMAT.test(apiKey)) {
    const message = 'the X-API-Key header must look like vh_live_… or vh_test_…';
    return { refusal: apiError(401, 'INVALID_API_KEY_FORMAT', message) };
  }
  if (!accepted.includes(apiKey)) {
    return { refusal: apiError(401, 'INVALID_API_KEY', 'the API key is not valid') };
  }
  return { apiKey };
}

/**
 * `retry_after` is in seconds with millisecond precision (0.25 for a quarter second), since a
 * 1-second window would otherwise round every wait up to a whole second; the `Retry-After`
 * header, which HTTP defines in whole seconds, is rounded up.
 */
function rateLimitExceeded(retryAfterMs: number): ApiResponse {
  const retryAfter = Math.ceil(retryAfterMs) / 1000;
  const message = `rate limit reached: retry in ${retryAfter}s`;

  const answer = apiError(429, 'RATE_LIMIT_EXCEEDED', message, { retry_after: retryAfter });
  answer.headers = { 'Retry-After': String(Math.ceil(retryAfter)) };
  return answer;
}

/** The window with the fewest requests left; `X-RateLimit-Reset` is Unix time in seconds. */
function rateLimitHeaders(report: WindowReport | undefined): Record<string, string> {
  if (report === undefined) {
    return {};
  }
  return {
    'X-RateLimit-Limit': String(report.limit),
    'X-RateLimit-Remaining': String(report.remaining),
    'X-RateLimit-Reset': String(Math.ceil(report.resetAt / 1000)),
  };
}
