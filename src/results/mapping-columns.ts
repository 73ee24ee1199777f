import type { CandidateMapping, ImportedCandidate, InterviewFields } from './mapping-store.js';

/**
 * The table of candidate mappings as both stores define it: its columns, their kinds (each
 * store gives each kind its dialect's type), the producer's upsert, and the way a row becomes a
 * mapping. The other statements, and the store written once for both, are in
 * sql-mapping-store.ts.
 */

export type ColumnKind = 'text' | 'integer' | 'real' | 'json' | 'time';

/** A value as both drivers bind it. */
export type SqlValue = string | number | null;

export type SqlParams = Record<string, SqlValue>;

interface Column {
  name: string;
  /** The mapping's field it holds; none for columns only the store reads. */
  field: keyof CandidateMapping | undefined;
  kind: ColumnKind;
  notNull?: boolean;
  /** What writes it: the producer (ImportedCandidate), or an interview event (InterviewFields). */
  group?: 'imported' | 'interview';
}

export const TABLE = 'candidate_mappings';

export const COLUMNS: readonly Column[] = [
  { name: 'campaign_id', field: 'campaignId', kind: 'text', notNull: true, group: 'imported' },
  { name: 'phone', field: 'phone', kind: 'text', notNull: true, group: 'imported' },
  { name: 'external_id', field: 'externalId', kind: 'text', group: 'imported' },
  { name: 'import_id', field: 'importId', kind: 'text', group: 'imported' },
  // `row` is a keyword in both dialects.
  { name: 'source_row', field: 'row', kind: 'integer', group: 'imported' },
  { name: 'first_name', field: 'firstName', kind: 'text', group: 'imported' },
  { name: 'last_name', field: 'lastName', kind: 'text', group: 'imported' },
  { name: 'email', field: 'email', kind: 'text', group: 'imported' },
  { name: 'voicehire_id', field: 'voicehireId', kind: 'text' },
  { name: 'status', field: 'status', kind: 'text', notNull: true },
  { name: 'score', field: 'score', kind: 'real', group: 'interview' },
  { name: 'availability', field: 'availability', kind: 'text', group: 'interview' },
  { name: 'availability_start', field: 'availabilityStart', kind: 'text', group: 'interview' },
  { name: 'salary_expectation', field: 'salaryExpectation', kind: 'text', group: 'interview' },
  { name: 'alignment', field: 'alignment', kind: 'text', group: 'interview' },
  { name: 'strengths', field: 'strengths', kind: 'text', group: 'interview' },
  { name: 'concerns', field: 'concerns', kind: 'text', group: 'interview' },
  { name: 'responses', field: 'responses', kind: 'json', group: 'interview' },
  { name: 'failure_reason', field: 'failureReason', kind: 'text', group: 'interview' },
  { name: 'status_at', field: 'statusAt', kind: 'time' },
  // When the latest import recorded the row: imports are listed in the order they came.
  { name: 'imported_at', field: undefined, kind: 'time' },
  { name: 'updated_at', field: 'updatedAt', kind: 'time', notNull: true },
];

/** The interview's fields, in column order, with their columns. */
export const INTERVIEW_FIELDS = columnsOf<keyof InterviewFields>('interview');

/** What the producer writes for each candidate, in the order of the batch insert's columns. */
export const IMPORTED_COLUMNS = columnsOf<keyof ImportedCandidate>('imported');

/** The kind of every `@name` parameter, for a dialect that must be told its parameters' types. */
export const PARAM_KINDS: Readonly<Record<string, ColumnKind>> = {
  campaignId: 'text',
  phone: 'text',
  voicehireId: 'text',
  status: 'text',
  at: 'time',
  now: 'time',
  ...Object.fromEntries(INTERVIEW_FIELDS.map(({ field, kind }) => [field, kind])),
};

/** `CREATE TABLE` and its index, with the dialect's type for each kind of column. */
export function createTableSql(types: Readonly<Record<ColumnKind, string>>): string[] {
  const columns = COLUMNS.map(
    (column) => `${column.name} ${types[column.kind]}${column.notNull ? ' NOT NULL' : ''}`,
  );
  return [
    `CREATE TABLE IF NOT EXISTS ${TABLE} (${columns.join(', ')}, PRIMARY KEY (campaign_id, phone))`,
    `CREATE UNIQUE INDEX IF NOT EXISTS ${TABLE}_voicehire_id ON ${TABLE} (voicehire_id)`,
  ];
}

/**
 * The producer's upsert, fed by `rows`: the dialect's source of IMPORTED_COLUMNS' values then
 * `@now`. A file imported again updates what the file says and keeps what webhooks recorded.
 */
export function importedUpsertSql(rows: string): string {
  const columns = IMPORTED_COLUMNS.map(({ column }) => column);
  const updates = [...columns, 'imported_at', 'updated_at']
    .filter((column) => column !== 'campaign_id' && column !== 'phone')
    .map((column) => `${column} = excluded.${column}`);
  return (
    `INSERT INTO ${TABLE} (${columns.join(', ')}, status, imported_at, updated_at) ${rows} ` +
    `ON CONFLICT (campaign_id, phone) DO UPDATE SET ${updates.join(', ')}`
  );
}

/** A row as either driver returns it, as a mapping. */
export function toMapping(row: Record<string, unknown>): CandidateMapping {
  const mapping: Record<string, unknown> = {};
  for (const column of COLUMNS) {
    if (column.field !== undefined) {
      mapping[column.field] = readValue(column.kind, row[column.name]);
    }
  }
  return mapping as unknown as CandidateMapping;
}

/**
 * Times are stored as `toISOString()` gives them, UTC to the millisecond, whatever offset the
 * event was written with: SQLite compares them as text, so they must sort as they compare.
 */
export function isoTime(value?: string): string {
  return (value === undefined ? new Date() : new Date(value)).toISOString();
}

function readValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) {
    return null;
  }
  // PostgreSQL's driver parses JSONB and TIMESTAMPTZ; SQLite hands back the text we stored.
  if (kind === 'json') {
    return typeof value === 'string' ? JSON.parse(value) : value;
  }
  if (kind === 'time') {
    return value instanceof Date ? value.toISOString() : String(value);
  }
  return value;
}

/** The columns of one group, in column order. */
function columnsOf<K extends keyof CandidateMapping>(group: Column['group']) {
  return COLUMNS.flatMap((column) =>
    column.group === group && column.field !== undefined
      ? [{ field: column.field as K, column: column.name, kind: column.kind }]
      : [],
  );
}
