import { readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  getRetentionSettings, purgeExpiredData, runNightlyMaintenance, updateRetentionMonths,
} from '../../src/features/retention/retention.service';
import { selectYearlyCounts } from '../../src/features/retention/retention.repository';
import { ForbiddenError, ValidationError } from '../../src/lib/errors';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { addChild, addGroup, addMeetings, type ChildIds } from '../support/child-records';
import { useStaff } from '../support/staff';
import { databaseKind, useTestDatabase } from '../support/database';

const NOW = new Date('2026-11-23T12:00:00Z');
const TABLES = ['children', 'guardians', 'referrals', 'enrollments', 'conversations', 'attendance', 'family_links'] as const;

async function rowCounts(handle: DatabaseHandle): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of [...TABLES, 'audit_log', 'yearly_counts'] as const) {
    const row = await handle.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    counts[t] = Number(row.n);
  }
  return counts;
}

async function rowsOfChild(handle: DatabaseHandle, ids: ChildIds): Promise<number> {
  let n = 0;
  n += (await handle.db.selectFrom('children').select('id').where('id', '=', ids.childId).execute()).length;
  for (const t of ['guardians', 'referrals', 'enrollments', 'conversations', 'family_links'] as const) {
    n += (await handle.db.selectFrom(t).select('child_id').where('child_id', '=', ids.childId).execute()).length;
  }
  if (ids.enrollmentId) n += (await handle.db.selectFrom('attendance').select('meeting_id').where('enrollment_id', '=', ids.enrollmentId).execute()).length;
  return n;
}

