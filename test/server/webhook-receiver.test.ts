import { afterEach, describe, expect, it } from 'vitest';
import { signWebhook } from '../../src/shared/webhook-signature.js';
import { importHarnessPerTest } from '../support/import-harness.js';
import { type RunningServe, startServe } from '../support/serve-harness.js';

const open = importHarnessPerTest();
const SECRET = 'whsec_test_secret';

const serves: RunningServe[] = [];
afterEach(async () => {
  await Promise.all(serves.splice(0).map((serve) => serve.close()));
});

async function receiver(env: Record<string, string> = { VOICEHIRE_WEBHOOK_SECRET: SECRET }) {
  const harness = await open();
  const running = await startServe({ ...harness.env, ...env });
  serves.push(running);
  return running;
}

function completedEvent(score = 8.5): string {
  return JSON.stringify({
    event: 'candidate.interview.completed',
    timestamp: '2026-12-03T10:30:00Z',
    data: {
      campaign_id: 'abc123def456',
      candidate_id: '550e8400-e29b-41d4-a716-446655440000',
      phone: '0612345678',
      interview_score: score,
      availability: 'immédiate',
    },
  });
}

async function deliver(
  serve: RunningServe,
  body: string | Buffer,
  signature: string | undefined,
): Promise<Response> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-voicehire-event': 'candidate.interview.completed',
  };
  if (signature !== undefined) {
    headers['x-voicehire-signature'] = signature;
  }
  return fetch(`${serve.url}/webhooks/voicehire`, { method: 'POST', headers, body });
}

async function queuedCount(serve: RunningServe): Promise<number> {
  const counts = await serve.webhookQueue.getJobCounts('waiting', 'active', 'completed', 'failed');
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

describe('when a secret is set', () => {
  it('queues a delivery signed over its raw bytes and answers 202', async () => {
    const serve = await receiver();
    const body = completedEvent();

    const response = await deliver(serve, body, signWebhook(SECRET, body));

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'queued' });
    const [job] = await serve.webhookQueue.getWaiting();
    expect(job?.name).toBe('candidate.interview.completed');
    expect(job?.data).toMatchObject({ data: { interview_score: 8.5 } });
  });

  it.each([
    ['missing', () => undefined],
    ['malformed', () => 'sha256=not-hex'],
    ['of another algorithm', (body: string) => signWebhook(SECRET, body).replace('sha256', 'sha1')],
    ['made with another secret', (body: string) => signWebhook('another secret', body)],
    ['made over a body changed by one byte', (body: string) => signWebhook(SECRET, `${body} `)],
  ])('refuses a signature %s with 401 and queues nothing', async (_, sign) => {
    const serve = await receiver();
    const body = completedEvent();

    const response = await deliver(serve, body, sign(body));

    expect(response.status).toBe(401);
    expect(await queuedCount(serve)).toBe(0);
  });

  it('processes a delivery repeated with the same body once', async () => {
    const serve = await receiver();
    const body = completedEvent();
    const signature = signWebhook(SECRET, body);

    const answers = await Promise.all([1, 2, 3].map(() => deliver(serve, body, signature)));
    await deliver(serve, body, signature);

    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    expect(await queuedCount(serve)).toBe(1);

    // Another body is another delivery.
    const other = completedEvent(6);
    expect((await deliver(serve, other, signWebhook(SECRET, other))).status).toBe(202);
    expect(await queuedCount(serve)).toBe(2);
  });
});

describe('whatever the secret', () => {
  it('answers 413 to a body over 1 MB', async () => {
    const serve = await receiver();
    const body = Buffer.alloc(1024 * 1024 + 1, 'a');

    const response = await deliver(serve, body, signWebhook(SECRET, body));

    expect(response.status).toBe(413);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const serve = await receiver();
    const body = '{"event": "candidate.added",';

    const response = await deliver(serve, body, signWebhook(SECRET, body));

    expect(response.status).toBe(400);
    expect(await queuedCount(serve)).toBe(0);
  });

  it('answers 400, naming the fields, to a known event with an unexpected payload', async () => {
    const serve = await receiver();
    const body = JSON.stringify({
      event: 'candidate.added',
      timestamp: '2026-12-03T10:30:00Z',
      data: { campaign_id: 'abc123def456' },
    });

    const response = await deliver(serve, body, signWebhook(SECRET, body));

    expect(response.status).toBe(400);
    expect(((await response.json()) as { fields: string[] }).fields).toContain('data.candidate_id');
  });

  it('answers 202 to an unknown event and queues nothing', async () => {
    const serve = await receiver();
    const body = JSON.stringify({ event: 'candidate.teleported', timestamp: 'now', data: {} });

    const response = await deliver(serve, body, signWebhook(SECRET, body));

    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ status: 'ignored' });
    expect(await queuedCount(serve)).toBe(0);
  });

  it('takes unsigned deliveries when no secret is set', async () => {
    const serve = await receiver({});
    const response = await deliver(serve, completedEvent(), undefined);

    expect(response.status).toBe(202);
    expect(await queuedCount(serve)).toBe(1);
  });
});
