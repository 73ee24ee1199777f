import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
