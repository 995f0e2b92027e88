// The server's view of the 'public' data version (lib/server/data-version.ts), cheap enough to ask on every request:
// never behind this process's own commits, and following another process's as soon as the notice of it arrives:
// - SQLite: a prepared SELECT on the server's own connection (it only reads), run again only after a commit in this
//   process or a change to the database's files by any process (below);
// - PostgreSQL: LISTEN/NOTIFY on one connection, and this process's own commits at once (below).
// A version that cannot be read is null: then nothing is served from memory.
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Logger } from 'pino';
import { DATA_VERSION_CHANNEL, onVersionMoved, PUBLIC_VERSION } from '../lib/server/data-version';
import { resolveDatabaseTarget } from '../lib/server/db';

export interface VersionWatch {
  /** The version now: every change committed before the call is counted. */
  current(): string | null;
  close(): Promise<void>;
}

const QUERY = `select version from data_versions where name = '${PUBLIC_VERSION}'`;

export async function watchPublicVersion(url: string | undefined, logger: Logger): Promise<VersionWatch> {
  const target = resolveDatabaseTarget(url);
  if (target.kind === 'sqlite') {
    if (target.file === ':memory:') return { current: () => null, close: async () => undefined };
    return watchSqliteFile(target.file, logger);
  }
  return listenForVersion(target.url, logger);
}

/**
 * SQLite: no read per request either. The version is read again only after something may have changed it: a commit
 * in this process (the driver tells at once, onVersionMoved), or a change to the database's files by any process
 * (the WAL file is written on every commit; the folder is watched with inotify, which also sees the WAL file being
 * made anew). Without a working watch, every request reads, as before.
 */
function watchSqliteFile(file: string, logger: Logger): VersionWatch {
  // Not opened read-only: a read-only connection cannot open a WAL database whose -shm file is not there yet.
  const db = new SqliteDatabase(file, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
  const statement = db.prepare(QUERY).pluck();
  const read = (): string | null => {
    try {
      const value = statement.get();
      return value === undefined ? null : String(value);
    } catch {
      return null;
    }
  };
  let stale = true;
  let version: string | null = null;
  let watcher: FSWatcher | null = null;
  const name = basename(file);
  try {
    watcher = watch(dirname(file), { persistent: false }, (_event, changed) => {
      if (changed === null || changed.startsWith(name)) stale = true;
    });
    watcher.on('error', (error) => {
      logger.warn({ err: error }, 'data version watch lost: reading on every request');
      watcher?.close();
      watcher = null;
    });
  } catch (error) {
    logger.warn({ err: error }, 'data version watch not available: reading on every request');
  }
  const stopLocal = onVersionMoved((moved) => {
    if (moved === PUBLIC_VERSION) stale = true;
  });
  return {
    current() {
      if (stale || watcher === null) {
        // Marked fresh before the read: a change during the read marks it stale again.
        stale = false;
        version = read();
        if (version === null) stale = true;
      }
      return version;
    },
    close: async () => {
      stopLocal();
      watcher?.close();
      db.close();
    },
  };
}

/**
 * PostgreSQL: no round trip per request. One connection LISTENs on the channel the data-version driver NOTIFYs in
 * the same transaction as each move (delivered at commit, in commit order), reads the version once after each
 * (re)connect, and keeps the highest version seen. This process's own commits are taken at once from the driver
 * (onVersionMoved), so a page is never served older than the process's own last write. While the connection is
 * down the version is unknown (null) and everything goes to Astro.
 */
async function listenForVersion(url: string, logger: Logger): Promise<VersionWatch> {
  let version: bigint | null = null;
  /** The same as text, made once per move (asked on every request). */
  let text: string | null = null;
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const take = (seen: string): void => {
    const next = BigInt(seen);
    if (version === null || next > version) {
      version = next;
      text = String(next);
    }
  };
  const stopLocal = onVersionMoved((name, moved) => {
    if (name === PUBLIC_VERSION && version !== null) take(moved);
  });

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString: url, application_name: 'gf-version-listener' });
    const lost = (error?: Error): void => {
      if (client !== next) return;
      client = null;
      version = null;
      text = null;
      if (error) logger.warn({ err: error }, 'data version listener lost');
      next.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect(), 1000);
    };
    next.on('error', lost);
    next.on('end', () => lost());
    next.on('notification', (message) => {
      const [name, seen] = (message.payload ?? '').split(':');
      if (name === PUBLIC_VERSION && seen !== undefined && /^\d+$/.test(seen) && version !== null) take(seen);
    });
    client = next;
    try {
      await next.connect();
      await next.query(`listen ${DATA_VERSION_CHANNEL}`);
      const result = await next.query<{ version: string }>(QUERY);
      if (client === next && result.rows[0]) take(String(result.rows[0].version));
    } catch (error) {
      lost(error instanceof Error ? error : new Error(String(error)));
    }
  };
  await connect();

  return {
    current: () => text,
    async close() {
      closed = true;
      stopLocal();
      if (retry) clearTimeout(retry);
      const open = client;
      client = null;
      version = null;
      text = null;
      await open?.end();
    },
  };
}
