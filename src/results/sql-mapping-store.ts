import {
  COLUMNS,
  INTERVIEW_FIELDS,
  isoTime,
  type SqlParams,
  type SqlValue,
  TABLE,
  toMapping,
} from './mapping-columns.js';
import type {
  CandidateLink,
  CandidateMapping,
  ImportedCandidate,
  MappingStore,
  ResultOutcome,
  ResultUpdate,
} from './mapping-store.js';

/**
 * The mapping store written once for SQLite and PostgreSQL: its statements, their parameters
 * and what their results mean. Statements name their parameters `@name`, which better-sqlite3
 * binds as is and the PostgreSQL store turns into `$1`, `$2`…; a store only adds how it runs a
 * statement, and the dialect's fastest way to write a whole batch.
 */

/** A statement with `@name` parameters, and a name unique to its text (PostgreSQL prepares it). */
export interface MappingStatement {
  name: string;
  text: string;
}

/** What running a statement gave: the rows it returned, and how many rows it changed. */
export interface StatementResult {
  rows: Record<string, unknown>[];
  changes: number;
}

export abstract class SqlMappingStore implements MappingStore {
  abstract recordImported(candidates: readonly ImportedCandidate[]): Promise<void>;
  abstract close(): Promise<void>;
  protected abstract execute(
    statement: MappingStatement,
    params: SqlParams,
  ): Promise<StatementResult>;

  async linkCandidate(link: CandidateLink): Promise<void> {
    await this.execute(LINK, linkParams(link));
  }

  async recordResult(update: ResultUpdate): Promise<ResultOutcome> {
    const params = resultParams(update);
    if ((await this.execute(MATCH, params)).rows.length === 0) {
      return 'unknown';
    }

    const { changes } = await this.execute(resultStatement(update), params);
    return changes > 0 ? 'applied' : 'stale';
  }

  async listCampaign(campaignId: string): Promise<CandidateMapping[]> {
    const { rows } = await this.execute(LIST, { campaignId });
    return rows.map(toMapping);
  }
}

/** The stored status is older than `at`, or there is none yet (a row only imported). */
function newerThanStored(at: string, table = TABLE): string {
  return `(${table}.status_at IS NULL OR ${table}.status_at < ${at})`;
}

/**
 * `candidate.added`: creates the mapping of a phone no import queued, else links the id. Its
 * status and time move only forward; an older link still fills an id not yet known.
 */
const LINK: MappingStatement = {
  name: 'candidate_mappings_link',
  text:
    `INSERT INTO ${TABLE} (campaign_id, phone, voicehire_id, status, status_at, updated_at) ` +
    `VALUES (@campaignId, @phone, @voicehireId, 'added', @at, @now) ` +
    'ON CONFLICT (campaign_id, phone) DO UPDATE SET voicehire_id = excluded.voicehire_id, ' +
    `status = CASE WHEN ${newerThanStored('excluded.status_at')} ` +
    `THEN excluded.status ELSE ${TABLE}.status END, ` +
    `status_at = CASE WHEN ${newerThanStored('excluded.status_at')} ` +
    `THEN excluded.status_at ELSE ${TABLE}.status_at END, ` +
    'updated_at = excluded.updated_at ' +
    `WHERE ${newerThanStored('excluded.status_at')} OR ${TABLE}.voicehire_id IS NULL`,
};

/**
 * Whether an interview event has a mapping: by VoiceHire id, else by campaign and phone. Asked
 * before the update, never after: rows are never deleted, so a row found here is one the update
 * then sees, and an update that changes nothing is truly stale. Asked after, a link committed in
 * between would make an event that was never applied look stale.
 */
const MATCH: MappingStatement = {
  name: 'candidate_mappings_match',
  text:
    `SELECT 1 AS found FROM ${TABLE} WHERE voicehire_id = @voicehireId ` +
    'OR (campaign_id = @campaignId AND phone = @phone) LIMIT 1',
};

/** Every mapping of a campaign, imports in the order they came, then rows. */
const LIST: MappingStatement = {
  name: 'candidate_mappings_list',
  text:
    `SELECT ${COLUMNS.map((column) => column.name).join(', ')} FROM ${TABLE} ` +
    'WHERE campaign_id = @campaignId ORDER BY import_id IS NULL, ' +
    'MIN(imported_at) OVER (PARTITION BY import_id), import_id, source_row, phone',
};

const resultStatements = new Map<number, MappingStatement>();

/**
 * The update of an interview event carrying `update.fields`, one statement per set of fields.
 * The timestamp rule is its own: the SET and WHERE clauses compare `@at` with the stored
 * `status_at`, so that concurrent events on one row (serialised by the row's lock, the WHERE
 * evaluated again on the row as the other writer left it) can never take it back in time.
 * - later than the stored time: the fields carried are replaced, the others kept;
 * - the same time: only fields still null are filled (completed, then completed.extended);
 * - older: the WHERE clause matches nothing, and nothing changes.
 */
function resultStatement(update: ResultUpdate): MappingStatement {
  const carried = INTERVIEW_FIELDS.filter(({ field }) => update.fields[field] !== undefined);
  // One bit a field carried, in column order.
  const key = INTERVIEW_FIELDS.reduce(
    (mask, entry, index) => (carried.includes(entry) ? mask | (1 << index) : mask),
    0,
  );
  const cached = resultStatements.get(key);
  if (cached !== undefined) {
    return cached;
  }

  const newer = newerThanStored('@at');
  const sets = carried.map(
    ({ field, column }) =>
      `${column} = CASE WHEN ${newer} THEN @${field} ELSE COALESCE(${column}, @${field}) END`,
  );
  const fills = carried.map(({ field, column }) => `(${column} IS NULL AND @${field} IS NOT NULL)`);
  const sameTime = fills.length === 0 ? '' : ` OR (status_at = @at AND (${fills.join(' OR ')}))`;
  const statement = {
    name: `candidate_mappings_result_${key}`,
    text:
      `UPDATE ${TABLE} SET voicehire_id = @voicehireId, ` +
      `status = CASE WHEN ${newer} THEN @status ELSE status END, ` +
      [...sets, 'status_at = @at', 'updated_at = @now'].join(', ') +
      ' WHERE (voicehire_id = @voicehireId OR (campaign_id = @campaignId AND phone = @phone ' +
      `AND NOT EXISTS (SELECT 1 FROM ${TABLE} AS linked WHERE linked.voicehire_id = @voicehireId)))` +
      ` AND (${newer}${sameTime})`,
  };
  resultStatements.set(key, statement);
  return statement;
}

function linkParams(link: CandidateLink): SqlParams {
  return {
    campaignId: link.campaignId,
    phone: link.phone,
    voicehireId: link.voicehireId,
    at: isoTime(link.at),
    now: isoTime(),
  };
}

/** The parameters of MATCH and of the update resultStatement() gives for the same event. */
function resultParams(update: ResultUpdate): SqlParams {
  const params: SqlParams = {
    campaignId: update.campaignId,
    voicehireId: update.voicehireId,
    phone: update.phone ?? null,
    status: update.status,
    at: isoTime(update.at),
    now: isoTime(),
  };
  for (const { field } of INTERVIEW_FIELDS) {
    const value = update.fields[field];
    if (value !== undefined) {
      params[field] = field === 'responses' ? encodeJson(value) : (value as SqlValue);
    }
  }
  return params;
}

function encodeJson(value: unknown): string | null {
  return value === null ? null : JSON.stringify(value);
}
