import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMappingStore } from '../../src/results/open-mapping-store.js';

// The built command, run as a user runs it: `npm test` builds before testing.
const cli = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');
const campaign = 'abc123def456';
const HEADER =
  'external_id,first_name,last_name,phone,email,status,score,availability,availability_start,' +
  'salary_expectation,alignment,strengths,concerns,failure_reason,voicehire_id,row,updated_at';

let dir: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vh-results-cli-'));
  env = { PATH: process.env.PATH, LOG_LEVEL: 'silent', DATABASE_URL: join(dir, 'voicehire.db') };
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function voicehire(...args: string[]) {
  const run = spawnSync(process.execPath, [cli, ...args], { env, cwd: dir, encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Two imported candidates, one interviewed; a third the API reported that no import queued. */
async function seed(): Promise<string> {
  const id = randomUUID();
  const store = await openMappingStore(`sqlite:${join(dir, 'voicehire.db')}`);
  try {
    const imported = { campaignId: campaign, importId: 'import-a', email: 'x@example.fr' };
    await store.recordImported([
      {
        ...imported,
        phone: '+33611111111',
        externalId: '=CMD()',
        row: 2,
        firstName: 'Ben',
        lastName: 'Roy',
      },
      {
        ...imported,
        phone: '+33612345678',
        externalId: 'ATS-1',
        row: 1,
        firstName: 'Léa',
        lastName: 'Martin, "Lou"',
      },
    ]);
    await store.linkCandidate({
      campaignId: campaign,
      phone: '+33612345678',
      voicehireId: id,
      at: '2024-05-01T10:00:00Z',
    });
    await store.recordResult({
      campaignId: campaign,
      voicehireId: id,
      status: 'interview_completed',
      fields: { score: 8.5, strengths: 'relation client', concerns: 'horaires\nde nuit' },
      at: '2024-05-01T10:30:00Z',
    });
    await store.linkCandidate({
      campaignId: campaign,
      phone: '+33799999999',
      voicehireId: randomUUID(),
      at: '2024-05-01T10:00:00Z',
    });
  } finally {
    await store.close();
  }
  return id;
}

describe('voicehire results', () => {
  it('prints CSV in import order: BOM, CRLF, quoting and formula cells escaped', async () => {
    const id = await seed();

    const run = voicehire('results', '--campaign', campaign);

    expect(run.code).toBe(0);
    expect(run.stdout.startsWith(`\uFEFF${HEADER}\r\n`)).toBe(true);
    const lines = run.stdout.slice(1).split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(
      new RegExp(
        `^ATS-1,Léa,"Martin, ""Lou""",0612345678,x@example.fr,interview_completed,8.5,,,,,` +
          `relation client,"horaires\nde nuit",,${id},1,\\d{4}-`,
      ),
    );
    expect(lines[2]).toMatch(/^'=CMD\(\),Ben,Roy,0611111111,x@example.fr,imported,,/);
    expect(lines[3]).toMatch(/^,,,0799999999,,added,,.*,,\d{4}-/);
    expect(lines[4]).toBe('');
  });

  it('prints a JSON array with --json, and writes to --out', async () => {
    const id = await seed();
    const out = join(dir, 'results.json');

    const run = voicehire('results', '--campaign', campaign, '--json', '--out', out);

    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('3 candidates written to');
    const records = JSON.parse(readFileSync(out, 'utf8'));
    expect(records.map((record: { row: number | null }) => record.row)).toEqual([1, 2, null]);
    expect(records[0]).toMatchObject({
      external_id: 'ATS-1',
      phone: '0612345678',
      status: 'interview_completed',
      score: 8.5,
      voicehire_id: id,
      row: 1,
      availability: null,
    });
  });

  it('writes the same CSV to a file with --out, and to stdout with --out -', async () => {
    await seed();
    const out = join(dir, 'results.csv');

    const toFile = voicehire('results', '--campaign', campaign, '--out', out);
    const toStdout = voicehire('results', '--campaign', campaign, '--out', '-');

    expect(toFile.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(toStdout.stdout);
  });

  it('prints a header only, or [], for a campaign with no mapping, and says so', () => {
    const csv = voicehire('results', '--campaign', '0123456789ab');
    const json = voicehire('results', '--campaign', '0123456789ab', '--json');

    expect(csv.code).toBe(0);
    expect(csv.stdout).toBe(`\uFEFF${HEADER}\r\n`);
    expect(csv.stderr).toContain('no candidate of campaign 0123456789ab');
    expect(json.code).toBe(0);
    expect(json.stdout).toBe('[]\n');
  });

  it.each([
    ['a malformed campaign id', ['--campaign', 'ABC'], {}, 'expected a campaign id'],
    ['a missing --campaign', [], {}, "required option '--campaign <id>'"],
    [
      'a DATABASE_URL of another kind',
      ['--campaign', campaign],
      { DATABASE_URL: 'mysql://x/y' },
      'DATABASE_URL',
    ],
    [
      'a PostgreSQL that cannot be reached',
      ['--campaign', campaign],
      { DATABASE_URL: 'postgres://u:secret@127.0.0.1:1/db' },
      'cannot open the results database',
    ],
  ])('exits 1 on %s', (_, args, variables, words) => {
    Object.assign(env, variables);

    const run = voicehire('results', ...args);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain(words);
    expect(run.stderr).not.toContain('secret');
  });
});
