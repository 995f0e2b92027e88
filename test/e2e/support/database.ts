import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../../src/lib/server/db';
import { useDatabase } from '../../support/database';

/**
 * The browser-test server's own database (SQLite file in WAL mode, or PostgreSQL), for arranging data through the
 * services and checking what a page saved. Close it in afterAll.
 */
export function openServerDatabase(): DatabaseHandle {
  return openDatabase(inject('databaseUrl'));
}

/**
 * The server's database for the describe (or file) that calls it: opened before its first hook and test, closed after
 * the last. `const server = useServerDatabase();` then `server.db` in the hooks and tests.
 */
export function useServerDatabase(): DatabaseHandle {
  return useDatabase(openServerDatabase);
}
