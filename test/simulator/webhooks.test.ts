import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/shared/exit-codes.js';
import { webhookEventSchema } from '../../src/shared/webhook-events.js';
import { verifyWebhookSignature } from '../../src/shared/webhook-signature.js';
import { FAILURE_REASONS, scriptInterview } from '../../src/simulator/interview-script.js';
import type { Simulator, SimulatorRecord } from '../../src/simulator/simulator.js';
import { resolveOptions } from '../../src/simulator/simulator-options.js';
import { runSimulatorCommand } from './run-simulator-command.js';
import {
  API_KEY,
  addCandidates,
  CAMPAIGN,
  call,
  candidate,
  candidates,
  control,
  type Json,
  simulatorsPerTest,
} from './simulator-client.js';

const SECRET = 'whsec_test';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The events of one candidate, in the order a faithful API produces them. */
const CANDIDATE_EVENTS = [
  'candidate.added',
  'candidate.interview.started',
  'candidate.interview.completed',
  'candidate.interview.completed.extended',
];

interface Received {
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: Json;
  /** performance.now() when the body had arrived in full. */
  arrivedAt: number;
}

type Answer = number | 'hang';

const receivers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    receivers.splice(0).map(
      (server) =>
        new Promise((resolve) => {
          server.close(resolve);
          server.closeAllConnections();
        }),
    ),
  );
});

