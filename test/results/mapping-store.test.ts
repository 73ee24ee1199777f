import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  CandidateMapping,
  ImportedCandidate,
  MappingStore,
  ResultUpdate,
} from '../../src/results/mapping-store.js';
import { openMappingStore } from '../../src/results/open-mapping-store.js';
import { mulberry32 } from '../../src/shared/seeded-random.js';
import { postgresDatabase, sqliteDatabase, type TestDatabase } from '../support/test-databases.js';

const T0 = '2024-05-01T10:00:00.000Z';
const T1 = '2024-05-01T10:05:00.000Z';
const T2 = '2024-05-01T10:20:00.000Z';

/** A campaign id no other test uses, so that tests share one database without meeting. */
function freshCampaign(): string {
  return randomBytes(6).toString('hex');
}

function candidate(campaignId: string, row: number, overrides: Partial<ImportedCandidate> = {}) {
  return {
    campaignId,
    phone: `+336${String(10_000_000 + row).padStart(8, '0')}`,
    externalId: `ATS-${row}`,
    importId: 'import-a',
    row,
    firstName: 'Léa',
    lastName: 'Martin',
    email: `lea.${row}@example.fr`,
    ...overrides,
  } satisfies ImportedCandidate;
}

function completed(
  campaignId: string,
  voicehireId: string,
  at: string,
  fields: ResultUpdate['fields'] = { score: 7.5, strengths: 'clear', concerns: null },
): ResultUpdate {
  return { campaignId, voicehireId, status: 'interview_completed', fields, at };
}

