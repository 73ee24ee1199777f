import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import {
  addCandidates,
  CAMPAIGN,
  call,
  candidates,
  control,
  simulatorsPerTest,
} from './simulator-client.js';

const start = simulatorsPerTest();

describe('rate limits', () => {
  it('enforces the documented 10 requests a second by default', async () => {
    // undefined falls back to the simulator's own default, where the helper would turn limits off.
    const simulator = await start({ rateLimits: undefined });

    const answers = [];
    for (let n = 0; n < 11; n += 1) {
      answers.push(await call(simulator, '/account/credits'));
    }

    expect(answers.slice(0, 10).every((answer) => answer.status === 200)).toBe(true);
    expect(answers[10]?.status).toBe(429);
    expect(answers[0]?.headers.get('x-ratelimit-limit')).toBe('10');
    expect(answers[0]?.headers.get('x-ratelimit-remaining')).toBe('9');
  });

  it('answers 429 with retry_after in seconds and a Retry-After header rounded up', async () => {
    const simulator = await start({ rateLimits: 'all:1/800ms' });
    await call(simulator, '/account/credits');

    const refused = await call(simulator, '/account/credits');

    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
    const retryAfter = refused.body.error.details.retry_after;
    expect(retryAfter).toBeGreaterThan(0.5);
    expect(retryAfter).toBeLessThanOrEqual(0.8);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
  });

  it('puts the tightest window in the X-RateLimit headers of every answer, errors too', async () => {
    const simulator = await start({ rateLimits: 'all:10/1s,reads:3/1h' });
    const before = Math.floor(Date.now() / 1000);

    const answer = await call(simulator, '/campaigns/000000000000/status');

    expect(answer.status).toBe(404);
    expect(answer.headers.get('x-ratelimit-limit')).toBe('3');
    expect(answer.headers.get('x-ratelimit-remaining')).toBe('2');
    const reset = Number(answer.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(before + 3600);
    expect(reset).toBeLessThanOrEqual(before + 3602);
  });

  it('opens the window again once its duration has passed', async () => {
    const simulator = await start({ rateLimits: 'all:2/300ms' });
    await call(simulator, '/account/credits');
    await call(simulator, '/account/credits');
    const refused = await call(simulator, '/account/credits');

    await delay(refused.body.error.details.retry_after * 1000 + 20);
    const afterReset = await call(simulator, '/account/credits');

    expect(refused.status).toBe(429);
    expect(afterReset.status).toBe(200);
    expect(afterReset.headers.get('x-ratelimit-remaining')).toBe('1');
  });

  it('counts additions in their own window and leaves reads free', async () => {
    const simulator = await start({ rateLimits: 'adds:1/1h' });

    const first = await addCandidates(simulator, candidates(1));
    const second = await addCandidates(simulator, candidates(1, 2));
    const read = await call(simulator, '/account/credits');

    expect(first.status).toBe(200);
    expect(second.status).toBe(429);
    expect(read.status).toBe(200);
  });

  it('counts campaign creations in their own window', async () => {
    const simulator = await start({ rateLimits: 'creates:1/1h' });
    const fields = { job_title: 'Serveur', contract_type: 'CDD', job_description: 'Service' };

    const first = await call(simulator, '/campaigns/create', { body: fields });
    const second = await call(simulator, '/campaigns/create', { body: fields });

    expect(first.status).toBe(201);
    expect(second.status).toBe(429);
  });

  it('records no addition for a rate-limited add', async () => {
    const simulator = await start({ rateLimits: 'adds:1/1h' });
    await addCandidates(simulator, candidates(1));

    await addCandidates(simulator, candidates(1, 2));
    const record = simulator.record();

    expect(record.adds).toHaveLength(1);
    expect(Object.keys(record.phones[CAMPAIGN] ?? {})).toEqual(['0600000001']);
    expect(record.totals.rateLimited).toBe(1);
  });

  it('keeps a separate window for each API key', async () => {
    const keys = ['vh_live_first', 'vh_test_second'];
    const simulator = await start({ apiKeys: keys, rateLimits: 'all:1/1h' });

    const first = await call(simulator, '/account/credits', { apiKey: 'vh_live_first' });
    const second = await call(simulator, '/account/credits', { apiKey: 'vh_test_second' });
    const firstAgain = await call(simulator, '/account/credits', { apiKey: 'vh_live_first' });

    expect([first.status, second.status, firstAgain.status]).toEqual([200, 200, 429]);
  });

  it('never limits the control routes', async () => {
    const simulator = await start({ rateLimits: 'all:1/1h' });
    await call(simulator, '/account/credits');

    const answers = await Promise.all([1, 2, 3].map(() => control(simulator, '/record')));

    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(answers[0]?.headers.get('x-ratelimit-limit')).toBeNull();
  });

  it('sends no X-RateLimit headers when no limit is set', async () => {
    const simulator = await start({ rateLimits: 'none' });

    const answer = await call(simulator, '/account/credits');

    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-ratelimit-limit')).toBeNull();
  });
});
