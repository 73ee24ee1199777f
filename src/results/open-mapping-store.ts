import { UsageError } from '../shared/exit-codes.js';
import { hideCredentials } from '../shared/hide-credentials.js';
import type { MappingStore } from './mapping-store.js';

/** Where DATABASE_URL says the mappings live. */
export type DatabaseTarget = { kind: 'postgres'; url: string } | { kind: 'sqlite'; path: string };

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** `postgres://…` or `postgresql://…`: PostgreSQL; `sqlite:path` or a plain path: a SQLite file. */
export function parseDatabaseUrl(databaseUrl: string): DatabaseTarget {
  if (POSTGRES_URL.test(databaseUrl)) {
    return { kind: 'postgres', url: databaseUrl };
  }
  return { kind: 'sqlite', path: databaseUrl.replace(/^sqlite:/i, '') };
}

/**
 * Opens the mapping store DATABASE_URL names, creating its table if absent. Each driver is loaded
 * only when used. A database that cannot be opened is a UsageError (exit code 1), as an
 * unreachable Redis is.
 */
export async function openMappingStore(databaseUrl: string): Promise<MappingStore> {
  const target = parseDatabaseUrl(databaseUrl);

  try {
    if (target.kind === 'postgres') {
      const { PostgresMappingStore } = await import('./postgres-mapping-store.js');
      return await PostgresMappingStore.open(target.url);
    }
    const { SqliteMappingStore } = await import('./sqlite-mapping-store.js');
    return new SqliteMappingStore(target.path);
  } catch (err) {
    throw new UsageError(
      `cannot open the results database, ${describeDatabase(databaseUrl)}: ` +
        `${(err as Error).message}; set DATABASE_URL`,
    );
  }
}

/** The database for a message: `PostgreSQL at postgres://***@host/db` or `the SQLite file x.db`. */
export function describeDatabase(databaseUrl: string): string {
  const target = parseDatabaseUrl(databaseUrl);
  return target.kind === 'postgres'
    ? `PostgreSQL at ${hideCredentials(target.url)}`
    : `the SQLite file ${target.path}`;
}
