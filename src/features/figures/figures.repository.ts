import type { Kysely, Transaction } from 'kysely';
import { FIGURES_VERSION } from '../../lib/server/data-version';
import type { Database } from '../../lib/server/database';
import { selectMeetings } from '../../lib/server/queries';
import { meetingFromRow } from '../../lib/server/rows';
import type { GroupMeeting } from '../../lib/server/rows';
import type { IsoDate } from '../../lib/time';
import type {
  FigureAttendanceRow,
  FigureContactRow,
  FigureEnrollmentRow,
  FigureWaitRow,
  FigureFeedbackRow,
  FigureGroupRow,
  FigureMeetingRow,
  RetainedCountRow,
} from './figures';
import { OPEN_STATES, STARTED_STATES } from '../lifecycle/lifecycle';

// The year's rows for the figures page: one query per table, whatever the amount of data, so the page costs the
// same number of statements at one year of data as at ten. Instants are ISO text and compare as time on both
// SQLite and PostgreSQL; calendar dates 'YYYY-MM-DD' compare as dates.

type Db = Kysely<Database> | Transaction<Database>;

/** [from, to): the instants of the year's first and the next year's first midnight in Copenhagen. */
export interface InstantRange {
  from: Date;
  to: Date;
}

/** The figures' data version (data_versions, moved by every committed write to their tables) and the first dates
 * with data, in one statement. */
export async function selectFiguresStamp(db: Db): Promise<{ version: string; firstMeeting: string | null; firstStart: string | null }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('data_versions').select('version').where('name', '=', FIGURES_VERSION).as('version'),
      eb.selectFrom('meetings').select((s) => s.fn.min('starts_at').as('m')).as('first_meeting'),
      eb.selectFrom('enrollments').select((s) => s.fn.min('start_date').as('m')).as('first_start'),
    ])
    .executeTakeFirst();
  return { version: String(row?.version ?? 0), firstMeeting: row?.first_meeting ?? null, firstStart: row?.first_start ?? null };
}

export async function selectFigureGroups(db: Db): Promise<FigureGroupRow[]> {
  const rows = await db.selectFrom('groups').select(['id', 'name', 'capacity']).orderBy('name').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, name: r.name, capacity: Number(r.capacity) }));
}

/** Started courses running on any day from `first` to `last`, with the child's municipality and the referral date. */
export async function selectCoursesBetween(db: Db, first: IsoDate, last: IsoDate): Promise<FigureEnrollmentRow[]> {
  const rows = await db
    .selectFrom('enrollments as e')
    .innerJoin('children as c', 'c.id', 'e.child_id')
    .leftJoin('referrals as r', 'r.id', 'e.referral_id')
    .select(['e.id', 'e.child_id', 'e.group_id', 'c.municipality', 'e.start_date', 'e.ended_on', 'e.planned_end_date', 'r.received_at'])
    .where('e.state', 'in', [...STARTED_STATES])
    .where('e.start_date', 'is not', null)
    .where('e.start_date', '<=', last)
    .where((eb) => eb.or([eb('e.ended_on', 'is', null), eb('e.ended_on', '>=', first)]))
    .execute();
  return rows.map((r) => ({
    id: r.id,
    childId: r.child_id,
    groupId: r.group_id,
    municipality: r.municipality,
    startDate: r.start_date ?? first,
    endedOn: r.ended_on,
    plannedEndDate: r.planned_end_date,
    receivedAt: r.received_at === null ? null : new Date(r.received_at),
  }));
}

/** The year's courses, the waiting list's referrals and the children's guardian contacts. */
export interface YearCourseRows {
  /** Started courses running on any day of the year. */
  courses: FigureEnrollmentRow[];
  /** Courses from a referral that may have been on the waiting list on a day of the year. */
  waits: FigureWaitRow[];
  contacts: FigureContactRow[];
}

/**
 * One statement for the courses of the year, the waiting list and the families behind them: each course with its
 * referral and one row per guardian (so the page costs the same number of statements as before). Rows are a
 * superset; the pure rules decide what counts.
 */
