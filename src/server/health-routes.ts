import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { readHalt } from '../shared/halt-state.js';
import type { RedisKeys } from '../shared/redis-keys.js';
import { withTimeout } from './with-timeout.js';

/** A readiness probe answers within this, whatever Redis does. */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * `/healthz`: the process is up (for a restart policy). `/readyz`: Redis answers, with whether
 * the batch queue is halted and why (for a load balancer, and for a person at a terminal).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: { redis: Redis; keys: RedisKeys },
): void {
  const { redis, keys } = deps;

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_, reply) => {
    // A connection that is reconnecting would hold the commands: answer at once instead.
    if (redis.status !== 'ready') {
      return reply.code(503).send({ status: 'unavailable', redis: redis.status });
    }

    try {
      const halt = await withTimeout(
        redis.ping().then(() => readHalt(redis, keys)),
        PROBE_TIMEOUT_MS,
      );
      return {
        status: 'ready',
        redis: 'up',
        halted: halt === undefined ? null : { code: halt.code, message: halt.message, at: halt.at },
      };
    } catch (err) {
      return reply
        .code(503)
        .send({ status: 'unavailable', redis: 'down', error: (err as Error).message });
    }
  });
}
