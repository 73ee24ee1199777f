import { describe, expect, it } from 'vitest';
import {
  addCandidates,
  CAMPAIGN,
  call,
  candidates,
  simulatorsPerTest,
} from './simulator-client.js';

const start = simulatorsPerTest();

const fields = {
  job_title: 'Serveur',
  contract_type: 'CDD',
  job_description: 'Service en salle, week-ends.',
};

describe('campaigns', () => {
  it('creates an active campaign with a 12-hex id, a link and generated questions', async () => {
    const simulator = await start();

    const created = await call(simulator, '/campaigns/create', { body: fields });
    const details = await call(simulator, `/campaigns/${created.body.campaign_id}/details`);

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      campaign_id: expect.stringMatching(/^[0-9a-f]{12}$/),
      candidate_link: expect.stringContaining(created.body.campaign_id),
      status: 'active',
      questions_generated: expect.any(Number),
    });
    expect(details.body).toMatchObject({ campaign_id: created.body.campaign_id, ...fields });
    expect(details.body.questions).toHaveLength(created.body.questions_generated);
  });

  it('takes candidates into a campaign it created', async () => {
    const simulator = await start();
    const created = await call(simulator, '/campaigns/create', { body: fields });

    const answer = await addCandidates(simulator, candidates(2), created.body.campaign_id);

    expect(answer.body.candidates_added).toBe(2);
  });

  it.each(['job_title', 'contract_type', 'job_description'])(
    'refuses a campaign without %s',
    async (field) => {
      const simulator = await start();

      const answer = await call(simulator, '/campaigns/create', {
        body: { ...fields, [field]: '' },
      });

      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: { fields: [field] },
      });
    },
  );

  it('reports a campaign status with its candidate totals', async () => {
    const simulator = await start();
    await addCandidates(simulator, candidates(3));

    const answer = await call(simulator, `/campaigns/${CAMPAIGN}/status`);

    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      campaign_id: CAMPAIGN,
      status: 'active',
      stats: expect.objectContaining({ candidates_total: 3 }),
    });
  });

  it('answers CAMPAIGN_NOT_FOUND for the details and status of an unknown campaign', async () => {
    const simulator = await start();

    const details = await call(simulator, '/campaigns/0123456789ab/details');
    const status = await call(simulator, '/campaigns/0123456789ab/status');

    expect([details.status, status.status]).toEqual([404, 404]);
    expect(details.body.error.code).toBe('CAMPAIGN_NOT_FOUND');
    expect(status.body.error.code).toBe('CAMPAIGN_NOT_FOUND');
  });

  it('lists the campaigns page by page', async () => {
    const ids = ['000000000001', '000000000002', '000000000003'];
    const simulator = await start({ campaigns: ids });

    const answer = await call(simulator, '/campaigns?page=2&per_page=2');

    expect(answer.body).toMatchObject({ total: 3, page: 2, per_page: 2, total_pages: 2 });
    expect(answer.body.campaigns.map((c: { campaign_id: string }) => c.campaign_id)).toEqual([
      '000000000003',
    ]);
  });

  it.each(['per_page=101', 'per_page=0', 'page=0', 'page=two'])(
    'refuses the page request %s',
    async (query) => {
      const simulator = await start();

      const answer = await call(simulator, `/campaigns?${query}`);

      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('VALIDATION_ERROR');
    },
  );

  it('refuses to start with a campaign id that is not 12 lowercase hex characters', async () => {
    await expect(start({ campaigns: ['ABC123DEF456'] })).rejects.toThrow(
      /campaigns must be 12 lowercase hex characters, got "ABC123DEF456"/,
    );
  });
});
