import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { selectMeetings } from '../../lib/server/queries';
import { meetingFromRow } from '../../lib/server/rows';
import type { GroupMeeting, GroupMeetingRow } from '../../lib/server/rows';
import type { IsoDate } from '../../lib/time';
import { STARTED_STATES } from '../lifecycle/lifecycle';
import type { AttendanceRow, AttendanceStatus, MarkSource } from './attendance';

// Attendance rows (PK meeting_id + enrollment_id), the meetings and members an attendance sheet needs, and the
// client mutation ids that make a resent mark count once. Every function is one statement.

type Db = Kysely<Database> | Transaction<Database>;

export interface SheetMeeting extends GroupMeeting {
  theme: string | null;
  note: string | null;
}

/** An enrollment that is, was or will be a member of a group, with the child's names. */
export interface GroupEnrollment {
  enrollmentId: string;
  childId: string;
  firstName: string;
  lastName: string;
  birthDate: IsoDate;
  state: string;
  startDate: IsoDate | null;
  endedOn: IsoDate | null;
}

export interface StoredMark {
  enrollmentId: string;
  status: AttendanceStatus;
  reason: string | null;
  source: MarkSource;
  recordedAt: Date;
}

function selectSheetMeetings(db: Db) {
  return selectMeetings(db).select(['meetings.theme', 'meetings.note']);
}

function toSheetMeeting(row: GroupMeetingRow & { theme: string | null; note: string | null }): SheetMeeting {
  return { ...meetingFromRow(row), theme: row.theme, note: row.note };
}

/** A meeting, and whether `userId` leads its group (in the same statement: the sheet is opened often). */
export async function selectSheetMeeting(db: Db, meetingId: string, userId: string): Promise<(SheetMeeting & { userLeads: boolean }) | null> {
  const row = await selectSheetMeetings(db)
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('group_leaders')
            .select('group_leaders.user_id')
            .whereRef('group_leaders.group_id', '=', 'meetings.group_id')
            .where('group_leaders.user_id', '=', userId),
        )
        .as('user_leads'),
    )
    .where('meetings.id', '=', meetingId)
    .executeTakeFirst();
  // SQLite answers EXISTS with 0/1, PostgreSQL with a boolean.
  return row ? { ...toSheetMeeting(row), userLeads: Boolean(Number(row.user_leads)) } : null;
}

/** Meetings of the given groups (null: every group not archived) starting in [from, to), in time order. */
export async function selectMeetingsStarting(db: Db, groupIds: readonly string[] | null, from: Date, to: Date | null, limit: number): Promise<SheetMeeting[]> {
  if (groupIds !== null && groupIds.length === 0) return [];
  let query = selectSheetMeetings(db)
    .where('groups.archived_at', 'is', null)
    .where('meetings.starts_at', '>=', from.toISOString());
  if (to) query = query.where('meetings.starts_at', '<', to.toISOString());
  if (groupIds !== null) query = query.where('meetings.group_id', 'in', [...groupIds]);
  const rows = await query.orderBy('meetings.starts_at').orderBy('meetings.id').limit(limit).execute();
  return rows.map(toSheetMeeting);
}

/** The columns of an enrollment joined with its child that a member list needs. */
const GROUP_ENROLLMENT_COLUMNS = [
  'enrollments.id', 'enrollments.child_id', 'children.first_name', 'children.last_name', 'children.birth_date',
  'enrollments.state', 'enrollments.start_date', 'enrollments.ended_on',
] as const;

function toGroupEnrollment(r: {
  id: string; child_id: string; first_name: string; last_name: string; birth_date: string; state: string; start_date: string | null; ended_on: string | null;
}): GroupEnrollment {
  return {
    enrollmentId: r.id,
    childId: r.child_id,
    firstName: r.first_name,
    lastName: r.last_name,
    birthDate: r.birth_date,
    state: r.state,
    startDate: r.start_date,
    endedOn: r.ended_on,
  };
}

/** Every enrollment of a group that has started at some point; the rules decide who was a member on a date. */
/**
 * The group's started courses. With `runningOn`, only those started by that date and not ended before it (a
 * superset of the members on the date: the caller still applies isMemberOn), so a sheet reads its ~15 members and
 * not ten years of courses.
 */
