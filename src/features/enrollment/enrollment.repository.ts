import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, EnrollmentsTable, Municipality } from '../../lib/server/database';
import { childFromRow, enrollmentFromRow, guardianFromRow, referralFromRow } from '../../lib/server/rows';
import type { Child, Enrollment, Guardian, Referral } from '../../lib/server/rows';
import type { IsoDate } from '../../lib/time';
import type { ConversationKind, ConversationStatus, EnrollmentState, IntakeOutcome, ReferralStatus } from '../lifecycle/lifecycle';
import { FINAL_STATES } from '../lifecycle/lifecycle';

// Enrollments (forløb) with their child, referral and conversations. The only place with queries for them.

type Db = Kysely<Database> | Transaction<Database>;

/** An enrollment row, its state narrowed to the course's states. */
export type EnrollmentRecord = Omit<Enrollment, 'state'> & { state: EnrollmentState };

export type ChildRecord = Child;

export type ReferralRecord = Referral & { caseworkerName: string | null };

export type GuardianRecord = Guardian;

export type { ConversationKind, ConversationStatus } from '../lifecycle/lifecycle';

export interface ConversationRecord {
  id: string;
  kind: ConversationKind;
  enrollmentId: string | null;
  leaderId: string | null;
  leaderName: string | null;
  startsAt: Date;
  endsAt: Date;
  place: string;
  status: ConversationStatus;
  outcome: IntakeOutcome | null;
  outcomeReason: string | null;
  childWords: string | null;
  note: string | null;
  sequence: number;
  /** The referring caseworker is invited (an intake conversation). */
  invitesCaseworker: boolean;
}

/** One row of the inbox or of a group's member list: the enrollment with what a list shows of child and referral. */
export interface EnrollmentListRow {
  enrollmentId: string;
  groupId: string;
  state: EnrollmentState;
  childId: string;
  firstName: string;
  lastName: string;
  birthDate: IsoDate;
  gender: 'girl' | 'boy' | 'other' | null;
  municipality: Municipality;
  referralId: string | null;
  reference: string | null;
  receivedAt: string;
  queueRank: number | null;
  startDate: IsoDate | null;
  plannedEndDate: IsoDate | null;
  /** The first booked intake conversation (ISO), for the inbox. */
  intakeAt: string | null;
}

function toEnrollment(row: Selectable<EnrollmentsTable>): EnrollmentRecord {
  const enrollment = enrollmentFromRow(row);
  return { ...enrollment, state: enrollment.state as EnrollmentState };
}

export async function selectEnrollment(db: Db, id: string): Promise<EnrollmentRecord | null> {
  const row = await db.selectFrom('enrollments').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toEnrollment(row) : null;
}

/** The course a referral became: the latest one (a child moved to the other band has a second course on it). */
export async function selectEnrollmentOfReferral(db: Db, referralId: string): Promise<EnrollmentRecord | null> {
  const row = await db.selectFrom('enrollments').selectAll().where('referral_id', '=', referralId).orderBy('created_at', 'desc').orderBy('id').executeTakeFirst();
  return row ? toEnrollment(row) : null;
}

export async function selectChild(db: Db, id: string): Promise<ChildRecord | null> {
  const row = await db.selectFrom('children').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? childFromRow(row) : null;
}

export async function selectReferral(db: Db, id: string): Promise<ReferralRecord | null> {
  const row = await db
    .selectFrom('referrals')
    .leftJoin('users', 'users.id', 'referrals.caseworker_id')
    .selectAll('referrals')
    .select('users.display_name as caseworker_name')
    .where('referrals.id', '=', id)
    .executeTakeFirst();
  return row ? { ...referralFromRow(row), caseworkerName: row.caseworker_name ?? null } : null;
}

export async function selectGuardians(db: Db, childId: string): Promise<GuardianRecord[]> {
  const rows = await db.selectFrom('guardians').selectAll().where('child_id', '=', childId).orderBy('created_at').orderBy('id').execute();
  return rows.map(guardianFromRow);
}

/** The conversations of a child in a group, in time order. */
export async function selectConversations(db: Db, childId: string, groupId: string): Promise<ConversationRecord[]> {
  const rows = await db
    .selectFrom('conversations')
    .leftJoin('users', 'users.id', 'conversations.leader_id')
    .selectAll('conversations')
    .select('users.display_name as leader_name')
    .where('conversations.child_id', '=', childId)
    .where('conversations.group_id', '=', groupId)
    .orderBy('conversations.starts_at')
    .orderBy('conversations.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    enrollmentId: r.enrollment_id,
    leaderId: r.leader_id,
    leaderName: r.leader_name ?? null,
    startsAt: new Date(r.starts_at),
    endsAt: new Date(r.ends_at),
    place: r.place,
    status: r.status,
    outcome: r.outcome,
    outcomeReason: r.outcome_reason,
    childWords: r.child_words,
    note: r.note,
    sequence: Number(r.sequence),
    invitesCaseworker: Number(r.invites_caseworker) === 1,
  }));
}

