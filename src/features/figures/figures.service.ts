import { selectEndedProgress } from '../course/course.repository';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { ForbiddenError, NotFoundError } from '../../lib/errors';
import type { IsoDate } from '../../lib/time';
import { addDays, instantToZoned, todayInZone, zonedToInstant } from '../../lib/time';
import type { Actor } from '../auth/auth';
import { recordAudit } from '../audit/audit.service';
import { isLeaderOf } from '../groups/groups.repository';
import type { FigureTable, FigureTableKey, YearlyFigureSet } from './figures';
import type { FigureCharts, MemoFigures, ProgressFigures } from './figures';
import {
  computeYearlyFigures, figureCharts, figuresStaleAt, figureTables, memoFigures, memoTables, pickYear, progressFigures, progressTable, yearBounds, yearsWithData,
} from './figures';
import {
  selectAttendanceBetween,
  selectFeedbackBetween,
  selectFigureGroups,
  selectFiguresStamp,
  selectIntakeWindowsBetween,
  selectMembersOn,
  selectRecentMeetings,
  selectRetainedCounts,
  selectMeetingsBetween,
  selectSheetMeeting,
  selectYearCourses,
  type RecentMeetingRow,
} from './figures.repository';

type Db = Kysely<Database> | Transaction<Database>;

export interface YearlyFiguresPage {
  year: number;
  years: number[];
  figures: YearlyFigureSet;
  /** The memo's figures (002): families, group runs, the waiting list per month, the longest wait. */
  memo: MemoFigures;
  progress: ProgressFigures;
  tables: FigureTable[];
  /** What the page's charts draw. */
  charts: FigureCharts;
  /** Meetings from five weeks back to two weeks ahead, for the attendance-list and feedback links. */
  recentMeetings: RecentMeetingRow[];
  /** From this instant the same data would show differently (a meeting begins, a new day): see figuresStaleAt. */
  staleAt: Date;
}

/** Which year's figures, on which version of the data: what a page built from them may be kept under. */
export interface FiguresStamp {
  year: number;
  years: number[];
  /** Differs whenever the year or any data behind the figures does (a committed write moves data_versions). */
  key: string;
}

const RECENT_DAYS_BACK = 35;
const RECENT_DAYS_AHEAD = 14;
const RECENT_LIMIT = 30;

function assertCoordinator(actor: Actor): void {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan se tal og statistik.');
}

/**
 * Every yearly figure for one year (per group and municipality), with the tables behind the page and the CSV files.
 * `year` is what the page was asked for (`?aar=`); an unknown year falls back to this year. A fixed number of
 * queries, whatever the amount of data; the read is audited once.
 */
export async function yearlyFigures(db: Kysely<Database>, actor: Actor, year: string | number | null, now: Date): Promise<YearlyFiguresPage> {
  const stamp = await yearlyFiguresStamp(db, actor, year, now);
  return loadYearlyFigures(db, actor, stamp, now);
}

/**
 * The first step of a figures page: who may see it, which year, and the data version, in one query; the read is
 * audited here. A page rendered for the same stamp (and before its staleAt) may be shown again as it was;
 * otherwise `loadYearlyFigures` counts the year.
 */
export async function yearlyFiguresStamp(db: Kysely<Database>, actor: Actor, year: string | number | null, now: Date): Promise<FiguresStamp> {
  assertCoordinator(actor);
  const stamp = await stampOf(db, year === null ? null : String(year), now);
  await recordAudit(db, actor, [{ action: 'read', entityType: 'figures', entityId: String(stamp.year) }], now);
  return stamp;
}

/** The year's figures for a stamp from `yearlyFiguresStamp` (not audited again). */
export async function loadYearlyFigures(db: Kysely<Database>, actor: Actor, stamp: FiguresStamp, now: Date): Promise<YearlyFiguresPage> {
  assertCoordinator(actor);
  return loadYear(db, stamp, now);
}

/** One table of the year's figures, for the CSV export (audited as an export). */
export async function yearlyFiguresTable(
  db: Kysely<Database>,
  actor: Actor,
  key: FigureTableKey,
  year: string | null,
  now: Date,
): Promise<{ year: number; table: FigureTable }> {
  assertCoordinator(actor);
  const page = await loadYear(db, await stampOf(db, year, now), now);
  const table = page.tables.find((t) => t.key === key);
  if (!table) throw new NotFoundError('Tabellen findes ikke.');
  await recordAudit(db, actor, [{ action: 'export', entityType: 'figures', entityId: `${page.year}/${key}` }], now);
  return { year: page.year, table };
}

