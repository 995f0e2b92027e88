// The server's view of the 'public' data version (lib/server/data-version.ts), cheap enough to ask on every request:
// - SQLite: one prepared SELECT on the server's own connection (it only reads) (a few microseconds; WAL lets it see every
//   commit of every process at once);
// - PostgreSQL: kept in memory and re-read when the database says it moved: the driver's bump ends in
//   pg_notify('data_versions', …), delivered at commit to every process LISTENing. While the listening connection is
//   down the version is unknown (null), and nothing is served from memory.
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Logger } from 'pino';
import { PUBLIC_VERSION } from '../lib/server/data-version';
import { resolveDatabaseTarget } from '../lib/server/db';

export interface VersionWatch {
  current(): string | null;
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

  let version: string | null = null;
  let client: pg.Client | null = null;
  let closing = false;
  let generation = 0;

  const read = async (c: pg.Client, seen: number): Promise<void> => {
    const result = await c.query<{ version: string }>(QUERY);
    // A notification that came while this read was on its way invalidated it: read again.
    if (seen === generation) version = result.rows[0] ? String(result.rows[0].version) : null;
    else await read(c, generation);
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString: target.url });
    c.on('notification', (message) => {
      if (message.payload !== PUBLIC_VERSION) return;
      generation += 1;
      version = null;
      void read(c, generation).catch(() => undefined);
    });
    c.on('error', (error) => {
      version = null;
      logger.warn({ err: error }, 'data version listener lost its connection');
    });
    c.on('end', () => {
      version = null;
      client = null;
      if (!closing) setTimeout(() => void connect().catch(() => undefined), 1_000).unref();
    });
    await c.connect();
    await c.query('listen data_versions');
    client = c;
    await read(c, generation);
  };
  await connect();

  return {
    current: () => version,
    close: async () => {
      closing = true;
      await client?.end();
    },
  };
}
