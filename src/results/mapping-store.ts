import type { BatchCandidate, BatchJobData } from '../shared/jobs.js';

/**
 * The candidate mappings: for each candidate a worker sent, the user's own id and source row,
 * the VoiceHire candidate id once the `candidate.added` webhook links it, and the interview's
 * outcome. One interface, two stores: SQLite (a file, the default) and PostgreSQL.
 */

/** What the producer records for each candidate it queues. */
export interface ImportedCandidate {
  campaignId: string;
  /** E.164 (`+33612345678`): with the campaign, the key of a mapping. */
  phone: string;
  externalId: string | null;
  importId: string;
  /** 1-based data row in the source file. */
  row: number;
  firstName: string;
  lastName: string;
  email: string;
}

export type CandidateStatus =
  | 'imported'
  | 'added'
  | 'interview_started'
  | 'interview_completed'
  | 'interview_failed';

export interface InterviewResponse {
  question: string;
  answer: string | null;
  score: number | null;
  explanation: string | null;
}

/** The interview's fields, as the completed and failed events carry them. */
export interface InterviewFields {
  score: number | null;
  availability: string | null;
  availabilityStart: string | null;
  salaryExpectation: string | null;
  alignment: string | null;
  strengths: string | null;
  concerns: string | null;
  responses: InterviewResponse[] | null;
  failureReason: string | null;
}

export interface CandidateMapping extends InterviewFields {
  campaignId: string;
  phone: string;
  externalId: string | null;
  /** Null for a candidate the API reported that no import of ours queued. */
  importId: string | null;
  row: number | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  voicehireId: string | null;
  status: CandidateStatus;
  /** ISO time of the event behind `status` (null while only imported). */
  statusAt: string | null;
  /** ISO time this mapping last changed. */
  updatedAt: string;
}

/** `candidate.added`: VoiceHire's id for a phone of a campaign. */
export interface CandidateLink {
  campaignId: string;
  phone: string;
  voicehireId: string;
  /** The event's timestamp. */
  at: string;
}

/** An interview event: matched by VoiceHire id, else by campaign and phone. */
export interface ResultUpdate {
  campaignId: string;
  voicehireId: string;
  phone?: string;
  status: CandidateStatus;
  /** Only the fields the event carries; the others keep their values. */
  fields: Partial<InterviewFields>;
  /** The event's timestamp. */
  at: string;
}

/**
 * `applied`: the mapping changed; `stale`: an event at least as recent had already been applied,
 * so nothing changed; `unknown`: no mapping matches yet (the `candidate.added` event that links
 * the id has not been processed), so the caller should try again later.
 */
export type ResultOutcome = 'applied' | 'stale' | 'unknown';

export interface MappingStore {
  /**
   * Upserts the candidates of a batch as the producer queues it. Importing a file again updates
   * the import id, row, names and external id, and keeps what webhooks recorded.
   */
  recordImported(candidates: readonly ImportedCandidate[]): Promise<void>;
  /** Links a VoiceHire id; creates the mapping when no import of ours queued that phone. */
  linkCandidate(link: CandidateLink): Promise<void>;
  /**
   * Applies an interview event. A field is only overwritten by an event with a later timestamp,
   * so that deliveries arriving out of order end in the right state.
   */
  recordResult(update: ResultUpdate): Promise<ResultOutcome>;
  /** Every mapping of a campaign, in import order (import, then row). */
  listCampaign(campaignId: string): Promise<CandidateMapping[]>;
  close(): Promise<void>;
}

/** The mapping store's record of a batch's candidates. */
export function importedCandidates(
  batch: BatchJobData,
  candidates: readonly BatchCandidate[],
): ImportedCandidate[] {
  return candidates.map((candidate) => ({
    campaignId: batch.campaignId,
    phone: candidate.phoneKey,
    externalId: candidate.externalId ?? null,
    importId: batch.importId,
    row: candidate.row,
    firstName: candidate.first_name,
    lastName: candidate.last_name,
    email: candidate.email,
  }));
}