export async function selectYearCourses(db: Db, first: IsoDate, last: IsoDate, range: InstantRange): Promise<YearCourseRows> {
  const rows = await db
    .selectFrom('enrollments as e')
    .innerJoin('children as c', 'c.id', 'e.child_id')
    .leftJoin('referrals as r', 'r.id', 'e.referral_id')
    .leftJoin('guardians as g', 'g.child_id', 'e.child_id')
    .select([
      'e.id', 'e.child_id', 'e.group_id', 'e.state', 'c.municipality', 'e.start_date', 'e.ended_on', 'e.planned_end_date',
      'e.created_at', 'e.updated_at', 'r.received_at', 'g.email', 'g.phone',
    ])
    .where((eb) =>
      eb.or([
        eb.and([
          eb('e.state', 'in', [...STARTED_STATES]),
          eb('e.start_date', 'is not', null),
          eb('e.start_date', '<=', last),
          eb.or([eb('e.ended_on', 'is', null), eb('e.ended_on', '>=', first)]),
        ]),
        eb.and([
          eb('r.received_at', '<', range.to.toISOString()),
          eb.or([eb('e.start_date', 'is', null), eb('e.start_date', '>=', first)]),
          eb.or([eb('e.state', 'in', [...OPEN_STATES, ...STARTED_STATES]), eb('e.updated_at', '>=', range.from.toISOString()), eb('e.ended_on', '>=', first)]),
        ]),
      ]),
    )
    .execute();
  const courses = new Map<string, FigureEnrollmentRow>();
  const waits = new Map<string, FigureWaitRow>();
  const contacts: FigureContactRow[] = [];
  const started = new Set<string>(STARTED_STATES);
  for (const r of rows) {
    if (r.email !== null || r.phone !== null) contacts.push({ childId: r.child_id, email: r.email, phone: r.phone });
    if (started.has(r.state) && r.start_date !== null && r.start_date <= last && (r.ended_on === null || r.ended_on >= first) && !courses.has(r.id)) {
      courses.set(r.id, {
        id: r.id,
        childId: r.child_id,
        groupId: r.group_id,
        municipality: r.municipality,
        startDate: r.start_date,
        endedOn: r.ended_on,
        plannedEndDate: r.planned_end_date,
        receivedAt: r.received_at === null ? null : new Date(r.received_at),
      });
    }
    // A course started before the year left the list before it: no wait to count.
    if (r.received_at !== null && (r.start_date === null || r.start_date >= first) && !waits.has(r.id)) {
      waits.set(r.id, {
        enrollmentId: r.id,
        childId: r.child_id,
        groupId: r.group_id,
        municipality: r.municipality,
        state: r.state,
        receivedAt: new Date(r.received_at),
        createdAt: new Date(r.created_at),
        startDate: r.start_date,
        endedOn: r.ended_on,
        updatedAt: new Date(r.updated_at),
      });
    }
  }
  return { courses: [...courses.values()], waits: [...waits.values()], contacts };
}

export async function selectMeetingsBetween(db: Db, range: InstantRange): Promise<FigureMeetingRow[]> {
  const rows = await db
    .selectFrom('meetings')
    .select(['id', 'group_id', 'starts_at', 'status'])
    .where('starts_at', '>=', range.from.toISOString())
    .where('starts_at', '<', range.to.toISOString())
    .execute();
  return rows.map((r) => ({ id: r.id, groupId: r.group_id, startsAt: new Date(r.starts_at), status: r.status }));
}

/** Marks on meetings in the range that have begun by `now`: a mark on a meeting still to come is never counted. */
export async function selectAttendanceBetween(db: Db, range: InstantRange, now: Date): Promise<FigureAttendanceRow[]> {
  const rows = await db
    .selectFrom('attendance as a')
    .innerJoin('meetings as s', 's.id', 'a.meeting_id')
    .innerJoin('enrollments as e', 'e.id', 'a.enrollment_id')
    .innerJoin('children as c', 'c.id', 'e.child_id')
    .select(['a.meeting_id', 'a.enrollment_id', 'a.status', 'c.municipality'])
    .where('s.starts_at', '>=', range.from.toISOString())
    .where('s.starts_at', '<', range.to.toISOString())
    .where('s.starts_at', '<=', now.toISOString())
    .execute();
  return rows.map((r) => ({ meetingId: r.meeting_id, enrollmentId: r.enrollment_id, status: r.status, municipality: r.municipality }));
}

