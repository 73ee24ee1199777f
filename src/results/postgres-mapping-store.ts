import pg from 'pg';
import {
  type ColumnKind,
  createTableSql,
  IMPORTED_COLUMNS,
  importedUpsertSql,
  isoTime,
  PARAM_KINDS,
  type SqlParams,
  type SqlValue,
  TABLE,
} from './mapping-columns.js';
import type { ImportedCandidate } from './mapping-store.js';
import {
  type MappingStatement,
  SqlMappingStore,
  type StatementResult,
} from './sql-mapping-store.js';

const TYPES: Readonly<Record<ColumnKind, string>> = {
  text: 'TEXT',
  integer: 'INTEGER',
  real: 'DOUBLE PRECISION',
  json: 'JSONB',
  time: 'TIMESTAMPTZ',
};

/** How long opening waits for a connection before saying PostgreSQL cannot be reached. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * A whole batch in one statement, one round trip: each column's values as an array, unnested
 * into rows. Its text does not depend on the batch's size, so it is prepared once.
 */
const IMPORTED_UPSERT: MappingStatement = {
  name: 'candidate_mappings_imported',
  text: importedUpsertSql(
    `SELECT *, 'imported', $${IMPORTED_COLUMNS.length + 1}::timestamptz, ` +
      `$${IMPORTED_COLUMNS.length + 1}::timestamptz FROM unnest(` +
      `${IMPORTED_COLUMNS.map(({ kind }, index) => `$${index + 1}::${TYPES[kind]}[]`).join(', ')})`,
  ),
};

/** A statement in PostgreSQL's form: `$1`, `$2`… and the names they stand for. */
interface CompiledStatement {
  name: string;
  text: string;
  params: string[];
}

/** The mapping store in PostgreSQL (a pg Pool), for workers on several machines. */
export class PostgresMappingStore extends SqlMappingStore {
  readonly #pool: pg.Pool;
  readonly #compiled = new Map<string, CompiledStatement>();

  private constructor(pool: pg.Pool) {
    super();
    this.#pool = pool;
  }

  /** Connects, and creates the table if absent. */
  static async open(connectionString: string): Promise<PostgresMappingStore> {
    const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
    // An idle connection that breaks (a server restart) emits here; without a listener the
    // process would exit. The next query takes a new connection.
    pool.on('error', () => {});

    try {
      await createTable(pool);
    } catch (err) {
      await pool.end();
      throw err;
    }
    return new PostgresMappingStore(pool);
  }

  async recordImported(candidates: readonly ImportedCandidate[]): Promise<void> {
    if (candidates.length === 0) {
      return;
    }

    const rows = lastOfEachPhone(candidates);
    const values: unknown[] = IMPORTED_COLUMNS.map(({ field }) => rows.map((row) => row[field]));
    values.push(isoTime());
    await this.#pool.query({ ...IMPORTED_UPSERT, values });
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  /** Runs a statement as a named prepared statement: each connection parses it once. */
  protected async execute(
    statement: MappingStatement,
    params: SqlParams,
  ): Promise<StatementResult> {
    let compiled = this.#compiled.get(statement.name);
    if (compiled === undefined) {
      compiled = compile(statement);
      this.#compiled.set(statement.name, compiled);
    }

    const values: SqlValue[] = compiled.params.map((name) => params[name] ?? null);
    const result = await this.#pool.query({ name: compiled.name, text: compiled.text, values });
    return { rows: result.rows, changes: result.rowCount ?? 0 };
  }
}

/**
 * Creates the table under a transaction-scoped advisory lock: two processes starting together
 * would otherwise race inside CREATE TABLE IF NOT EXISTS and one fail on a duplicate type.
 */
async function createTable(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('${TABLE}'))`);
    for (const sql of createTableSql(TYPES)) {
      await client.query(sql);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/**
 * `@name` parameters as `$1`, `$2`…, each name numbered once however often it appears, and cast:
 * PostgreSQL cannot infer the type of a parameter inside CASE or IS NOT NULL.
 */
function compile(statement: MappingStatement): CompiledStatement {
  const params: string[] = [];
  const text = statement.text.replace(/@(\w+)/g, (_, name: string) => {
    let index = params.indexOf(name);
    if (index === -1) {
      index = params.push(name) - 1;
    }
    return `$${index + 1}::${TYPES[PARAM_KINDS[name] ?? 'text']}`;
  });
  return { name: statement.name, text, params };
}

/**
 * One row per phone, the last one winning, as the SQLite store's row-by-row upserts end: a
 * single INSERT … ON CONFLICT may not touch a row twice. The producer's batches never repeat a
 * phone, so this only copies for other callers.
 */
function lastOfEachPhone(candidates: readonly ImportedCandidate[]): readonly ImportedCandidate[] {
  const byPhone = new Map<string, ImportedCandidate>();
  for (const candidate of candidates) {
    byPhone.set(`${candidate.campaignId} ${candidate.phone}`, candidate);
  }
  return byPhone.size === candidates.length ? candidates : [...byPhone.values()];
}
