import type { ProducerCounts } from '../shared/import-record.js';
import type { BatchCandidate } from '../shared/jobs.js';
import type { RejectReason } from '../shared/reject-reasons.js';
import { InFileDedup } from './in-file-dedup.js';
import type { ColumnMapping } from './map-columns.js';
import { BatchPacker } from './pack-batches.js';
import { validateRow } from './validate-candidate.js';

/** Receives each refused row with its original fields, for the rejects report. */
export type RejectSink = (
  row: number,
  reason: RejectReason,
  message: string,
  fields: readonly string[],
) => void;

/** Tells which phone keys were already sent to the campaign by an earlier import. */
export type AlreadySentLookup = (phoneKeys: readonly string[]) => Promise<Set<string>>;

/** The producer's counters, but for batches, which the packer counts. */
export type PipelineCounts = Omit<ProducerCounts, 'batches'>;

/**
 * The producer's work on each chunk of rows: validate, drop duplicates, drop phones already
 * sent, pack into batches. Every row ends in exactly one counter:
 * rows = valid + invalid + duplicates + alreadySent.
 */
export class ImportPipeline {
  readonly counts: PipelineCounts = {
    rows: 0,
    valid: 0,
    invalid: 0,
    invalidByReason: {},
    duplicates: 0,
    alreadySent: 0,
  };
  readonly #mapping: ColumnMapping;
  readonly #reject: RejectSink;
  readonly #lookupAlreadySent: AlreadySentLookup | undefined;
  readonly #dedup = new InFileDedup();
  readonly #packer = new BatchPacker();

  constructor(mapping: ColumnMapping, reject: RejectSink, lookupAlreadySent?: AlreadySentLookup) {
    this.#mapping = mapping;
    this.#reject = reject;
    this.#lookupAlreadySent = lookupAlreadySent;
  }

  get batchCount(): number {
    return this.#packer.batchCount;
  }

  /** Processes one chunk and returns the batches it completed. */
  async processChunk(
    rows: readonly string[][],
    rowNumbers: readonly number[],
  ): Promise<BatchCandidate[][]> {
    const accepted: Array<{ candidate: BatchCandidate; fields: readonly string[] }> = [];

    for (let i = 0; i < rows.length; i++) {
      const fields = rows[i] as string[];
      const row = rowNumbers[i] as number;
      this.counts.rows += 1;

      const verdict = validateRow(fields, this.#mapping);
      if (!verdict.ok) {
        this.#refuse(row, verdict.reason, verdict.message, fields);
        continue;
      }

      const { candidate } = verdict;
      const firstRow = this.#dedup.firstRowOf(candidate.phoneKey, row);
      if (firstRow !== undefined) {
        this.counts.duplicates += 1;
        this.#reject(row, 'DUPLICATE_IN_FILE', `same phone as row ${firstRow}`, fields);
        continue;
      }

      accepted.push({
        candidate: {
          first_name: candidate.first_name,
          last_name: candidate.last_name,
          phone: candidate.phone,
          email: candidate.email,
          row,
          ...(candidate.externalId === undefined ? {} : { externalId: candidate.externalId }),
          phoneKey: candidate.phoneKey,
        },
        fields,
      });
    }

    // One round trip per chunk, not per row.
    const alreadySent = this.#lookupAlreadySent
      ? await this.#lookupAlreadySent(accepted.map(({ candidate }) => candidate.phoneKey))
      : new Set<string>();

    for (const { candidate, fields } of accepted) {
      if (alreadySent.has(candidate.phoneKey)) {
        this.counts.alreadySent += 1;
        this.#reject(
          candidate.row,
          'ALREADY_SENT',
          'an earlier import already sent this phone to the campaign',
          fields,
        );
        continue;
      }

      this.counts.valid += 1;
      this.#packer.add(candidate);
    }

    return this.#packer.takeFull();
  }

  /** Closes the last batch, which alone may hold fewer than 100 candidates. */
  finish(): BatchCandidate[][] {
    return this.#packer.finish();
  }

  #refuse(row: number, reason: RejectReason, message: string, fields: readonly string[]): void {
    this.counts.invalid += 1;
    this.counts.invalidByReason[reason] = (this.counts.invalidByReason[reason] ?? 0) + 1;
    this.#reject(row, reason, message, fields);
  }
}
