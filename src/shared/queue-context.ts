import type { Redis } from 'ioredis';
import { type BatchQueue, createBatchQueue } from './batch-queue.js';
import type { Config } from './config.js';
import { connectRedis } from './redis-connection.js';
import { type RedisKeys, redisKeys } from './redis-keys.js';

/** Redis, our keys and the batch queue: what every command that touches the queue needs. */
export interface QueueContext {
  config: Config;
  redis: Redis;
  keys: RedisKeys;
  queue: BatchQueue;
  close(): Promise<void>;
}

export async function openQueueContext(
  config: Config,
  options: { persistent: boolean },
): Promise<QueueContext> {
  const redis = await connectRedis(config.REDIS_URL, {
    ...options,
    cluster: config.REDIS_CLUSTER,
  });
  const queue = createBatchQueue(redis, config);

  return {
    config,
    redis,
    keys: redisKeys(config.QUEUE_PREFIX),
    queue,
    async close() {
      await queue.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
