// Data versions: a counter in `data_versions` that moves with every committed write to a set of tables, so a page
// that is costly to build (the yearly figures) can keep what it built until the counter moves.
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
  group_sessions: true,
  intake_windows: true,
  children: true,
  guardians: false,
  referrals: true,
  enrollments: true,
  conversations: false,
  attendance: true,
  family_links: false,
  feed_tokens: false,
  audit_log: false,
  idempotency_keys: false,
  app_settings: false,
  session_feedback: true,
  yearly_counts: true,
  course_evaluations: false,
  progress_answers: true,
  closing_summaries: false,
  conversation_requests: false,
  // The counter itself: read with the stamp, never part of what the figures count.
  data_versions: false,
};

/** The tables the yearly figures are counted from. */
export const FIGURES_TABLES: readonly string[] = Object.entries(READ_BY_FIGURES)
  .filter(([, read]) => read)
  .map(([table]) => table);

export const FIGURES_VERSION = 'figures';

const WRITE = /^\s*(?:insert(?:\s+or\s+\w+)?\s+into|update(?:\s+or\s+\w+)?|delete\s+from)\s+(?:"?\w+"?\.)?"?(\w+)"?/i;

/** The table an INSERT, UPDATE or DELETE statement writes to; null for anything else. */
export function writtenTable(statement: string): string | null {
  return WRITE.exec(statement)?.[1]?.toLowerCase() ?? null;
}

const BUMP = CompiledQuery.raw(`update data_versions set version = version + 1 where name = '${FIGURES_VERSION}'`);

class WatchedConnection implements DatabaseConnection {
  inTransaction = false;
  dirty = false;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly watched: ReadonlySet<string>,
    private readonly sent: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery, options?: Parameters<DatabaseConnection['executeQuery']>[1]): Promise<QueryResult<R>> {
    const result = await this.inner.executeQuery<R>(query, options);
    const table = writtenTable(query.sql);
    if (table !== null && this.watched.has(table)) {
      if (this.inTransaction) this.dirty = true;
      else await this.bump();
    }
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize: number, options?: Parameters<DatabaseConnection['streamQuery']>[2]): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize, options);
  }

  async bump(): Promise<void> {
    this.sent();
    await this.inner.executeQuery(BUMP);
  }
}

class WatchingDriver implements Driver {
  readonly #inner: Driver;
  readonly #watched: ReadonlySet<string>;
  readonly #sent: () => void;
  readonly #wrappers = new WeakMap<DatabaseConnection, WatchedConnection>();

  constructor(inner: Driver, watched: ReadonlySet<string>, sent: () => void) {
    this.#inner = inner;
    this.#watched = watched;
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
      wrapper = new WatchedConnection(inner, this.#watched, this.#sent);
      this.#wrappers.set(inner, wrapper);
    }
    return wrapper;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = this.#wrapped(connection);
    await this.#inner.beginTransaction(c.inner, settings);
    c.inTransaction = true;
    c.dirty = false;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = this.#wrapped(connection);
    try {
      if (c.dirty) await c.bump();
      await this.#inner.commitTransaction(c.inner);
    } finally {
      c.inTransaction = false;
      c.dirty = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = this.#wrapped(connection);
    try {
      await this.#inner.rollbackTransaction(c.inner);
    } finally {
      c.inTransaction = false;
      c.dirty = false;
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
 * The dialect with a driver that moves the 'figures' data version on committed writes to `FIGURES_TABLES`.
 * `sent` is called for each extra statement, so statement counts stay honest.
 */
export function withDataVersions(dialect: Dialect, sent: () => void): Dialect {
  const watched = new Set(FIGURES_TABLES);
  return {
    createDriver: () => new WatchingDriver(dialect.createDriver(), watched, sent),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
