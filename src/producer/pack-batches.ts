import { BATCH_SIZE, type BatchCandidate } from '../shared/jobs.js';

/**
 * Packs candidates into batches of exactly BATCH_SIZE across chunk edges: every API call is
 * full except the import's last, because the API counts calls, not candidates, against the
 * hourly limit.
 */
export class BatchPacker {
  #current: BatchCandidate[] = [];
  #full: BatchCandidate[][] = [];
  #batches = 0;

  /** Batches completed so far, including those still to be taken. */
  get batchCount(): number {
    return this.#batches;
  }

  add(candidate: BatchCandidate): void {
    this.#current.push(candidate);

    if (this.#current.length === BATCH_SIZE) {
      this.#full.push(this.#current);
      this.#current = [];
      this.#batches += 1;
    }
  }

  /** Hands over the full batches packed since the last call. */
  takeFull(): BatchCandidate[][] {
    const full = this.#full;
    this.#full = [];
    return full;
  }

  /** Closes the last, possibly smaller, batch and hands over whatever is left. */
  finish(): BatchCandidate[][] {
    if (this.#current.length > 0) {
      this.#full.push(this.#current);
      this.#current = [];
      this.#batches += 1;
    }
    return this.takeFull();
  }
}