describe.each([
  { backend: 'SQLite', create: sqliteDatabase },
  { backend: 'PostgreSQL', create: postgresDatabase },
])('the $backend mapping store', ({ create }) => {
  let database: TestDatabase | undefined;
  let store: MappingStore;
  let unavailable: Error | undefined;

  beforeAll(async () => {
    try {
      database = await create();
      store = await openMappingStore(database.url);
    } catch (err) {
      unavailable = err as Error;
    }
  });

  // Every test fails with the reason, rather than the suite's tests being reported as skipped.
  beforeEach(() => {
    if (unavailable !== undefined) {
      throw unavailable;
    }
  });

  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  function link(campaignId: string, phone: string, voicehireId: string): Promise<void> {
    return store.linkCandidate({ campaignId, phone, voicehireId, at: T0 });
  }

  /** A candidate of a fresh campaign, imported, then linked to a new VoiceHire id at T0. */
  async function linkedCandidate(row: number) {
    const campaign = freshCampaign();
    const imported = candidate(campaign, row);
    const id = randomUUID();
    await store.recordImported([imported]);
    await link(campaign, imported.phone, id);
    return { campaign, imported, id };
  }

  async function only(campaignId: string): Promise<CandidateMapping> {
    const mappings = await store.listCampaign(campaignId);
    expect(mappings).toHaveLength(1);
    return mappings[0] as CandidateMapping;
  }

  it('keeps what webhooks recorded when a file is imported again', async () => {
    const { campaign, imported: first, id } = await linkedCandidate(1);
    await store.recordResult(completed(campaign, id, T1));

    await store.recordImported([{ ...first, importId: 'import-b', row: 40, externalId: 'X-9' }]);

    expect(await only(campaign)).toMatchObject({
      importId: 'import-b',
      row: 40,
      externalId: 'X-9',
      voicehireId: id,
      status: 'interview_completed',
      statusAt: T1,
      score: 7.5,
      strengths: 'clear',
    });
  });

  it('links a VoiceHire id to an imported phone, then records the interview by that id', async () => {
    const campaign = freshCampaign();
    const imported = candidate(campaign, 3);
    const id = randomUUID();
    await store.recordImported([imported]);
    expect(await only(campaign)).toMatchObject({ status: 'imported', statusAt: null });

    await link(campaign, imported.phone, id);
    expect(await only(campaign)).toMatchObject({ status: 'added', voicehireId: id, statusAt: T0 });

    expect(await store.recordResult(completed(campaign, id, T1))).toBe('applied');
    expect(await only(campaign)).toEqual({
      campaignId: campaign,
      phone: imported.phone,
      externalId: 'ATS-3',
      importId: 'import-a',
      row: 3,
      firstName: 'Léa',
      lastName: 'Martin',
      email: 'lea.3@example.fr',
      voicehireId: id,
      status: 'interview_completed',
      statusAt: T1,
      updatedAt: expect.any(String),
      score: 7.5,
      availability: null,
      availabilityStart: null,
      salaryExpectation: null,
      alignment: null,
      strengths: 'clear',
      concerns: null,
      responses: null,
      failureReason: null,
    });
  });

  it('creates the mapping of a phone no import queued', async () => {
    const campaign = freshCampaign();
    const id = randomUUID();

    await link(campaign, '+33699999999', id);

    expect(await only(campaign)).toMatchObject({
      phone: '+33699999999',
      voicehireId: id,
      status: 'added',
      importId: null,
      row: null,
      externalId: null,
      firstName: null,
    });
  });

  it('says stale for an older event and keeps the later status (completed, then started)', async () => {
    const { campaign, imported, id } = await linkedCandidate(1);

    expect(await store.recordResult(completed(campaign, id, T2))).toBe('applied');
    const started = { campaignId: campaign, voicehireId: id, fields: {}, at: T1 } as const;
    expect(await store.recordResult({ ...started, status: 'interview_started' })).toBe('stale');
    // A late candidate.added changes nothing either.
    await link(campaign, imported.phone, id);

    expect(await only(campaign)).toMatchObject({
      status: 'interview_completed',
      statusAt: T2,
      score: 7.5,
    });
  });

  it('replaces the fields a later event carries and keeps the others', async () => {
    const { campaign, id } = await linkedCandidate(1);
    await store.recordResult(completed(campaign, id, T1));

    expect(
      await store.recordResult(completed(campaign, id, T2, { score: 9, concerns: 'none' })),
    ).toBe('applied');

    expect(await only(campaign)).toMatchObject({ score: 9, concerns: 'none', strengths: 'clear' });
  });

  it('fills the responses of completed.extended at the same time, overwriting nothing', async () => {
    const { campaign, id } = await linkedCandidate(1);
    const responses = [{ question: 'Permis B ?', answer: 'oui', score: 1, explanation: null }];
    await store.recordResult(completed(campaign, id, T1));

    const extended = completed(campaign, id, T1, { score: 3, strengths: 'other', responses });
    expect(await store.recordResult(extended)).toBe('applied');
    // The same delivery again has nothing left to fill.
    expect(await store.recordResult(extended)).toBe('stale');

    expect(await only(campaign)).toMatchObject({ score: 7.5, strengths: 'clear', responses });
  });

  it('compares times, not their text, whatever offset an event is written with', async () => {
    const { campaign, id } = await linkedCandidate(1);
    // 12:02 in Paris is 10:02 UTC: earlier than T1 (10:05 UTC), though its text sorts after.
    await store.recordResult(completed(campaign, id, '2024-05-01T12:02:00+02:00'));

    const outcome = await store.recordResult({
      campaignId: campaign,
      voicehireId: id,
      status: 'interview_failed',
      fields: { failureReason: 'voicemail' },
      at: T1,
    });

    expect(outcome).toBe('applied');
    expect(await only(campaign)).toMatchObject({
      status: 'interview_failed',
      statusAt: T1,
      failureReason: 'voicemail',
      score: 7.5,
    });
  });

  it('says unknown for a result before its link when the event has no phone', async () => {
    const campaign = freshCampaign();
    const imported = candidate(campaign, 5);
    await store.recordImported([imported]);

    expect(await store.recordResult(completed(campaign, randomUUID(), T1))).toBe('unknown');
    expect(await only(campaign)).toMatchObject({ status: 'imported', voicehireId: null });
  });

  it('finds a result before its link by campaign and phone, and links the id', async () => {
    const campaign = freshCampaign();
    const imported = candidate(campaign, 6);
    const id = randomUUID();
    await store.recordImported([imported]);

    const update = { ...completed(campaign, id, T1), phone: imported.phone };
    expect(await store.recordResult(update)).toBe('applied');
    await link(campaign, imported.phone, id);

    expect(await only(campaign)).toMatchObject({
      voicehireId: id,
      status: 'interview_completed',
      statusAt: T1,
      externalId: 'ATS-6',
    });
  });

  it('keeps the last of a phone a call holds twice', async () => {
    const campaign = freshCampaign();

    await store.recordImported([candidate(campaign, 1), candidate(campaign, 1, { row: 9 })]);

    expect(await only(campaign)).toMatchObject({ row: 9, status: 'imported' });
  });

  it('lists a campaign in import order, then row, with phones no import queued last', async () => {
    const campaign = freshCampaign();
    await store.recordImported([candidate(campaign, 2), candidate(campaign, 1)]);
    await link(campaign, '+33700000001', randomUUID());
    // A later import whose id sorts first still comes after.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.recordImported([candidate(campaign, 3, { importId: '0-later-import' })]);

    const rows = (await store.listCampaign(campaign)).map((mapping) => mapping.row);

    expect(rows).toEqual([1, 2, 3, null]);
    expect(await store.listCampaign(freshCampaign())).toEqual([]);
  });

  it('ends in the latest state when two processes apply the events concurrently', async () => {
    const campaign = freshCampaign();
    const other = await openMappingStore(database?.url ?? '');
    const random = mulberry32(7);
    const responses = [{ question: 'Disponible ?', answer: 'lundi', score: 2, explanation: 'ok' }];
    const clear = { score: 7.5, strengths: 'clear', concerns: null };
    const candidates = Array.from({ length: 20 }, (_, i) => candidate(campaign, i + 1));
    const ids = candidates.map(() => randomUUID());
    await store.recordImported(candidates);

    try {
      const updates: ResultUpdate[] = ids.flatMap((id, i) => {
        const phone = (candidates[i] as ImportedCandidate).phone;
        const base = { campaignId: campaign, voicehireId: id, phone };
        return [
          { ...base, status: 'interview_started', fields: {}, at: T0 },
          { ...completed(campaign, id, T2, { ...clear, failureReason: null }), phone },
          { ...completed(campaign, id, T2, { score: 7.5, responses, failureReason: null }), phone },
          { ...base, status: 'interview_failed', fields: { failureReason: 'no_answer' }, at: T1 },
        ] satisfies ResultUpdate[];
      });
      // Fisher-Yates, seeded: each run applies them in the same shuffled order.
      for (let i = updates.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [updates[i], updates[j]] = [updates[j] as ResultUpdate, updates[i] as ResultUpdate];
      }

      const outcomes = await Promise.all(
        updates.map((update, i) => (i % 2 === 0 ? store : other).recordResult(update)),
      );

      expect(outcomes.filter((outcome) => outcome === 'unknown')).toEqual([]);
    } finally {
      await other.close();
    }
    const mappings = await store.listCampaign(campaign);
    expect(mappings).toHaveLength(20);
    for (const mapping of mappings) {
      expect(mapping).toMatchObject({
        status: 'interview_completed',
        statusAt: T2,
        score: 7.5,
        strengths: 'clear',
        responses,
        failureReason: null,
      });
    }
    expect(mappings.map((mapping) => mapping.voicehireId)).toEqual(ids);
  });
});