export async function selectStartedEnrollments(db: Db, groupId: string, runningOn?: IsoDate): Promise<GroupEnrollment[]> {
  let query = db
    .selectFrom('enrollments')
    .innerJoin('children', 'children.id', 'enrollments.child_id')
    .select(GROUP_ENROLLMENT_COLUMNS)
    .where('enrollments.group_id', '=', groupId)
    .where('enrollments.start_date', 'is not', null)
    .where('enrollments.state', 'in', STARTED_STATES);
  if (runningOn !== undefined) {
    query = query
      .where('enrollments.start_date', '<=', runningOn)
      .where((eb) => eb.or([eb('enrollments.ended_on', 'is', null), eb('enrollments.ended_on', '>', runningOn)]));
  }
  const rows = await query.orderBy('children.first_name').orderBy('enrollments.id').execute();
  return rows.map(toGroupEnrollment);
}

export async function selectMeetingMarks(db: Db, meetingId: string): Promise<StoredMark[]> {
  const rows = await db
    .selectFrom('attendance')
    .select(['enrollment_id', 'status', 'reason', 'source', 'recorded_at'])
    .where('meeting_id', '=', meetingId)
    .execute();
  return rows.map((r) => ({
    enrollmentId: r.enrollment_id,
    status: r.status,
    reason: r.reason,
    source: r.source,
    recordedAt: new Date(r.recorded_at),
  }));
}

export interface DatedMark extends StoredMark {
  meetingId: string;
  meetingStartsAt: Date;
}

export interface MeetingsWithMarks {
  /** The group's meetings that started in [from, through], oldest first, cancelled ones included. */
  meetings: { id: string; startsAt: Date; status: 'planned' | 'cancelled' | 'moved' }[];
  /** The given enrollments' marks at those meetings. */
  marks: DatedMark[];
}

/**
 * A group's meetings in [from, through] with some enrollments' marks at them, in one statement: what an attendance
 * sheet needs of its own meeting and of its members' history (the sheet is opened on a phone, often).
 */
export async function selectMeetingsWithMarks(db: Db, groupId: string, enrollmentIds: readonly string[], from: Date, through: Date): Promise<MeetingsWithMarks> {
  if (enrollmentIds.length === 0) return { meetings: [], marks: [] };
  const rows = await db
    .selectFrom('meetings as s')
    .leftJoin('attendance as a', (join) => join.onRef('a.meeting_id', '=', 's.id').on('a.enrollment_id', 'in', [...enrollmentIds]))
    .select(['s.id', 's.starts_at', 's.status', 'a.enrollment_id', 'a.status as mark', 'a.reason', 'a.source', 'a.recorded_at'])
    .where('s.group_id', '=', groupId)
    .where('s.starts_at', '>=', from.toISOString())
    .where('s.starts_at', '<=', through.toISOString())
    .orderBy('s.starts_at')
    .orderBy('s.id')
    .execute();
  const meetings: MeetingsWithMarks['meetings'] = [];
  const marks: DatedMark[] = [];
  for (const r of rows) {
    const startsAt = new Date(r.starts_at);
    if (meetings[meetings.length - 1]?.id !== r.id) meetings.push({ id: r.id, startsAt, status: r.status });
    if (r.enrollment_id === null || r.mark === null || r.source === null || r.recorded_at === null) continue;
    marks.push({
      meetingId: r.id,
      meetingStartsAt: startsAt,
      enrollmentId: r.enrollment_id,
      status: r.mark,
      reason: r.reason,
      source: r.source,
      recordedAt: new Date(r.recorded_at),
    });
  }
  return { meetings, marks };
}

/**
 * Remembers a client's mutation id. false: it was seen before (a resend), so the caller must not apply it again.
 * ON CONFLICT DO NOTHING is the same SQL on SQLite and PostgreSQL.
 */
