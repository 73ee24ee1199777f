import type { Redis } from 'ioredis';
import type { BatchQueue } from '../../src/shared/batch-queue.js';
import type { ImportStatus } from '../../src/shared/import-status.js';
import type { RedisKeys } from '../../src/shared/redis-keys.js';
import type { SimulatorRecord } from '../../src/simulator/simulator-record.js';
import type { GeneratedRow } from './candidate-file.js';
import {
  type Batches,
  type RejectsReport,
  readApiRefusals,
  readBatches,
  readRejectsReport,
} from './import-evidence.js';

/**
 * The conservation law of an import, checked after a run however it was broken: every row of
 * the file ends in exactly one state, and every valid unique phone reached the campaign exactly
 * once, as the simulator's own record shows. Violations name rows by number, never by phone.
 */

/** Where one row of the file ended. */
export type RowState = 'added' | 'skipped' | 'refused' | 'rejected' | 'failed';

/** What the law reads after a run. */
export interface ConservationInput {
  /** Each data row as generated, row 1 first: its expected fate and, if valid, its phone. */
  rows: readonly Pick<GeneratedRow, 'kind' | 'phone'>[];
  /** The producer's rejects report. */
  rejectsPath: string;
  importId: string;
  campaignId: string;
  /** The simulator's record after the run. */
  record: SimulatorRecord;
  /** The record before the import: its phones count as already in the campaign. Default none. */
  before?: SimulatorRecord;
  /** The queue and the import's keys, for the batches, the API's refusals and the status. */
  redis: Redis;
  keys: RedisKeys;
  queue: BatchQueue;
  status: ImportStatus;
}

export interface ConservationResult {
  /** Rows in each state; they add up to the file's rows when the law holds. */
  states: Record<RowState, number>;
  batches: number;
  /** Failed batches, each listed with BullMQ's reason. */
  failedBatches: Array<{ batchNumber: number; reason: string }>;
  /** Sum over completed batches of the attempts each used beyond its first. */
  retries: number;
  /** One line per broken rule, each naming the rows; empty when the law holds. */
  violations: string[];
}

// A message lists this many rows per rule, then how many more.
const SHOWN = 10;

/** Checks the law and returns what it found; see expectConservation for the assertion. */
export async function checkConservation(input: ConservationInput): Promise<ConservationResult> {
  const rejected = await readRejectsReport(input.rejectsPath);
  const batches = await readBatches(input.queue, input.importId);
  const refused = await readApiRefusals(input.redis, input.keys, input.importId);
  const addedNow = additionsDuring(input);
  const violations = new Violations();

  const states: Record<RowState, number> = {
    added: 0,
    skipped: 0,
    refused: 0,
    rejected: 0,
    failed: 0,
  };
  const stateOfRow = new Map<number, RowState>();
  for (const [row, count] of rejected.duplicates) {
    violations.add(`listed ${count} times in the rejects report`, row);
  }
  for (const [row, numbers] of batches.duplicates) {
    violations.add(`queued in more than one batch (${numbers.join(', ')})`, row);
  }

  for (let row = 1; row <= input.rows.length; row++) {
    const expected = input.rows[row - 1] as (typeof input.rows)[number];
    const state = rowState(row, expected, { rejected, batches, refused, addedNow, input });
    if (typeof state === 'string') {
      stateOfRow.set(row, state);
      states[state] += 1;
    } else {
      violations.add(state.violation, row);
    }
  }
  for (const row of [...rejected.reasons.keys(), ...batches.byRow.keys()]) {
    if (row < 1 || row > input.rows.length) {
      violations.add('outside the file', row);
    }
  }

  checkPhones(input, addedNow, stateOfRow, violations);
  checkPending(batches.pending, violations);
  checkCounters(input.status, states, batches, violations);

  return {
    states,
    batches: batches.byNumber.size,
    failedBatches: [...batches.failed].map(([batchNumber, reason]) => ({ batchNumber, reason })),
    retries: batches.retries,
    violations: violations.lines(),
  };
}

/** Throws, naming every broken rule and its rows, unless the law holds. */
export async function expectConservation(
  input: ConservationInput,
  context = '',
): Promise<ConservationResult> {
  const result = await checkConservation(input);
  if (result.violations.length > 0) {
    const heading = `conservation law broken${context ? ` (${context})` : ''}:`;
    throw new Error([heading, ...result.violations.map((line) => `  - ${line}`)].join('\n'));
  }
  return result;
}

interface Evidence {
  rejected: RejectsReport;
  batches: Batches;
  refused: Set<number>;
  addedNow: Map<string, number>;
  input: ConservationInput;
}

