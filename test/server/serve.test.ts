import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { haltQueue } from '../../src/shared/halt-state.js';
import { startRedis } from '../../src/shared/local-redis.js';
import { ImportHarness, importHarnessPerTest, waitFor } from '../support/import-harness.js';
import { BOARD_ENV, basicAuth, type RunningServe, startServe } from '../support/serve-harness.js';

const open = importHarnessPerTest();
const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

const serves: RunningServe[] = [];
afterEach(async () => {
  await Promise.all(serves.splice(0).map((serve) => serve.close()));
});

async function serve(env: Record<string, string>, options: { readOnly?: boolean } = {}) {
  const running = await startServe(env, options);
  serves.push(running);
  return running;
}

/** One metric's value from a Prometheus text page, by name and exact labels. */
function metric(page: string, series: string): number | undefined {
  const line = page.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the board', () => {
  it('answers 401 without the credentials or with wrong ones, and opens with the right ones', async () => {
    const harness = await open();
    const { url } = await serve({ ...harness.env, ...BOARD_ENV });

    const anonymous = await fetch(`${url}/board`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic');

    const wrong = await fetch(`${url}/board`, { headers: basicAuth('operator', 'wrong') });
    expect(wrong.status).toBe(401);
    const wrongApi = await fetch(`${url}/board/api/queues`, { headers: basicAuth('x', 'y') });
    expect(wrongApi.status).toBe(401);

    const page = await fetch(`${url}/board`, {
      headers: basicAuth(BOARD_ENV.BOARD_USER, BOARD_ENV.BOARD_PASSWORD),
    });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>voicehire-bulk</title>');
  });

  it('lists every queue of the product with the jobs of an import', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 450, seed: 5 });
    const summary = await harness.importFile(file);
    const { url } = await serve({ ...harness.env, ...BOARD_ENV });

    const response = await fetch(`${url}/board/api/queues?activeQueue=candidate-batches`, {
      headers: basicAuth(BOARD_ENV.BOARD_USER, BOARD_ENV.BOARD_PASSWORD),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      queues: Array<{ name: string; readOnlyMode: boolean; counts: Record<string, number> }>;
    };
    const names = body.queues.map((queue) => queue.name).sort();
    expect(names).toEqual(['candidate-batches', 'webhooks']);
    const batches = body.queues.find((queue) => queue.name === 'candidate-batches');
    expect(batches?.counts.waiting).toBe(summary.batches);
    expect(batches?.readOnlyMode).toBe(false);
  });

  it('with --read-only, marks every queue read-only and refuses to retry or clean', async () => {
    const harness = await open();
    const { url } = await serve({ ...harness.env, ...BOARD_ENV }, { readOnly: true });
    const headers = basicAuth(BOARD_ENV.BOARD_USER, BOARD_ENV.BOARD_PASSWORD);

    const response = await fetch(`${url}/board/api/queues`, { headers });
    const body = (await response.json()) as { queues: Array<{ readOnlyMode: boolean }> };
    expect(body.queues.length).toBe(2);
    expect(body.queues.every((queue) => queue.readOnlyMode)).toBe(true);

    const clean = await fetch(`${url}/board/api/queues/candidate-batches/clean/completed`, {
      method: 'PUT',
      headers,
    });
    expect(clean.status).toBeGreaterThanOrEqual(400);
  });
});

