import { type DataProtection, SealedDataError, type SealedEnvelope } from './data-protection.js';

/** Names and shapes shared by the producer, which enqueues, and the workers, which process. */

/** The BullMQ queue that holds batches of candidates waiting to be sent. */
export const BATCH_QUEUE = 'candidate-batches';

/** The API takes at most this many candidates a call (TOO_MANY_CANDIDATES beyond). */
export const BATCH_SIZE = 100;

/** A candidate as the API wants it, plus what we need to trace it back to the user's file. */
export interface BatchCandidate {
  first_name: string;
  last_name: string;
  /** The API's form: `0612345678`. */
  phone: string;
  /** Lowercased. */
  email: string;
  /** 1-based data row number in the source file (the header is row 0). */
  row: number;
  /** The user's own id for this candidate, when the file has an id column. */
  externalId?: string;
  /** E.164 form of the phone, the key of every dedup set. */
  phoneKey: string;
}

/**
 * A batch job's data. The ids stay in clear for the board and the operators; the candidates are
 * either in clear (no DATA_ENCRYPTION_KEY) or sealed as one envelope.
 */
export interface BatchJobData {
  importId: string;
  campaignId: string;
  /** 1-based position of the batch in its import. */
  batchNumber: number;
  /** Present when the batch was queued without DATA_ENCRYPTION_KEY. */
  candidates?: BatchCandidate[];
  /** The candidates array, sealed (data-protection.ts), when DATA_ENCRYPTION_KEY was set. */
  sealedCandidates?: SealedEnvelope;
}

type BatchIds = Pick<BatchJobData, 'importId' | 'campaignId' | 'batchNumber'>;

// Binds the envelope to its batch: sealed candidates copied into another job do not open.
function sealContext(ids: BatchIds): string {
  return `batch:${ids.importId}:${ids.campaignId}:${ids.batchNumber}`;
}

/** A batch's job data, its candidates sealed when the protection has a key. */
export function batchJobData(
  protection: DataProtection,
  ids: BatchIds,
  candidates: BatchCandidate[],
): BatchJobData {
  const { importId, campaignId, batchNumber } = ids;
  if (!protection.enabled) {
    return { importId, campaignId, batchNumber, candidates };
  }
  const sealedCandidates = protection.seal(candidates, sealContext(ids));
  return { importId, campaignId, batchNumber, sealedCandidates };
}

/**
 * A batch's candidates, opened when sealed. A batch queued in clear is still read when a key is
 * set now. Throws a SealedDataError when the key that sealed it is missing or the data altered.
 */
export function batchCandidates(protection: DataProtection, data: BatchJobData): BatchCandidate[] {
  if (data.sealedCandidates !== undefined) {
    return protection.open<BatchCandidate[]>(data.sealedCandidates, sealContext(data));
  }
  if (data.candidates === undefined) {
    throw new SealedDataError('DATA_TAMPERED', 'the batch holds neither candidates nor a seal');
  }
  return data.candidates;
}

/** What a processed batch returns, kept on the completed job. */
export interface BatchResult {
  added: number;
  skipped: number;
  refused: number;
}

/**
 * Job ids come from the import and the batch number, so that a producer rerun on the same
 * file adds nothing twice: BullMQ ignores an add whose id already exists.
 */
export function batchJobId(importId: string, batchNumber: number): string {
  return `${importId}-${String(batchNumber).padStart(6, '0')}`;
}
