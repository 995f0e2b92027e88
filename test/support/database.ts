import { sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { Migrator } from 'kysely/migration';
import { migrations } from '../../db/migrations/index';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/lib/server/db';

/**
 * A migrated, empty database for one test file: SQLite in memory by default, or the PostgreSQL database that
 * DATABASE_URL names (its public schema is wiped first, so point it at a database made for tests).
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  const handle = await createEmptyTestDatabase();
  await migrateToLatest(handle.db);
  return handle;
}

/**
 * Migrates `db` up or down to the migration named (it is then the last one applied), or to the latest: for a test of
 * a migration on the schema of its own day.
 */
export async function migrateTestDatabaseTo(db: DatabaseHandle['db'], name: string | 'latest'): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = name === 'latest' ? await migrator.migrateToLatest() : await migrator.migrateTo(name);
  if (result.error) throw result.error;
}

/** Like createTestDatabase, without the migrations: for a test that migrates step by step. */
export async function createEmptyTestDatabase(): Promise<DatabaseHandle> {
  const url = process.env['DATABASE_URL'];
  if (url && /^postgres(ql)?:\/\//i.test(url)) {
    const handle = openDatabase(url);
    await sql`drop schema if exists public cascade`.execute(handle.db);
    await sql`create schema public`.execute(handle.db);
    return handle;
  }
  return openDatabase(':memory:');
}

export function databaseKind(): 'sqlite' | 'postgres' {
  const url = process.env['DATABASE_URL'];
  return url && /^postgres(ql)?:\/\//i.test(url) ? 'postgres' : 'sqlite';
}

/**
 * The test database of the describe (or file) that calls it: made before its first hook and test, closed after the
 * last. `const handle = useTestDatabase();` then `handle.db` in the hooks and tests (the hooks a file adds after the
 * call run after the database is made, and their afterAll before it is closed).
 */
export function useTestDatabase(): DatabaseHandle {
  return useDatabase(createTestDatabase);
}

/**
 * A database `open` gives, for the describe that calls this: opened in beforeAll, closed in afterAll. The handle it
 * returns stands for the opened one, so a test file can name it once at the top of the describe.
 */
export function useDatabase(open: () => DatabaseHandle | Promise<DatabaseHandle>): DatabaseHandle {
  const current = useForDescribe('The database', open, (handle) => handle.close());
  return {
    get db() {
      return current().db;
    },
    get target() {
      return current().target;
    },
    get sqlite() {
      return current().sqlite;
    },
    poolStats: () => current().poolStats(),
    close: () => current().close(),
  };
}

/**
 * Something a describe's hooks and tests share (a database, a browser): `open`ed in its beforeAll, `close`d in its
 * afterAll. Returns the way to reach it, which throws outside those hooks and tests (`what` names it in the error).
 */
export function useForDescribe<T>(what: string, open: () => T | Promise<T>, close: (opened: T) => Promise<void>): () => T {
  let opened: { value: T } | undefined;
  beforeAll(async () => {
    opened = { value: await open() };
  });
  afterAll(async () => {
    if (opened) await close(opened.value);
    opened = undefined;
  });
  return () => {
    if (!opened) throw new Error(`${what} is there only in the hooks and tests of the describe that asked for it.`);
    return opened.value;
  };
}

/**
 * For tests that each want an empty database of their own: `const freshDatabase = useFreshTestDatabases();` then
 * `const handle = await freshDatabase();` in a test. Every database made is closed after the describe. On PostgreSQL
 * each is the same database wiped, so a test must be done with the previous one before it asks for the next.
 */
export function useFreshTestDatabases(): () => Promise<DatabaseHandle> {
  const handles: DatabaseHandle[] = [];
  afterAll(async () => {
    for (const handle of handles.splice(0)) await handle.close();
  });
  return async () => {
    const handle = await createTestDatabase();
    handles.push(handle);
    return handle;
  };
}
