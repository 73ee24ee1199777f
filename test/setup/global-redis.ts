import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { type RedisServer, startRedis } from '../../src/shared/local-redis.js';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}

let server: RedisServer | undefined;

/** One private redis-server for the whole run; each test isolates itself by key prefix. */
export async function setup(project: TestProject): Promise<void> {
  server = await startRedis();
  project.provide('redisUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}
