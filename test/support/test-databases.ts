import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/**
 * Databases of a test's own for the mapping store: a SQLite file in a temporary folder, or a
 * database created on this machine's PostgreSQL and dropped afterwards.
 */

/** The server the PostgreSQL half creates its database on; trust auth on this machine. */
const POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A database of the suite's own, and how to remove it. */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function sqliteDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'vh-mappings-'));
  return {
    url: `sqlite:${join(dir, 'voicehire.db')}`,
    drop: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Creates `voicehire_test_<pid>_<random>` on the server; fails, never skips, when it is down. */
export async function postgresDatabase(): Promise<TestDatabase> {
  const name = `voicehire_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
  } catch (err) {
    throw new Error(
      `PostgreSQL is needed by this suite and cannot be used at ${POSTGRES_URL} ` +
        `(${(err as Error).message}): start it, or set TEST_POSTGRES_URL`,
    );
  } finally {
    await admin.end().catch(() => {});
  }

  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
