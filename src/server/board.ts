import { timingSafeEqual } from 'node:crypto';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import fastifyBasicAuth from '@fastify/basic-auth';
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';

export interface BoardOptions {
  /** Every queue of the product. */
  queues: readonly Queue[];
  /** Where the board is served. Default `/board`. */
  basePath?: string;
  /** Basic-auth credentials; the board is open without them (loopback only, see serve). */
  credentials: { user: string; password: string } | undefined;
  /** Every queue read-only: no retry, clean, remove or promote from the board. */
  readOnly: boolean;
}

/**
 * Bull Board, the dashboard BullMQ users already know, behind basic auth. The auth hook is
 * registered inside the board's own plugin, so that it guards the board's pages, assets and API,
 * and nothing else of the server.
 */
export async function registerBoard(app: FastifyInstance, options: BoardOptions): Promise<void> {
  const basePath = options.basePath ?? '/board';
  const serverAdapter = new FastifyAdapter();
  createBullBoard({
    queues: options.queues.map(
      (queue) => new BullMQAdapter(queue, { readOnlyMode: options.readOnly }),
    ),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'voicehire-bulk' } },
  });
  serverAdapter.setBasePath(basePath);

  await app.register(
    async (scope) => {
      const { credentials } = options;
      if (credentials !== undefined) {
        await scope.register(fastifyBasicAuth, {
          authenticate: { realm: 'voicehire board' },
          validate: async (user, password) => {
            // Both compared, always, in constant time: no early exit tells which one was wrong.
            const userOk = sameSecret(user, credentials.user);
            const passwordOk = sameSecret(password, credentials.password);
            if (!(userOk && passwordOk)) {
              throw new Error('wrong board credentials');
            }
          },
        });
        scope.addHook('onRequest', scope.basicAuth);
      }
      await scope.register(serverAdapter.registerPlugin());
    },
    { prefix: basePath },
  );
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  // timingSafeEqual needs equal lengths; comparing b with itself keeps the time the same.
  return a.length === b.length ? timingSafeEqual(a, b) : !timingSafeEqual(b, b);
}
