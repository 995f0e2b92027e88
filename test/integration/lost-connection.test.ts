// PostgreSQL restarted, or an administrator ended the app's connections: the app goes on with new ones. Before, an
// idle pooled connection's error had no listener and ended the whole process (an uncaught exception).
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { databaseKind, useTestDatabase } from '../support/database';

describe('a database connection lost while idle', () => {
  const handle = useTestDatabase();

  if (databaseKind() !== 'postgres') console.log('lost-connection: skipped on SQLite: it is a file opened by the process, there is no connection to lose.');
  it.runIf(databaseKind() === 'postgres')('is replaced, and the next query is answered', async () => {
    const pid = async (): Promise<number> => Number((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db)).rows[0]?.pid);
    const first = await pid();
    // Ended from another connection, as a restart or an administrator does, while it waits idle in the pool.
    const admin = new pg.Client({ connectionString: process.env['DATABASE_URL'] });
    await admin.connect();
    try {
      await admin.query('select pg_terminate_backend($1)', [first]);
    } finally {
      await admin.end();
    }
    // The error reaches the pool a moment later; an unhandled one would fail this run.
    await new Promise((done) => setTimeout(done, 300));
    const second = await pid();
    expect(second).not.toBe(first);
    expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows).toEqual([{ one: 1 }]);
  });
});
