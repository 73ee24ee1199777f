import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface RedisServer {
  url: string;
  port: number;
  dir: string;
  /** The running redis-server; a new one after restart(). */
  readonly process: ChildProcess;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
  /**
   * Stops it (SIGTERM: Redis writes its AOF, when on, before exiting) and starts it again on the
   * same port and folder, as an operator's restart would.
   */
  restart(): Promise<void>;
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') {
    throw new Error('could not get a free port');
  }
  return address.port;
}

/**
 * Starts a private `redis-server` on a free port, so that tests never touch a user's Redis and
 * fault tests may kill or restart it. Extra arguments go to redis-server as they are.
 */
export async function startRedis(extraArgs: string[] = [], port?: number): Promise<RedisServer> {
  const chosenPort = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'vh-redis-'));
  const args = ['--port', String(chosenPort), '--bind', '127.0.0.1', '--dir', dir];
  args.push('--save', '', '--appendonly', 'no', ...extraArgs);

  const launch = async () => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForReady(child);
    return child;
  };
  const halt = async (child: ChildProcess) => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  };
  let child = await launch();

  return {
    url: `redis://127.0.0.1:${chosenPort}`,
    port: chosenPort,
    dir,
    get process() {
      return child;
    },
    async stop() {
      await halt(child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await halt(child);
      child = await launch();
    },
  };
}

/** A private Redis Cluster of masters only, each a redis-server of startRedis. */
export interface RedisCluster {
  /** One node's URL: what a user would set as REDIS_URL, with REDIS_CLUSTER=true. */
  url: string;
  nodes: readonly RedisServer[];
  /** Stops every node and removes their folders. */
  stop(): Promise<void>;
}

/** Every key lives in one of 16384 slots; each master serves a range of them. */
const CLUSTER_SLOTS = 16384;

/**
 * Starts `masters` redis-servers in cluster mode on free ports and forms a cluster of them, the
 * slots split evenly, no replicas: what `redis-cli --cluster create` does, done through ioredis
 * so that redis-cli need not be installed. Resolves once every node says `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const ports = await distinctFreePorts(masters * 2);
  const started = await Promise.allSettled(
    Array.from({ length: masters }, (_, index) =>
      startRedis(
        [
          '--cluster-enabled',
          'yes',
          // Relative to the node's --dir: each node has a folder of its own.
          '--cluster-config-file',
          'nodes.conf',
          // The bus port is port + 10000 by default, which may be taken or past 65535
          // (--cluster-port: Redis 7 and later).
          '--cluster-port',
          String(ports[masters + index]),
        ],
        ports[index],
      ),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };

  try {
    const failure = started.find((result) => result.status === 'rejected');
    if (failure !== undefined) {
      throw failure.reason;
    }
    await formCluster(nodes, ports.slice(masters));
  } catch (err) {
    await stop();
    throw err;
  }
  return { url: nodes[0]?.url ?? '', nodes, stop };
}

async function formCluster(nodes: readonly RedisServer[], busPorts: readonly number[]) {
  const clients = nodes.map((node) => new Redis(node.port, '127.0.0.1', { lazyConnect: true }));

  try {
    await Promise.all(
      clients.map(async (client, index) => {
        await client.connect();
        const from = Math.floor((CLUSTER_SLOTS * index) / nodes.length);
        const to = Math.floor((CLUSTER_SLOTS * (index + 1)) / nodes.length);
        const slots = Array.from({ length: to - from }, (_, offset) => String(from + offset));
        // Distinct epochs from the start, as redis-cli gives them, rather than a collision for
        // the nodes to settle.
        await client.call('CLUSTER', 'SET-CONFIG-EPOCH', String(index + 1));
        await client.call('CLUSTER', 'ADDSLOTS', ...slots);
      }),
    );

    // The first node meets each other one; gossip then tells every node of every other.
    const [introducer, ...others] = clients;
    for (const [index, other] of others.entries()) {
      const port = String(other.options.port);
      await introducer?.call('CLUSTER', 'MEET', '127.0.0.1', port, String(busPorts[index + 1]));
    }
    await Promise.all(clients.map((client) => waitForClusterOk(client, nodes.length)));
  } finally {
    for (const client of clients) {
      client.disconnect();
    }
  }
}

/** Until the node knows every other node and sees every slot served. */
async function waitForClusterOk(client: Redis, nodeCount: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  let info = '';

  while (Date.now() < deadline) {
    info = String(await client.call('CLUSTER', 'INFO'));
    if (info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${nodeCount}`)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the Redis Cluster did not form:\n${info}`);
}

/** Ports that freePort gave, all different from one another. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    ports.add(await freePort());
  }
  return [...ports];
}

function waitForReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${output}`)),
      10_000,
    );

    const onError = (err: Error) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not run (is it installed?): ${err.message}`));
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    };
    const onOutput = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        // Only our own listeners: stop() adds an 'exit' listener of its own later.
        child.off('error', onError);
        child.off('exit', onExit);
        child.stdout?.off('data', onOutput);
        child.stdout?.resume();
        resolve();
      }
    };
    child.once('error', onError);
    child.once('exit', onExit);
    child.stdout?.on('data', onOutput);
  });
}
