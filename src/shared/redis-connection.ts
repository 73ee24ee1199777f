import { Cluster, Redis } from 'ioredis';
import { UsageError } from './exit-codes.js';
import { hideCredentials } from './hide-credentials.js';

export interface RedisConnectionOptions {
  /**
   * Long-running processes (workers, serve) keep reconnecting, forever, through a Redis restart;
   * one-shot commands give up after a few tries and say so. Default false.
   */
  persistent?: boolean;
  /** The URL names one node of a Redis Cluster (REDIS_CLUSTER); default false. */
  cluster?: boolean;
}

const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Opens a Redis connection and waits until it answers. BullMQ needs `maxRetriesPerRequest: null`
 * on connections that block (workers), so that a command waits for a reconnect instead of
 * failing.
 *
 * With `cluster`, the answer is an ioredis Cluster (see openCluster).
 */
export async function connectRedis(
  url: string,
  options: RedisConnectionOptions = {},
): Promise<Redis> {
  const persistent = options.persistent ?? false;
  const redis = options.cluster ? openCluster(url, persistent) : openRedis(url, persistent);
  // Without a listener, ioredis prints every failed reconnect; the caller learns of the failure
  // from connect() below, and a persistent connection logs through its owner.
  let lastError: (Error & { lastNodeError?: Error }) | undefined;
  redis.on('error', (err) => {
    lastError = err;
  });

  const where = `${options.cluster ? 'the Redis Cluster' : 'Redis'} at ${hideCredentials(url)}`;
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    redis.disconnect();
    // A Cluster's own error is only "None of startup nodes is available"; the node said why.
    const cause = lastError?.lastNodeError ?? (err as Error);
    throw new UsageError(
      `cannot reach ${where}: ${cause.message}; ` +
        'set REDIS_URL (and REDIS_CLUSTER for a cluster), or start redis-server',
    );
  }

  if (!options.cluster && (await isClusterNode(redis))) {
    redis.disconnect();
    // Commands would otherwise fail one by one with MOVED, or work by chance on this node.
    throw new UsageError(`${where} is a node of a Redis Cluster: set REDIS_CLUSTER=true`);
  }
  return redis;
}

function openRedis(url: string, persistent: boolean): Redis {
  return new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: persistent ? null : 3,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: retryDelay(persistent),
  });
}

/**
 * The URL's node is where the client starts: it learns the other nodes and slots from it.
 *
 * The Cluster is typed as Redis, the type every module of the product takes: it has the same
 * command API, routed by key slot. What makes that sound: every key of the product carries the
 * QUEUE_PREFIX hash tag, so each multi-key command, transaction and Lua script finds its keys in
 * one slot; the product lists no keys (SCAN and KEYS would reach one node only); and BullMQ
 * tells a Cluster apart by itself (for its blocking connections).
 */
function openCluster(url: string, persistent: boolean): Redis {
  const node = new URL(url);
  if (!['', '/', '/0'].includes(node.pathname)) {
    throw new UsageError('a Redis Cluster has database 0 only: remove the /N from REDIS_URL');
  }

  const cluster = new Cluster(
    [{ host: node.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(node.port || 6379) }],
    {
      lazyConnect: true,
      clusterRetryStrategy: retryDelay(persistent),
      redisOptions: {
        username: decodeURIComponent(node.username) || undefined,
        password: decodeURIComponent(node.password) || undefined,
        tls: node.protocol === 'rediss:' ? {} : undefined,
        connectTimeout: CONNECT_TIMEOUT_MS,
        maxRetriesPerRequest: persistent ? null : 3,
      },
    },
  );
  return cluster as unknown as Redis;
}

function retryDelay(persistent: boolean): (attempt: number) => number | null {
  return (attempt) => {
    if (!persistent && attempt > 3) {
      return null;
    }
    return Math.min(attempt * 200, 2_000);
  };
}

/** Whether a plain connection reached a node of a cluster; a Redis without INFO counts as not. */
async function isClusterNode(redis: Redis): Promise<boolean> {
  try {
    return /^cluster_enabled:1\s*$/m.test(await redis.info('cluster'));
  } catch {
    return false;
  }
}
