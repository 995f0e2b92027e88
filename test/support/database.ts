import { sql } from 'kysely';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/lib/server/db';

/**
 * A migrated, empty database for one test file: SQLite in memory by default, or the PostgreSQL database that
 * DATABASE_URL names (its public schema is wiped first, so point it at a database made for tests).
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  const url = process.env['DATABASE_URL'];
  if (url && /^postgres(ql)?:\/\//i.test(url)) {
    const handle = openDatabase(url);
    await sql`drop schema if exists public cascade`.execute(handle.db);
    await sql`create schema public`.execute(handle.db);
    await migrateToLatest(handle.db);
    return handle;
  }
  const handle = openDatabase(':memory:');
  await migrateToLatest(handle.db);
  return handle;
}

export function databaseKind(): 'sqlite' | 'postgres' {
  const url = process.env['DATABASE_URL'];
  return url && /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}
