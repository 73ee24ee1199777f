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

describe('the record', () => {
  it('lists each accepted add call with what was sent, added, skipped and refused', async () => {
    const simulator = await start();
    const before = Date.now();

    await addCandidates(simulator, candidates(2));
    await addCandidates(simulator, [candidate(2), candidate(3), candidate(4, '0145678912')]);

    expect(simulator.record().adds).toEqual([
      { at: expect.any(Number), campaignId: CAMPAIGN, sent: 2, added: 2, skipped: 0, refused: 0 },
      { at: expect.any(Number), campaignId: CAMPAIGN, sent: 3, added: 1, skipped: 1, refused: 1 },
    ]);
    expect(simulator.record().adds[0]?.at).toBeGreaterThanOrEqual(before);
  });

  it('counts, per campaign and phone, the times it was added and the times it was received', async () => {
    const simulator = await start({ campaigns: ['aaaaaaaaaaaa', 'bbbbbbbbbbbb'] });

    await addCandidates(simulator, [candidate(1, '0612345678')], 'aaaaaaaaaaaa');
    await addCandidates(simulator, [candidate(1, '+33612345678')], 'aaaaaaaaaaaa');
    await addCandidates(simulator, [candidate(1, '06 12 34 56 78')], 'bbbbbbbbbbbb');

    expect(simulator.record().phones).toEqual({
      aaaaaaaaaaaa: { '0612345678': { added: 1, received: 2 } },
      bbbbbbbbbbbb: { '0612345678': { added: 1, received: 1 } },
    });
  });

  it('records neither refused items nor calls refused as a whole', async () => {
    const simulator = await start({ credits: 0 });

    await addCandidates(simulator, [candidate(1, 'not a phone')]);
    await addCandidates(simulator, candidates(101));
    await addCandidates(simulator, candidates(1));

    const record = simulator.record();
    expect(record.adds).toEqual([expect.objectContaining({ sent: 1, added: 0, refused: 1 })]);
    expect(record.phones).toEqual({});
    expect(record.totals).toMatchObject({ requests: 3, insufficientCredits: 1 });
  });

  it('serves the same record over HTTP, without an API key', async () => {
    const simulator = await start({ rateLimits: 'all:1/1h' });
    await addCandidates(simulator, candidates(2));
    await call(simulator, '/account/credits');

    const answer = await control(simulator, '/record');

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(simulator.record());
    expect(answer.body.totals).toEqual({
      requests: 2,
      unauthorized: 0,
      insufficientCredits: 0,
      rateLimited: 1,
      unavailable: 0,
      refusedAdds: 0,
      resets: 0,
      timeouts: 0,
      lostAnswers: 0,
      conflicts: 0,
    });
  });

  it('hands out a copy that later calls do not change', async () => {
    const simulator = await start();
    await addCandidates(simulator, candidates(1));

    const snapshot = simulator.record();
    await addCandidates(simulator, candidates(1, 2));

    expect(snapshot.adds).toHaveLength(1);
    expect(simulator.record().adds).toHaveLength(2);
  });
});

describe('the control routes', () => {
  it('puts campaigns, credits, windows and record back to the start options on reset', async () => {
    const simulator = await start({ credits: 10, rateLimits: 'all:2/1h' });
    await addCandidates(simulator, candidates(4));
    await call(simulator, '/campaigns/create', {
      body: { job_title: 'Barista', contract_type: 'CDI', job_description: 'Café' },
    });
    simulator.setCampaignStatus(CAMPAIGN, 'paused');

    const reset = await control(simulator, '/reset', { method: 'POST' });
    const credits = await call(simulator, '/account/credits');
    const list = await call(simulator, '/campaigns');

    expect(reset.body).toEqual({ reset: true });
    expect(credits.status).toBe(200);
    expect(credits.body.credits_available).toBe(10);
    expect(list.body.campaigns).toEqual([
      expect.objectContaining({ campaign_id: CAMPAIGN, status: 'active', candidates_total: 0 }),
    ]);
    expect(simulator.record().adds).toEqual([]);
  });

  it('resets from the simulator object too', async () => {
    const simulator = await start();
    await addCandidates(simulator, candidates(1));

    simulator.reset();

    expect(simulator.record().totals.requests).toBe(0);
    expect((await addCandidates(simulator, candidates(1))).body.candidates_added).toBe(1);
  });

  it('changes a campaign status over HTTP', async () => {
    const simulator = await start();

    const answer = await control(simulator, `/campaigns/${CAMPAIGN}/status`, {
      body: { status: 'completed' },
    });
    const status = await call(simulator, `/campaigns/${CAMPAIGN}/status`);

    expect(answer.body).toEqual({ campaign_id: CAMPAIGN, status: 'completed' });
    expect(status.body.status).toBe('completed');
  });

  it('refuses an unknown status or campaign', async () => {
    const simulator = await start();

    const badStatus = await control(simulator, `/campaigns/${CAMPAIGN}/status`, {
      body: { status: 'archived' },
    });
    const badCampaign = await control(simulator, '/campaigns/000000000000/status', {
      body: { status: 'paused' },
    });

    expect(badStatus.status).toBe(400);
    expect(badCampaign.status).toBe(404);
    expect(() => simulator.setCampaignStatus('000000000000', 'paused')).toThrow(/does not exist/);
  });

  it('answers control routes even when every API call fails', async () => {
    const simulator = await start({ failRate: 1 });

    const answer = await control(simulator, '/credits', { body: { credits: 5 } });

    expect(answer.status).toBe(200);
    expect(simulator.record().totals.unavailable).toBe(0);
  });
});
