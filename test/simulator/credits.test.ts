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

describe('credits', () => {
  it('reports the credits left, those used this month, the plan and the reset date', async () => {
    const simulator = await start({ credits: 12.5 });

    const answer = await call(simulator, '/account/credits');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      credits_available: 12.5,
      credits_used_this_month: 0,
      subscription_type: expect.any(String),
      reset_date: expect.stringMatching(/^\d{4}-\d{2}-01$/),
    });
  });

  it('answers 402 with what is required and available, and adds none of the batch', async () => {
    const simulator = await start({ credits: 2 });

    const answer = await addCandidates(simulator, candidates(3));
    const status = await call(simulator, `/campaigns/${CAMPAIGN}/status`);
    const credits = await call(simulator, '/account/credits');

    expect(answer.status).toBe(402);
    expect(answer.body.error).toMatchObject({
      code: 'INSUFFICIENT_CREDITS',
      details: { required: 3, available: 2 },
    });
    expect(status.body.stats.candidates_total).toBe(0);
    expect(credits.body.credits_available).toBe(2);
    expect(simulator.record().adds).toEqual([]);
    expect(simulator.record().totals.insufficientCredits).toBe(1);
  });

  it('asks credits only for the candidates it would add, not for those it skips', async () => {
    const simulator = await start({ credits: 3 });
    await addCandidates(simulator, candidates(3));

    const answer = await addCandidates(simulator, candidates(3));

    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ candidates_added: 0, candidates_skipped: 3 });
  });

  it('takes the refused batch once credits are topped up over HTTP', async () => {
    const simulator = await start({ credits: 1 });
    const refused = await addCandidates(simulator, candidates(5));

    const topUp = await control(simulator, '/credits', { body: { credits: 10 } });
    const retried = await addCandidates(simulator, candidates(5));

    expect(refused.status).toBe(402);
    expect(topUp.body).toEqual({ credits_available: 11 });
    expect(retried.body.candidates_added).toBe(5);
    expect((await call(simulator, '/account/credits')).body.credits_available).toBe(6);
  });

  it('takes a top-up from the simulator object too', async () => {
    const simulator = await start({ credits: 0 });

    simulator.topUp(4);
    const answer = await addCandidates(simulator, candidates(4));

    expect(answer.body.candidates_added).toBe(4);
  });

  it.each([{ credits: 0 }, { credits: -5 }, { credits: '10' }, {}])(
    'refuses the top-up %j',
    async (body) => {
      const simulator = await start({ credits: 1 });

      const answer = await control(simulator, '/credits', { body });

      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_ERROR');
      expect((await call(simulator, '/account/credits')).body.credits_available).toBe(1);
    },
  );
});
