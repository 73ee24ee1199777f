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

export interface BatchJobData {
  importId: string;
  campaignId: string;
  /** 1-based position of the batch in its import. */
  batchNumber: number;
  candidates: BatchCandidate[];
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
