import type { FastifyInstance } from 'fastify';
import type { DataProtection } from '../shared/data-protection.js';
import type { Logger } from '../shared/logger.js';
import {
  WEBHOOK_EVENTS,
  type WebhookEventName,
  webhookEventSchema,
} from '../shared/webhook-events.js';
import { enqueueWebhook, type WebhookQueue } from '../shared/webhook-queue.js';
import { verifyWebhookSignature } from '../shared/webhook-signature.js';
import type { ServeMetrics } from './serve-metrics.js';
import { withTimeout } from './with-timeout.js';

export interface WebhookRouteOptions {
  queue: WebhookQueue;
  /** VOICEHIRE_WEBHOOK_SECRET; without it deliveries are taken unsigned. */
  secret: string | undefined;
  /** First retry delay of an event that cannot be applied yet. */
  retryMs: number;
  /** Seals the queued events and keys their deduplication ids, with DATA_ENCRYPTION_KEY. */
  protection: DataProtection;
  logger: Logger;
  metrics: ServeMetrics;
}

/** VoiceHire's deliveries are small JSON objects; anything larger is refused with 413. */
const BODY_LIMIT = 1024 * 1024;

/** VoiceHire wants an answer within 5 s; a Redis that does not answer by then gets a 503. */
const ENQUEUE_TIMEOUT_MS = 3_000;

const KNOWN_EVENTS = new Set<string>(WEBHOOK_EVENTS);

/**
 * `POST /webhooks/voicehire`: checks the signature over the raw bytes, queues the event and
 * answers 202 at once; the `worker` command processes the webhooks queue.
 */
export async function registerWebhookRoute(
  app: FastifyInstance,
  options: WebhookRouteOptions,
): Promise<void> {
  const { queue, secret, retryMs, protection, logger, metrics } = options;

  await app.register(async (scope) => {
    // The signature covers the bytes as sent: the body must reach us unparsed.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT }, (_, body, done) =>
      done(null, body),
    );

    scope.post('/webhooks/voicehire', async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['x-voicehire-signature'];

      if (secret !== undefined && !verifyWebhookSignature(secret, raw, single(signature))) {
        metrics.webhooks.inc({ event: 'unknown', outcome: 'bad_signature' });
        logger.warn(
          { bytes: raw.length, signed: signature !== undefined },
          'webhook refused: bad signature',
        );
        return reply.code(401).send({ error: 'missing or invalid X-VoiceHire-Signature' });
      }

      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        metrics.webhooks.inc({ event: 'unknown', outcome: 'malformed' });
        return reply.code(400).send({ error: 'the body is not JSON' });
      }

      const name = eventName(body);
      if (name === undefined || !KNOWN_EVENTS.has(name)) {
        metrics.webhooks.inc({ event: 'unknown', outcome: 'ignored' });
        // The name is the sender's text: logged short, never as a metric label.
        logger.info({ event: name?.slice(0, 64) ?? null }, 'webhook ignored: unknown event');
        return reply.code(202).send({ status: 'ignored' });
      }

      const parsed = webhookEventSchema.safeParse(body);
      if (!parsed.success) {
        metrics.webhooks.inc({ event: name, outcome: 'malformed' });
        const fields = parsed.error.issues.map((issue) => issue.path.join('.'));
        logger.warn({ event: name, fields }, 'webhook refused: unexpected payload');
        return reply.code(400).send({ error: `unexpected payload for ${name}`, fields });
      }

      // Keyed with a data key: a plain hash of a body would let a guessed phone be checked.
      const bodyHash = protection.digest(raw);
      try {
        await withTimeout(
          enqueueWebhook(queue, parsed.data, bodyHash, retryMs, protection),
          ENQUEUE_TIMEOUT_MS,
        );
      } catch (err) {
        metrics.webhooks.inc({ event: name, outcome: 'unavailable' });
        logger.error(
          { event: name, err: { message: (err as Error).message } },
          'webhook not queued',
        );
        // VoiceHire retries a 5xx: the delivery is not lost.
        return reply.code(503).send({ error: 'cannot queue the event now; try again' });
      }

      metrics.webhooks.inc({ event: name as WebhookEventName, outcome: 'queued' });
      return reply.code(202).send({ status: 'queued' });
    });
  });
}

function eventName(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) {
    return undefined;
  }
  const event = (body as { event?: unknown }).event;
  return typeof event === 'string' ? event : undefined;
}

function single(header: string | string[] | undefined): string | undefined {
  return Array.isArray(header) ? header[0] : header;
}
