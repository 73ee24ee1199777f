import { existsSync } from 'node:fs';
import { z } from 'zod';
import { parseDataKey, splitKeyList } from './data-protection.js';
import { hideCredentials } from './hide-credentials.js';

const DATA_KEY_FORMAT =
  'must be 32 bytes, written as 64 hex digits or 44 characters of base64 ' +
  '(openssl rand -base64 32)';

/**
 * Every setting the product reads from the environment, with its default, validated once.
 * A `.env` file in the working directory is loaded first; variables already set win.
 */
const configSchema = z.object({
  /** Where BullMQ and our own records live. */
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),

  /**
   * REDIS_URL is one node of a Redis Cluster (any master or replica): the client learns the
   * others from it and follows the cluster's redirections.
   */
  REDIS_CLUSTER: z.stringbool().default(false),

  /** Base URL of the VoiceHire API, without a trailing slash. */
  VOICEHIRE_API_URL: z
    .url({ protocol: /^https?$/ })
    .default('https://app.voicehire.io/api/v1')
    .transform((url) => url.replace(/\/+$/, '')),

  /** Needed only by the commands that call the API (worker, resume). */
  VOICEHIRE_API_KEY: z.string().min(1).optional(),

  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

  /**
   * Prefix of every Redis key: BullMQ's queues and our records. The braces are a Redis Cluster
   * hash tag, so that every key of the product lands in one slot and Lua scripts may touch them
   * together.
   */
  QUEUE_PREFIX: z
    .string()
    .regex(/^\{[^{}:]+\}$/, 'a hash tag in braces, such as {voicehire}')
    .default('{voicehire}'),

  /**
   * Rate-limit windows enforced before each API call, shared by every worker through Redis:
   * `scope:points/duration`, comma-separated. Scopes: `all` (every call), `adds` (candidate
   * additions), `reads` (GET calls). Durations: ms, s, m, h. The defaults are the stricter union
   * of the two sets the API's documentation gives.
   */
  VOICEHIRE_RATE_LIMITS: z.string().default('all:10/1s,all:60/1m,all:1000/1h,adds:100/1h'),

  /** How long one API call may take before it counts as a transient failure. */
  VOICEHIRE_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),

  /** Attempts for a batch that meets transient failures (5xx, network, timeout). */
  BATCH_ATTEMPTS: z.coerce.number().int().min(1).default(8),

  /**
   * First backoff delay; each later one doubles, with jitter. 15 s over 8 attempts spans
   * about half an hour (15 s + 30 s + … + 16 min).
   */
  BATCH_BACKOFF_MS: z.coerce.number().int().min(0).default(15_000),

  /**
   * How long a worker's hold on a batch lasts without renewal. A worker killed outright loses
   * its hold after this long, and another worker takes the batch back (BullMQ's stalled-job
   * recovery).
   */
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),

  /** Where alerts (low credits, halts) are posted as JSON `{text}`; unset: logs only. */
  ALERT_WEBHOOK_URL: z.url({ protocol: /^https?$/ }).optional(),

  /** Credits under which the low-credits alert fires; 50 as the API's guide suggests. */
  CREDITS_ALERT_THRESHOLD: z.coerce.number().min(0).default(50),

  /** How often a worker reads the account's credits, for the gauge and the alert. */
  CREDITS_CHECK_MS: z.coerce.number().int().min(1000).default(300_000),

  /** Basic-auth credentials of the Bull Board at /board (`voicehire serve`). */
  BOARD_USER: z.string().min(1).optional(),
  BOARD_PASSWORD: z.string().min(1).optional(),

  /**
   * Where interview results are kept (the candidate mappings): `postgres://…` for PostgreSQL,
   * else a SQLite file, as `sqlite:path` or a plain path. SQLite serves processes on one
   * machine; workers on several machines need PostgreSQL.
   */
  DATABASE_URL: z
    .string()
    .min(1)
    .refine((url) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^postgres(ql)?:\/\//i.test(url), {
      message: 'a postgres:// URL, or a SQLite file as sqlite:path or a plain path',
    })
    .default('sqlite:voicehire.db'),

  /**
   * The secret VoiceHire signs webhooks with (X-VoiceHire-Signature). When set, a delivery
   * with a missing, malformed or wrong signature is refused with 401.
   */
  VOICEHIRE_WEBHOOK_SECRET: z.string().min(1).optional(),

  /**
   * Key that encrypts candidates' names, phones and emails in Redis (batch and webhook jobs)
   * with AES-256-GCM, and keys the hashes that stand for phones in the dedup records. Unset:
   * they are kept in clear, as before.
   */
  DATA_ENCRYPTION_KEY: z
    .string()
    .refine((text) => parseDataKey(text) !== undefined, DATA_KEY_FORMAT)
    .optional(),

  /**
   * Keys replaced by DATA_ENCRYPTION_KEY, comma-separated: they still open what they sealed, and
   * their phone hashes still count as sent, but nothing new is sealed with them.
   */
  DATA_ENCRYPTION_PREVIOUS_KEYS: z
    .string()
    .refine(
      (text) => splitKeyList(text).every((key) => parseDataKey(key) !== undefined),
      `each key ${DATA_KEY_FORMAT}`,
    )
    .optional(),

  /** How long campaign details and status are cached; 5 minutes, as the API's guide says. */
  CAMPAIGN_CACHE_TTL_MS: z.coerce.number().int().min(0).default(300_000),

  /** How long a batch of a paused or completed campaign waits before the campaign is checked. */
  CAMPAIGN_RECHECK_MS: z.coerce.number().int().min(100).default(60_000),

  /**
   * First retry delay of a webhook event that cannot be applied yet (an interview result whose
   * candidate.added has not come); each later one doubles, 10 attempts in all.
   */
  WEBHOOK_RETRY_MS: z.coerce.number().int().min(10).default(2_000),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
}

let loadedEnvFile = false;

/** Loads `.env` from the working directory once; variables already in the environment win. */
function loadEnvFile(): void {
  if (loadedEnvFile) {
    return;
  }
  loadedEnvFile = true;

  if (existsSync('.env')) {
    process.loadEnvFile('.env');
  }
}

/** Reads and validates the configuration; throws a ConfigError naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  if (env === process.env) {
    loadEnvFile();
  }

  // An empty variable means "not set", as in most .env conventions.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = configSchema.safeParse(present);
  if (result.success) {
    return result.data;
  }

  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return `${name}: ${issue.message} (got ${describeValue(name, env[name])})`;
  });
  throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
}

/** The API key, or a ConfigError that says where to set it. */
export function requireApiKey(config: Config): string {
  if (!config.VOICEHIRE_API_KEY) {
    throw new ConfigError('VOICEHIRE_API_KEY is missing: set it in .env or the environment');
  }
  return config.VOICEHIRE_API_KEY;
}

function describeValue(name: string, value: string | undefined): string {
  if (value === undefined) {
    return 'nothing';
  }
  // A malformed key is still a secret; so is an alert URL, whose path is the token (Slack's
  // hooks.slack.com/services/T…/B…/… lets anyone who has it post to the channel).
  if (/KEY|SECRET|PASSWORD|ALERT_WEBHOOK_URL/.test(name)) {
    return 'a value that is hidden';
  }
  // Credentials inside a URL (redis://user:password@host, ?password=…) stay hidden too.
  return JSON.stringify(hideCredentials(value));
}
