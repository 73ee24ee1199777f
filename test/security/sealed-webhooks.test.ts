import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { readCampaignState } from '../../src/shared/campaign-state.js';
import { signWebhook } from '../../src/shared/webhook-signature.js';
import { importHarnessPerTest, waitFor } from '../support/import-harness.js';
import { type RunningServe, startServe } from '../support/serve-harness.js';

const open = importHarnessPerTest();
const SECRET = 'whsec_sealed';
const DATA_KEY = randomBytes(32).toString('base64');

const serves: RunningServe[] = [];
afterEach(async () => {
  await Promise.all(serves.splice(0).map((serve) => serve.close()));
});

function deliver(serve: RunningServe, body: string): Promise<Response> {
  return fetch(`${serve.url}/webhooks/voicehire`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-voicehire-signature': signWebhook(SECRET, body),
    },
    body,
  });
}

describe('with DATA_ENCRYPTION_KEY set', () => {
  it('queues a webhook sealed, fails it at once without the key, and applies it with the key', async () => {
    const harness = await open({ env: { VOICEHIRE_WEBHOOK_SECRET: SECRET } });
    const serve = await startServe({ ...harness.env, DATA_ENCRYPTION_KEY: DATA_KEY });
    serves.push(serve);
    const body = JSON.stringify({
      event: 'campaign.status_changed',
      timestamp: new Date().toISOString(),
      data: { campaign_id: 'abc123def456', old_status: 'active', new_status: 'paused' },
    });

    expect((await deliver(serve, body)).status).toBe(202);
    // A repeated delivery is still recognised by its keyed hash.
    expect((await deliver(serve, body)).status).toBe(202);

    const [job, ...others] = await serve.webhookQueue.getWaiting();
    expect(others).toEqual([]);
    expect(job?.name).toBe('campaign.status_changed');
    expect(Object.keys(job?.data ?? {}).sort()).toEqual(['event', 'sealedEvent']);
    expect(JSON.stringify(job?.data)).not.toContain('paused');

    const withoutKey = await harness.startWorker();
    await waitFor(async () => (await serve.webhookQueue.getFailedCount()) === 1, 10_000);
    await withoutKey.close();
    const [failed] = await serve.webhookQueue.getFailed();
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/^DATA_KEY_MISSING: /);
    expect(await readCampaignState(harness.api.redis, harness.api.keys, 'abc123def456')).toBe(
      undefined,
    );

    await harness.startWorker({}, { DATA_ENCRYPTION_KEY: DATA_KEY });
    await failed?.retry();
    await waitFor(async () => (await serve.webhookQueue.getCompletedCount()) === 1, 10_000);
    expect(await readCampaignState(harness.api.redis, harness.api.keys, 'abc123def456')).toBe(
      'paused',
    );
  });
});