/**
 * Other referrals for a child with the same names and birth date (another child row or the same one).
 * lower() is the same on SQLite and PostgreSQL for these letters apart from æøå on SQLite, so the names are
 * compared lower-cased on both sides and the birth date must match exactly.
 */
export async function selectDuplicateReferrals(
  db: Db,
  child: { firstName: string; lastName: string; birthDate: IsoDate },
  exceptReferralId: string | null,
): Promise<{ referralId: string; reference: string; groupName: string; status: string; receivedAt: Date }[]> {
  let query = db
    .selectFrom('referrals')
    .innerJoin('children', 'children.id', 'referrals.child_id')
    .innerJoin('groups', 'groups.id', 'referrals.group_id')
    .select(['referrals.id', 'referrals.reference', 'referrals.status', 'referrals.received_at', 'groups.name as group_name', 'children.first_name', 'children.last_name'])
    .where('children.birth_date', '=', child.birthDate)
    .where((eb) => eb(eb.fn('lower', ['children.first_name']), '=', child.firstName.trim().toLowerCase()))
    .where((eb) => eb(eb.fn('lower', ['children.last_name']), '=', child.lastName.trim().toLowerCase()));
  if (exceptReferralId !== null) query = query.where('referrals.id', '!=', exceptReferralId);
  const rows = await query.orderBy('referrals.received_at').execute();
  return rows.map((r) => ({ referralId: r.id, reference: r.reference, groupName: r.group_name, status: r.status, receivedAt: new Date(r.received_at) }));
}

/** Enrollments in the given states of the given groups, with child and referral, in one statement. */
export async function selectEnrollmentList(db: Db, groupIds: readonly string[], states: readonly EnrollmentState[]): Promise<EnrollmentListRow[]> {
  if (groupIds.length === 0 || states.length === 0) return [];
  const rows = await db
    .selectFrom('enrollments')
    .innerJoin('children', 'children.id', 'enrollments.child_id')
    .leftJoin('referrals', 'referrals.id', 'enrollments.referral_id')
    .select((eb) => [
      'enrollments.id',
      'enrollments.group_id',
      'enrollments.state',
      'enrollments.child_id',
      'enrollments.start_date',
      'enrollments.planned_end_date',
      'enrollments.created_at',
      'children.first_name',
      'children.last_name',
      'children.birth_date',
      'children.gender',
      'children.municipality',
      'referrals.id as referral_id',
      'referrals.reference',
      'referrals.received_at',
      'referrals.queue_rank',
      eb
        .selectFrom('conversations')
        .select((c) => c.fn.min('conversations.starts_at').as('at'))
        .whereRef('conversations.enrollment_id', '=', 'enrollments.id')
        .where('conversations.kind', '=', 'intake')
        .where('conversations.status', '=', 'booked')
        .as('intake_at'),
    ])
    .where('enrollments.group_id', 'in', [...groupIds])
    .where('enrollments.state', 'in', [...states])
    .orderBy('referrals.received_at')
    .orderBy('enrollments.id')
    .execute();
  return rows.map((r) => ({
    enrollmentId: r.id,
    groupId: r.group_id,
    state: r.state as EnrollmentState,
    childId: r.child_id,
    firstName: r.first_name,
    lastName: r.last_name,
    birthDate: r.birth_date,
    gender: r.gender,
    municipality: r.municipality,
    referralId: r.referral_id ?? null,
    reference: r.reference ?? null,
    receivedAt: r.received_at ?? r.created_at,
    queueRank: r.queue_rank === null || r.queue_rank === undefined ? null : Number(r.queue_rank),
    startDate: r.start_date,
    plannedEndDate: r.planned_end_date,
    intakeAt: (r.intake_at as string | null | undefined) ?? null,
  }));
}

/** Upcoming intake windows (with a meeting that is not cancelled) of the groups: one statement. */
export async function selectUpcomingWindowMeetings(
  db: Db,
  groupIds: readonly string[],
  after: Date,
): Promise<{ windowId: string; groupId: string; quarterStart: IsoDate; meetingId: string; startsAt: Date }[]> {
  if (groupIds.length === 0) return [];
  const rows = await db
    .selectFrom('intake_windows')
    .innerJoin('meetings', 'meetings.id', 'intake_windows.meeting_id')
    .select(['intake_windows.id', 'intake_windows.group_id', 'intake_windows.quarter_start', 'meetings.id as meeting_id', 'meetings.starts_at'])
    .where('intake_windows.group_id', 'in', [...groupIds])
    .where('meetings.status', '!=', 'cancelled')
    .where('meetings.starts_at', '>', after.toISOString())
    .orderBy('meetings.starts_at')
    .execute();
  return rows.map((r) => ({ windowId: r.id, groupId: r.group_id, quarterStart: r.quarter_start, meetingId: r.meeting_id, startsAt: new Date(r.starts_at) }));
}

export async function selectWindowForMeeting(db: Db, meetingId: string): Promise<string | null> {
  const row = await db.selectFrom('intake_windows').select('id').where('meeting_id', '=', meetingId).executeTakeFirst();
  return row?.id ?? null;
}

// ---------------------------------------------------------------------------------------------
// Changes

