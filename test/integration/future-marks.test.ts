import { describe, expect, it } from 'vitest';
import * as futureMarks from '../../db/migrations/2026-12-01T0100_future_marks';
import { selectAttendanceBetween } from '../../src/features/figures/figures.repository';
import { addChild, addEnrollment, addGroup, addMark, addMeetings } from '../support/builders';
import { databaseKind, migrateTestDatabaseTo, useTestDatabase } from '../support/database';

// Issue 11: marks saved on meetings still to come (before the fix) are deleted by a migration, and the figures'
// query never counts a mark on a meeting that has not begun, whatever the form let through.

const HOUR = 3600_000;
const DAY = 24 * HOUR;

describe(`marks on meetings still to come, on ${databaseKind()}`, () => {
  const handle = useTestDatabase();

  it('the migration deletes a leader\'s marks on meetings of later days, and keeps past marks and families\' afbud', async () => {
    const db = handle.db;
    const now = Date.now();
    const groupId = await addGroup(db);
    const { childId } = await addChild(db);
    const enrollmentId = await addEnrollment(db, { child_id: childId, group_id: groupId });
    const [past = '', tomorrow = '', nextMonth = ''] = await addMeetings(db, groupId, [new Date(now - 7 * DAY), new Date(now + 2 * DAY), new Date(now + 30 * DAY)]);
    await addMark(db, { meeting_id: past, enrollment_id: enrollmentId });
    await addMark(db, { meeting_id: tomorrow, enrollment_id: enrollmentId, status: 'absent' });
    await addMark(db, { meeting_id: nextMonth, enrollment_id: enrollmentId, status: 'excused', source: 'family', reason: 'Ferie' });

    // The migration as it ran on the schema of its day: the later migrations are taken back and brought again.
    await migrateTestDatabaseTo(db, '2026-12-01T0100_future_marks');
    await futureMarks.up(db);
    await migrateTestDatabaseTo(db, 'latest');

    const left = await db.selectFrom('attendance').select(['meeting_id', 'status', 'source']).where('enrollment_id', '=', enrollmentId).orderBy('meeting_id').execute();
    expect(left.map((m) => m.meeting_id).sort()).toEqual([past, nextMonth].sort());
    expect(left.find((m) => m.meeting_id === nextMonth)).toMatchObject({ status: 'excused', source: 'family' });
  });

  it('the figures read no mark on a meeting that has not begun', async () => {
    const db = handle.db;
    const now = new Date();
    const groupId = await addGroup(db);
    const { childId } = await addChild(db);
    const enrollmentId = await addEnrollment(db, { child_id: childId, group_id: groupId });
    const [begun = '', later = ''] = await addMeetings(db, groupId, [new Date(now.getTime() - HOUR), new Date(now.getTime() + 3 * HOUR)]);
    await addMark(db, { meeting_id: begun, enrollment_id: enrollmentId });
    await addMark(db, { meeting_id: later, enrollment_id: enrollmentId });
    const range = { from: new Date(now.getTime() - DAY), to: new Date(now.getTime() + DAY) };
    const rows = (await selectAttendanceBetween(db, range, now)).filter((r) => r.enrollmentId === enrollmentId);
    expect(rows.map((r) => r.meetingId)).toEqual([begun]);
  });
});
