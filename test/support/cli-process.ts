import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** How a command ended: its exit code, or the signal that killed it. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A `voicehire` command run as a user runs it, everything it writes kept. */
export interface CliProcess {
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** stdout and stderr so far, interleaved as they came. */
  output(): string;
  /** Resolves once the command ends, by itself or killed. */
  readonly exited: Promise<CliExit>;
  /** True once the command has ended. */
  done(): boolean;
  /** Sends the signal (default SIGTERM), unless it ended already, and waits for the end. */
  stop(signal?: NodeJS.Signals): Promise<CliExit>;
}

/** `node dist/cli.js …args` with exactly this environment (PATH added), in `cwd`. */
export function runCli(args: string[], env: Record<string, string>, cwd: string): CliProcess {
  if (!existsSync(CLI)) {
    throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  }

  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    output += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const done = () => child.exitCode !== null || child.signalCode !== null;

  return {
    process: child,
    stdout: () => stdout,
    stderr: () => stderr,
    output: () => output,
    exited,
    done,
    async stop(signal = 'SIGTERM') {
      if (!done()) {
        child.kill(signal);
      }
      return exited;
    },
  };
}
