import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, MeetingsTable } from '../../lib/server/database';
import type { IsoDate } from '../../lib/time';

// Meetings (meetings), closed periods and intake windows. Instants are stored as ISO 8601 UTC text,
// which sorts and compares as time on both SQLite and PostgreSQL.

type Db = Kysely<Database> | Transaction<Database>;

export type MeetingStatus = 'planned' | 'cancelled' | 'moved';

/** One dated meeting of a group, as stored. */
export interface Meeting {
  id: string;
  groupId: string;
  occurrenceKey: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  status: MeetingStatus;
  /** Moved or cancelled by hand: regeneration leaves it alone. */
  isManual: boolean;
  theme: string | null;
  note: string | null;
  cancelReason: string | null;
  /** Raised on every change, so calendar clients replace their copy (iCalendar SEQUENCE). */
  sequence: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredClosedPeriod {
  id: string;
  /** null: closed for every group. */
  groupId: string | null;
  groupName: string | null;
  name: string;
  startDate: IsoDate;
  endDate: IsoDate;
  createdAt: Date;
}

export interface StoredIntakeWindow {
  id: string;
  groupId: string;
  quarterStart: IsoDate;
  meetingId: string | null;
  /** Enrollments that point at this window; such a window is never deleted. */
  enrollmentCount: number;
}

function toMeeting(row: Selectable<MeetingsTable>): Meeting {
  return {
    id: row.id,
    groupId: row.group_id,
    occurrenceKey: row.occurrence_key,
    startsAt: new Date(row.starts_at),
    endsAt: new Date(row.ends_at),
    place: row.place,
    status: row.status,
    isManual: Number(row.is_manual) === 1,
    theme: row.theme,
    note: row.note,
    cancelReason: row.cancel_reason,
    sequence: Number(row.sequence),
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Meetings

export async function selectMeeting(db: Db, id: string): Promise<Meeting | null> {
  const row = await db.selectFrom('meetings').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toMeeting(row) : null;
}

/** A group's meetings starting in [from, to) (either end open when null), in time order. */
export async function selectMeetings(
  db: Db,
  groupId: string,
  range: { from: Date | null; to: Date | null },
): Promise<Meeting[]> {
  let query = db.selectFrom('meetings').selectAll().where('group_id', '=', groupId);
  if (range.from) query = query.where('starts_at', '>=', range.from.toISOString());
  if (range.to) query = query.where('starts_at', '<', range.to.toISOString());
  const rows = await query.orderBy('starts_at').orderBy('id').execute();
  return rows.map(toMeeting);
}

/**
 * A group's meetings whose occurrence key ('YYYY-MM') is `keyFrom` or later, whenever they start: the set a
 * regeneration must know, because a key already used in the past must not be created again.
 */
export async function selectMeetingsFromKey(db: Db, groupId: string, keyFrom: string): Promise<Meeting[]> {
  const rows = await db
    .selectFrom('meetings')
    .selectAll()
    .where('group_id', '=', groupId)
    .where('occurrence_key', '>=', keyFrom)
    .orderBy('starts_at')
    .orderBy('id')
    .execute();
  return rows.map(toMeeting);
}

/** Meetings of several groups that end after `after`, in time order (one statement). */
export async function selectUpcomingMeetings(db: Db, groupIds: readonly string[], after: Date): Promise<Meeting[]> {
  if (groupIds.length === 0) return [];
  const rows = await db
    .selectFrom('meetings')
    .selectAll()
    .where('group_id', 'in', [...groupIds])
    .where('ends_at', '>', after.toISOString())
    .orderBy('starts_at')
    .orderBy('id')
    .execute();
  return rows.map(toMeeting);
}

export type NewMeeting = Pick<Meeting, 'id' | 'groupId' | 'occurrenceKey' | 'startsAt' | 'endsAt' | 'place'>;

export async function insertMeetings(db: Db, meetings: readonly NewMeeting[], now: Date): Promise<void> {
  if (meetings.length === 0) return;
  const at = now.toISOString();
  await db
    .insertInto('meetings')
    .values(
      meetings.map((s) => ({
        id: s.id,
        group_id: s.groupId,
        occurrence_key: s.occurrenceKey,
        starts_at: s.startsAt.toISOString(),
        ends_at: s.endsAt.toISOString(),
        place: s.place,
        status: 'planned' as const,
        is_manual: 0 as const,
        sequence: 0,
        created_at: at,
        updated_at: at,
      })),
    )
    // Two processes extending the same schedule at once: the second one's copy of a month is simply not needed.
    .onConflict((oc) => oc.columns(['group_id', 'occurrence_key']).doNothing())
    .execute();
}

export interface MeetingChange {
  startsAt?: Date;
  endsAt?: Date;
  place?: string;
  status?: MeetingStatus;
  isManual?: boolean;
  cancelReason?: string | null;
}

/** Changes one meeting and raises its sequence by one, so calendar feeds show the change. */
export async function updateMeeting(db: Db, id: string, change: MeetingChange, now: Date): Promise<void> {
  await db
    .updateTable('meetings')
    .set((eb) => ({
      ...(change.startsAt !== undefined ? { starts_at: change.startsAt.toISOString() } : {}),
      ...(change.endsAt !== undefined ? { ends_at: change.endsAt.toISOString() } : {}),
      ...(change.place !== undefined ? { place: change.place } : {}),
      ...(change.status !== undefined ? { status: change.status } : {}),
      ...(change.isManual !== undefined ? { is_manual: change.isManual ? (1 as const) : (0 as const) } : {}),
      ...(change.cancelReason !== undefined ? { cancel_reason: change.cancelReason } : {}),
      sequence: eb('sequence', '+', 1),
      updated_at: now.toISOString(),
    }))
    .where('id', '=', id)
    .execute();
}

export async function deleteMeetings(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('meetings').where('id', 'in', [...ids]).execute();
}

// ---------------------------------------------------------------------------------------------
// Closed periods

function closedPeriodQuery(db: Db) {
  return db
    .selectFrom('closed_periods')
    .leftJoin('groups', 'groups.id', 'closed_periods.group_id')
    .select([
      'closed_periods.id',
      'closed_periods.group_id',
      'closed_periods.name',
      'closed_periods.start_date',
      'closed_periods.end_date',
      'closed_periods.created_at',
      'groups.name as group_name',
    ]);
}

type ClosedPeriodRow = Awaited<ReturnType<ReturnType<typeof closedPeriodQuery>['executeTakeFirstOrThrow']>>;

function toClosedPeriod(row: ClosedPeriodRow): StoredClosedPeriod {
  return {
    id: row.id,
    groupId: row.group_id,
    groupName: row.group_name,
    name: row.name,
    startDate: row.start_date,
    endDate: row.end_date,
    createdAt: new Date(row.created_at),
  };
}

/** Every closed period, earliest first. */
export async function selectClosedPeriods(db: Db): Promise<StoredClosedPeriod[]> {
  const rows = await closedPeriodQuery(db)
    .orderBy('closed_periods.start_date')
    .orderBy('closed_periods.end_date')
    .orderBy('closed_periods.id')
    .execute();
  return rows.map(toClosedPeriod);
}

/** The periods that close a group: its own and those for every group, ending on or after `endingFrom`. */
export async function selectClosedPeriodsForGroup(db: Db, groupId: string, endingFrom: IsoDate): Promise<StoredClosedPeriod[]> {
  const rows = await closedPeriodQuery(db)
    .where((eb) => eb.or([eb('closed_periods.group_id', 'is', null), eb('closed_periods.group_id', '=', groupId)]))
    .where('closed_periods.end_date', '>=', endingFrom)
    .orderBy('closed_periods.start_date')
    .execute();
  return rows.map(toClosedPeriod);
}

export async function selectClosedPeriod(db: Db, id: string): Promise<StoredClosedPeriod | null> {
  const row = await closedPeriodQuery(db).where('closed_periods.id', '=', id).executeTakeFirst();
  return row ? toClosedPeriod(row) : null;
}

export async function insertClosedPeriod(
  db: Db,
  period: { id: string; groupId: string | null; name: string; startDate: IsoDate; endDate: IsoDate },
  now: Date,
): Promise<void> {
  await db
    .insertInto('closed_periods')
    .values({
      id: period.id,
      group_id: period.groupId,
      name: period.name,
      start_date: period.startDate,
      end_date: period.endDate,
      created_at: now.toISOString(),
    })
    .execute();
}

export async function deleteClosedPeriodRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('closed_periods').where('id', '=', id).execute();
}

// ---------------------------------------------------------------------------------------------
// Intake windows

/** A group's intake windows from `quarterFrom` on, with how many enrollments point at each. */
export async function selectIntakeWindows(db: Db, groupId: string, quarterFrom: IsoDate): Promise<StoredIntakeWindow[]> {
  const rows = await db
    .selectFrom('intake_windows')
    .select((eb) => [
      'intake_windows.id',
      'intake_windows.group_id',
      'intake_windows.quarter_start',
      'intake_windows.meeting_id',
      eb
        .selectFrom('enrollments')
        .select((e) => e.fn.countAll().as('n'))
        .whereRef('enrollments.intake_window_id', '=', 'intake_windows.id')
        .as('enrollment_count'),
    ])
    .where('intake_windows.group_id', '=', groupId)
    .where('intake_windows.quarter_start', '>=', quarterFrom)
    .orderBy('intake_windows.quarter_start')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    groupId: r.group_id,
    quarterStart: r.quarter_start,
    meetingId: r.meeting_id,
    enrollmentCount: Number(r.enrollment_count ?? 0),
  }));
}

export async function insertIntakeWindow(
  db: Db,
  window: { id: string; groupId: string; quarterStart: IsoDate; meetingId: string | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('intake_windows')
    .values({
      id: window.id,
      group_id: window.groupId,
      quarter_start: window.quarterStart,
      meeting_id: window.meetingId,
      places: null,
      created_at: now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['group_id', 'quarter_start']).doNothing())
    .execute();
}

export async function setIntakeWindowMeeting(db: Db, id: string, meetingId: string | null): Promise<void> {
  await db.updateTable('intake_windows').set({ meeting_id: meetingId }).where('id', '=', id).execute();
}

export async function deleteIntakeWindows(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('intake_windows').where('id', 'in', [...ids]).execute();
}
