// The server's view of the 'public' data version (lib/server/data-version.ts), cheap enough to ask on every request
// and never behind a change any process has committed:
// - SQLite: one prepared SELECT on the server's own connection (it only reads): a few microseconds, and WAL lets it
//   see every commit of every process at once;
// - PostgreSQL: one SELECT shared by all the requests that arrive while the previous one is on its way (below).
// A version that cannot be read is null: then nothing is served from memory.
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Logger } from 'pino';
import { PUBLIC_VERSION } from '../lib/server/data-version';
import { resolveDatabaseTarget } from '../lib/server/db';

export interface VersionWatch {
  /** The version now: every change committed before the call is counted. */
  current(): string | null | Promise<string | null>;
  close(): Promise<void>;
}

const QUERY = `select version from data_versions where name = '${PUBLIC_VERSION}'`;

export async function watchPublicVersion(url: string | undefined, logger: Logger): Promise<VersionWatch> {
  const target = resolveDatabaseTarget(url);
  if (target.kind === 'sqlite') {
    if (target.file === ':memory:') return { current: () => null, close: async () => undefined };
    // Not opened read-only: a read-only connection cannot open a WAL database whose -shm file is not there yet.
    const db = new SqliteDatabase(target.file, { fileMustExist: true });
    db.pragma('busy_timeout = 1000');
    const statement = db.prepare(QUERY).pluck();
    return {
      current() {
        try {
          const value = statement.get();
          return value === undefined ? null : String(value);
        } catch {
          return null;
        }
      },
      close: async () => {
        db.close();
      },
    };
  }

  // PostgreSQL: a read per request would cost a round trip each. Reads are shared instead: a request joins the next
  // read that starts after it arrived (never one already on its way), so it sees every change committed before it
  // came, from any process, and one SELECT serves all the requests that arrived meanwhile.
  const pool = new pg.Pool({ connectionString: target.url, max: 1 });
  pool.on('error', (error) => logger.warn({ err: error }, 'data version connection lost'));
  let running: Promise<string | null> | null = null;
  let queued: Promise<string | null> | null = null;
  const readNow = (): Promise<string | null> =>
    pool.query<{ version: string }>(QUERY).then(
      (result) => (result.rows[0] ? String(result.rows[0].version) : null),
      () => null,
    );
  const fresh = (): Promise<string | null> => {
    if (!running) {
      running = readNow().finally(() => {
        running = null;
      });
      return running;
    }
    queued ??= running.then(() => {
      queued = null;
      return fresh();
    });
    return queued;
  };
  return { current: fresh, close: () => pool.end() };
}
