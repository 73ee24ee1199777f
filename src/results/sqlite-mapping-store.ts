import Database from 'better-sqlite3';
import {
  type ColumnKind,
  createTableSql,
  IMPORTED_COLUMNS,
  importedUpsertSql,
  isoTime,
  type SqlParams,
} from './mapping-columns.js';
import type { ImportedCandidate } from './mapping-store.js';
import {
  type MappingStatement,
  SqlMappingStore,
  type StatementResult,
} from './sql-mapping-store.js';

/** Times are ISO text, UTC to the millisecond (isoTime), so that they compare as text. */
const TYPES: Readonly<Record<ColumnKind, string>> = {
  text: 'TEXT',
  integer: 'INTEGER',
  real: 'REAL',
  json: 'TEXT',
  time: 'TEXT',
};

/**
 * How long a statement waits for another process's write before failing with SQLITE_BUSY: the
 * producer, workers and `voicehire results` of one machine share the file.
 */
const BUSY_TIMEOUT_MS = 5_000;

const IMPORTED_UPSERT = importedUpsertSql(
  `VALUES (${IMPORTED_COLUMNS.map(({ column }) => `@${column}`).join(', ')}, ` +
    `'imported', @now, @now)`,
);

/** The mapping store in a SQLite file (better-sqlite3), for the processes of one machine. */
export class SqliteMappingStore extends SqlMappingStore {
  readonly #db: Database.Database;
  readonly #prepared = new Map<string, Database.Statement>();
  readonly #recordMany: Database.Transaction<(candidates: readonly ImportedCandidate[]) => void>;

  /** Opens (or creates) the file and its table. */
  constructor(path: string) {
    super();
    this.#db = new Database(path);
    try {
      this.#db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      // WAL: readers never block the writer, nor the writer them. NORMAL is durable in WAL mode
      // but for a power cut, and spares an fsync per transaction.
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = NORMAL');
      this.#db
        .transaction(() => {
          for (const sql of createTableSql(TYPES)) {
            this.#db.exec(sql);
          }
        })
        .immediate();
    } catch (err) {
      this.#db.close();
      throw err;
    }

    const upsert = this.#db.prepare(IMPORTED_UPSERT);
    this.#recordMany = this.#db.transaction((candidates: readonly ImportedCandidate[]) => {
      const now = isoTime();
      for (const candidate of candidates) {
        const params: SqlParams = { now };
        for (const { column, field } of IMPORTED_COLUMNS) {
          params[column] = candidate[field];
        }
        upsert.run(params);
      }
    });
  }

  async recordImported(candidates: readonly ImportedCandidate[]): Promise<void> {
    if (candidates.length === 0) {
      return;
    }
    // IMMEDIATE takes the write lock at BEGIN: a deferred transaction that must upgrade its lock
    // fails at once with SQLITE_BUSY, whatever the busy timeout.
    this.#recordMany.immediate(candidates);
  }

  async close(): Promise<void> {
    this.#db.close();
  }

  /** Each statement is prepared once per store: preparing costs more than running. */
  protected async execute(
    statement: MappingStatement,
    params: SqlParams,
  ): Promise<StatementResult> {
    let prepared = this.#prepared.get(statement.name);
    if (prepared === undefined) {
      prepared = this.#db.prepare(statement.text);
      this.#prepared.set(statement.name, prepared);
    }

    if (prepared.reader) {
      return { rows: prepared.all(params) as Record<string, unknown>[], changes: 0 };
    }
    return { rows: [], changes: prepared.run(params).changes };
  }
}
