import { CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/shared/exit-codes.js';
import { runSimulatorCommand } from './run-simulator-command.js';
import { API_KEY } from './simulator-client.js';

async function firstLine(lines: string[], done: Promise<unknown>): Promise<string> {
  for (let tries = 0; tries < 200 && lines.length === 0; tries += 1) {
    await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 10))]);
  }
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

function get(url: string, apiKey = API_KEY) {
  return fetch(url, { headers: { 'X-API-Key': apiKey } });
}

describe('voicehire simulator', () => {
  beforeEach(() => {
    vi.stubEnv('LOG_LEVEL', 'silent');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('prints its base URL alone on stdout, serves it, and closes when stopped', async () => {
    const { lines, stop, done } = runSimulatorCommand(['--port', '0']);

    const url = await firstLine(lines, done);
    const credits = await get(`${url}/account/credits`);
    stop('SIGTERM');
    await done;

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/);
    expect(credits.status).toBe(200);
    await expect(get(`${url}/account/credits`)).rejects.toThrow();
  });

  it('passes its options to the simulator', async () => {
    const { lines, stop, done } = runSimulatorCommand([
      '--port=0',
      '--credits',
      '7',
      '--campaign',
      'aaaaaaaaaaaa',
      '--campaign',
      'bbbbbbbbbbbb',
      '--api-key',
      'vh_test_cli',
      '--rate-limits',
      'all:1/1h',
    ]);

    const url = await firstLine(lines, done);
    const credits = await get(`${url}/account/credits`, 'vh_test_cli');
    const limited = await get(`${url}/campaigns`, 'vh_test_cli');
    stop('SIGINT');
    await done;

    expect(((await credits.json()) as { credits_available: number }).credits_available).toBe(7);
    expect(credits.headers.get('x-ratelimit-limit')).toBe('1');
    expect(limited.status).toBe(429);
  });

  it('creates every campaign given to --campaign', async () => {
    const { lines, stop, done } = runSimulatorCommand([
      '--port=0',
      '--rate-limits=none',
      '--campaign',
      'aaaaaaaaaaaa',
      '--campaign',
      'bbbbbbbbbbbb',
    ]);

    const url = await firstLine(lines, done);
    const list = await get(`${url}/campaigns`);
    stop('SIGTERM');
    await done;

    const body = (await list.json()) as { campaigns: { campaign_id: string }[] };
    expect(body.campaigns.map((campaign) => campaign.campaign_id)).toEqual([
      'aaaaaaaaaaaa',
      'bbbbbbbbbbbb',
    ]);
  });

  it.each([
    [['--fail-rate', '2']],
    [['--port', '70000']],
    [['--latency', '-1']],
    [['--seed', 'abc']],
  ])('refuses the flags %j before starting', async (args) => {
    const { lines, done } = runSimulatorCommand(args);

    await expect(done).rejects.toThrow(CommanderError);
    expect(lines).toEqual([]);
  });

  it('turns an option the simulator refuses into a usage error', async () => {
    const { lines, done } = runSimulatorCommand(['--port', '0', '--campaign', 'not-hex']);

    await expect(done).rejects.toThrow(UsageError);
    await expect(done).rejects.toThrow(/campaigns must be 12 lowercase hex characters/);
    expect(lines).toEqual([]);
  });

  it('turns a bad rate-limit spec into a usage error naming the bad entry', async () => {
    const { done } = runSimulatorCommand(['--port', '0', '--rate-limits', 'all:10/1s,adds:x/1h']);

    await expect(done).rejects.toThrow(/rateLimits: rate limit #2 "adds:x\/1h"/);
  });
});
