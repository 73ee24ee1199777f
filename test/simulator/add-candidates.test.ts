import { describe, expect, it } from 'vitest';
import {
  addCandidates,
  CAMPAIGN,
  call,
  candidate,
  candidates,
  control,
  simulatorsPerTest,
} from './simulator-client.js';

const start = simulatorsPerTest();

describe('POST /campaigns/{id}/candidates', () => {
  it('adds every valid candidate, queues one call each and spends one credit each', async () => {
    const simulator = await start({ credits: 50 });

    const answer = await addCandidates(simulator, candidates(3));
    const credits = await call(simulator, '/account/credits');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      campaign_id: CAMPAIGN,
      candidates_added: 3,
      candidates_skipped: 0,
      calls_queued: 3,
      errors: [],
    });
    expect(credits.body).toMatchObject({ credits_available: 47, credits_used_this_month: 3 });
  });

  it('refuses a bad phone by its index and adds the rest of the batch', async () => {
    const simulator = await start();
    const batch = [candidate(1), candidate(2, '06.12.34.56.78'), candidate(3, '0145678912')];

    const answer = await addCandidates(simulator, batch);

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ candidates_added: 1, candidates_skipped: 0 });
    expect(answer.body.errors).toEqual([
      { index: 1, error: expect.stringContaining('phone must be a French mobile') },
      { index: 2, error: expect.stringContaining('phone must be a French mobile') },
    ]);
  });

  it('refuses an item with a missing or extra field by its index', async () => {
    const simulator = await start();
    const { email: _, ...withoutEmail } = candidate(2);
    const batch = [candidate(1), withoutEmail, { ...candidate(3), city: 'Lyon' }];

    const answer = await addCandidates(simulator, batch);

    expect(answer.body.candidates_added).toBe(1);
    expect(answer.body.errors.map((error: { index: number }) => error.index)).toEqual([1, 2]);
  });

  it('skips a phone the campaign already has, whichever way it is written', async () => {
    const simulator = await start();
    await addCandidates(simulator, [candidate(1, '0612345678')]);

    const answer = await addCandidates(simulator, [
      candidate(2, '06 12 34 56 78'),
      candidate(3, '+33612345678'),
      candidate(4, '0712345678'),
    ]);

    expect(answer.body).toMatchObject({
      candidates_added: 1,
      candidates_skipped: 2,
      calls_queued: 1,
      errors: [],
    });
  });

  it('skips the second of two equal phones in one request', async () => {
    const simulator = await start({ credits: 10 });

    const answer = await addCandidates(simulator, [
      candidate(1, '0612345678'),
      candidate(2, '+33612345678'),
    ]);
    const credits = await call(simulator, '/account/credits');

    expect(answer.body).toMatchObject({ candidates_added: 1, candidates_skipped: 1 });
    expect(credits.body.credits_available).toBe(9);
  });

  it('refuses more than 100 candidates as a whole and adds none', async () => {
    const simulator = await start();

    const answer = await addCandidates(simulator, candidates(101));
    const status = await call(simulator, `/campaigns/${CAMPAIGN}/status`);

    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({
      code: 'TOO_MANY_CANDIDATES',
      details: { max: 100, received: 101 },
    });
    expect(status.body.stats.candidates_total).toBe(0);
  });

  it('takes exactly 100 candidates', async () => {
    const simulator = await start();

    const answer = await addCandidates(simulator, candidates(100));

    expect(answer.body.candidates_added).toBe(100);
  });

  it.each([
    ['a body that is not JSON', { rawBody: '{"candidates": [' }],
    ['a body without the candidates array', { body: { candidate: [] } }],
    ['candidates that are not an array', { body: { candidates: 'all' } }],
    ['an empty candidates array', { body: { candidates: [] } }],
  ])('refuses %s with VALIDATION_ERROR', async (_, options) => {
    const simulator = await start();

    const answer = await call(simulator, `/campaigns/${CAMPAIGN}/candidates`, {
      method: 'POST',
      ...options,
    });

    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      error: { code: 'VALIDATION_ERROR', message: expect.any(String), details: {} },
    });
  });

  it('answers CAMPAIGN_NOT_FOUND for a campaign that does not exist', async () => {
    const simulator = await start();

    const answer = await addCandidates(simulator, candidates(1), 'fff000fff000');

    expect(answer.status).toBe(404);
    expect(answer.body.error).toMatchObject({
      code: 'CAMPAIGN_NOT_FOUND',
      details: { campaign_id: 'fff000fff000' },
    });
  });

  it('refuses candidates while the campaign is paused, and takes them once it is active', async () => {
    const simulator = await start();
    await control(simulator, `/campaigns/${CAMPAIGN}/status`, { body: { status: 'paused' } });

    const whilePaused = await addCandidates(simulator, candidates(1));
    simulator.setCampaignStatus(CAMPAIGN, 'active');
    const onceActive = await addCandidates(simulator, candidates(1));

    expect(whilePaused.status).toBe(400);
    expect(whilePaused.body.error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { campaign_id: CAMPAIGN, status: 'paused' },
    });
    expect(onceActive.body.candidates_added).toBe(1);
  });

  it('refuses candidates to a completed campaign', async () => {
    const simulator = await start();
    simulator.setCampaignStatus(CAMPAIGN, 'completed');

    const answer = await addCandidates(simulator, candidates(1));

    expect(answer.status).toBe(400);
    expect(answer.body.error.message).toContain('completed');
  });
});

describe('GET /campaigns/{id}/candidates', () => {
  it('lists the added candidates with a UUID, their national phone and no score', async () => {
    const simulator = await start();
    await addCandidates(simulator, [candidate(1, '+33712345678')]);

    const answer = await call(simulator, `/campaigns/${CAMPAIGN}/candidates`);

    expect(answer.status).toBe(200);
    expect(answer.body.candidates).toEqual([
      {
        candidate_id: expect.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/,
        ),
        first_name: 'Prénom1',
        last_name: 'Nom1',
        phone: '0712345678',
        email: 'c1@example.fr',
        status: 'call_queued',
        interview_score: null,
        created_at: expect.any(String),
      },
    ]);
    expect(answer.body.pagination).toEqual({ page: 1, per_page: 20, total: 1, total_pages: 1 });
  });

  it('pages through the candidates in the order they were added', async () => {
    const simulator = await start();
    await addCandidates(simulator, candidates(25));

    const second = await call(simulator, `/campaigns/${CAMPAIGN}/candidates?page=3&per_page=10`);

    expect(second.body.candidates.map((c: { phone: string }) => c.phone)).toEqual([
      '0600000021',
      '0600000022',
      '0600000023',
      '0600000024',
      '0600000025',
    ]);
    expect(second.body.pagination).toEqual({ page: 3, per_page: 10, total: 25, total_pages: 3 });
  });

  it('answers CAMPAIGN_NOT_FOUND for a campaign that does not exist', async () => {
    const simulator = await start();

    const answer = await call(simulator, '/campaigns/000000000000/candidates');

    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('CAMPAIGN_NOT_FOUND');
  });
});