/** The row's state, or what is wrong with it. */
function rowState(
  row: number,
  expected: Pick<GeneratedRow, 'kind' | 'phone'>,
  evidence: Evidence,
): RowState | { violation: string } {
  const reason = evidence.rejected.reasons.get(row);
  const batch = evidence.batches.byRow.get(row);

  if (reason !== undefined && batch !== undefined) {
    return { violation: `both rejected (${reason}) and queued in batch ${batch.batchNumber}` };
  }
  if (reason !== undefined) {
    return reason === expected.kind
      ? 'rejected'
      : { violation: `rejected as ${reason}, expected ${expected.kind}` };
  }
  if (batch === undefined) {
    return { violation: 'lost: neither rejected nor in any batch' };
  }

  if (expected.kind !== 'valid') {
    return { violation: `queued in batch ${batch.batchNumber}, expected ${expected.kind}` };
  }
  if (batch.phone !== expected.phone) {
    return { violation: `queued in batch ${batch.batchNumber} with another row's phone` };
  }
  if (evidence.batches.failed.has(batch.batchNumber)) {
    return 'failed';
  }
  if (!evidence.batches.completed.has(batch.batchNumber)) {
    // Reported once per batch by checkPending.
    return { violation: `still pending in batch ${batch.batchNumber}` };
  }
  if (evidence.refused.has(row)) {
    return 'refused';
  }

  const { before, campaignId } = evidence.input;
  const additions = evidence.addedNow.get(batch.phone) ?? 0;
  const presentBefore = (before?.phones[campaignId]?.[batch.phone]?.added ?? 0) > 0;
  if (additions === 1 && !presentBefore) {
    return 'added';
  }
  if (additions === 0 && presentBefore) {
    return 'skipped';
  }
  return additions === 0
    ? { violation: `batch ${batch.batchNumber} completed, but the API never added the row` }
    : {
        violation: `added ${additions} time(s) by the API${presentBefore ? ', already there' : ''}`,
      };
}

/**
 * Every valid unique phone added once; none other added. A phone of a failed batch or refused
 * by the API is at most added once: its call may have reached the API before it failed.
 */
function checkPhones(
  input: ConservationInput,
  addedNow: Map<string, number>,
  stateOfRow: Map<number, RowState>,
  violations: Violations,
): void {
  const validRows = new Map<string, number>();
  input.rows.forEach((expected, index) => {
    if (expected.kind === 'valid' && expected.phone !== undefined) {
      validRows.set(expected.phone, index + 1);
    }
  });

  for (const [phone, row] of validRows) {
    const additions = addedNow.get(phone) ?? 0;
    const state = stateOfRow.get(row);
    const excused = state === 'failed' || state === 'refused' || state === 'skipped';
    if (additions > 1) {
      violations.add(`its phone was added ${additions} times`, row);
    } else if (additions === 0 && !excused && state !== undefined) {
      violations.add('its phone is missing from the campaign', row);
    }
  }

  const foreign = [...addedNow.keys()].filter((phone) => !validRows.has(phone)).length;
  if (foreign > 0) {
    violations.note(`${foreign} phone(s) added that no valid row of the file holds`);
  }
}

function checkPending(pending: Map<number, string>, violations: Violations): void {
  for (const [batchNumber, state] of pending) {
    violations.note(`batch ${batchNumber} is still ${state}, neither completed nor failed`);
  }
}

/** The import's record agrees with the rows: what `voicehire status` tells the user is true. */
function checkCounters(
  status: ImportStatus,
  states: Record<RowState, number>,
  batches: Batches,
  violations: Violations,
): void {
  const expect = (name: string, actual: number, expected: number) => {
    if (actual !== expected) {
      violations.note(`status ${name} is ${actual}, the rows say ${expected}`);
    }
  };

  expect('batches', status.batches, batches.byNumber.size);
  expect('batches_failed', status.batches_failed, batches.failed.size);
  expect('batches_done', status.batches_done, batches.completed.size);
  expect('candidates_added', status.candidates_added, states.added);
  expect('candidates_skipped', status.candidates_skipped, states.skipped);
  expect('api_refused', status.api_refused, states.refused);
  expect('invalid + duplicates', status.invalid + status.duplicates, states.rejected);
}

/** Collects broken rules; rows under the same rule share one line. */
class Violations {
  readonly #rows = new Map<string, number[]>();
  readonly #notes: string[] = [];

  add(rule: string, row: number): void {
    const rows = this.#rows.get(rule) ?? [];
    rows.push(row);
    this.#rows.set(rule, rows);
  }

  note(line: string): void {
    this.#notes.push(line);
  }

  lines(): string[] {
    const byRule = [...this.#rows].map(([rule, rows]) => {
      const shown = rows.slice(0, SHOWN).join(', ');
      const more = rows.length > SHOWN ? ` and ${rows.length - SHOWN} more` : '';
      return `${rows.length === 1 ? 'row' : 'rows'} ${shown}${more}: ${rule}`;
    });
    return [...byRule, ...this.#notes];
  }
}

/** Phone -> times the API added it between `before` and `record`, in the import's campaign. */
function additionsDuring(input: ConservationInput): Map<string, number> {
  const after = input.record.phones[input.campaignId] ?? {};
  const before = input.before?.phones[input.campaignId] ?? {};
  const additions = new Map<string, number>();

  for (const [phone, record] of Object.entries(after)) {
    const count = record.added - (before[phone]?.added ?? 0);
    if (count !== 0) {
      additions.set(phone, count);
    }
  }
  return additions;
}
