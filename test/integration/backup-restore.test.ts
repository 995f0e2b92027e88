import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { addChild, addGroup, addMeetings, addStaff } from '../support/child-records';
import { databaseKind } from '../support/database';

const ROOT = join(import.meta.dirname, '../..');

function cli(databaseUrl: string, args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/cli.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** Every row of every table, sorted, as text: two databases with the same data give the same dump. */
function dump(file: string): Record<string, string[]> {
  const db = new SqliteDatabase(file, { readonly: true });
  try {
    const tables = db.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name`).all() as { name: string }[];
    const out: Record<string, string[]> = {};
    for (const { name } of tables) out[name] = (db.prepare(`select * from "${name}"`).all() as unknown[]).map((r) => JSON.stringify(r)).sort();
    return out;
  } finally {
    db.close();
  }
}

if (databaseKind() !== 'sqlite') console.log('backup/restore tests skipped on PostgreSQL: `cli backup`/`restore` are SQLite file operations (use pg_dump/pg_restore there).');
describe.skipIf(databaseKind() !== 'sqlite')('backup under load, then restore on a fresh database', () => {
  let dir: string;
  let source: string;
  let handle: DatabaseHandle;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'backup-'));
    source = join(dir, 'app.sqlite');
    handle = openDatabase(source);
    await migrateToLatest(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the restored copy holds every row committed before the backup began, consistently, and passes integrity_check', async () => {
    const db = handle.db;
    await addStaff(db, 'coordinator', 'Karin Koordinator');
    const groupId = await addGroup(db, 'Pigegruppen');
    const meetings = await addMeetings(db, groupId, Array.from({ length: 20 }, (_, i) => new Date(Date.UTC(2026, 0, 7 + 7 * i, 15)).toISOString()));
    const enrollments: string[] = [];
    for (let i = 0; i < 10; i += 1) {
      const ids = await addChild(db, { groupId, firstName: `Barn${i}`, lastName: 'Backup', enrollmentState: 'active', endedOn: null, referralStatus: 'started' });
      enrollments.push(ids.enrollmentId as string);
    }
    const order: string[] = [];
    const insertMark = async (k: number): Promise<void> => {
      const meetingId = meetings[Math.floor(k / 10)] as string;
      const enrollmentId = enrollments[k % 10] as string;
      await db.insertInto('attendance').values({
        meeting_id: meetingId, enrollment_id: enrollmentId, status: k % 3 === 0 ? 'excused' : 'present', reason: null,
        source: 'leader', recorded_by: null, recorded_at: new Date(Date.UTC(2026, 10, 23, 10, 0, k)).toISOString(),
      }).execute();
      order.push(`${meetingId}|${enrollmentId}`);
    };
    // Some marks before the backup starts; the rest stream in while the operator's backup runs in another process.
    for (let k = 0; k < 20; k += 1) await insertMark(k);
    const before = dump(source);
    const committedBefore = order.length;

    const backupFile = join(dir, 'backup.sqlite');
    const backup = cli(source, ['backup', backupFile]);
    let k = committedBefore;
    let backupDone = false;
    void backup.then(() => (backupDone = true));
    while (k < 200) {
      await insertMark(k);
      k += 1;
      await new Promise((r) => setTimeout(r, 10));
    }
    const backupResult = await backup;
    expect(backupResult.code, backupResult.out).toBe(0);
    expect(backupDone).toBe(true);
    const after = dump(source);
    expect(after['attendance']).toHaveLength(200);

    const fresh = join(dir, 'fresh.sqlite');
    const restore = await cli(fresh, ['restore', backupFile]);
    expect(restore.code, restore.out).toBe(0);
    expect(restore.out).toContain('Serveren skal være stoppet');

    const restored = dump(fresh);
    const check = new SqliteDatabase(fresh, { readonly: true });
    expect(check.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    check.close();

    // Every table but attendance (and the data version its writes move) did not change during the backup: identical.
    for (const table of Object.keys(before).filter((t) => t !== 'attendance' && t !== 'data_versions')) {
      expect(restored[table], table).toEqual(before[table]);
    }
    // Attendance: all marks committed before the backup began, and then a prefix of the ones that came in
    // meanwhile (a consistent snapshot, never a mark without the ones saved before it).
    const marks = (restored['attendance'] ?? []).map((r) => {
      const row = JSON.parse(r) as { meeting_id: string; enrollment_id: string };
      return `${row.meeting_id}|${row.enrollment_id}`;
    });
    expect(marks.length).toBeGreaterThanOrEqual(committedBefore);
    expect(new Set(marks)).toEqual(new Set(order.slice(0, marks.length)));
    for (const row of restored['attendance'] ?? []) expect(after['attendance']).toContain(row);
    // The figures' data version moved once per mark (right after it, outside a transaction): the copy's version
    // counts the marks it holds, give or take the last one.
    const version = (rows: Record<string, string[]>): number => Number((JSON.parse(rows['data_versions']?.[0] ?? '{}') as { version?: number }).version);
    const marksInCopy = marks.length - committedBefore;
    expect(version(restored)).toBeGreaterThanOrEqual(version(before) + marksInCopy - 1);
    expect(version(restored)).toBeLessThanOrEqual(Math.min(version(after), version(before) + marksInCopy));
  }, 60_000);

  it('refuses to restore over a database that holds data, unless forced', async () => {
    const backupFile = join(dir, 'backup.sqlite');
    const countBefore = dump(source)['attendance']?.length;
    const refused = await cli(source, ['restore', backupFile]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('indeholder allerede data');
    expect(dump(source)['attendance']?.length).toBe(countBefore);

    const target = join(dir, 'fresh.sqlite');
    const forced = await cli(target, ['restore', backupFile, '--force']);
    expect(forced.code, forced.out).toBe(0);
  }, 60_000);
});
