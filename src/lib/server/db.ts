import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type LogEvent } from 'kysely';
import { Migrator, type MigrationResultSet } from 'kysely/migration';
import pg from 'pg';
import { migrations } from '../../../db/migrations/index';
import { withDataVersions } from './data-version';
import type { Database } from './database';

export type DatabaseTarget =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgres'; url: string };

export interface DatabaseHandle {
  db: Kysely<Database>;
  target: DatabaseTarget;
  /** The better-sqlite3 connection, for online backups; null on PostgreSQL. */
  sqlite: SqliteDatabase.Database | null;
  /** The PostgreSQL pool's connections right now (for /metrics); null on SQLite. */
  poolStats(): { total: number; idle: number; waiting: number } | null;
  close(): Promise<void>;
}

export const DEFAULT_SQLITE_FILE = 'db/data/app.sqlite';

/** DATABASE_URL: unset → db/data/app.sqlite; a path or file: URL → that SQLite file; postgres:// → PostgreSQL. */
export function resolveDatabaseTarget(url: string | undefined): DatabaseTarget {
  const value = url?.trim() ?? '';
  if (value === '') return { kind: 'sqlite', file: resolve(DEFAULT_SQLITE_FILE) };
  if (/^postgres(ql)?:\/\//i.test(value)) return { kind: 'postgres', url: value };
  if (value.startsWith('file:')) {
    if (value.startsWith('file://')) return { kind: 'sqlite', file: fileURLToPath(value) };
    const rest = value.slice('file:'.length);
    return { kind: 'sqlite', file: rest === ':memory:' ? ':memory:' : resolve(rest) };
  }
  if (value === ':memory:') return { kind: 'sqlite', file: ':memory:' };
  return { kind: 'sqlite', file: resolve(value) };
}

// Counts every statement sent, so tests and the benchmark can hold pages to a constant number of queries.
let statementsSent = 0;
export function statementCount(): number {
  return statementsSent;
}
function countStatements(_event: LogEvent): void {
  statementsSent += 1;
}
function countExtraStatement(): void {
  statementsSent += 1;
}

const STATEMENTS_KEPT = 256;

/**
 * The connection as Kysely sees it, with prepared statements kept per SQL text: Kysely prepares every statement
 * afresh, which cost about a tenth of a millisecond per query on the pages measured by the benchmark. A statement
 * still being iterated (busy) is not shared.
 */
function withStatementCache(sqlite: SqliteDatabase.Database): { close(): void; prepare(sql: string): SqliteDatabase.Statement } {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      const known = kept.get(sql);
      if (known && !known.busy) {
        kept.delete(sql);
        kept.set(sql, known);
        return known;
      }
      const statement = sqlite.prepare(sql);
      if (!known) {
        if (kept.size >= STATEMENTS_KEPT) {
          const oldest = kept.keys().next().value;
          if (oldest !== undefined) kept.delete(oldest);
        }
        kept.set(sql, statement);
      }
      return statement;
    },
  };
}

export function openDatabase(url: string | undefined): DatabaseHandle {
  const target = resolveDatabaseTarget(url);
  if (target.kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.url, max: Number(process.env['PG_POOL_SIZE'] ?? 10) });
    // A connection that breaks while idle in the pool (PostgreSQL restarted, an administrator ended it) is dropped by
    // the pool and a new one opened when next needed. Without a listener its error would end the whole process.
    pool.on('error', (error) => console.warn(`database: an idle connection was lost (${error.message}); a new one is opened when needed`));
    const db = new Kysely<Database>({ dialect: withDataVersions(new PostgresDialect({ pool }), countExtraStatement, true), log: countStatements });
    const poolStats = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
    return { db, target, sqlite: null, poolStats, close: () => db.destroy() };
  }
  if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
  const sqlite = new SqliteDatabase(target.file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // WAL + NORMAL: durable against a crash of the app (a SIGKILL), not against power loss of the machine.
  sqlite.pragma('synchronous = NORMAL');
  // Deleted personal data is overwritten, not just unlinked, so it is gone from the file (retention, GDPR).
  sqlite.pragma('secure_delete = ON');
  // A page cache of up to 64 MiB (the default is 2 MiB): at ten years of data the pages one request reads and the
  // audit log's index pages it writes no longer push each other out (the attendance sheet went from 228 to N req/s).
  sqlite.pragma('cache_size = -65536');
  const db = new Kysely<Database>({
    dialect: withDataVersions(new SqliteDialect({ database: withStatementCache(sqlite) }), countExtraStatement),
    log: countStatements,
  });
  return { db, target, sqlite, poolStats: () => null, close: () => db.destroy() };
}

export async function migrateToLatest(db: Kysely<Database>): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const result = await migrator.migrateToLatest();
  if (result.error) throw result.error;
  return result;
}

/** Any fixed number: the key of the PostgreSQL advisory lock that `cli boot` holds. */
const BOOT_LOCK = 4_721_202_611;

/**
 * Runs `work` while holding a lock that every other process booting against the same PostgreSQL database waits for
 * (a session advisory lock on a connection of its own), so two servers started at the same moment do not race on
 * migrations, default groups or the first-coordinator link: the second waits, then finds nothing left to do. SQLite is
 * one server on one machine: no lock.
 */
export async function withBootLock<T>(handle: DatabaseHandle, work: () => Promise<T>): Promise<T> {
  if (handle.target.kind !== 'postgres') return work();
  return handle.db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(${BOOT_LOCK})`.execute(connection);
    try {
      return await work();
    } finally {
      await sql`select pg_advisory_unlock(${BOOT_LOCK})`.execute(connection);
    }
  });
}

let shared: DatabaseHandle | null = null;

/**
 * How the project's HTTP server (src/server) closes the handle the built site opened: the site is a separate
 * bundle, so the server cannot import this module's state; it finds the closer under this well-known symbol.
 */
export const CLOSE_DATABASE = Symbol.for('gruppeforlob.closeDatabase');
/** Likewise for the pool's figures on /metrics. */
export const DATABASE_POOL_STATS = Symbol.for('gruppeforlob.databasePoolStats');

/** The process-wide handle the server uses, opened on first use from DATABASE_URL. */
export function getDatabaseHandle(): DatabaseHandle {
  if (!shared) {
    const handle = openDatabase(process.env['DATABASE_URL']);
    shared = handle;
    Reflect.set(globalThis, DATABASE_POOL_STATS, () => handle.poolStats());
    Reflect.set(globalThis, CLOSE_DATABASE, async () => {
      if (shared === handle) shared = null;
      await handle.close();
    });
  }
  return shared;
}

export function getDb(): Kysely<Database> {
  return getDatabaseHandle().db;
}

/** Pings the database; used by /healthz. */
export async function isDatabaseReachable(db: Kysely<Database>): Promise<boolean> {
  try {
    await db.selectFrom('app_settings').select('key').limit(1).execute();
    return true;
  } catch {
    return false;
  }
}
