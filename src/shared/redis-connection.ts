import { Redis } from 'ioredis';
import { UsageError } from './exit-codes.js';

export interface RedisConnectionOptions {
  /**
   * Long-running processes (workers, serve) keep reconnecting, forever, through a Redis restart;
   * one-shot commands give up after a few tries and say so. Default false.
   */
  persistent?: boolean;
}

/**
 * Opens a Redis connection and waits until it answers. BullMQ needs `maxRetriesPerRequest: null`
 * on connections that block (workers), so that a command waits for a reconnect instead of
 * failing.
 */
export async function connectRedis(
  url: string,
  options: RedisConnectionOptions = {},
): Promise<Redis> {
  const persistent = options.persistent ?? false;
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: persistent ? null : 3,
    connectTimeout: 5_000,
    retryStrategy: (attempt) => {
      if (!persistent && attempt > 3) {
        return null;
      }
      return Math.min(attempt * 200, 2_000);
    },
  });
  // Without a listener, ioredis prints every failed reconnect; the caller learns of the failure
  // from connect() below, and a persistent connection logs through its owner.
  redis.on('error', () => {});

  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    throw new UsageError(
      `cannot reach Redis at ${hideCredentials(url)}: ${(err as Error).message}; ` +
        'set REDIS_URL, or start redis-server',
    );
  }
  return redis;
}

function hideCredentials(url: string): string {
  return url.replace(/\/\/[^/@]*@/, '//***@');
}
