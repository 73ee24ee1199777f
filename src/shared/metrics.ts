import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ResponseEvent } from './voicehire-client.js';

/**
 * The metrics a process exposes on `/metrics`. Label values are ids, endpoints, codes and states:
 * never a phone, an email or a key.
 */
export interface ApiMetrics {
  registry: Registry;
  /** API answers, by templated endpoint and HTTP status. */
  apiRequests: Counter<'endpoint' | 'status'>;
  apiLatency: Histogram<'endpoint'>;
  /** What the API's X-RateLimit-* headers said on its last answer. */
  rateLimitRemaining: Gauge;
  rateLimitLimit: Gauge;
  /** Credits on the account, as last read. */
  creditsRemaining: Gauge;
  /** Batch outcomes in this process: sent, retried, failed, rate_limited, halted. */
  batches: Counter<'outcome'>;
  candidates: Counter<'outcome'>;
  /** Feeds an API answer into the metrics. */
  observeResponse(event: ResponseEvent): void;
}

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createApiMetrics(registry: Registry): ApiMetrics {
  const apiRequests = new Counter({
    name: 'voicehire_api_requests_total',
    help: 'VoiceHire API answers, by endpoint and HTTP status',
    labelNames: ['endpoint', 'status'] as const,
    registers: [registry],
  });
  const apiLatency = new Histogram({
    name: 'voicehire_api_request_duration_seconds',
    help: 'Time from the start of an API call to the end of its answer',
    labelNames: ['endpoint'] as const,
    // The API's calls take tens to hundreds of milliseconds; 5 s is our slow-call warning.
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const rateLimitRemaining = new Gauge({
    name: 'voicehire_rate_limit_remaining',
    help: 'Calls left in the tightest API rate-limit window (X-RateLimit-Remaining)',
    registers: [registry],
  });
  const rateLimitLimit = new Gauge({
    name: 'voicehire_rate_limit_limit',
    help: 'Size of that window (X-RateLimit-Limit)',
    registers: [registry],
  });
  const creditsRemaining = new Gauge({
    name: 'voicehire_credits_remaining',
    help: 'Credits available on the VoiceHire account, as last read',
    registers: [registry],
  });
  const batches = new Counter({
    name: 'voicehire_batches_total',
    help: 'Batch outcomes in this process',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const candidates = new Counter({
    name: 'voicehire_candidates_total',
    help: 'Candidates sent by this process, by what the API did with them',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  return {
    registry,
    apiRequests,
    apiLatency,
    rateLimitRemaining,
    rateLimitLimit,
    creditsRemaining,
    batches,
    candidates,
    observeResponse(event) {
      apiRequests.inc({ endpoint: event.endpoint, status: String(event.status) });
      apiLatency.observe({ endpoint: event.endpoint }, event.durationMs / 1000);
      if (event.rateLimit !== undefined) {
        rateLimitRemaining.set(event.rateLimit.remaining);
        rateLimitLimit.set(event.rateLimit.limit);
      }
    },
  };
}