describe(`retention purge on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  const { coordinator, leader } = useStaff(handle, {}, { ip: '10.1.2.3' });
  let groupId: string;
  let old: ChildIds;
  let oldToo: ChildIds;
  let recent: ChildIds;
  let reopened: ChildIds;
  let declined: ChildIds;

  beforeAll(async () => {
    const db = handle.db;
    groupId = await addGroup(db, 'Pigegruppen');
    const meetings = await addMeetings(db, groupId, ['2024-03-13T15:00:00.000Z', '2024-04-10T14:00:00.000Z', '2025-01-08T15:00:00.000Z']);
    // Ended 31 January 2025: due from 31 January 2026 with 12 months.
    old = await addChild(db, { groupId, firstName: 'Quirina', lastName: 'Zanzibarsen', meetingIds: meetings, receivedAt: '2024-01-10T09:00:00.000Z' });
    oldToo = await addChild(db, { groupId, firstName: 'Olga', lastName: 'Ældst', meetingIds: meetings.slice(0, 1), receivedAt: '2024-02-04T09:00:00.000Z' });
    // Ended in June 2026: kept until June 2027.
    recent = await addChild(db, { groupId, firstName: 'Rikke', lastName: 'Ny', endedOn: '2026-06-30', updatedAt: '2026-06-30T12:00:00.000Z' });
    // An old ended course, but a new referral waiting: kept.
    reopened = await addChild(db, { groupId, firstName: 'Vera', lastName: 'Venter', referralStatus: 'waiting' });
    // Declined long ago, never started: due, nothing to count but the audit entry.
    declined = await addChild(db, { groupId, firstName: 'Dina', lastName: 'Nej', enrollmentState: 'declined', startDate: null, endedOn: null, updatedAt: '2024-06-01T10:00:00.000Z', referralStatus: 'declined' });
  });

  it('a dry run names the due children by id only and changes nothing', async () => {
    const before = await rowCounts(handle);
    const report = await purgeExpiredData(handle.db, coordinator, { apply: false }, NOW);
    expect(report.applied).toBe(false);
    expect(report.retentionMonths).toBe(12);
    expect(report.lines.map((l) => l.childId).sort()).toEqual([old.childId, oldToo.childId, declined.childId].sort());
    const line = report.lines.find((l) => l.childId === old.childId);
    expect(line).toEqual({ childId: old.childId, groupNames: ['Pigegruppen'], municipality: 'ishoj', closedOn: '2025-01-31' });
    expect(JSON.stringify(report)).not.toContain('Quirina');
    expect(await rowCounts(handle)).toEqual(before);
  });

  it('only the coordinator may run it from a page', async () => {
    await expect(purgeExpiredData(handle.db, leader, { apply: true }, NOW)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await rowsOfChild(handle, old)).toBeGreaterThan(0);
  });

  it('deletes every row of the due children, keeps the others, keeps the figures as counts and logs each deletion', async () => {
    const report = await purgeExpiredData(handle.db, { system: 'retention' }, { apply: true }, NOW);
    expect(report.purged).toBe(3);
    for (const gone of [old, oldToo, declined]) expect(await rowsOfChild(handle, gone)).toBe(0);
    // Each kept child still has all 6 rows (child, guardian, referral, enrollment, conversation, link).
    expect(await rowsOfChild(handle, recent)).toBe(6);
    expect(await rowsOfChild(handle, reopened)).toBe(6);

    const counts = await selectYearlyCounts(handle.db);
    const value = (year: number, metric: string) => counts.find((c) => c.year === year && c.metric === metric && c.groupId === groupId && c.municipality === 'ishoj')?.value ?? 0;
    // Two children ran courses in 2024 and 2025 (14 February 2024 - 31 January 2025): the upsert added them up.
    expect(value(2024, 'courses')).toBe(2);
    expect(value(2025, 'courses')).toBe(2);
    expect(value(2024, 'children')).toBe(2);
    expect(value(2024, 'new_starts')).toBe(2);
    expect(value(2025, 'ended')).toBe(2);
    expect(value(2024, 'wait_count')).toBe(2);
    // 10 January → 14 February is 35 days; 4 February → 14 February is 10 days.
    expect(value(2024, 'wait_days_total')).toBe(45);
    expect(value(2024, 'meetings_registered')).toBe(3);
    expect(value(2024, 'meetings_attended')).toBe(3);
    expect(value(2025, 'meetings_attended')).toBe(1);

    const audit = await handle.db.selectFrom('audit_log').selectAll().where('action', '=', 'delete').execute();
    expect(audit.map((a) => a.child_id).sort()).toEqual([old.childId, oldToo.childId, declined.childId].sort());
    for (const a of audit) {
      expect(a.detail).toBe('retention');
      expect(a.entity_type).toBe('child');
      expect(JSON.stringify(a)).not.toMatch(/Quirina|Olga|Dina/);
    }

    // Nothing left to do the next time.
    const again = await purgeExpiredData(handle.db, { system: 'retention' }, { apply: true }, NOW);
    expect(again.purged).toBe(0);
  });

  it('a shorter period set by the coordinator takes effect; bad values are refused in Danish', async () => {
    await expect(updateRetentionMonths(handle.db, coordinator, { retentionMonths: '0' }, NOW)).rejects.toSatisfy(
      (e: unknown) => e instanceof ValidationError && e.fields['retentionMonths'] === 'Skriv et helt antal måneder fra 1 til 120.',
    );
    await expect(updateRetentionMonths(handle.db, leader, { retentionMonths: '3' }, NOW)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await getRetentionSettings(handle.db, coordinator, NOW)).dueNow).toBe(0);
    await updateRetentionMonths(handle.db, coordinator, { retentionMonths: '3' }, NOW);
    const settings = await getRetentionSettings(handle.db, coordinator, NOW);
    expect(settings).toEqual({ retentionMonths: 3, dueNow: 1 });
    const logged = await handle.db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'app_settings').execute();
    expect(logged.map((l) => [l.user_id, l.detail])).toEqual([[coordinator.user.id, '3 måneder']]);
    await updateRetentionMonths(handle.db, coordinator, { retentionMonths: '12' }, NOW);
  });

  it('the nightly run happens once per Copenhagen night, never in the daytime', async () => {
    await updateRetentionMonths(handle.db, coordinator, { retentionMonths: '3' }, NOW);
    // 12.00 UTC is 13.00 in Copenhagen: nothing happens.
    expect((await runNightlyMaintenance(handle.db, NOW)).ran).toBe(false);
    // 01.30 UTC on 24 November is 02.30 in Copenhagen: two processes ask at once, one runs.
    const night = new Date('2026-11-24T01:30:00Z');
    const [a, b] = await Promise.all([runNightlyMaintenance(handle.db, night), runNightlyMaintenance(handle.db, night)]);
    expect([a.ran, b.ran].sort()).toEqual([false, true]);
    const ran = a.ran ? a : b;
    expect(ran.purge?.purged).toBe(1);
    expect(await rowsOfChild(handle, recent)).toBe(0);
    expect(await rowsOfChild(handle, reopened)).toBe(6);
    // Later the same night: already done.
    expect((await runNightlyMaintenance(handle.db, new Date('2026-11-24T03:00:00Z'))).ran).toBe(false);
    // The next night it runs again.
    expect((await runNightlyMaintenance(handle.db, new Date('2026-11-25T02:00:00Z'))).ran).toBe(true);
  });
});

if (databaseKind() !== 'sqlite') console.log('purge-on-file test skipped on PostgreSQL: it inspects the SQLite database file and its WAL byte by byte.');
describe.skipIf(databaseKind() !== 'sqlite')('a purge on an SQLite file', () => {
  it('leaves no trace of the deleted child in the database file or its WAL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'purge-'));
    const file = join(dir, 'app.sqlite');
    const handle = openDatabase(file);
    try {
      await migrateToLatest(handle.db);
      const groupId = await addGroup(handle.db, 'Pigegruppen');
      await addChild(handle.db, { groupId, firstName: 'Xerxesina', lastName: 'Qwertyuiopsen', guardianName: 'Wilhelmina Qwertyuiopsen' });
      const bytes = () => Buffer.concat([readFileSync(file), existsSync(`${file}-wal`) ? readFileSync(`${file}-wal`) : Buffer.alloc(0)]);
      expect(bytes().includes('Qwertyuiopsen')).toBe(true);
      const report = await purgeExpiredData(handle.db, { system: 'retention' }, { apply: true }, NOW);
      expect(report.purged).toBe(1);
      expect(report.checkpointed).toBe(true);
      expect(bytes().includes('Qwertyuiopsen')).toBe(false);
      expect(bytes().includes('Xerxesina')).toBe(false);
    } finally {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
