import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyWebhookEvent, shouldRetry } from '../../src/results/apply-webhook-event.js';
import type { CandidateMapping, MappingStore } from '../../src/results/mapping-store.js';
import { openMappingStore } from '../../src/results/open-mapping-store.js';
import { type WebhookEvent, webhookEventSchema } from '../../src/shared/webhook-events.js';

const campaign = 'abc123def456';
let dir: string;
let store: MappingStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vh-webhook-apply-'));
  store = await openMappingStore(join(dir, 'voicehire.db'));
  await store.recordImported([
    {
      campaignId: campaign,
      phone: '+33612345678',
      externalId: 'ATS-0000042',
      importId: 'import-a',
      row: 42,
      firstName: 'Léa',
      lastName: 'Martin',
      email: 'lea@example.fr',
    },
  ]);
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An event as the receiver hands it over: a body VoiceHire sent, parsed with the schema. */
function event(name: string, timestamp: string, data: Record<string, unknown>): WebhookEvent {
  return webhookEventSchema.parse({
    event: name,
    timestamp,
    data: { campaign_id: campaign, ...data },
  });
}

async function mapping(): Promise<CandidateMapping | undefined> {
  return (await store.listCampaign(campaign))[0];
}

const interview = {
  interview_score: 8.5,
  availability: 'immédiate',
  availability_start: '2024-06-01',
  salary_expectation: '32k€',
  candidate_alignment: 'strong',
  strengths: 'relation client',
  concerns: null,
};

describe('applyWebhookEvent', () => {
  it('links candidate.added by its phone, written as the API writes it', async () => {
    const id = randomUUID();

    const outcome = await applyWebhookEvent(
      store,
      event('candidate.added', '2024-05-01T10:00:00Z', {
        candidate_id: id,
        phone: '0612345678',
        first_name: 'Léa',
        last_name: 'Martin',
        email: 'lea@example.fr',
        call_queued: true,
      }),
    );

    expect(outcome).toBe('applied');
    expect(await mapping()).toMatchObject({ voicehireId: id, status: 'added', row: 42 });
  });

  it('records started, completed and completed.extended with their fields', async () => {
    const id = randomUUID();
    const at = '2024-05-01T10:30:00Z';
    await applyWebhookEvent(
      store,
      event('candidate.added', '2024-05-01T10:00:00Z', { candidate_id: id, phone: '0612345678' }),
    );

    const started = event('candidate.interview.started', '2024-05-01T10:10:00Z', {
      candidate_id: id,
    });
    expect(await applyWebhookEvent(store, started)).toBe('applied');
    expect(await mapping()).toMatchObject({ status: 'interview_started' });

    const done = event('candidate.interview.completed', at, { candidate_id: id, ...interview });
    expect(await applyWebhookEvent(store, done)).toBe('applied');
    const responses = [{ question: 'Disponible le week-end ?', answer: 'oui', score: 1 }];
    const extended = event('candidate.interview.completed.extended', at, {
      candidate_id: id,
      ...interview,
      responses,
    });
    expect(await applyWebhookEvent(store, extended)).toBe('applied');

    expect(await mapping()).toMatchObject({
      externalId: 'ATS-0000042',
      status: 'interview_completed',
      statusAt: '2024-05-01T10:30:00.000Z',
      score: 8.5,
      availability: 'immédiate',
      availabilityStart: '2024-06-01',
      salaryExpectation: '32k€',
      alignment: 'strong',
      strengths: 'relation client',
      concerns: null,
      responses: [{ ...responses[0], explanation: null }],
      failureReason: null,
    });
  });

  it('records a failed interview with its reason', async () => {
    const id = randomUUID();
    const failed = event('candidate.interview.failed', '2024-05-01T10:10:00Z', {
      candidate_id: id,
      phone: '06 12 34 56 78',
      failure_reason: 'voicemail',
    });

    expect(await applyWebhookEvent(store, failed)).toBe('applied');
    expect(await mapping()).toMatchObject({
      voicehireId: id,
      status: 'interview_failed',
      failureReason: 'voicemail',
    });
  });

  it('says unknown, to be retried, for a result whose candidate is not linked yet', async () => {
    const done = event('candidate.interview.completed', '2024-05-01T10:30:00Z', {
      candidate_id: randomUUID(),
      ...interview,
    });

    const outcome = await applyWebhookEvent(store, done);

    expect(outcome).toBe('unknown');
    expect(shouldRetry(outcome)).toBe(true);
    expect(await mapping()).toMatchObject({ status: 'imported', score: null });
  });

  it('ignores campaign and credits events', async () => {
    const events = [
      event('campaign.status_changed', '2024-05-01T10:00:00Z', { new_status: 'paused' }),
      webhookEventSchema.parse({
        event: 'credits.low',
        timestamp: '2024-05-01T10:00:00Z',
        data: { credits_remaining: 12, threshold: 50 },
      }),
    ];

    for (const ignored of events) {
      expect(await applyWebhookEvent(store, ignored)).toBe('ignored');
    }
    expect(await mapping()).toMatchObject({ status: 'imported' });
  });
});
