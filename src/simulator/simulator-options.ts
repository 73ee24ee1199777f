import { randomInt } from 'node:crypto';
import { parseRateLimits, RateLimitSpecError, type RateWindow } from '../shared/rate-limit-spec.js';
import { isCampaignId } from './campaign-store.js';

/** Every option is optional; the defaults give one active campaign and the documented limits. */
export interface SimulatorOptions {
  /** TCP port; 0 picks a free one. Default 0. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Keys the simulator accepts in `X-API-Key`. Default `['vh_live_simulator']`. */
  apiKeys?: string[];
  /** Credits available at start. Default 1,000,000. */
  credits?: number;
  /** Campaign ids (12 lowercase hex characters) that exist at start. Default `['abc123def456']`. */
  campaigns?: string[];
  /**
   * Windows in the `VOICEHIRE_RATE_LIMITS` syntax; `''` or `none` for no limit. Default
   * `all:10/1s,all:60/1m,all:1000/1h,adds:100/1h,creates:20/1h,reads:1000/1h`.
   */
  rateLimits?: string;
  /** Delay added before each API request is handled. Default 0. */
  latencyMs?: number;
  /** Share (0..1) of API requests answered 503. Default 0. */
  failRate?: number;
  /** Share (0..1) of API requests whose connection is reset before they are handled. Default 0. */
  resetRate?: number;
  /** Share (0..1) of API requests never answered until the socket closes. Default 0. */
  timeoutRate?: number;
  /**
   * Share (0..1) of API requests handled in full (candidates added, credits spent) whose answer
   * is then lost to a connection reset: the case where a client's retry meets its own additions.
   * Default 0.
   */
  lostAnswerRate?: number;
  /**
   * Seed of the failures above, of the interviews' outcomes and of the webhook chaos, for runs
   * that repeat. Default random.
   */
  seed?: number;
  /** Answer every API request 403 AGENCY_INACTIVE. Default false. */
  agencyInactive?: boolean;
  /** `http(s)://` URL the webhook events are posted to; none are sent without it. Default none. */
  webhookUrl?: string;
  /** Secret of the `X-VoiceHire-Signature` header; deliveries go unsigned without it. Default none. */
  webhookSecret?: string;
  /**
   * Delay between `candidate.added` and `candidate.interview.started`, and again between that and
   * the interview's outcome. Default 2000.
   */
  webhookDelayMs?: number;
  /** First delay between tries of a delivery; then twice, four times that. Default 200. */
  webhookRetryBaseMs?: number;
  /** Time a receiver has to answer one try of a delivery. Default 5000, as the docs say. */
  webhookTimeoutMs?: number;
  /** Send some deliveries twice and shuffle them within small windows, from `seed`. Default false. */
  webhookChaos?: boolean;
  /** `credits.low` is sent when credits fall below this. Default 10, the vendor's default. */
  creditsLowThreshold?: number;
}

/** The options with every default filled and every value checked. */
export interface ResolvedOptions {
  port: number;
  host: string;
  apiKeys: string[];
  credits: number;
  campaigns: string[];
  rateWindows: RateWindow[];
  latencyMs: number;
  failRate: number;
  resetRate: number;
  timeoutRate: number;
  lostAnswerRate: number;
  seed: number;
  agencyInactive: boolean;
  webhookUrl: string | undefined;
  webhookSecret: string | undefined;
  webhookDelayMs: number;
  webhookRetryBaseMs: number;
  webhookTimeoutMs: number;
  webhookChaos: boolean;
  creditsLowThreshold: number;
}

/** The two sets of limits in the API's documentation, merged into the stricter union. */
export const DEFAULT_SIMULATOR_RATE_LIMITS =
  'all:10/1s,all:60/1m,all:1000/1h,adds:100/1h,creates:20/1h,reads:1000/1h';

export const API_KEY_FORMAT = /^vh_(live|test)_[A-Za-z0-9]+$/;

const defaults = {
  port: 0,
  host: '127.0.0.1',
  apiKeys: ['vh_live_simulator'],
  credits: 1_000_000,
  campaigns: ['abc123def456'],
  rateLimits: DEFAULT_SIMULATOR_RATE_LIMITS,
  latencyMs: 0,
  failRate: 0,
  resetRate: 0,
  timeoutRate: 0,
  lostAnswerRate: 0,
  agencyInactive: false,
  webhookDelayMs: 2000,
  webhookRetryBaseMs: 200,
  webhookTimeoutMs: 5000,
  webhookChaos: false,
  creditsLowThreshold: 10,
};

