import type { ImportedCandidate, MappingStore } from '../results/mapping-store.js';
import type { BatchCandidate } from '../shared/jobs.js';

/**
 * Batches whose candidates are recorded in the mapping store together. Recording 1M candidates
 * took ~24 s at one transaction a batch on SQLite, against ~7 s at one a hundred batches: each
 * commit writes to the WAL every page the batch touched, and random phones touch a page each.
 */
export const BATCHES_RECORDED_TOGETHER = 100;

/** Which import the candidates belong to, as the mapping store keys them. */
export interface ImportIds {
  campaignId: string;
  importId: string;
}

/** The mapping store's record of each candidate of these batches. */
export function toImportedCandidates(
  batches: readonly BatchCandidate[][],
  ids: ImportIds,
): ImportedCandidate[] {
  return batches.flat().map((candidate) => ({
    campaignId: ids.campaignId,
    phone: candidate.phoneKey,
    externalId: candidate.externalId ?? null,
    importId: ids.importId,
    row: candidate.row,
    firstName: candidate.first_name,
    lastName: candidate.last_name,
    email: candidate.email,
  }));
}

/**
 * Records the batches a hundred at a time and hands each batch on once it is recorded, so that
 * the user's id and row are in the store before the batch can reach the API and its webhooks
 * come back. A rerun records again the batches an earlier run queued: the upsert keeps what
 * webhooks recorded since.
 */
export async function* recordInGroups(
  batches: AsyncIterable<BatchCandidate[]>,
  store: MappingStore,
  ids: ImportIds,
): AsyncGenerator<BatchCandidate[]> {
  let group: BatchCandidate[][] = [];

  for await (const batch of batches) {
    group.push(batch);
    if (group.length === BATCHES_RECORDED_TOGETHER) {
      await store.recordImported(toImportedCandidates(group, ids));
      yield* group;
      group = [];
    }
  }
  await store.recordImported(toImportedCandidates(group, ids));
  yield* group;
}
