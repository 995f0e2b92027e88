// Data versions: counters in `data_versions` that move with every committed write to a set of tables, so a page
// that is costly to build (the yearly figures) or asked for very often (the public group pages and feeds) can keep
// what it built until its counter moves.
//
// The counter is moved by the database driver itself, not by each service, so no write path can forget it: every
// INSERT, UPDATE or DELETE that names a watched table marks its connection, and the counter is moved as the last
// statement before COMMIT (inside the transaction, so it becomes visible together with the data), or right after
// a write that ran outside a transaction. A reader that sees the old counter may have read the old or the new data;
// it then keeps its result under the old counter, which no later reader asks for. Rolled-back work moves nothing.
//
// Being the last statement before COMMIT, the counter's row lock is held only while committing, so two
// transactions cannot deadlock over it on PostgreSQL. Writes made around Kysely (a restored backup file) do not
// move it; those need a restart of the server, which starts with nothing kept.
import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type QueryResult, type TransactionSettings } from 'kysely';
import type { Database } from './database';

/**
 * Every table of the schema, once, with whether the yearly figures read it: a committed write to a table marked
 * `true` moves the figures' data version. Typed against `Database`, so a new table does not compile until it is
 * declared here; test/integration/data-version.test.ts runs the figures on a real database and fails when they read
 * a table marked `false`.
 */
export const READ_BY_FIGURES: { readonly [Table in keyof Database]: boolean } = {
  users: false,
  user_setup_tokens: false,
  recovery_codes: false,
  auth_sessions: false,
  rate_limits: false,
  groups: true,
  meeting_rules: false,
  group_leaders: false,
  closed_periods: false,
  meetings: true,
  intake_windows: true,
  children: true,
  // The families behind the children (issue 15: a family is children whose guardians share an e-mail or phone).
  guardians: true,
  referrals: true,
  enrollments: true,
  conversations: false,
  attendance: true,
  family_links: false,
  feed_tokens: false,
  audit_log: false,
  idempotency_keys: false,
  app_settings: false,
  meeting_feedback: true,
  yearly_counts: true,
  course_evaluations: false,
  progress_answers: true,
  closing_summaries: false,
  conversation_requests: false,
  outbox_messages: false,
  oidc_sign_in_attempts: false,
  user_identities: false,
  oidc_access_requests: false,
  oidc_sessions: false,
  passkeys: false,
  webauthn_challenges: false,
  // The counter itself: read with the stamp, never part of what the figures count.
  data_versions: false,
};

/** The tables the yearly figures are counted from. */
export const FIGURES_TABLES: readonly string[] = Object.entries(READ_BY_FIGURES)
  .filter(([, read]) => read)
  .map(([table]) => table);

export const FIGURES_VERSION = 'figures';

/**
 * The tables the public group pages and feeds are built from (served from memory by src/server): a write to any of
 * them moves the 'public' version. test/integration/data-version.test.ts renders both and fails when they read a
 * table not listed here.
 */
export const PUBLIC_TABLES: readonly (keyof Database)[] = ['groups', 'meeting_rules', 'meetings', 'enrollments'];

export const PUBLIC_VERSION = 'public';

/** Which versions a write to each table moves. */
function versionsByTable(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const [version, tables] of [[FIGURES_VERSION, FIGURES_TABLES], [PUBLIC_VERSION, PUBLIC_TABLES]] as const) {
    for (const table of tables) map.set(table, [...(map.get(table) ?? []), version]);
  }
  return map;
}

const WRITE = /^\s*(?:insert(?:\s+or\s+\w+)?\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+(?:"?\w+"?\.)?"?(\w+)"?/i;

/** The table an INSERT, UPDATE or DELETE statement writes to; null for anything else. */
export function writtenTable(statement: string): string | null {
  return WRITE.exec(statement)?.[1]?.toLowerCase() ?? null;
}

/** The PostgreSQL channel on which every committed move of a data version is announced as `<name>:<version>`. */
export const DATA_VERSION_CHANNEL = 'gf_data_version';

/**
 * The statement returns the new version (for this process's listeners, onVersionMoved). On PostgreSQL it also
 * announces it (NOTIFY is delivered when, and only if, the transaction commits, in commit order), so every server
 * process can follow it without a read per request.
 */
function bumpStatement(version: string, notify: boolean): CompiledQuery {
  const update = `update data_versions set version = version + 1 where name = '${version}'`;
  // SQLite (3.35 and later) returns the new version too, so this process's listeners learn it at once.
  if (!notify) return CompiledQuery.raw(`${update} returning name, version`);
  return CompiledQuery.raw(
    `with moved as (${update} returning name, version) select name, version, pg_notify('${DATA_VERSION_CHANNEL}', name || ':' || version) from moved`,
  );
}

type VersionMoved = (name: string, version: string) => void;
// Kept on globalThis: the built Astro bundle and src/server each load their own copy of this module.
const LISTENERS = Symbol.for('gruppeforlob.dataVersionMoved');
const movedListeners: Set<VersionMoved> = ((globalThis as Record<symbol, unknown>)[LISTENERS] ??= new Set<VersionMoved>()) as Set<VersionMoved>;

/**
 * Calls `listener` in this process after each commit that moved a data version to a known value (on PostgreSQL,
 * whose bump statement returns it), so the process's own view is never behind its own writes while the NOTIFY is
 * on its way. Returns the unsubscribe function.
 */
export function onVersionMoved(listener: VersionMoved): () => void {
  movedListeners.add(listener);
  return () => movedListeners.delete(listener);
}

class WatchedConnection implements DatabaseConnection {
  inTransaction = false;
  readonly dirty = new Set<string>();
  /** Versions moved by this connection's transaction, announced once it commits. */
  readonly moved: { name: string; version: string }[] = [];

  constructor(
    readonly inner: DatabaseConnection,
    private readonly watched: ReadonlyMap<string, readonly string[]>,
    private readonly bumps: ReadonlyMap<string, CompiledQuery>,
    private readonly sent: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery, options?: Parameters<DatabaseConnection['executeQuery']>[1]): Promise<QueryResult<R>> {
    const result = await this.inner.executeQuery<R>(query, options);
    const table = writtenTable(query.sql);
    const versions = table === null ? undefined : this.watched.get(table);
    if (versions) {
      if (this.inTransaction) for (const version of versions) this.dirty.add(version);
      else {
        await this.bump(versions);
        this.announce();
      }
    }
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number, options?: Parameters<DatabaseConnection['streamQuery']>[2]): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize, options);
  }

  async bump(versions: Iterable<string>): Promise<void> {
    for (const version of versions) {
      const statement = this.bumps.get(version);
      if (!statement) continue;
      this.sent();
      const result = await this.inner.executeQuery<{ name?: string; version?: string | number }>(statement);
      for (const row of result.rows) {
        if (row.name !== undefined && row.version !== undefined) this.moved.push({ name: row.name, version: String(row.version) });
      }
    }
  }

  /** Tells this process's listeners what the committed work moved. */
  announce(): void {
    const moved = this.moved.splice(0);
    for (const { name, version } of moved) for (const listener of movedListeners) listener(name, version);
  }
}

