import type { Redis } from 'ioredis';
import { type HaltState, readHalt } from './halt-state.js';
import { type ImportRecord, readImport } from './import-record.js';
import type { RedisKeys } from './redis-keys.js';

export type ImportState = 'queued' | 'running' | 'halted' | 'done';

/** What `voicehire status --json` and `voicehire import --json` print: a stable shape. */
export interface ImportStatus {
  import_id: string;
  campaign_id: string;
  file: string;
  created_at: string;
  state: ImportState;
  rows: number;
  valid: number;
  invalid: number;
  invalid_by_reason: Record<string, number>;
  duplicates: number;
  already_sent: number;
  batches: number;
  batches_done: number;
  batches_failed: number;
  candidates_added: number;
  candidates_skipped: number;
  api_refused: number;
  rejects_path: string | null;
  /** Why the queue is halted, or null while it runs. */
  halted: string | null;
}

export function importState(record: ImportRecord, halt: HaltState | undefined): ImportState {
  const settled = record.batchesDone + record.batchesFailed;
  if (record.queuedAt !== undefined && settled >= record.batches) {
    return 'done';
  }
  if (halt !== undefined) {
    return 'halted';
  }
  return settled > 0 ? 'running' : 'queued';
}

export function toImportStatus(record: ImportRecord, halt: HaltState | undefined): ImportStatus {
  const state = importState(record, halt);

  return {
    import_id: record.id,
    campaign_id: record.campaignId,
    file: record.file,
    created_at: record.createdAt,
    state,
    rows: record.rows,
    valid: record.valid,
    invalid: record.invalid,
    invalid_by_reason: record.invalidByReason,
    duplicates: record.duplicates,
    already_sent: record.alreadySent,
    batches: record.batches,
    batches_done: record.batchesDone,
    batches_failed: record.batchesFailed,
    candidates_added: record.candidatesAdded,
    candidates_skipped: record.candidatesSkipped,
    api_refused: record.apiRefused,
    rejects_path: record.rejectsPath ?? null,
    halted: state === 'halted' && halt !== undefined ? halt.message : null,
  };
}

/** An import's status now, or undefined when no import has that id. */
export async function readImportStatus(
  redis: Redis,
  keys: RedisKeys,
  importId: string,
): Promise<ImportStatus | undefined> {
  const [record, halt] = await Promise.all([
    readImport(redis, keys, importId),
    readHalt(redis, keys),
  ]);
  return record === undefined ? undefined : toImportStatus(record, halt);
}