export interface EnrollmentChange {
  state: EnrollmentState;
  intakeWindowId?: string | null;
  startDate?: IsoDate | null;
  plannedEndDate?: IsoDate | null;
  endedOn?: IsoDate | null;
  endReason?: string | null;
  groupId?: string;
}

/** Changes an enrollment only if it is still in `from` (a second click or another person got there first: false). */
export async function updateEnrollment(db: Db, id: string, from: EnrollmentState, change: EnrollmentChange, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('enrollments')
    .set({
      state: change.state,
      ...(change.intakeWindowId !== undefined ? { intake_window_id: change.intakeWindowId } : {}),
      ...(change.startDate !== undefined ? { start_date: change.startDate } : {}),
      ...(change.plannedEndDate !== undefined ? { planned_end_date: change.plannedEndDate } : {}),
      ...(change.endedOn !== undefined ? { ended_on: change.endedOn } : {}),
      ...(change.endReason !== undefined ? { end_reason: change.endReason } : {}),
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .where('state', '=', from)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records the coordinator's age exception on a course that has not ended (false: it ended or is gone). */
export async function updateAgeException(db: Db, id: string, exception: { reason: string; byUserId: string }, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('enrollments')
    .set({ age_exception_reason: exception.reason, age_exception_by: exception.byUserId, age_exception_at: now.toISOString(), updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('state', 'not in', FINAL_STATES)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function insertEnrollment(
  db: Db,
  row: { id: string; childId: string; groupId: string; referralId: string | null; state: EnrollmentState },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('enrollments')
    .values({
      id: row.id,
      child_id: row.childId,
      group_id: row.groupId,
      referral_id: row.referralId,
      state: row.state,
      intake_window_id: null,
      start_date: null,
      planned_end_date: null,
      ended_on: null,
      end_reason: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

export async function updateReferral(
  db: Db,
  id: string,
  change: { status: ReferralStatus; statusReason?: string | null; groupId?: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('referrals')
    .set({
      status: change.status,
      ...(change.statusReason !== undefined ? { status_reason: change.statusReason } : {}),
      ...(change.groupId !== undefined ? { group_id: change.groupId } : {}),
      updated_at: now.toISOString(),
    })
    .where('id', '=', id)
    .execute();
}

export async function updateQueueRank(db: Db, referralId: string, rank: number, now: Date): Promise<void> {
  await db.updateTable('referrals').set({ queue_rank: rank, updated_at: now.toISOString() }).where('id', '=', referralId).execute();
}

export interface NewConversation {
  id: string;
  kind: ConversationKind;
  childId: string;
  groupId: string;
  referralId: string | null;
  enrollmentId: string;
  leaderId: string | null;
  startsAt: Date;
  endsAt: Date;
  place: string;
  status: ConversationStatus;
  note: string | null;
  invitesCaseworker?: boolean;
}

export async function insertConversation(db: Db, c: NewConversation, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('conversations')
    .values({
      id: c.id,
      kind: c.kind,
      child_id: c.childId,
      group_id: c.groupId,
      referral_id: c.referralId,
      enrollment_id: c.enrollmentId,
      leader_id: c.leaderId,
      starts_at: c.startsAt.toISOString(),
      ends_at: c.endsAt.toISOString(),
      place: c.place,
      status: c.status,
      outcome: null,
      outcome_reason: null,
      child_words: null,
      note: c.note,
      invites_caseworker: c.invitesCaseworker ? 1 : 0,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

/** Sets a conversation's status (and outcome fields); raises its sequence so calendars replace their copy. */
export async function updateConversation(
  db: Db,
  id: string,
  change: { status: ConversationStatus; outcome?: IntakeOutcome; outcomeReason?: string | null; childWords?: string | null; note?: string | null },
  now: Date,
): Promise<void> {
  await db
    .updateTable('conversations')
    .set((eb) => ({
      status: change.status,
      ...(change.outcome !== undefined ? { outcome: change.outcome } : {}),
      ...(change.outcomeReason !== undefined ? { outcome_reason: change.outcomeReason } : {}),
      ...(change.childWords !== undefined ? { child_words: change.childWords } : {}),
      ...(change.note !== undefined ? { note: change.note } : {}),
      sequence: eb('sequence', '+', 1),
      updated_at: now.toISOString(),
    }))
    .where('id', '=', id)
    .execute();
}

/** Active leaders and coordinators by id (to check a chosen conversation leader). */
export async function selectStaffCandidate(db: Db, id: string): Promise<{ id: string; displayName: string } | null> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('id', '=', id)
    .where('role', 'in', ['coordinator', 'leader'])
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? { id: row.id, displayName: row.display_name } : null;
}

/**
 * Serialises starts in one group: a no-op update takes the group row's write lock until the transaction ends
 * (PostgreSQL), so two coordinators cannot both take the last place; SQLite serialises write transactions anyway.
 * Portable on purpose (SELECT ... FOR UPDATE does not exist on SQLite).
 */
export async function lockGroupForIntake(db: Db, groupId: string): Promise<void> {
  await db.updateTable('groups').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', groupId).execute();
}
