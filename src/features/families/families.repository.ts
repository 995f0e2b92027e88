import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { selectCalendarConversations, selectMeetings } from '../../lib/server/queries';
import { calendarConversationFromRow, calendarStampFromRow, childFromRow, meetingFromRow } from '../../lib/server/rows';
import type { CalendarConversation, CalendarStamp, Child, GroupMeeting } from '../../lib/server/rows';
import type { IsoDate } from '../../lib/time';
import { OPEN_STATES } from '../lifecycle/lifecycle';

// Family links (the token's hash to find it, and the token sealed with APP_SECRET for automatic messages) and what the family page reads: the child's first name, courses,
// the groups' meetings, booked conversations and the family's own afbud.

type Db = Kysely<Database> | Transaction<Database>;

export interface FamilyLinkRow {
  id: string;
  childId: string;
  createdAt: Date;
}

export async function insertFamilyLink(
  db: Db,
  link: { id: string; childId: string; tokenHash: string; tokenSealed: string; createdBy: string | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('family_links')
    .values({
      id: link.id, child_id: link.childId, token_hash: link.tokenHash, token_sealed: link.tokenSealed, created_by: link.createdBy,
      created_at: now.toISOString(), revoked_at: null,
    })
    .execute();
}

/** Every open link's sealed token (for `cli reencrypt` after APP_SECRET changed). */
export async function selectSealedTokens(db: Db): Promise<{ id: string; sealed: string }[]> {
  const rows = await db.selectFrom('family_links').select(['id', 'token_sealed']).where('revoked_at', 'is', null).where('token_sealed', 'is not', null).execute();
  return rows.map((r) => ({ id: r.id, sealed: r.token_sealed ?? '' }));
}

export async function updateSealedToken(db: Db, id: string, was: string, sealed: string): Promise<void> {
  await db.updateTable('family_links').set({ token_sealed: sealed }).where('id', '=', id).where('token_sealed', '=', was).execute();
}

/** Closes every open link of a child; returns how many were open. */
export async function revokeChildLinks(db: Db, childId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('family_links')
    .set({ revoked_at: now.toISOString() })
    .where('child_id', '=', childId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

function selectOpenLinks(db: Db) {
  return db.selectFrom('family_links').select(['id', 'child_id', 'created_at']).where('revoked_at', 'is', null);
}

function selectNewestOpenLinkOf(db: Db, childId: string) {
  return selectOpenLinks(db).where('child_id', '=', childId).orderBy('created_at', 'desc');
}

function toFamilyLink(row: { id: string; child_id: string; created_at: string }): FamilyLinkRow {
  return { id: row.id, childId: row.child_id, createdAt: new Date(row.created_at) };
}

export async function selectOpenLinkByHash(db: Db, tokenHash: string): Promise<FamilyLinkRow | null> {
  const row = await selectOpenLinks(db).where('token_hash', '=', tokenHash).executeTakeFirst();
  return row ? toFamilyLink(row) : null;
}

export async function selectOpenLinkOfChild(db: Db, childId: string): Promise<FamilyLinkRow | null> {
  const row = await selectNewestOpenLinkOf(db, childId).executeTakeFirst();
  return row ? toFamilyLink(row) : null;
}

/** The child's open link's sealed token, for a message about to be sent; null when none is open or it was made unsealed. */
export async function selectOpenSealedToken(db: Db, childId: string): Promise<string | null> {
  const row = await selectNewestOpenLinkOf(db, childId).select('token_sealed').executeTakeFirst();
  return row?.token_sealed ?? null;
}

export type ChildRow = Child;

export async function selectChild(db: Db, childId: string): Promise<ChildRow | null> {
  const row = await db.selectFrom('children').selectAll().where('id', '=', childId).executeTakeFirst();
  return row ? childFromRow(row) : null;
}

export interface CourseRow {
  enrollmentId: string;
  groupId: string;
  groupName: string;
  groupPlace: string;
  state: string;
  startDate: IsoDate | null;
  endedOn: IsoDate | null;
}

/** A child's courses that are not over or turned down, with the group's name. */
export async function selectOpenCourses(db: Db, childId: string): Promise<CourseRow[]> {
  const rows = await db
    .selectFrom('enrollments')
    .innerJoin('groups', 'groups.id', 'enrollments.group_id')
    .select([
      'enrollments.id', 'enrollments.group_id', 'groups.name', 'groups.place', 'enrollments.state', 'enrollments.start_date',
      'enrollments.ended_on',
    ])
    .where('enrollments.child_id', '=', childId)
    .where('enrollments.state', 'in', OPEN_STATES)
    .orderBy('enrollments.created_at')
    .execute();
  return rows.map((r) => ({
    enrollmentId: r.id,
    groupId: r.group_id,
    groupName: r.name,
    groupPlace: r.place,
    state: r.state,
    startDate: r.start_date,
    endedOn: r.ended_on,
  }));
}

export interface FamilyMeetingRow extends GroupMeeting, CalendarStamp {
  /** Written by a leader for the families when cancelling: no child's name (the form says so). */
  cancelReason: string | null;
}

function selectFamilyMeetings(db: Db) {
  return selectMeetings(db).select(['meetings.sequence', 'meetings.updated_at', 'meetings.cancel_reason']);
}

function toFamilyMeeting(row: Awaited<ReturnType<ReturnType<typeof selectFamilyMeetings>['executeTakeFirstOrThrow']>>): FamilyMeetingRow {
  return {
    ...meetingFromRow(row),
    ...calendarStampFromRow(row),
    cancelReason: row.status === 'cancelled' ? row.cancel_reason : null,
  };
}

/** Meetings of some groups starting in [from, to), read live so a move or a cancellation shows at once. */
export async function selectMeetingsBetween(db: Db, groupIds: readonly string[], from: Date, to: Date): Promise<FamilyMeetingRow[]> {
  if (groupIds.length === 0) return [];
  const rows = await selectFamilyMeetings(db)
    .where('meetings.group_id', 'in', [...groupIds])
    .where('meetings.ends_at', '>', from.toISOString())
    .where('meetings.starts_at', '<', to.toISOString())
    .orderBy('meetings.starts_at')
    .orderBy('meetings.id')
    .execute();
  return rows.map(toFamilyMeeting);
}

export type FamilyConversationRow = CalendarConversation;

/** A child's conversations (booked or cancelled) that end after `from`. */
export async function selectChildConversations(db: Db, childId: string, from: Date): Promise<FamilyConversationRow[]> {
  const rows = await selectCalendarConversations(db)
    .where('conversations.child_id', '=', childId)
    .where('conversations.status', 'in', ['booked', 'cancelled'])
    .where('conversations.ends_at', '>', from.toISOString())
    .orderBy('conversations.starts_at')
    .execute();
  return rows.map(calendarConversationFromRow);
}

export interface FamilyMarkRow {
  meetingId: string;
  enrollmentId: string;
  status: 'present' | 'excused' | 'absent';
  reason: string | null;
  source: 'leader' | 'family';
}

export async function selectMarksInMeetings(db: Db, enrollmentIds: readonly string[], meetingIds: readonly string[]): Promise<FamilyMarkRow[]> {
  if (enrollmentIds.length === 0 || meetingIds.length === 0) return [];
  const rows = await db
    .selectFrom('attendance')
    .select(['meeting_id', 'enrollment_id', 'status', 'reason', 'source'])
    .where('enrollment_id', 'in', [...enrollmentIds])
    .where('meeting_id', 'in', [...meetingIds])
    .execute();
  return rows.map((r) => ({ meetingId: r.meeting_id, enrollmentId: r.enrollment_id, status: r.status, reason: r.reason, source: r.source }));
}

export async function selectMeetingById(db: Db, meetingId: string): Promise<FamilyMeetingRow | null> {
  const row = await selectFamilyMeetings(db).where('meetings.id', '=', meetingId).executeTakeFirst();
  return row ? toFamilyMeeting(row) : null;
}

/** Whether a user leads one of the groups where the child has a course that is not over or turned down. */
export async function leadsOpenCourseOf(db: Db, userId: string, childId: string): Promise<boolean> {
  const row = await db
    .selectFrom('enrollments')
    .innerJoin('group_leaders', 'group_leaders.group_id', 'enrollments.group_id')
    .select('enrollments.id')
    .where('enrollments.child_id', '=', childId)
    .where('group_leaders.user_id', '=', userId)
    .where('enrollments.state', 'in', OPEN_STATES)
    .executeTakeFirst();
  return row !== undefined;
}
