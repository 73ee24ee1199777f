import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, inject, it } from 'vitest';

// The built command, run as a user runs it: `npm test` builds before testing.
const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const fixtures = join(import.meta.dirname, '..', 'fixtures', 'csv');
const campaign = 'abc123def456';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vh-cli-'));
  env = {
    PATH: process.env.PATH,
    REDIS_URL: inject('redisUrl'),
    QUEUE_PREFIX: `{vh-cli-${Math.random().toString(36).slice(2, 10)}}`,
    LOG_LEVEL: 'silent',
    DATABASE_URL: join(dir, 'voicehire.db'),
  };
});

function voicehire(...args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args], { env, cwd: dir, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('voicehire import', () => {
  it('imports a French Excel export and prints one JSON object', () => {
    const rejects = join(dir, 'rejects.csv');
    const file = join(fixtures, 'excel-fr-windows-1252.csv');

    const run = voicehire('import', file, '--campaign', campaign, '--json', '--rejects', rejects);

    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({ campaign_id: campaign, rejects_path: rejects });
    expect(summary.rows).toBe(summary.valid + summary.invalid + summary.duplicates);
    expect(summary.valid).toBeGreaterThan(0);
    expect(summary.batches).toBe(1);
    expect(summary.import_id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('writes each refused row to the report with its reason, safe to open in a spreadsheet', () => {
    const file = join(dir, 'mixed.csv');
    writeFileSync(
      file,
      'Prénom;Nom;Téléphone;E-mail\n' +
        'Ana;Lopez;06 12 34 56 78;ana@example.fr\n' +
        '=HYPERLINK("x");Morel;01 45 67 89 01;ben@example.fr\n' +
        'Cleo;Roy;+33 6 12 34 56 78;cleo@example.fr\n' +
        'Dan;Fay;06 98 76 54 32;dan@\n',
    );

    const run = voicehire('import', file, '--campaign', campaign, '--dry-run');
    const report = readFileSync(join(dir, 'mixed.rejects.csv'), 'utf8').split('\r\n');

    expect(run.code).toBe(0);
    expect(report[0]).toBe('\uFEFFrow;reason;message;Prénom;Nom;Téléphone;E-mail');
    expect(report[1]).toMatch(/^2;NOT_A_MOBILE;.*;"'=HYPERLINK\(""x""\)";Morel;/);
    expect(report[2]).toMatch(/^3;DUPLICATE_IN_FILE;same phone as row 1;/);
    expect(report[3]).toMatch(/^4;INVALID_EMAIL;/);
    expect(run.stdout).toContain('dry run: nothing queued');
  });

  it.each([
    ['an empty file', 'empty.csv', 'is empty'],
    ['a binary file', 'candidates.xlsx', 'not a text file'],
    ['an unclosed quote', 'unclosed-quote.csv', 'unclosed quote starting at row 3'],
  ])('refuses %s with exit code 2', (_, name, words) => {
    const run = voicehire('import', join(fixtures, name), '--campaign', campaign);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nothing was queued');
    expect(run.stderr).toContain(words);
  });

  it('refuses a missing file with exit code 2', () => {
    const run = voicehire('import', join(dir, 'nope.csv'), '--campaign', campaign);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no such file');
  });

  it('refuses a file without a phone column, naming what it found', () => {
    const file = join(dir, 'no-phone.csv');
    writeFileSync(file, 'first name,last name,email\nAna,Lopez,ana@example.fr\n');

    const run = voicehire('import', file, '--campaign', campaign);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no column for phone');
    expect(existsSync(join(dir, 'no-phone.rejects.csv'))).toBe(false);
  });

  it('maps a column by hand with --map', () => {
    const file = join(dir, 'odd.csv');
    writeFileSync(file, 'a,b,contact,e\nAna,Lopez,0612345678,ana@example.fr\n');

    const run = voicehire(
      'import',
      file,
      '--campaign',
      campaign,
      '--dry-run',
      '--json',
      ...['--map', 'first_name=a', '--map', 'last_name=b', '--map', 'phone=contact'],
      ...['--map', 'email=e'],
    );

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).valid).toBe(1);
  });

  it.each([
    ['an unknown flag', ['--campaign', campaign, '--frobnicate']],
    ['a malformed campaign id', ['--campaign', 'ABC']],
    ['a chunk size of zero', ['--campaign', campaign, '--chunk-size', '0']],
  ])('exits 1 on %s', (_, args) => {
    const run = voicehire('import', join(fixtures, 'utf8-bom-comma.csv'), ...args);

    expect(run.code).toBe(1);
    expect(run.stderr).not.toBe('');
  });

  it('exits 1 with a clear message when Redis cannot be reached', () => {
    env.REDIS_URL = 'redis://127.0.0.1:1';

    const run = voicehire('import', join(fixtures, 'utf8-bom-comma.csv'), '--campaign', campaign);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('cannot reach Redis at redis://127.0.0.1:1');
  });

  it('exits 1 naming a bad configuration variable', () => {
    env.REDIS_URL = 'not a url';

    const run = voicehire('import', join(fixtures, 'utf8-bom-comma.csv'), '--campaign', campaign);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('REDIS_URL');
  });
});

describe('voicehire --help', () => {
  it('lists the commands and exits 0', () => {
    const run = voicehire('--help');

    expect(run.code).toBe(0);
    for (const command of ['import', 'worker', 'resume', 'status', 'retry-failed', 'simulator']) {
      expect(run.stdout).toContain(command);
    }
  });
});