describe('voicehire serve', () => {
  it('refuses to listen beyond loopback without board credentials', () => {
    const result = spawnSync(process.execPath, [CLI, 'serve', '--host', '0.0.0.0', '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', REDIS_URL: 'redis://127.0.0.1:1' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('without BOARD_USER and BOARD_PASSWORD');
  });
});

describe('/metrics', () => {
  it('holds the import counters, the jobs by state and the credits after an import', async () => {
    const harness = await open();
    const file = await harness.writeCandidates({ rows: 800, seed: 9 });
    const summary = await harness.importFile(file);
    await harness.startWorker({ concurrency: 2 });
    await harness.waitForImport(summary.importId);
    const { url } = await serve(harness.env);

    let page = '';
    await waitFor(
      async () => {
        page = await (await fetch(`${url}/metrics`)).text();
        return metric(page, 'voicehire_credits_remaining') !== undefined;
      },
      10_000,
      'the credits a worker read to reach the metrics',
    );

    const labels = `{import_id="${summary.importId}",campaign_id="${summary.campaignId}"}`;
    expect(metric(page, `voicehire_import_rows${labels}`)).toBe(800);
    expect(metric(page, `voicehire_import_valid${labels}`)).toBe(summary.valid);
    expect(metric(page, `voicehire_import_invalid${labels}`)).toBe(summary.invalid);
    expect(metric(page, `voicehire_import_added${labels}`)).toBe(summary.valid);
    expect(metric(page, `voicehire_import_sent${labels}`)).toBe(summary.valid);
    expect(metric(page, `voicehire_import_failed${labels}`)).toBe(0);
    expect(metric(page, 'voicehire_jobs{queue="candidate-batches",state="completed"}')).toBe(
      summary.batches,
    );
    expect(metric(page, 'voicehire_queue_halted{reason=""}')).toBe(0);
    expect(metric(page, 'voicehire_redis_up')).toBe(1);
    // A worker reads the credits as it starts, and every few minutes: some batches may follow.
    const credits = metric(page, 'voicehire_credits_remaining') ?? Number.NaN;
    expect(credits).toBeGreaterThanOrEqual(1_000_000 - summary.valid);
    expect(credits).toBeLessThanOrEqual(1_000_000);
    expect(metric(page, 'voicehire_rate_limit_limit')).toBeGreaterThan(0);

    // Labels are ids and codes: no phone or email of the file reaches the page.
    for (const phone of file.phones.slice(0, 50)) {
      expect(page).not.toContain(phone);
      expect(page).not.toContain(phone.slice(1));
    }
    expect(page).not.toMatch(/@[a-z0-9-]+\.[a-z]{2,}/);
  });
});

describe('/readyz', () => {
  it('says the queue is halted and why', async () => {
    const harness = await open();
    const { url } = await serve(harness.env);
    const healthy = await fetch(`${url}/readyz`);
    expect(healthy.status).toBe(200);
    expect(await healthy.json()).toMatchObject({ status: 'ready', halted: null });

    await haltQueue(harness.api.redis, harness.api.keys, harness.api.queue, {
      code: 'INSUFFICIENT_CREDITS',
      message: 'insufficient credits (required 100, available 12)',
      required: 100,
      available: 12,
    });

    const halted = await fetch(`${url}/readyz`);
    expect(halted.status).toBe(200);
    expect(await halted.json()).toMatchObject({
      status: 'ready',
      halted: { code: 'INSUFFICIENT_CREDITS', message: expect.stringContaining('available 12') },
    });
    const page = await (await fetch(`${url}/metrics`)).text();
    expect(metric(page, 'voicehire_queue_halted{reason="INSUFFICIENT_CREDITS"}')).toBe(1);
  });

  it('answers 503 while Redis is down, and 200 once it is back, while /healthz stays 200', async () => {
    const redis = await startRedis();
    const harness = await ImportHarness.open({ redisUrl: redis.url });
    const running = await startServe(harness.env);
    try {
      const { url } = running;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);

      redis.process.kill('SIGKILL');
      await waitFor(async () => (await fetch(`${url}/readyz`)).status === 503, 10_000, '503');
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const page = await (await fetch(`${url}/metrics`)).text();
      expect(metric(page, 'voicehire_redis_up')).toBe(0);

      await redis.restart();
      await waitFor(async () => (await fetch(`${url}/readyz`)).status === 200, 15_000, '200');
    } finally {
      // Before Redis goes: their connections would wait for it forever.
      await running.close();
      await harness.close();
      await redis.stop();
    }
  });
});