class WatchingDriver implements Driver {
  readonly #inner: Driver;
  readonly #watched: ReadonlyMap<string, readonly string[]>;
  readonly #bumps: ReadonlyMap<string, CompiledQuery>;
  readonly #sent: () => void;
  readonly #wrappers = new WeakMap<DatabaseConnection, WatchedConnection>();

  constructor(inner: Driver, watched: ReadonlyMap<string, readonly string[]>, bumps: ReadonlyMap<string, CompiledQuery>, sent: () => void) {
    this.#inner = inner;
    this.#watched = watched;
    this.#bumps = bumps;
    this.#sent = sent;
  }

  // Savepoints (nested transactions) run on the inner connection; the outer COMMIT moves the counter.
  savepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['savepoint']>>[2]): Promise<void> {
    if (!this.#inner.savepoint) throw new Error('The database driver has no savepoints.');
    return this.#inner.savepoint(this.#unwrap(connection), name, compile);
  }

  rollbackToSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['rollbackToSavepoint']>>[2]): Promise<void> {
    if (!this.#inner.rollbackToSavepoint) throw new Error('The database driver has no savepoints.');
    return this.#inner.rollbackToSavepoint(this.#unwrap(connection), name, compile);
  }

  releaseSavepoint(connection: DatabaseConnection, name: string, compile: Parameters<NonNullable<Driver['releaseSavepoint']>>[2]): Promise<void> {
    if (!this.#inner.releaseSavepoint) throw new Error('The database driver has no savepoints.');
    return this.#inner.releaseSavepoint(this.#unwrap(connection), name, compile);
  }

  #unwrap(connection: DatabaseConnection): DatabaseConnection {
    return connection instanceof WatchedConnection ? connection.inner : connection;
  }

  #wrapped(connection: DatabaseConnection): WatchedConnection {
    if (!(connection instanceof WatchedConnection)) throw new Error('A connection that the data-version driver did not hand out.');
    return connection;
  }

  init(options?: Parameters<Driver['init']>[0]): Promise<void> {
    return this.#inner.init(options);
  }

  async acquireConnection(options?: Parameters<Driver['acquireConnection']>[0]): Promise<DatabaseConnection> {
    const inner = await this.#inner.acquireConnection(options);
    let wrapper = this.#wrappers.get(inner);
    if (!wrapper) {
      wrapper = new WatchedConnection(inner, this.#watched, this.#bumps, this.#sent);
      this.#wrappers.set(inner, wrapper);
    }
    return wrapper;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = this.#wrapped(connection);
    await this.#inner.beginTransaction(c.inner, settings);
    c.inTransaction = true;
    c.dirty.clear();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = this.#wrapped(connection);
    try {
      if (c.dirty.size > 0) await c.bump(c.dirty);
      await this.#inner.commitTransaction(c.inner);
      c.announce();
    } finally {
      c.inTransaction = false;
      c.dirty.clear();
      c.moved.length = 0;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = this.#wrapped(connection);
    try {
      await this.#inner.rollbackTransaction(c.inner);
    } finally {
      c.inTransaction = false;
      c.dirty.clear();
    }
  }

  releaseConnection(connection: DatabaseConnection, options?: Parameters<Driver['releaseConnection']>[1]): Promise<void> {
    return this.#inner.releaseConnection(this.#unwrap(connection), options);
  }

  destroy(options?: Parameters<Driver['destroy']>[0]): Promise<void> {
    return this.#inner.destroy(options);
  }
}

/**
 * The dialect with a driver that moves the data versions on committed writes: 'figures' for `FIGURES_TABLES`,
 * 'public' for `PUBLIC_TABLES`. `sent` is called for each extra statement, so statement counts stay honest.
 * `announce` (PostgreSQL only) also NOTIFYs the public version on DATA_VERSION_CHANNEL.
 */
export function withDataVersions(dialect: Dialect, sent: () => void, announce = false): Dialect {
  const watched = versionsByTable();
  const bumps = new Map([FIGURES_VERSION, PUBLIC_VERSION].map((v) => [v, bumpStatement(v, announce && v === PUBLIC_VERSION)]));
  return {
    createDriver: () => new WatchingDriver(dialect.createDriver(), watched, bumps, sent),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