/** A receiver on a free port that keeps every delivery; `answer` picks each one's status. */
async function startReceiver(answer: (index: number, body: Json) => Answer = () => 200) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8'));
      const status = answer(received.length, body);
      received.push({ headers: request.headers, raw, body, arrivedAt: performance.now() });
      if (status !== 'hang') {
        response.writeHead(status).end();
      }
    });
  });
  receivers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/voicehire`, received };
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(10);
  }
}

/** Every candidate has its outcome and the receiver got every delivery queued for them. */
function interviewsDelivered(simulator: Simulator, received: Received[]): boolean {
  const { webhooks } = simulator.record();
  if (webhooks.candidates.some((interview) => interview.outcome === 'pending')) {
    return false;
  }
  const queued = webhooks.candidates.reduce(
    (sum, interview) => sum + (interview.outcome === 'completed' ? 4 : 3),
    0,
  );
  const duplicates = Object.values(webhooks.events).reduce(
    (sum, counts) => sum + counts.duplicates,
    0,
  );
  return received.length >= queued + duplicates;
}

function byCandidate(received: Received[]): Map<string, Received[]> {
  const candidates = new Map<string, Received[]>();
  for (const delivery of received) {
    const id = delivery.body.data.candidate_id as string | undefined;
    if (id !== undefined) {
      candidates.set(id, [...(candidates.get(id) ?? []), delivery]);
    }
  }
  return candidates;
}

function eventsOf(record: SimulatorRecord, event: keyof SimulatorRecord['webhooks']['events']) {
  return record.webhooks.events[event];
}

const start = simulatorsPerTest();

describe('webhook deliveries', () => {
  it('signs each delivery over its raw bytes, with the event in a header', async () => {
    const receiver = await startReceiver();
    const simulator = await start({
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
      webhookDelayMs: 5,
    });

    await addCandidates(simulator, candidates(3));
    await waitFor(() => interviewsDelivered(simulator, receiver.received), 'the interviews');

    expect(receiver.received.length).toBeGreaterThanOrEqual(9);
    for (const { headers, raw, body } of receiver.received) {
      const signature = headers['x-voicehire-signature'] as string;
      expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
      expect(verifyWebhookSignature(SECRET, raw, signature)).toBe(true);
      expect(verifyWebhookSignature('another secret', raw, signature)).toBe(false);
      expect(headers['content-type']).toBe('application/json');
      expect(headers['x-voicehire-event']).toBe(body.event);
    }
  });

  it('sends no signature header when no secret is set', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ webhookUrl: receiver.url, webhookDelayMs: 5 });

    await addCandidates(simulator, candidates(1));
    await waitFor(() => receiver.received.length > 0, 'candidate.added');

    expect(receiver.received[0]?.body.event).toBe('candidate.added');
    expect(receiver.received[0]?.headers['x-voicehire-signature']).toBeUndefined();
  });

  it('plays every added candidate: added, started, then completed and extended or failed', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ webhookUrl: receiver.url, webhookDelayMs: 10, seed: 11 });

    const added = await addCandidates(simulator, [
      candidate(1, '+33600000001'),
      ...candidates(19, 2),
      candidate(2),
    ]);
    await waitFor(() => interviewsDelivered(simulator, receiver.received), 'the interviews');
    const listed = await call(simulator, `/campaigns/${CAMPAIGN}/candidates?per_page=100`);

    expect(added.body).toMatchObject({ candidates_added: 20, candidates_skipped: 1 });
    const interviews = byCandidate(receiver.received);
    expect([...interviews.keys()].sort()).toEqual(
      listed.body.candidates.map((stored: Json) => stored.candidate_id).sort(),
    );
    const outcomes = new Set<string>();
    for (const [candidateId, deliveries] of interviews) {
      const events = deliveries.map((delivery) => delivery.body.event);
      const outcome = events[2] as string;
      outcomes.add(outcome);
      expect(events).toEqual(
        outcome === 'candidate.interview.failed'
          ? [...CANDIDATE_EVENTS.slice(0, 2), outcome]
          : CANDIDATE_EVENTS,
      );
      expect(candidateId).toMatch(UUID);

      const times = deliveries.map((delivery) => Date.parse(delivery.body.timestamp));
      expect(times[0]).toBeLessThan(times[1] as number);
      expect(times[1]).toBeLessThan(times[2] as number);
      expect(times[3] ?? times[2]).toBe(times[2]);
    }
    expect(outcomes).toEqual(
      new Set(['candidate.interview.completed', 'candidate.interview.failed']),
    );
  });

  it('describes the candidate as the API stored it, phone in the form 0612345678', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ webhookUrl: receiver.url, webhookDelayMs: 5 });

    await addCandidates(simulator, [candidate(7, '+33712345678')]);
    await waitFor(() => receiver.received.length > 0, 'candidate.added');

    expect(receiver.received[0]?.body).toEqual({
      event: 'candidate.added',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      data: {
        campaign_id: CAMPAIGN,
        candidate_id: expect.stringMatching(UUID),
        first_name: 'Prénom7',
        last_name: 'Nom7',
        email: 'c7@example.fr',
        phone: '0712345678',
        call_queued: true,
      },
    });
  });

  it('sends only payloads that parse with webhookEventSchema, for every kind it emits', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ webhookUrl: receiver.url, webhookDelayMs: 5, credits: 12 });

    await addCandidates(simulator, candidates(10));
    await addCandidates(simulator, candidates(5, 11));
    await control(simulator, `/campaigns/${CAMPAIGN}/status`, { body: { status: 'paused' } });
    await waitFor(() => interviewsDelivered(simulator, receiver.received), 'the interviews');
    await waitFor(
      () => receiver.received.some((delivery) => delivery.body.event === 'campaign.status_changed'),
      'campaign.status_changed',
    );

    const kinds = new Set(receiver.received.map((delivery) => delivery.body.event));
    expect(kinds).toEqual(
      new Set([
        ...CANDIDATE_EVENTS,
        'candidate.interview.failed',
        'campaign.status_changed',
        'credits.low',
        'credits.depleted',
      ]),
    );
    for (const delivery of receiver.received) {
      const parsed = webhookEventSchema.safeParse(delivery.body);
      expect(parsed.error).toBeUndefined();
    }
    const extended = receiver.received.find(
      (delivery) => delivery.body.event === 'candidate.interview.completed.extended',
    )?.body.data;
    expect(extended.responses.length).toBeGreaterThan(0);
    expect(extended.responses[0]).toEqual({
      question: expect.any(String),
      answer: expect.any(String),
      score: expect.any(Number),
      explanation: expect.any(String),
    });
  });

  it('records each outcome as delivered and as the seed and phone predict', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ webhookUrl: receiver.url, webhookDelayMs: 5, seed: 5 });

    await addCandidates(simulator, candidates(12));
    await waitFor(() => interviewsDelivered(simulator, receiver.received), 'the interviews');

    const record = simulator.record();
    const delivered = new Map(
      receiver.received
        .filter((delivery) => /completed$|failed$/.test(delivery.body.event))
        .map(({ body }) => [
          body.data.candidate_id,
          body.event === 'candidate.interview.failed'
            ? { outcome: 'failed', failureReason: body.data.failure_reason }
            : { outcome: 'completed', interviewScore: body.data.interview_score },
        ]),
    );
    expect(record.webhooks.candidates).toHaveLength(12);
    for (const { candidateId, phone, campaignId, ...outcome } of record.webhooks.candidates) {
      expect(campaignId).toBe(CAMPAIGN);
      expect(delivered.get(candidateId)).toEqual(outcome);
      // The outcome and a failure's reason depend on the seed and the phone alone.
      const script = scriptInterview(5, phone, [], new Date());
      expect(script.outcome).toBe(outcome.outcome);
      if (script.outcome === 'failed' && outcome.outcome === 'failed') {
        expect(outcome.failureReason).toBe(script.failureReason);
      }
    }
    expect(eventsOf(record, 'candidate.added')).toEqual({
      sent: 12,
      attempts: 12,
      succeeded: 12,
      failed: 0,
      duplicates: 0,
    });
  });

  it('does not hold the API answer while a receiver hangs', async () => {
    const receiver = await startReceiver(() => 'hang');
    const simulator = await start({ webhookUrl: receiver.url, webhookDelayMs: 5 });

    const before = performance.now();
    const added = await addCandidates(simulator, candidates(100));
    const elapsed = performance.now() - before;
    await waitFor(() => receiver.received.length > 0, 'a delivery');

    expect(added.status).toBe(200);
    // A delivery that hangs waits 5 s for its answer: the add was answered long before that.
    expect(elapsed).toBeLessThan(2_000);
  });
});

describe('when a receiver fails', () => {
  it('delivers on the 3rd try to a receiver that answers 500 twice', async () => {
    const receiver = await startReceiver((index) => (index < 2 ? 500 : 200));
    const simulator = await start({ webhookUrl: receiver.url, webhookRetryBaseMs: 20 });

    simulator.setCampaignStatus(CAMPAIGN, 'paused');
    await waitFor(
      () => simulator.record().webhooks.events['campaign.status_changed']?.succeeded === 1,
      'success',
    );

    const [first, second, third] = receiver.received.map((delivery) => delivery.arrivedAt);
    expect(receiver.received).toHaveLength(3);
    expect(new Set(receiver.received.map((delivery) => delivery.raw.toString()))).toHaveProperty(
      'size',
      1,
    );
    // Exponential: 20 ms, then 40 ms (a timer may fire up to 1 ms early).
    expect((second as number) - (first as number)).toBeGreaterThanOrEqual(19);
    expect((third as number) - (second as number)).toBeGreaterThanOrEqual(39);
    expect(eventsOf(simulator.record(), 'campaign.status_changed')).toEqual({
      sent: 1,
      attempts: 3,
      succeeded: 1,
      failed: 0,
      duplicates: 0,
    });
  });

  it('gives up after 1 + 3 tries on a receiver that always fails', async () => {
    const receiver = await startReceiver(() => 503);
    const simulator = await start({ webhookUrl: receiver.url, webhookRetryBaseMs: 5 });

    simulator.setCampaignStatus(CAMPAIGN, 'completed');
    await waitFor(
      () => simulator.record().webhooks.events['campaign.status_changed']?.failed === 1,
      'failure',
    );
    await sleep(100);

    expect(receiver.received).toHaveLength(4);
    expect(eventsOf(simulator.record(), 'campaign.status_changed')).toMatchObject({
      sent: 1,
      attempts: 4,
      succeeded: 0,
      failed: 1,
    });
  });

  it('retries a receiver that does not answer in time, or cannot be reached', async () => {
    const hanging = await startReceiver(() => 'hang');
    const slow = await start({
      webhookUrl: hanging.url,
      webhookTimeoutMs: 30,
      webhookRetryBaseMs: 5,
    });
    const unreachable = await start({
      // Port 9 (discard) on the loopback: nothing listens there in a test run.
      webhookUrl: 'http://127.0.0.1:9/hooks',
      webhookRetryBaseMs: 5,
    });

    slow.setCampaignStatus(CAMPAIGN, 'paused');
    unreachable.setCampaignStatus(CAMPAIGN, 'paused');
    const failed = (simulator: Simulator) =>
      simulator.record().webhooks.events['campaign.status_changed']?.failed === 1;
    await waitFor(() => failed(slow) && failed(unreachable), 'both failures');

    expect(hanging.received).toHaveLength(4);
    expect(eventsOf(unreachable.record(), 'campaign.status_changed')).toMatchObject({
      attempts: 4,
      failed: 1,
    });
  });
});

describe('with --webhook-chaos', () => {
  it('sends some deliveries twice, identical, and some out of order', async () => {
    const receiver = await startReceiver();
    const simulator = await start({
      webhookUrl: receiver.url,
      webhookSecret: SECRET,
      webhookDelayMs: 5,
      webhookChaos: true,
      seed: 3,
    });

    await addCandidates(simulator, candidates(10));
    await waitFor(() => interviewsDelivered(simulator, receiver.received), 'the interviews');

    const copies = new Map<string, number>();
    for (const { raw, headers } of receiver.received) {
      expect(verifyWebhookSignature(SECRET, raw, headers['x-voicehire-signature'] as string)).toBe(
        true,
      );
      copies.set(raw.toString(), (copies.get(raw.toString()) ?? 0) + 1);
    }
    const duplicated = [...copies.values()].filter((count) => count > 1).length;
    expect(duplicated).toBeGreaterThan(0);
    const duplicates = Object.values(simulator.record().webhooks.events).reduce(
      (sum, counts) => sum + counts.duplicates,
      0,
    );
    expect(duplicated).toBe(duplicates);

    const rank = (event: string) =>
      event === 'candidate.interview.failed' ? 2 : CANDIDATE_EVENTS.indexOf(event);
    const outOfOrder = [...byCandidate(receiver.received).values()].filter((deliveries) =>
      deliveries.some(
        (delivery, index) =>
          index > 0 &&
          rank(delivery.body.event) < rank(deliveries[index - 1]?.body.event as string),
      ),
    );
    expect(outOfOrder.length).toBeGreaterThan(0);
  });
});

describe('campaign and credit events', () => {
  it('sends campaign.status_changed when a status changes, and not when it stays', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ webhookUrl: receiver.url });

    await control(simulator, `/campaigns/${CAMPAIGN}/status`, { body: { status: 'paused' } });
    await control(simulator, `/campaigns/${CAMPAIGN}/status`, { body: { status: 'paused' } });
    simulator.setCampaignStatus(CAMPAIGN, 'active');
    await waitFor(() => receiver.received.length >= 2, 'two status changes');
    await sleep(50);

    expect(receiver.received.map((delivery) => delivery.body.data)).toEqual([
      {
        campaign_id: CAMPAIGN,
        job_title: expect.any(String),
        old_status: 'active',
        new_status: 'paused',
      },
      {
        campaign_id: CAMPAIGN,
        job_title: expect.any(String),
        old_status: 'paused',
        new_status: 'active',
      },
    ]);
  });

  it('sends credits.low once when credits fall below the threshold, again after a top-up', async () => {
    const receiver = await startReceiver();
    const simulator = await start({
      webhookUrl: receiver.url,
      webhookDelayMs: 60_000,
      credits: 12,
    });
    const lows = () =>
      receiver.received.filter((delivery) => delivery.body.event === 'credits.low');

    await addCandidates(simulator, candidates(2));
    await addCandidates(simulator, candidates(1, 3));
    await addCandidates(simulator, candidates(1, 4));
    await waitFor(() => lows().length === 1, 'credits.low');
    simulator.topUp(3);
    await addCandidates(simulator, candidates(2, 5));
    await waitFor(() => lows().length === 2, 'a second credits.low');

    expect(lows().map((delivery) => delivery.body.data)).toEqual([
      { credits_remaining: 9, threshold: 10 },
      { credits_remaining: 9, threshold: 10 },
    ]);
  });

  it('sends credits.depleted once, on reaching 0 or on an add refused for lack of credits', async () => {
    const receiver = await startReceiver();
    const simulator = await start({
      webhookUrl: receiver.url,
      webhookDelayMs: 60_000,
      credits: 2,
      creditsLowThreshold: 1,
    });
    const depleted = () =>
      receiver.received.filter((delivery) => delivery.body.event === 'credits.depleted');

    await addCandidates(simulator, candidates(2));
    const refused = await addCandidates(simulator, candidates(1, 3));
    await waitFor(() => depleted().length === 1, 'credits.depleted');
    simulator.topUp(1);
    await addCandidates(simulator, candidates(2, 4));
    await waitFor(() => depleted().length === 2, 'a second credits.depleted');
    await sleep(50);

    expect(refused.status).toBe(402);
    expect(depleted().map((delivery) => delivery.body.data)).toEqual([
      { credits_remaining: 0, last_campaign_id: CAMPAIGN },
      { credits_remaining: 1, last_campaign_id: CAMPAIGN },
    ]);
  });
});

describe('closing', () => {
  it('leaves no timer or socket behind, with interviews and deliveries still pending', async () => {
    const resources = () => process.getActiveResourcesInfo().filter((kind) => kind !== 'TTYWrap');
    const count = (kind: string) => resources().filter((each) => each === kind).length;
    const timersBefore = count('Timeout');
    const socketsBefore = count('TCPSocketWrap');
    const receiver = await startReceiver(() => 'hang');
    const simulator = await start({ webhookUrl: receiver.url, webhookDelayMs: 60_000 });

    await addCandidates(simulator, candidates(20));
    await waitFor(() => receiver.received.length >= 8, 'deliveries in flight');
    const started = performance.now();
    await simulator.close();
    const closedIn = performance.now() - started;
    await sleep(20);

    expect(closedIn).toBeLessThan(1_000);
    expect(count('Timeout')).toBeLessThanOrEqual(timersBefore);
    // The receiver's own sides of the dropped connections close as well.
    await waitFor(() => count('TCPSocketWrap') <= socketsBefore, 'sockets to close');
    const receivedAtClose = receiver.received.length;
    await sleep(50);
    expect(receiver.received).toHaveLength(receivedAtClose);
  });
});

describe('webhook options', () => {
  beforeEach(() => {
    vi.stubEnv('LOG_LEVEL', 'silent');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('refuses a webhook URL that is not http(s) and an empty secret, naming the option', () => {
    expect(() => resolveOptions({ webhookUrl: 'ftp://example.org/hooks' })).toThrow(/webhookUrl/);
    expect(() => resolveOptions({ webhookUrl: 'http://x', webhookSecret: '' })).toThrow(
      /webhookSecret/,
    );
    expect(() => resolveOptions({ webhookDelayMs: -1 })).toThrow(/webhookDelayMs/);
    expect(resolveOptions({})).toMatchObject({
      webhookUrl: undefined,
      webhookDelayMs: 2000,
      webhookRetryBaseMs: 200,
      webhookTimeoutMs: 5000,
      webhookChaos: false,
      creditsLowThreshold: 10,
    });
  });

  it('takes --webhook-url, --webhook-secret, --webhook-delay and --webhook-chaos', async () => {
    const receiver = await startReceiver();
    const flags = [
      '--webhook-url',
      receiver.url,
      '--webhook-secret',
      SECRET,
      '--webhook-delay',
      '5',
    ];
    const { lines, stop, done } = runSimulatorCommand(['--port=0', ...flags, '--webhook-chaos']);

    await waitFor(() => lines.length > 0, 'the URL');
    await fetch(`${lines[0]}/campaigns/${CAMPAIGN}/candidates`, {
      method: 'POST',
      headers: { 'X-API-Key': API_KEY, 'Content-Type': 'application/json' },
      body: JSON.stringify({ candidates: candidates(4) }),
    });
    await waitFor(
      () =>
        receiver.received.filter(
          (delivery) => delivery.body.event === 'candidate.interview.started',
        ).length >= 4,
      'the interviews',
    );
    stop('SIGTERM');
    await done;

    const { raw, headers } = receiver.received[0] as Received;
    expect(verifyWebhookSignature(SECRET, raw, headers['x-voicehire-signature'] as string)).toBe(
      true,
    );
  });

  it('turns a bad --webhook-url into a usage error', async () => {
    const { done } = runSimulatorCommand(['--port=0', '--webhook-url', 'not a url']);

    await expect(done).rejects.toThrow(UsageError);
  });
});

describe('the interview script', () => {
  it('fails about one interview in five, for a documented reason, and scores 0 to 10', () => {
    const scripts = Array.from({ length: 1000 }, (_, n) =>
      scriptInterview(42, `06${String(n).padStart(8, '0')}`, ['Q1', 'Q2', 'Q3'], new Date()),
    );

    const failed = scripts.filter((script) => script.outcome === 'failed');
    expect(failed.length).toBeGreaterThan(150);
    expect(failed.length).toBeLessThan(250);
    for (const script of scripts) {
      if (script.outcome === 'failed') {
        expect(FAILURE_REASONS).toContain(script.failureReason);
      } else {
        expect(script.interviewScore).toBeGreaterThanOrEqual(0);
        expect(script.interviewScore).toBeLessThanOrEqual(10);
        expect(Math.round(script.interviewScore * 10) / 10).toBe(script.interviewScore);
        expect(script.responses).toHaveLength(3);
      }
    }
  });

  it('gives the same outcome for the same seed and phone', () => {
    const today = new Date('2026-03-02T10:00:00Z');

    const first = scriptInterview(7, '0612345678', ['Q1'], today);
    const again = scriptInterview(7, '0612345678', ['Q1'], today);
    const outcomes = new Set(
      Array.from({ length: 20 }, (_, seed) =>
        JSON.stringify(scriptInterview(seed, '0612345678', ['Q1'], today)),
      ),
    );

    expect(again).toEqual(first);
    expect(outcomes.size).toBeGreaterThan(1);
  });
});