export async function claimMutationId(db: Db, key: string, scope: string, result: string, now: Date): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ key, scope, result, created_at: now.toISOString() })
    .onConflict((oc) => oc.column('key').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Forgets mutation ids of one scope recorded before `before` (ISO instant). Returns how many went. */
export async function deleteMutationIdsBefore(db: Db, scope: string, before: string): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys').where('scope', '=', scope).where('created_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface MarkWrite {
  meetingId: string;
  enrollmentId: string;
  status: AttendanceStatus;
  reason: string | null;
  source: MarkSource;
  recordedBy: string | null;
  recordedAt: Date;
}

/**
 * Insert or update one child's mark, unless a later one is stored already (last write wins, by when it was made).
 * false: a later mark won. The conditional ON CONFLICT ... DO UPDATE ... WHERE is the same on SQLite and PostgreSQL.
 */
export async function upsertMark(db: Db, mark: MarkWrite): Promise<boolean> {
  const result = await db
    .insertInto('attendance')
    .values({
      meeting_id: mark.meetingId,
      enrollment_id: mark.enrollmentId,
      status: mark.status,
      reason: mark.reason,
      source: mark.source,
      recorded_by: mark.recordedBy,
      recorded_at: mark.recordedAt.toISOString(),
    })
    .onConflict((oc) =>
      oc
        .columns(['meeting_id', 'enrollment_id'])
        .doUpdateSet((eb) => ({
          status: eb.ref('excluded.status'),
          reason: eb.ref('excluded.reason'),
          source: eb.ref('excluded.source'),
          recorded_by: eb.ref('excluded.recorded_by'),
          recorded_at: eb.ref('excluded.recorded_at'),
        }))
        .where('attendance.recorded_at', '<=', mark.recordedAt.toISOString()),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Removes a mark ("ikke registreret" again) unless a later one is stored. */
export async function deleteMark(db: Db, meetingId: string, enrollmentId: string, notAfter: Date, onlySource: MarkSource | null = null): Promise<number> {
  let query = db
    .deleteFrom('attendance')
    .where('meeting_id', '=', meetingId)
    .where('enrollment_id', '=', enrollmentId)
    .where('recorded_at', '<=', notAfter.toISOString());
  if (onlySource) query = query.where('source', '=', onlySource);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function updateMeetingNote(db: Db, meetingId: string, theme: string | null, note: string | null, now: Date): Promise<void> {
  // Theme and note are staff-only: they do not change what a calendar shows, so the SEQUENCE stays.
  await db
    .updateTable('meetings')
    .set({ theme, note, updated_at: now.toISOString() })
    .where('id', '=', meetingId)
    .execute();
}

/** One child's enrollments in any group, with the group's name, for the child's history page. */
export async function selectChildEnrollments(db: Db, childId: string): Promise<(GroupEnrollment & { groupId: string; groupName: string })[]> {
  const rows = await db
    .selectFrom('enrollments')
    .innerJoin('children', 'children.id', 'enrollments.child_id')
    .innerJoin('groups', 'groups.id', 'enrollments.group_id')
    .select([...GROUP_ENROLLMENT_COLUMNS, 'enrollments.group_id', 'groups.name as group_name'])
    .where('enrollments.child_id', '=', childId)
    .orderBy('enrollments.created_at')
    .execute();
  return rows.map((r) => ({ ...toGroupEnrollment(r), groupId: r.group_id, groupName: r.group_name }));
}

/** Held meetings (not cancelled, started before `before`) of several groups, oldest first. */
export async function selectHeldMeetingsOfGroups(db: Db, groupIds: readonly string[], before: Date): Promise<{ id: string; groupId: string; startsAt: Date }[]> {
  if (groupIds.length === 0) return [];
  const rows = await db
    .selectFrom('meetings')
    .select(['id', 'group_id', 'starts_at'])
    .where('group_id', 'in', [...groupIds])
    .where('status', '!=', 'cancelled')
    .where('starts_at', '<', before.toISOString())
    .orderBy('starts_at')
    .execute();
  return rows.map((r) => ({ id: r.id, groupId: r.group_id, startsAt: new Date(r.starts_at) }));
}

/** The courses' marks on meetings that began before `before` (a mark on a meeting still to come is never counted). */
export async function selectMarksOfEnrollments(
  db: Db,
  enrollmentIds: readonly string[],
  before: Date,
): Promise<(AttendanceRow & { reason: string | null; source: MarkSource })[]> {
  if (enrollmentIds.length === 0) return [];
  const rows = await db
    .selectFrom('attendance')
    .innerJoin('meetings', 'meetings.id', 'attendance.meeting_id')
    .select(['attendance.meeting_id', 'attendance.enrollment_id', 'attendance.status', 'attendance.reason', 'attendance.source'])
    .where('attendance.enrollment_id', 'in', [...enrollmentIds])
    .where('meetings.starts_at', '<', before.toISOString())
    .execute();
  return rows.map((r) => ({ meetingId: r.meeting_id, enrollmentId: r.enrollment_id, status: r.status, reason: r.reason, source: r.source }));
}