/** An option the simulator cannot start with; the message names it. */
export class SimulatorOptionsError extends Error {
  override name = 'SimulatorOptionsError';
  readonly code = 'SIMULATOR_OPTIONS_INVALID';
}

/** Fills the defaults and checks each option; throws a SimulatorOptionsError naming the bad one. */
export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const merged = { ...defaults, ...withoutUndefined(options) };
  const fail = (message: string): never => {
    throw new SimulatorOptionsError(message);
  };

  if (!Number.isInteger(merged.port) || merged.port < 0 || merged.port > 65_535) {
    fail(`port must be an integer from 0 to 65535, got ${merged.port}`);
  }
  if (merged.apiKeys.length === 0) {
    fail('apiKeys must hold at least one key');
  }
  if (!merged.apiKeys.every((key) => API_KEY_FORMAT.test(key))) {
    // The key itself stays out of the message: it is a secret even when malformed.
    fail('apiKeys must each look like vh_live_… or vh_test_… followed by letters and digits');
  }
  if (!Number.isFinite(merged.credits) || merged.credits < 0) {
    fail(`credits must be a number of at least 0, got ${merged.credits}`);
  }
  const badCampaign = merged.campaigns.find((id) => !isCampaignId(id));
  if (badCampaign !== undefined) {
    fail(`campaigns must be 12 lowercase hex characters, got "${badCampaign}"`);
  }
  if (!Number.isFinite(merged.latencyMs) || merged.latencyMs < 0) {
    fail(`latencyMs must be a number of at least 0, got ${merged.latencyMs}`);
  }
  for (const name of ['failRate', 'resetRate', 'timeoutRate', 'lostAnswerRate'] as const) {
    if (!(merged[name] >= 0 && merged[name] <= 1)) {
      fail(`${name} must be between 0 and 1, got ${merged[name]}`);
    }
  }
  if (merged.failRate + merged.resetRate + merged.timeoutRate + merged.lostAnswerRate > 1) {
    fail('failRate, resetRate, timeoutRate and lostAnswerRate must add up to at most 1');
  }
  if (merged.seed !== undefined && !Number.isInteger(merged.seed)) {
    fail(`seed must be an integer, got ${merged.seed}`);
  }
  if (merged.webhookUrl !== undefined && !isHttpUrl(merged.webhookUrl)) {
    // The URL stays out of the message: receivers often carry a token in it.
    fail('webhookUrl must be an absolute http:// or https:// URL');
  }
  if (merged.webhookSecret === '') {
    // The secret itself stays out of every message.
    fail('webhookSecret must not be empty: leave it out to send unsigned deliveries');
  }
  for (const name of ['webhookDelayMs', 'webhookRetryBaseMs', 'creditsLowThreshold'] as const) {
    if (!Number.isFinite(merged[name]) || merged[name] < 0) {
      fail(`${name} must be a number of at least 0, got ${merged[name]}`);
    }
  }
  if (!Number.isFinite(merged.webhookTimeoutMs) || merged.webhookTimeoutMs <= 0) {
    fail(`webhookTimeoutMs must be a number above 0, got ${merged.webhookTimeoutMs}`);
  }

  const { rateLimits, seed, webhookUrl, webhookSecret, ...checked } = merged;
  return {
    ...checked,
    webhookUrl,
    webhookSecret,
    apiKeys: [...checked.apiKeys],
    campaigns: [...checked.campaigns],
    rateWindows: readRateLimits(rateLimits),
    seed: seed ?? randomInt(2 ** 31),
  };
}

function readRateLimits(spec: string): RateWindow[] {
  try {
    return parseRateLimits(spec);
  } catch (err) {
    if (err instanceof RateLimitSpecError) {
      throw new SimulatorOptionsError(`rateLimits: ${err.message}`);
    }
    throw err;
  }
}

function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** So that `{ port: undefined }` keeps the default instead of erasing it. */
function withoutUndefined(options: SimulatorOptions): SimulatorOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}
