import { inject } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../../src/lib/server/db';

/**
 * The browser-test server's own database (SQLite file in WAL mode, or PostgreSQL), for arranging data through the
 * services and checking what a page saved. Close it in afterAll.
 */
export function openServerDatabase(): DatabaseHandle {
  return openDatabase(inject('databaseUrl'));
}
