import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  childAttendanceHistory, getAttendanceSheet, listTodaysMeetings, saveMarks, saveMeetingNote, saveSheetForm,
} from '../../src/features/attendance/attendance.service';
import { ForbiddenError, ValidationError } from '../../src/lib/errors';
import { statementCount } from '../../src/lib/server/db';
import { instantToZoned } from '../../src/lib/time';
import { addChild, addEnrollment, addGroup, addMeetings } from '../support/builders';
import { addStaffMember, useStaff } from '../support/staff';
import { databaseKind, useTestDatabase } from '../support/database';
import { errorOf } from '../support/errors';

// Monday 23 November 2026, 17.00 in Copenhagen; today's meeting ran 15.00-17.00 (Copenhagen).
const NOW = new Date('2026-11-23T16:00:00Z');
const TODAY_START = new Date('2026-11-23T14:00:00Z');
const MONTH = 30 * 24 * 60 * 60 * 1000;

describe(`attendance on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  const { coordinator, leader, otherLeader, caseworker } = useStaff(handle, {}, { at: NOW });

  const at = NOW.toISOString();

  /** A group led by `leaderId` with meetings at the given instants (2 hours each). */
  async function addGroupWith(leaderId: string, starts: Date[]): Promise<{ groupId: string; meetingIds: string[] }> {
    const groupId = await addGroup(handle.db, { girls_only: 1, capacity: 20, created_at: at, updated_at: at, leaderIds: [leaderId] });
    const meetingIds = await addMeetings(handle.db, groupId, starts, { created_at: at, updated_at: at });
    return { groupId, meetingIds };
  }

  async function addMember(groupId: string, firstName: string, course: { state?: string; startDate?: string | null; endedOn?: string | null } = {}): Promise<{ childId: string; enrollmentId: string }> {
    const { childId } = await addChild(handle.db, { first_name: firstName, last_name: 'Efternavnsen', birth_date: '2016-11-25', created_at: at, updated_at: at });
    const enrollmentId = await addEnrollment(handle.db, {
      child_id: childId, group_id: groupId, state: course.state ?? 'active', start_date: course.startDate === undefined ? '2026-01-01' : course.startDate,
      ended_on: course.endedOn ?? null, created_at: at, updated_at: at,
    });
    return { childId, enrollmentId };
  }

  let seq = 0;
  function mark(enrollmentId: string, m: 'present' | 'absent' | 'excused' | 'unregistered', clientTime: Date, reason?: string) {
    seq += 1;
    return { enrollmentId, mark: m, mutationId: `m-${seq}-${randomUUID().slice(0, 8)}`, clientTime: clientTime.toISOString(), ...(reason ? { reason } : {}) };
  }

  async function rowCount(meetingId: string): Promise<number> {
    const r = await handle.db.selectFrom('attendance').select((eb) => eb.fn.countAll().as('n')).where('meeting_id', '=', meetingId).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  it('lists the members on the meeting date with first name, age and "ny"; not waiting children, not courses that ended before', async () => {
    const { groupId, meetingIds } = await addGroupWith(leader.user.id, [new Date(TODAY_START.getTime() - MONTH), TODAY_START]);
    const [earlier, today] = meetingIds as [string, string];
    const ida = await addMember(groupId, 'Ida');
    const noor = await addMember(groupId, 'Noor');
    await addMember(groupId, 'Vente', { state: 'waiting', startDate: null });
    await addMember(groupId, 'Slut', { state: 'ended', endedOn: '2026-11-01' });
    const later = await addMember(groupId, 'Maja', { state: 'ended', endedOn: '2026-12-01' });
    await addMember(groupId, 'Fremtid', { startDate: '2026-12-01' });
    await saveMarks(handle.db, leader, earlier, { marks: [mark(ida.enrollmentId, 'present', new Date(TODAY_START.getTime() - MONTH))] }, NOW);

    const sheet = await getAttendanceSheet(handle.db, leader, today, NOW);
    expect(sheet.rows.map((r) => r.firstName)).toEqual(['Ida', 'Maja', 'Noor']);
    const byName = new Map(sheet.rows.map((r) => [r.firstName, r]));
    expect(byName.get('Ida')).toMatchObject({ age: 9, isNew: false, mark: 'unregistered' });
    expect(byName.get('Noor')?.isNew).toBe(true);
    expect(byName.get('Maja')?.enrollmentId).toBe(later.enrollmentId);
    expect(sheet.tally).toMatchObject({ unregistered: 3, present: 0, rate: null });
    expect(noor.childId).toBeTruthy();

    const audit = await handle.db.selectFrom('audit_log').select(['child_id', 'action']).where('entity_id', '=', today).execute();
    expect(audit.filter((a) => a.action === 'read').map((a) => a.child_id).sort()).toEqual(sheet.rows.map((r) => r.childId).sort());
  });

  it('renders a group of 10 with the same number of SQL statements as a group of 3', async () => {
    async function statementsFor(children: number): Promise<number> {
      const { groupId, meetingIds } = await addGroupWith(leader.user.id, [
        new Date(TODAY_START.getTime() - 2 * MONTH), new Date(TODAY_START.getTime() - MONTH), TODAY_START,
      ]);
      const ids: string[] = [];
      for (let i = 0; i < children; i++) ids.push((await addMember(groupId, `Barn${i}`)).enrollmentId);
      for (const s of meetingIds.slice(0, 2)) {
        await saveMarks(handle.db, leader, s, { marks: ids.map((id) => mark(id, 'present', NOW)) }, NOW);
      }
      const before = statementCount();
      const sheet = await getAttendanceSheet(handle.db, leader, meetingIds[2] ?? '', NOW);
      const used = statementCount() - before;
      expect(sheet.rows).toHaveLength(children);
      return used;
    }
    const three = await statementsFor(3);
    const ten = await statementsFor(10);
    console.log(`attendance sheet SQL statements (${databaseKind()}): 3 children → ${three}, 10 children → ${ten}`);
    expect(ten).toBe(three);
    expect(ten).toBeLessThanOrEqual(8);
  });

  it('saves each mark once: a resent mutation id is a duplicate, and the row is an upsert on (meeting, child)', async () => {
    const { groupId, meetingIds } = await addGroupWith(leader.user.id, [TODAY_START]);
    const s = meetingIds[0] ?? '';
    const a = await addMember(groupId, 'Asta');
    const m = mark(a.enrollmentId, 'present', NOW);
    const first = await saveMarks(handle.db, leader, s, { marks: [m] }, NOW);
    const again = await saveMarks(handle.db, leader, s, { marks: [m] }, new Date(NOW.getTime() + 60_000));
    expect(first.results[0]?.outcome).toBe('saved');
    expect(again.results[0]?.outcome).toBe('duplicate');
    expect(await rowCount(s)).toBe(1);
    expect(again.marks.find((x) => x.enrollmentId === a.enrollmentId)?.mark).toBe('present');
    const updates = await handle.db.selectFrom('audit_log').select('id').where('entity_id', '=', s).where('action', '=', 'update').execute();
    expect(updates).toHaveLength(1);
  });

  it('two leaders at once: the later tap per child wins, different children never clash', async () => {
    const { groupId, meetingIds } = await addGroupWith(leader.user.id, [TODAY_START]);
    const s = meetingIds[0] ?? '';
    const kids = [];
    for (const name of ['A', 'B', 'C', 'D']) kids.push(await addMember(groupId, name));
    const [a, b, c, d] = kids as [typeof kids[0], typeof kids[0], typeof kids[0], typeof kids[0]];
    const t1 = new Date(NOW.getTime() - 60_000);
    const t2 = new Date(NOW.getTime() - 30_000);
    await Promise.all([
      saveMarks(handle.db, leader, s, { marks: [mark(a.enrollmentId, 'present', t1), mark(b.enrollmentId, 'present', t1), mark(c.enrollmentId, 'absent', t2)] }, NOW),
      saveMarks(handle.db, coordinator, s, { marks: [mark(c.enrollmentId, 'present', t1), mark(d.enrollmentId, 'excused', t1, 'Syg')] }, NOW),
    ]);
    const sheet = await getAttendanceSheet(handle.db, leader, s, NOW);
    const got = Object.fromEntries(sheet.rows.map((r) => [r.firstName, r.mark]));
    expect(got).toEqual({ A: 'present', B: 'present', C: 'absent', D: 'excused' });
    expect(sheet.rows.find((r) => r.firstName === 'D')?.reason).toBe('Syg');

    // A mark that waited offline and was tapped before the stored one does not overwrite it.
    const late = await saveMarks(handle.db, leader, s, { marks: [mark(c.enrollmentId, 'present', new Date(NOW.getTime() - 45_000))] }, NOW);
    expect(late.results[0]?.outcome).toBe('superseded');
    expect(late.marks.find((x) => x.enrollmentId === c.enrollmentId)?.mark).toBe('absent');

    // Back to "ikke registreret" removes the row.
    await saveMarks(handle.db, leader, s, { marks: [mark(a.enrollmentId, 'unregistered', NOW)] }, NOW);
    expect(await rowCount(s)).toBe(3);
  });

  it('only the group\'s leaders and the coordinator may see or mark; bad input is refused', async () => {
    const { groupId, meetingIds } = await addGroupWith(leader.user.id, [TODAY_START]);
    const s = meetingIds[0] ?? '';
    const a = await addMember(groupId, 'Alma');
    const outsider = await addMember((await addGroupWith(otherLeader.user.id, [TODAY_START])).groupId, 'Ude');
    expect(await errorOf(getAttendanceSheet(handle.db, otherLeader, s, NOW))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(getAttendanceSheet(handle.db, caseworker, s, NOW))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(saveMarks(handle.db, otherLeader, s, { marks: [mark(a.enrollmentId, 'present', NOW)] }, NOW))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(saveMarks(handle.db, leader, s, { marks: [mark(outsider.enrollmentId, 'present', NOW)] }, NOW))).toBeInstanceOf(ValidationError);
    expect(await errorOf(saveMarks(handle.db, leader, s, { marks: [{ enrollmentId: a.enrollmentId, mark: 'present' }] }, NOW))).toBeInstanceOf(ValidationError);
    expect(await rowCount(s)).toBe(0);
    expect((await getAttendanceSheet(handle.db, coordinator, s, NOW)).rows).toHaveLength(1);
  });

  it('the form without JavaScript saves only what was changed on it, and "Alle mødt" keeps an afbud', async () => {
    const { groupId, meetingIds } = await addGroupWith(leader.user.id, [TODAY_START]);
    const s = meetingIds[0] ?? '';
    const a = await addMember(groupId, 'Ane');
    const b = await addMember(groupId, 'Bo');
    const c = await addMember(groupId, 'Cia');
    // Loaded with everyone unregistered; meanwhile an afbud arrives for Bo (another leader, or the family).
    await saveMarks(handle.db, coordinator, s, { marks: [mark(b.enrollmentId, 'excused', new Date(NOW.getTime() - 1000), 'Tandlæge')] }, NOW);
    await saveSheetForm(handle.db, leader, s, {
      [`mark-${a.enrollmentId}`]: 'absent', [`was-${a.enrollmentId}`]: 'unregistered',
      [`mark-${b.enrollmentId}`]: 'unregistered', [`was-${b.enrollmentId}`]: 'unregistered',
      [`mark-${c.enrollmentId}`]: 'unregistered', [`was-${c.enrollmentId}`]: 'unregistered',
    }, { allPresent: false }, NOW);
    let sheet = await getAttendanceSheet(handle.db, leader, s, NOW);
    expect(Object.fromEntries(sheet.rows.map((r) => [r.firstName, r.mark]))).toEqual({ Ane: 'absent', Bo: 'excused', Cia: 'unregistered' });

    await saveSheetForm(handle.db, leader, s, {}, { allPresent: true }, NOW);
    sheet = await getAttendanceSheet(handle.db, leader, s, NOW);
    expect(Object.fromEntries(sheet.rows.map((r) => [r.firstName, r.mark]))).toEqual({ Ane: 'absent', Bo: 'excused', Cia: 'present' });
    expect(sheet.tally).toMatchObject({ present: 1, absent: 1, excused: 1, unregistered: 0, rate: 1 / 3 });

    expect(await errorOf(saveSheetForm(handle.db, leader, s, {
      [`mark-${a.enrollmentId}`]: 'excused', [`was-${a.enrollmentId}`]: 'absent', [`reason-${a.enrollmentId}`]: 'x'.repeat(201),
    }, { allPresent: false }, NOW))).toBeInstanceOf(ValidationError);
  });

  it('flags two unexcused absences in a row and keeps a running rate per child', async () => {
    const starts = [3, 2, 1].map((n) => new Date(TODAY_START.getTime() - n * MONTH));
    const { groupId, meetingIds } = await addGroupWith(leader.user.id, [...starts, TODAY_START]);
    const [s1, s2, s3, today] = meetingIds as [string, string, string, string];
    const a = await addMember(groupId, 'Freja');
    await saveMarks(handle.db, leader, s1, { marks: [mark(a.enrollmentId, 'present', NOW)] }, NOW);
    await saveMarks(handle.db, leader, s2, { marks: [mark(a.enrollmentId, 'excused', NOW)] }, NOW);
    await saveMarks(handle.db, leader, s3, { marks: [mark(a.enrollmentId, 'absent', NOW)] }, NOW);
    let row = (await getAttendanceSheet(handle.db, leader, today, NOW)).rows[0];
    expect(row?.followUp).toBe(false);
    expect(row?.before).toMatchObject({ present: 1, excused: 1, absent: 1, rate: 1 / 3 });
    await saveMarks(handle.db, leader, today, { marks: [mark(a.enrollmentId, 'absent', NOW)] }, NOW);
    row = (await getAttendanceSheet(handle.db, leader, today, NOW)).rows[0];
    expect(row?.followUp).toBe(true);

    const [history] = await childAttendanceHistory(handle.db, a.childId, NOW);
    expect(history?.entries.map((e) => e.mark)).toEqual(['absent', 'absent', 'excused', 'present']);
    expect(history?.tally).toMatchObject({ present: 1, absent: 2, excused: 1, rate: 0.25 });
    expect(history?.followUp).toBe(true);
  });

  it('counts each member\'s history from their own start, without cancelled meetings, also when members started at different times', async () => {
    const starts = [4, 3, 2, 1].map((n) => new Date(TODAY_START.getTime() - n * MONTH));
    const { groupId, meetingIds } = await addGroupWith(leader.user.id, [...starts, TODAY_START]);
    const [s4, s3, s2, s1, today] = meetingIds as [string, string, string, string, string];
    const dateOf = (at: Date) => instantToZoned(at).date;
    const early = await addMember(groupId, 'Alma', { startDate: dateOf(starts[0] as Date) });
    const late = await addMember(groupId, 'Bea', { startDate: dateOf(starts[2] as Date) });
    await saveMarks(handle.db, leader, s4, { marks: [mark(early.enrollmentId, 'present', NOW)] }, NOW);
    await saveMarks(handle.db, leader, s3, { marks: [mark(early.enrollmentId, 'present', NOW)] }, NOW);
    await saveMarks(handle.db, leader, s2, { marks: [mark(early.enrollmentId, 'absent', NOW), mark(late.enrollmentId, 'present', NOW)] }, NOW);
    await saveMarks(handle.db, leader, s1, { marks: [mark(early.enrollmentId, 'excused', NOW)] }, NOW);
    // The second meeting was cancelled after a mark had been taken: it is not history.
    await handle.db.updateTable('meetings').set({ status: 'cancelled' }).where('id', '=', s3).execute();

    const sheet = await getAttendanceSheet(handle.db, leader, today, NOW);
    const byName = new Map(sheet.rows.map((r) => [r.firstName, r]));
    expect(byName.get('Alma')?.before).toMatchObject({ present: 1, absent: 1, excused: 1, unregistered: 0 });
    // Bea started at the third meeting: the first two are not hers; the fourth has no mark for her.
    expect(byName.get('Bea')?.before).toMatchObject({ present: 1, absent: 0, excused: 0, unregistered: 1 });
    expect(byName.get('Bea')?.isNew).toBe(false);
  });

  it('"Dagens møde" lists today\'s meetings of the leader\'s groups, else the next ones; the meeting note is saved', async () => {
    const fresh = await addStaffMember(handle.db, 'leader', 'Nina Ny', { at: NOW });
    const other = await addGroupWith(fresh.user.id, [new Date(NOW.getTime() + 2 * MONTH)]);
    const mine = await addGroupWith(fresh.user.id, [new Date(NOW.getTime() + MONTH)]);
    const list = await listTodaysMeetings(handle.db, fresh, NOW);
    expect(list.today).toEqual([]);
    expect(list.next.map((s) => s.id)).toEqual([mine.meetingIds[0], other.meetingIds[0]]);
    const leaders = await listTodaysMeetings(handle.db, leader, NOW);
    expect(leaders.today.length).toBeGreaterThan(0);
    expect(leaders.today.every((s) => s.groupId !== other.groupId)).toBe(true);

    const s = leaders.today[0]?.id ?? '';
    await saveMeetingNote(handle.db, leader, s, { theme: 'Venskab', note: 'God stemning.' }, NOW);
    const sheet = await getAttendanceSheet(handle.db, leader, s, NOW);
    expect(sheet.meeting).toMatchObject({ theme: 'Venskab', note: 'God stemning.' });
    expect(await errorOf(saveMeetingNote(handle.db, fresh, s, { theme: 'x' }, NOW))).toBeInstanceOf(ForbiddenError);
  });
});