async function stampOf(db: Db, year: string | null, now: Date): Promise<FiguresStamp> {
  const row = await selectFiguresStamp(db);
  const years = yearsWithData([row.firstMeeting === null ? null : instantToZoned(new Date(row.firstMeeting)).date, row.firstStart], now);
  const chosen = pickYear(year, years, now);
  return { year: chosen, years, key: `${chosen}@${row.version}` };
}

async function loadYear(db: Db, stamp: FiguresStamp, now: Date): Promise<YearlyFiguresPage> {
  const { year: chosen, years } = stamp;
  const { first: firstDay, last: lastDay } = yearBounds(chosen);
  const range = { from: zonedToInstant(firstDay, '00:00'), to: zonedToInstant(addDays(lastDay, 1), '00:00') };
  const today = todayInZone(now);
  const recentRange = {
    from: zonedToInstant(addDays(today, -RECENT_DAYS_BACK), '00:00'),
    to: zonedToInstant(addDays(today, RECENT_DAYS_AHEAD + 1), '00:00'),
  };

  const [groups, yearCourses, meetings, attendance, windows, feedback, recentMeetings, retained] = await Promise.all([
    selectFigureGroups(db),
    selectYearCourses(db, firstDay, lastDay, range),
    selectMeetingsBetween(db, range),
    selectAttendanceBetween(db, range, now),
    selectIntakeWindowsBetween(db, firstDay, lastDay),
    selectFeedbackBetween(db, range),
    selectRecentMeetings(db, recentRange, RECENT_LIMIT),
    selectRetainedCounts(db, chosen),
  ]);
  groups.sort((a, b) => a.name.localeCompare(b.name, 'da') || a.id.localeCompare(b.id));

  const figures = computeYearlyFigures({
    year: chosen,
    now,
    groups,
    enrollments: yearCourses.courses,
    meetings,
    attendance,
    intakeWindows: windows.map((w) => ({
      groupId: w.groupId,
      quarterStart: w.quarterStart,
      meetingDate: w.meetingStartsAt === null ? null : instantToZoned(w.meetingStartsAt).date,
    })),
    feedback,
    retained,
  });
  const staleAt = figuresStaleAt(meetings.map((s) => s.startsAt), now);
  const progress = progressFigures(groups, await selectEndedProgress(db, firstDay, addDays(lastDay, 1)), retained);
  const memo = memoFigures({ year: chosen, now, groups, courses: yearCourses.courses, waits: yearCourses.waits, contacts: yearCourses.contacts, retained });
  const tables = [...figureTables(figures), progressTable(progress), ...memoTables(memo)];
  return { year: chosen, years, figures, memo, progress, tables, charts: figureCharts(figures, memo), recentMeetings, staleAt };
}

// ---------------------------------------------------------------------------------------------
// The printable attendance list (paper fallback)

export interface AttendanceSheet {
  meetingId: string;
  groupId: string;
  groupName: string;
  date: IsoDate;
  startsAt: Date;
  endsAt: Date;
  place: string;
  cancelled: boolean;
  members: { enrollmentId: string; name: string }[];
}

/** The group's members on the meeting's date with full names, for printing. Leaders of the group and coordinators. */
export async function attendanceSheet(db: Kysely<Database>, actor: Actor, meetingId: string, now: Date): Promise<AttendanceSheet> {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') throw new ForbiddenError();
  const meeting = await selectSheetMeeting(db, meetingId);
  if (!meeting) throw new NotFoundError('Mødet findes ikke.');
  if (actor.user.role === 'leader' && !(await isLeaderOf(db, actor.user.id, meeting.groupId))) {
    throw new ForbiddenError('Du kan kun udskrive lister for de grupper, du selv er leder af.');
  }
  const date = instantToZoned(meeting.startsAt).date;
  const members = (await selectMembersOn(db, meeting.groupId, date)).sort(
    (a, b) => a.firstName.localeCompare(b.firstName, 'da') || a.lastName.localeCompare(b.lastName, 'da'),
  );
  // Full names of children on paper: each child's record counts as read.
  await recordAudit(
    db,
    actor,
    members.map((m) => ({ action: 'read' as const, entityType: 'attendance_sheet', entityId: meeting.id, childId: m.childId })),
    now,
  );
  return {
    meetingId: meeting.id,
    groupId: meeting.groupId,
    groupName: meeting.groupName,
    date,
    startsAt: meeting.startsAt,
    endsAt: meeting.endsAt,
    place: meeting.place,
    cancelled: meeting.status === 'cancelled',
    members: members.map((m) => ({ enrollmentId: m.enrollmentId, name: `${m.firstName} ${m.lastName}` })),
  };
}
