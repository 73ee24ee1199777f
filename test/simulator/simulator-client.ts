import { afterEach } from 'vitest';
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from '../../src/simulator/simulator.js';

export const API_KEY = 'vh_live_simulator';
export const CAMPAIGN = 'abc123def456';

// Tests read whatever JSON the simulator answers; a type per answer would only repeat the code.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

export interface CallOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** Sent as it is, instead of `body` as JSON. */
  rawBody?: string;
  /** The key sent in X-API-Key; null sends none. Default API_KEY. */
  apiKey?: string | null;
  signal?: AbortSignal;
}

/**
 * Starts simulators that are closed after each test. Rate limits are off unless a test asks
 * for them, so that tests making many calls do not meet the documented 10 per second.
 */
export function simulatorsPerTest(): (options?: SimulatorOptions) => Promise<Simulator> {
  const started: Simulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((simulator) => simulator.close()));
  });

  return async (options = {}) => {
    const simulator = await startSimulator({ rateLimits: 'none', seed: 1, ...options });
    started.push(simulator);
    return simulator;
  };
}

/** One call to the simulator's API, `path` relative to its base URL (`/account/credits`). */
export async function call(
  simulator: Simulator,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  return request(`${simulator.url}${path}`, options);
}

/** One call to a control route, `path` relative to /_simulator (`/record`). */
export async function control(
  simulator: Simulator,
  path: string,
  options: CallOptions = {},
): Promise<Answer> {
  const origin = simulator.url.replace(/\/api\/v1$/, '');
  return request(`${origin}/_simulator${path}`, { apiKey: null, ...options });
}

/** Adds candidates to a campaign (default CAMPAIGN). */
export function addCandidates(
  simulator: Simulator,
  candidates: unknown[],
  campaignId = CAMPAIGN,
): Promise<Answer> {
  return call(simulator, `/campaigns/${campaignId}/candidates`, {
    method: 'POST',
    body: { candidates },
  });
}

/** A valid candidate whose mobile number is derived from `n`: 0600000000 + n. */
export function candidate(n: number, phone = `06${String(n).padStart(8, '0')}`) {
  return { first_name: `Prénom${n}`, last_name: `Nom${n}`, phone, email: `c${n}@example.fr` };
}

export function candidates(count: number, from = 1) {
  return Array.from({ length: count }, (_, index) => candidate(from + index));
}

async function request(url: string, options: CallOptions): Promise<Answer> {
  const payload =
    options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const { method = payload === undefined ? 'GET' : 'POST', apiKey = API_KEY } = options;
  const headers: Record<string, string> = {};
  if (apiKey !== null) {
    headers['X-API-Key'] = apiKey;
  }
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
  }

  const response = await fetch(url, { method, headers, body: payload, signal: options.signal });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : null,
  };
}
