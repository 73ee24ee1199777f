import { describe, expect, it } from 'vitest';
import { addCandidates, call, candidates, control, simulatorsPerTest } from './simulator-client.js';

const start = simulatorsPerTest();

describe('API keys', () => {
  it.each([
    ['no key', null, 'MISSING_API_KEY'],
    ['an empty key', '', 'MISSING_API_KEY'],
    ['a key of the wrong format', 'sk_live_abc', 'INVALID_API_KEY_FORMAT'],
    ['a key with a bad character', 'vh_live_abc-def', 'INVALID_API_KEY_FORMAT'],
    ['a well-formed key the simulator does not know', 'vh_live_unknown', 'INVALID_API_KEY'],
  ])('answers 401 to %s', async (_, apiKey, code) => {
    const simulator = await start();

    const answer = await call(simulator, '/account/credits', { apiKey });

    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({
      error: { code, message: expect.any(String), details: {} },
    });
  });

  it('counts refused keys in the record, and counts them against no window', async () => {
    const simulator = await start({ rateLimits: 'all:1/1h' });

    const refused = await call(simulator, '/account/credits', { apiKey: 'vh_live_unknown' });
    const accepted = await call(simulator, '/account/credits');

    expect(refused.headers.get('x-ratelimit-limit')).toBeNull();
    expect(accepted.status).toBe(200);
    expect(simulator.record().totals.unauthorized).toBe(1);
  });

  it('accepts each of the keys it was given', async () => {
    const simulator = await start({ apiKeys: ['vh_live_one', 'vh_test_two'] });

    const one = await call(simulator, '/account/credits', { apiKey: 'vh_live_one' });
    const two = await call(simulator, '/account/credits', { apiKey: 'vh_test_two' });
    const defaultKey = await call(simulator, '/account/credits');

    expect([one.status, two.status, defaultKey.status]).toEqual([200, 200, 401]);
  });

  it('refuses to start with a key the API would call malformed', async () => {
    await expect(start({ apiKeys: ['vh_prod_abc'] })).rejects.toThrow(
      /apiKeys must each look like vh_live_/,
    );
  });
});

describe('agency status', () => {
  it('answers 403 AGENCY_INACTIVE to every call of an inactive agency', async () => {
    const simulator = await start({ agencyInactive: true });

    const read = await call(simulator, '/account/credits');
    const add = await addCandidates(simulator, candidates(1));

    expect([read.status, add.status]).toEqual([403, 403]);
    expect(add.body.error.code).toBe('AGENCY_INACTIVE');
    expect(simulator.record().adds).toEqual([]);
  });
});

describe('routing', () => {
  it('answers RESOURCE_NOT_FOUND to an unknown route under /api/v1', async () => {
    const simulator = await start();

    const unknown = await call(simulator, '/campaigns/abc123def456/archive');
    const wrongMethod = await call(simulator, '/account/credits', { body: {} });

    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('RESOURCE_NOT_FOUND');
    expect(wrongMethod.status).toBe(404);
    expect(wrongMethod.body.error.code).toBe('RESOURCE_NOT_FOUND');
  });

  it('checks the key before saying a route does not exist', async () => {
    const simulator = await start();

    const answer = await call(simulator, '/nothing/here', { apiKey: null });

    expect(answer.status).toBe(401);
  });

  it('answers RESOURCE_NOT_FOUND outside /api/v1 and /_simulator, without a key', async () => {
    const simulator = await start();
    const origin = simulator.url.replace(/\/api\/v1$/, '');

    const response = await fetch(`${origin}/api/v2/account/credits`);
    const unknownControl = await control(simulator, '/nothing');

    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'RESOURCE_NOT_FOUND',
    );
    expect(unknownControl.status).toBe(404);
  });

  it('answers 413 to a body over 10 MB', async () => {
    const simulator = await start();
    const padding = 'x'.repeat(10 * 1024 * 1024);

    const answer = await call(simulator, '/campaigns/abc123def456/candidates', {
      method: 'POST',
      rawBody: JSON.stringify({ candidates: [], padding }),
    });

    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });
});