export interface IntakeWindowRow {
  groupId: string;
  quarterStart: IsoDate;
  meetingStartsAt: Date | null;
}

export async function selectIntakeWindowsBetween(db: Db, first: IsoDate, last: IsoDate): Promise<IntakeWindowRow[]> {
  const rows = await db
    .selectFrom('intake_windows as w')
    .leftJoin('meetings as s', 's.id', 'w.meeting_id')
    .select(['w.group_id', 'w.quarter_start', 's.starts_at'])
    .where('w.quarter_start', '>=', first)
    .where('w.quarter_start', '<=', last)
    .execute();
  return rows.map((r) => ({
    groupId: r.group_id,
    quarterStart: r.quarter_start,
    meetingStartsAt: r.starts_at === null ? null : new Date(r.starts_at),
  }));
}

export async function selectFeedbackBetween(db: Db, range: InstantRange): Promise<FigureFeedbackRow[]> {
  const rows = await db
    .selectFrom('meeting_feedback as f')
    .innerJoin('meetings as s', 's.id', 'f.meeting_id')
    .select(['s.group_id', 's.starts_at', 'f.question', 'f.score'])
    .where('s.starts_at', '>=', range.from.toISOString())
    .where('s.starts_at', '<', range.to.toISOString())
    .execute();
  return rows.map((r) => ({ groupId: r.group_id, startsAt: new Date(r.starts_at), question: r.question, score: Number(r.score) }));
}

export interface RecentMeetingRow {
  id: string;
  groupId: string;
  groupName: string;
  startsAt: Date;
  status: 'planned' | 'cancelled' | 'moved';
}

/** Meetings starting in [from, to), newest first, for the links to attendance lists and feedback. */
export async function selectRecentMeetings(db: Db, range: InstantRange, limit: number): Promise<RecentMeetingRow[]> {
  const rows = await db
    .selectFrom('meetings as s')
    .innerJoin('groups as g', 'g.id', 's.group_id')
    .select(['s.id', 's.group_id', 'g.name', 's.starts_at', 's.status'])
    .where('s.starts_at', '>=', range.from.toISOString())
    .where('s.starts_at', '<', range.to.toISOString())
    .orderBy('s.starts_at', 'desc')
    .orderBy('s.id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, groupId: r.group_id, groupName: r.name, startsAt: new Date(r.starts_at), status: r.status }));
}

// ---------------------------------------------------------------------------------------------
// The printable attendance list

export type SheetMeetingRow = GroupMeeting;

export async function selectSheetMeeting(db: Db, meetingId: string): Promise<SheetMeetingRow | null> {
  const row = await selectMeetings(db).where('meetings.id', '=', meetingId).executeTakeFirst();
  return row ? meetingFromRow(row) : null;
}

export interface SheetMemberRow {
  enrollmentId: string;
  childId: string;
  firstName: string;
  lastName: string;
}

/** Members of a group on a date: started on or before it, not ended by it. */
export async function selectMembersOn(db: Db, groupId: string, date: IsoDate): Promise<SheetMemberRow[]> {
  const rows = await db
    .selectFrom('enrollments as e')
    .innerJoin('children as c', 'c.id', 'e.child_id')
    .select(['e.id', 'c.id as child_id', 'c.first_name', 'c.last_name'])
    .where('e.group_id', '=', groupId)
    .where('e.state', 'in', [...STARTED_STATES])
    .where('e.start_date', '<=', date)
    .where((eb) => eb.or([eb('e.ended_on', 'is', null), eb('e.ended_on', '>', date)]))
    .orderBy('c.first_name')
    .orderBy('c.last_name')
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({ enrollmentId: r.id, childId: r.child_id, firstName: r.first_name, lastName: r.last_name }));
}

/** Counts kept for the year after children's records were deleted by the retention job. */
export async function selectRetainedCounts(db: Db, year: number): Promise<RetainedCountRow[]> {
  const rows = await db.selectFrom('yearly_counts').select(['group_id', 'municipality', 'metric', 'value']).where('year', '=', year).execute();
  return rows.map((r) => ({ groupId: r.group_id, municipality: r.municipality, metric: r.metric, value: Number(r.value) }));
}
