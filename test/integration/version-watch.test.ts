// The server's view of the public data version (src/server/data-versions.ts), which decides whether the public
// pages and feeds may be answered from memory: it must follow this process's writes at once, another process's
// writes as soon as they commit, and say "unknown" while it cannot know.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { watchPublicVersion, type VersionWatch } from '../../src/server/data-versions';
import { addGroup } from '../support/builders';
import { createTestDatabase, databaseKind } from '../support/database';

const run = promisify(execFile);
const dbModule = resolve('src/lib/server/db.ts');

/** Adds a group from a separate OS process, through the app's own database module (and so its driver). */
async function writeFromAnotherProcess(url: string): Promise<void> {
  const script = `
    const { openDatabase } = await import(${JSON.stringify(dbModule)});
    const { db, close } = openDatabase(${JSON.stringify(url)});
    const id = crypto.randomUUID();
    const at = new Date().toISOString();
    await db.insertInto('groups').values({ id, slug: 'p-' + id.slice(0, 8), name: 'Fra en anden proces', kind: 'girls',
      min_age: 7, max_age: 15, capacity: 10, place: 'Familiecentret', intake_rule: 'open', max_course_months: null,
      archived_at: null, created_at: at, updated_at: at }).execute();
    await close();`;
  await run(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], { timeout: 30_000 });
}

describe(`the public data version as the server sees it (${databaseKind()})`, () => {
  let handle: DatabaseHandle;
  let url: string;
  let watch: VersionWatch;
  let folder: string | null = null;
  const now = async (): Promise<bigint | null> => {
    const value = await watch.current();
    return value === null ? null : BigInt(value);
  };

  beforeAll(async () => {
    if (databaseKind() === 'postgres') {
      handle = await createTestDatabase();
      url = process.env['DATABASE_URL'] as string;
    } else {
      folder = mkdtempSync(join(tmpdir(), 'gf-version-'));
      url = join(folder, 'app.sqlite');
      handle = openDatabase(url);
      await migrateToLatest(handle.db);
    }
    watch = await watchPublicVersion(url, pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await watch.close();
    await handle.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('moves at once with a write this process commits', async () => {
    const before = await now();
    expect(before).not.toBeNull();
    await addGroup(handle.db);
    // No waiting: the very next request after the write must not be answered from an older version.
    expect(await now()).toBeGreaterThan(before as bigint);
  });

  it('moves with a write another process commits, without a read per request', async () => {
    const before = await now();
    await writeFromAnotherProcess(url);
    await expect.poll(now, { timeout: 2000, interval: 5 }).toBeGreaterThan(before as bigint);
  }, 40_000);

  if (databaseKind() !== 'postgres') console.log('version-watch: the lost-connection test is skipped on SQLite: it watches the database file, there is no connection to lose.');
  it.runIf(databaseKind() === 'postgres')('is unknown while its connection is lost, and follows again once it is back', async () => {
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'gf-version-listener'`.execute(handle.db);
    await expect.poll(now, { timeout: 2000, interval: 5 }).toBeNull();
    await expect.poll(now, { timeout: 5000, interval: 20 }).not.toBeNull();
    const before = await now();
    await writeFromAnotherProcess(url);
    await expect.poll(now, { timeout: 2000, interval: 5 }).toBeGreaterThan(before as bigint);
  }, 40_000);
});
