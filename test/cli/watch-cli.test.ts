import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { writeCandidateFile } from '../support/candidate-file.js';

// The built command, run as a user runs it: `npm test` builds before testing.
const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const campaign = 'abc123def456';
const fast = ['--interval', '0.05', '--settle', '100'];

let inbox: string;
/** The mapping store's folder: beside the inbox, which must hold only what the watcher moves. */
let storeDir: string;
let env: NodeJS.ProcessEnv;
let running: ChildProcess | undefined;

beforeEach(() => {
  inbox = mkdtempSync(join(tmpdir(), 'vh-watch-cli-'));
  storeDir = mkdtempSync(join(tmpdir(), 'vh-watch-cli-store-'));
  env = {
    PATH: process.env.PATH,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `{vh-watch-cli-${Math.random().toString(36).slice(2, 10)}}`,
    LOG_LEVEL: 'info',
    DATABASE_URL: join(storeDir, 'voicehire.db'),
  };
});

afterEach(() => {
  running?.kill('SIGKILL');
  running = undefined;
  rmSync(inbox, { recursive: true, force: true });
  rmSync(storeDir, { recursive: true, force: true });
});

function voicehire(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
}

interface LogLine {
  msg: string;
  level: number;
  [field: string]: unknown;
}

/** `voicehire watch` as a long-running process, its log lines parsed as they come. */
function startWatch(...args: string[]) {
  const child = spawn(process.execPath, [cli, 'watch', inbox, ...args], { env });
  running = child;
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

  const lines = (): LogLine[] =>
    stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  const waitForLog = async (msg: string, timeoutMs = 15_000): Promise<LogLine> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines().find((line) => line.msg === msg);
      if (found) {
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`no "${msg}" log line; stderr so far:\n${stderr}`);
      }
      await sleep(20);
    }
  };
  return { child, exited, lines, waitForLog, stderr: () => stderr };
}

describe('voicehire watch', () => {
  it('imports a file dropped into the inbox and logs it by name, with its counts', async () => {
    const watch = startWatch('--campaign', campaign, ...fast);
    await watch.waitForLog('watching inbox');

    // The way writers should drop a file: write it under a .part name, then rename it.
    await writeCandidateFile(join(inbox, 'candidates.csv.part'), { rows: 300, seed: 12 });
    renameSync(join(inbox, 'candidates.csv.part'), join(inbox, 'candidates.csv'));
    const imported = await watch.waitForLog('file imported');
    watch.child.kill('SIGTERM');
    const [code] = await watch.exited;

    expect(code).toBe(0);
    expect(imported).toMatchObject({
      file: 'candidates.csv',
      campaignId: campaign,
      rows: 300,
      movedTo: 'processed/candidates.csv',
    });
    expect(imported.importId).toMatch(/^[0-9a-f]{16}$/);
    expect(readdirSync(join(inbox, 'processed')).sort()).toEqual([
      'candidates.csv',
      'candidates.csv.rejects.csv',
    ]);
    // Names and counts only: no path to the file, no row's contents.
    const fileFields = watch.lines().flatMap((line) => (line.file ? [String(line.file)] : []));
    expect(fileFields.every((file) => !file.includes('/'))).toBe(true);
    expect(watch.stderr()).not.toContain('@example.fr');
  });

  it('finishes the file under way when stopped, then exits 0', async () => {
    const file = join(inbox, 'large.csv');
    await writeCandidateFile(file, { rows: 30_000, seed: 13 });
    const watch = startWatch('--campaign', campaign, ...fast);

    await watch.waitForLog('importing file');
    watch.child.kill('SIGTERM');
    const [code] = await watch.exited;

    const messages = watch.lines().map((line) => line.msg);
    expect(code).toBe(0);
    expect(messages).toContain('shutting down after the current file');
    expect(messages.indexOf('shutting down after the current file')).toBeLessThan(
      messages.indexOf('file imported'),
    );
    expect(existsSync(join(inbox, 'processed', 'large.csv'))).toBe(true);
    expect(existsSync(file)).toBe(false);
  });

  it('with --once, handles what is there and exits 2 when a file was refused', async () => {
    await writeCandidateFile(join(inbox, 'good.csv'), { rows: 50, seed: 14 });
    writeFileSync(join(inbox, 'bad.csv'), 'first name,last name,email\nAna,Lopez,ana@example.fr\n');

    const run = voicehire('watch', inbox, '--campaign', campaign, '--once', ...fast);

    expect(run.status).toBe(2);
    expect(readdirSync(inbox).sort()).toEqual(['failed', 'processed']);
    expect(readdirSync(join(inbox, 'failed')).sort()).toEqual(['bad.csv', 'bad.csv.reason.txt']);
    expect(existsSync(join(inbox, 'processed', 'good.csv'))).toBe(true);
  });

  it('with --once and nothing to import, exits 0 at once', () => {
    const run = voicehire('watch', inbox, '--campaign', campaign, '--once', ...fast);

    expect(run.status).toBe(0);
  });

  it.each([
    ['a malformed campaign id', '.', ['--campaign', 'ABC'], 'campaign id'],
    ['a missing inbox', 'nope', ['--campaign', campaign, '--once'], 'no such folder'],
    ['an interval of zero', '.', ['--interval', '0'], 'seconds'],
  ])('exits 1 on %s', (_, folder, args, words) => {
    const run = voicehire('watch', join(inbox, folder), ...args);

    expect(run.status).toBe(1);
    expect(run.stderr).toContain(words);
  });
});
