// Yearly figures: pure arithmetic over the year's rows (no I/O; `now` passed in). The repository fetches the rows
// with a fixed number of queries; everything here is counting, so it is tested without a database.
import type { Municipality } from '../../lib/server/database';
import { MUNICIPALITY_LABELS } from '../auth/auth';
import type { IsoDate } from '../../lib/time';
import { addDays, daysBetween, daysInMonth, formatShortDate, instantToZoned, isoDate, monthName, zonedToInstant } from '../../lib/time';
import type { CsvDate, CsvValue } from '../../lib/csv';
import { csvDate } from '../../lib/csv';
import { formatNumber } from '../../lib/numbers';
import { FEEDBACK_QUESTIONS } from '../feedback/feedback';
import { cellText, progressCounts, SMALL_CELL, type ProgressAnswer, type ProgressCounts } from '../course/course';
import { isEnrollmentState, isFinalState, STATES } from '../lifecycle/lifecycle';

export const MUNICIPALITIES: readonly Municipality[] = ['ishoj', 'vallensbaek'];

/**
 * How a course ended, in fixed categories read from dates alone. The free text a leader writes at the end ("Fatima
 * har fået meget ud af gruppen…") names children and stays on the case: figures and their CSV never show it.
 */
export type EndCategory = 'moved' | 'as_planned' | 'early' | 'open_ended';

export const END_CATEGORY_LABELS: Record<EndCategory, string> = {
  moved: 'Flyttet til en anden gruppe',
  as_planned: 'Sluttede til planlagt tid',
  early: 'Sluttede før planlagt tid',
  open_ended: 'Sluttede (ingen planlagt slutdato)',
};

/** A course counts as ended on time when it ended at most this many days before its planned end. */
const ON_TIME_DAYS = 14;

/**
 * The category of an ended course. "Moved": the same child started in another group within a month of the end
 * (a child of the children's band who turned 13, say); otherwise by the planned end date.
 */
export function endCategory(course: FigureEnrollmentRow, childsCourses: readonly FigureEnrollmentRow[]): EndCategory {
  const endedOn = course.endedOn;
  if (endedOn === null) return 'open_ended';
  const moved = childsCourses.some((o) => o.childId === course.childId && o.groupId !== course.groupId && o.startDate >= addDays(endedOn, -1) && o.startDate <= addDays(endedOn, 31));
  if (moved) return 'moved';
  if (course.plannedEndDate === null) return 'open_ended';
  return endedOn >= addDays(course.plannedEndDate, -ON_TIME_DAYS) ? 'as_planned' : 'early';
}

// ---------------------------------------------------------------------------------------------
// Input rows

export interface FigureGroupRow {
  id: string;
  name: string;
  capacity: number;
}

/** A started course, with the child's municipality and when its referral came in. */
export interface FigureEnrollmentRow {
  id: string;
  childId: string;
  groupId: string;
  municipality: Municipality;
  startDate: IsoDate;
  endedOn: IsoDate | null;
  plannedEndDate: IsoDate | null;
  /** When the referral was received; null if the course has no referral. */
  receivedAt: Date | null;
}

export interface FigureMeetingRow {
  id: string;
  groupId: string;
  startsAt: Date;
  status: 'planned' | 'cancelled' | 'moved';
}

export interface FigureAttendanceRow {
  meetingId: string;
  enrollmentId: string;
  municipality: Municipality;
  status: 'present' | 'excused' | 'absent';
}

export interface FigureIntakeWindowRow {
  groupId: string;
  quarterStart: IsoDate;
  /** The date of the meeting new members start at, when the window has one. */
  meetingDate: IsoDate | null;
}

export interface FigureFeedbackRow {
  groupId: string;
  startsAt: Date;
  question: string;
  score: number;
}

/** Counts kept after a child's personal data was deleted (yearly_counts): courses, children, new_starts, ended,
 * wait_count and wait_days_total are added; other metrics are ignored. */
export interface RetainedCountRow {
  groupId: string | null;
  municipality: Municipality | null;
  metric: string;
  value: number;
}

export interface FigureInput {
  year: number;
  now: Date;
  groups: FigureGroupRow[];
  enrollments: FigureEnrollmentRow[];
  meetings: FigureMeetingRow[];
  attendance: FigureAttendanceRow[];
  intakeWindows: FigureIntakeWindowRow[];
  feedback: FigureFeedbackRow[];
  retained?: RetainedCountRow[];
}

// ---------------------------------------------------------------------------------------------
// Output

export interface FigureCell {
  courses: number;
  children: number;
  newStarts: number;
  ended: number;
  present: number;
  excused: number;
  absent: number;
  /** Active members at a held meeting with no mark at all. */
  notRegistered: number;
  /** present ÷ (present + excused + absent); null with no marks. */
  attendanceRate: number | null;
  /** Courses started this year with a referral date. */
  waits: number;
  averageWaitDays: number | null;
  longestWaitDays: number | null;
}

export interface MeetingCounts {
  held: number;
  cancelled: number;
  /** Not cancelled and not begun yet. */
  upcoming: number;
}

export interface EndReasonCount {
  reason: string;
  count: number;
}

export interface FigureBlock {
  byMunicipality: Record<Municipality, FigureCell>;
  total: FigureCell;
  meetings: MeetingCounts;
  endReasons: EndReasonCount[];
}

export interface GroupFigures extends FigureBlock {
  groupId: string;
  name: string;
  capacity: number;
}

export interface MonthRate {
  month: number;
  present: number;
  registered: number;
  rate: number | null;
}

export interface GroupMonthlyAttendance {
  groupId: string;
  name: string;
  months: MonthRate[];
}

export interface QuarterWait {
  quarter: 1 | 2 | 3 | 4;
  starts: number;
  averageDays: number | null;
  longestDays: number | null;
}

export interface IntakeOccupancy {
  groupId: string;
  groupName: string;
  date: IsoDate;
  capacity: number;
  active: number;
  free: number;
  upcoming: boolean;
}

export interface FeedbackMonth {
  month: number;
  answers: number;
  /** Average score 1-3 per question key; null with no answers. */
  averages: Record<string, number | null>;
}

export interface GroupFeedbackTrend {
  groupId: string;
  name: string;
  months: FeedbackMonth[];
}

export interface YearlyFigureSet {
  year: number;
  groups: GroupFigures[];
  totals: FigureBlock;
  monthlyAttendance: GroupMonthlyAttendance[];
  quarterlyWait: QuarterWait[];
  intakeWindows: IntakeOccupancy[];
  feedbackTrend: GroupFeedbackTrend[];
  /** True when counts of deleted children were added to courses and children. */
  includesRetained: boolean;
}

// ---------------------------------------------------------------------------------------------
// Rules

export function yearBounds(year: number): { first: IsoDate; last: IsoDate } {
  return { first: isoDate(year, 1, 1), last: isoDate(year, 12, 31) };
}

/** A course counts in a year when it was running on any day of it. */
export function courseOverlapsYear(e: Pick<FigureEnrollmentRow, 'startDate' | 'endedOn'>, year: number): boolean {
  const { first, last } = yearBounds(year);
  return e.startDate <= last && (e.endedOn === null || e.endedOn >= first);
}

/** A member on a date: started on or before it and not ended by it (the end date is the first day outside). */
export function isActiveOn(e: Pick<FigureEnrollmentRow, 'startDate' | 'endedOn'>, date: IsoDate): boolean {
  return e.startDate <= date && (e.endedOn === null || date < e.endedOn);
}

/** Whole days from the day the referral came in (Copenhagen) to the start date; never negative. */
export function waitDays(receivedAt: Date, startDate: IsoDate): number {
  return Math.max(0, daysBetween(instantToZoned(receivedAt).date, startDate));
}

export function quarterOf(date: IsoDate): 1 | 2 | 3 | 4 {
  return (Math.floor((Number(date.slice(5, 7)) - 1) / 3) + 1) as 1 | 2 | 3 | 4;
}

function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

function monthOf(date: IsoDate): number {
  return Number(date.slice(5, 7));
}

/** A cell's counts while they are summed: the children as a set (one child counts once), the waits as a total. */
interface Tally extends Pick<FigureCell, 'courses' | 'newStarts' | 'ended' | 'present' | 'excused' | 'absent' | 'notRegistered' | 'waits'> {
  children: Set<string>;
  waitTotal: number;
  longest: number | null;
  retainedChildren: number;
}

function emptyTally(): Tally {
  return {
    courses: 0, children: new Set(), newStarts: 0, ended: 0, present: 0, excused: 0, absent: 0, notRegistered: 0,
    waits: 0, waitTotal: 0, longest: null, retainedChildren: 0,
  };
}

function cellOf(t: Tally): FigureCell {
  const registered = t.present + t.excused + t.absent;
  return {
    courses: t.courses,
    children: t.children.size + t.retainedChildren,
    newStarts: t.newStarts,
    ended: t.ended,
    present: t.present,
    excused: t.excused,
    absent: t.absent,
    notRegistered: t.notRegistered,
    attendanceRate: registered === 0 ? null : t.present / registered,
    waits: t.waits,
    averageWaitDays: t.waits === 0 ? null : t.waitTotal / t.waits,
    longestWaitDays: t.longest,
  };
}

/** Tallies for one group (or all): per municipality and in total. */
class BlockTally {
  readonly byMunicipality: Record<Municipality, Tally> = { ishoj: emptyTally(), vallensbaek: emptyTally() };
  readonly total = emptyTally();
  readonly meetings: MeetingCounts = { held: 0, cancelled: 0, upcoming: 0 };
  readonly endReasons = new Map<string, number>();

  each(municipality: Municipality, fn: (t: Tally) => void): void {
    fn(this.byMunicipality[municipality]);
    fn(this.total);
  }

  block(): FigureBlock {
    return {
      byMunicipality: { ishoj: cellOf(this.byMunicipality.ishoj), vallensbaek: cellOf(this.byMunicipality.vallensbaek) },
      total: cellOf(this.total),
      meetings: { ...this.meetings },
      endReasons: [...this.endReasons.entries()]
        .map(([reason, count]) => ({ reason, count }))
        .sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason, 'da')),
    };
  }
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The Copenhagen calendar date of an instant, remembered per instant. */
function copenhagenDates(): (at: Date) => IsoDate {
  const seen = new Map<number, IsoDate>();
  return (at) => {
    const key = at.getTime();
    let date = seen.get(key);
    if (date === undefined) {
      date = instantToZoned(at).date;
      seen.set(key, date);
    }
    return date;
  };
}

/** Every yearly figure from the year's rows. Rows outside the year are ignored, so callers may pass more. */
export function computeYearlyFigures(input: FigureInput): YearlyFigureSet {
  const { year, now } = input;
  const groupTallies = new Map(input.groups.map((g) => [g.id, new BlockTally()]));
  const all = new BlockTally();
  // Time-zone conversion is the costly step here: once per meeting, not once per mark.
  const dateOf = copenhagenDates();
  const meetingYear = (s: FigureMeetingRow): number => yearOf(dateOf(s.startsAt));

  // Courses, children, starts, ends, waits.
  const courses = input.enrollments.filter((e) => courseOverlapsYear(e, year));
  const coursesByChild = new Map<string, FigureEnrollmentRow[]>();
  for (const e of input.enrollments) {
    const list = coursesByChild.get(e.childId);
    if (list) list.push(e);
    else coursesByChild.set(e.childId, [e]);
  }
  const quarterWaits = new Map<number, number[]>();
  for (const e of courses) {
    const group = groupTallies.get(e.groupId);
    const started = yearOf(e.startDate) === year;
    const wait = started && e.receivedAt !== null ? waitDays(e.receivedAt, e.startDate) : null;
    const ended = e.endedOn !== null && yearOf(e.endedOn) === year;
    for (const block of group ? [group, all] : [all]) {
      block.each(e.municipality, (t) => {
        t.courses += 1;
        t.children.add(e.childId);
        if (started) t.newStarts += 1;
        if (ended) t.ended += 1;
        if (wait !== null) {
          t.waits += 1;
          t.waitTotal += wait;
          t.longest = Math.max(t.longest ?? 0, wait);
        }
      });
      if (ended) {
        const reason = END_CATEGORY_LABELS[endCategory(e, coursesByChild.get(e.childId) ?? [])];
        block.endReasons.set(reason, (block.endReasons.get(reason) ?? 0) + 1);
      }
    }
    if (wait !== null) pushTo(quarterWaits, quarterOf(e.startDate), wait);
  }

  // Meetings held and cancelled; marks and missing marks on the meetings held.
  const yearMeetings = input.meetings.filter((s) => meetingYear(s) === year);
  const heldMeetings = new Map<string, FigureMeetingRow>();
  for (const s of yearMeetings) {
    const kind: keyof MeetingCounts =
      s.status === 'cancelled' ? 'cancelled' : s.startsAt.getTime() <= now.getTime() ? 'held' : 'upcoming';
    if (kind === 'held') heldMeetings.set(s.id, s);
    const group = groupTallies.get(s.groupId);
    if (group) group.meetings[kind] += 1;
    all.meetings[kind] += 1;
  }

  const marked = new Set<string>();
  const monthly = new Map<string, { present: number; registered: number }[]>();
  for (const a of input.attendance) {
    const meeting = heldMeetings.get(a.meetingId);
    if (!meeting) continue;
    marked.add(`${a.meetingId}|${a.enrollmentId}`);
    const group = groupTallies.get(meeting.groupId);
    for (const block of group ? [group, all] : [all]) {
      block.each(a.municipality, (t) => {
        t[a.status] += 1;
      });
    }
    const months = monthly.get(meeting.groupId) ?? Array.from({ length: 12 }, () => ({ present: 0, registered: 0 }));
    monthly.set(meeting.groupId, months);
    const m = months[monthOf(dateOf(meeting.startsAt)) - 1];
    if (m) {
      m.registered += 1;
      if (a.status === 'present') m.present += 1;
    }
  }

  const coursesByGroup = new Map<string, FigureEnrollmentRow[]>();
  for (const e of courses) pushTo(coursesByGroup, e.groupId, e);
  for (const s of heldMeetings.values()) {
    const date = dateOf(s.startsAt);
    const group = groupTallies.get(s.groupId);
    for (const e of coursesByGroup.get(s.groupId) ?? []) {
      if (!isActiveOn(e, date) || marked.has(`${s.id}|${e.id}`)) continue;
      for (const block of group ? [group, all] : [all]) block.each(e.municipality, (t) => (t.notRegistered += 1));
    }
  }

  // Counts kept for children whose records were deleted (yearly_counts). A deleted child counted in two groups
  // counts twice in the all-groups total: the kept counts cannot tell children apart. Attendance marks are not
  // added (the page's excused/absent split cannot be rebuilt from them); the longest wait is kept as a maximum.
  const retained = input.retained ?? [];
  for (const r of retained) {
    const group = r.groupId === null ? undefined : groupTallies.get(r.groupId);
    for (const block of group ? [group, all] : [all]) {
      const targets = r.municipality ? [block.byMunicipality[r.municipality], block.total] : [block.total];
      for (const t of targets) {
        if (r.metric === 'courses') t.courses += r.value;
        else if (r.metric === 'children') t.retainedChildren += r.value;
        else if (r.metric === 'new_starts') t.newStarts += r.value;
        else if (r.metric === 'ended') t.ended += r.value;
        else if (r.metric === 'wait_count') t.waits += r.value;
        else if (r.metric === 'wait_days_total') t.waitTotal += r.value;
        else if (r.metric === 'wait_longest') t.longest = Math.max(t.longest ?? 0, r.value);
      }
    }
  }

  const groups: GroupFigures[] = input.groups.map((g) => ({
    groupId: g.id,
    name: g.name,
    capacity: g.capacity,
    ...(groupTallies.get(g.id) ?? new BlockTally()).block(),
  }));

  const monthlyAttendance: GroupMonthlyAttendance[] = input.groups.map((g) => ({
    groupId: g.id,
    name: g.name,
    months: (monthly.get(g.id) ?? Array.from({ length: 12 }, () => ({ present: 0, registered: 0 }))).map((m, i) => ({
      month: i + 1,
      present: m.present,
      registered: m.registered,
      rate: m.registered === 0 ? null : m.present / m.registered,
    })),
  }));

  const quarterlyWait: QuarterWait[] = ([1, 2, 3, 4] as const).map((quarter) => {
    const waits = quarterWaits.get(quarter) ?? [];
    return {
      quarter,
      starts: waits.length,
      averageDays: waits.length === 0 ? null : waits.reduce((a, b) => a + b, 0) / waits.length,
      longestDays: waits.length === 0 ? null : Math.max(...waits),
    };
  });

  const today = instantToZoned(now).date;
  const groupById = new Map(input.groups.map((g) => [g.id, g]));
  const intakeWindows: IntakeOccupancy[] = input.intakeWindows
    .map((w) => ({ w, date: w.meetingDate ?? w.quarterStart }))
    .filter(({ date }) => yearOf(date) === year)
    .flatMap(({ w, date }) => {
      const group = groupById.get(w.groupId);
      if (!group) return [];
      // A member on a day of the year is a course running in the year: the same per-group lists serve.
      const active = (coursesByGroup.get(w.groupId) ?? []).filter((e) => isActiveOn(e, date)).length;
      return [{ groupId: group.id, groupName: group.name, date, capacity: group.capacity, active, free: group.capacity - active, upcoming: date > today }];
    })
    .sort((a, b) => a.groupName.localeCompare(b.groupName, 'da') || a.date.localeCompare(b.date));

  return {
    year,
    groups,
    totals: all.block(),
    monthlyAttendance,
    quarterlyWait,
    intakeWindows,
    feedbackTrend: feedbackTrend(input.groups, input.feedback, year, dateOf),
    includesRetained: retained.length > 0,
  };
}

/** Average answer per question per month, for the months that have answers. */
export function feedbackTrend(
  groups: FigureGroupRow[],
  rows: FigureFeedbackRow[],
  year: number,
  dateOf: (at: Date) => IsoDate = copenhagenDates(),
): GroupFeedbackTrend[] {
  return groups.map((g) => {
    const byMonth = new Map<number, Map<string, number[]>>();
    for (const r of rows) {
      if (r.groupId !== g.id) continue;
      const date = dateOf(r.startsAt);
      if (yearOf(date) !== year) continue;
      const questions = byMonth.get(monthOf(date)) ?? new Map<string, number[]>();
      byMonth.set(monthOf(date), questions);
      pushTo(questions, r.question, r.score);
    }
    const months = [...byMonth.entries()]
      .sort(([a], [b]) => a - b)
      .map(([month, questions]) => {
        const averages: Record<string, number | null> = {};
        let answers = 0;
        for (const q of FEEDBACK_QUESTIONS) {
          const scores = questions.get(q.key) ?? [];
          answers = Math.max(answers, scores.length);
          averages[q.key] = scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length;
        }
        return { month, answers, averages };
      });
    return { groupId: g.id, name: g.name, months };
  });
}

/**
 * The first instant after `now` at which the same rows would give a different page: the next meeting begins (it
 * moves from coming to held), or a new day begins in Copenhagen (the recent meetings, the links to the children's
 * answers, coming intakes, and the year list on New Year's Day).
 */
export function figuresStaleAt(meetingStarts: Date[], now: Date): Date {
  let next = zonedToInstant(addDays(instantToZoned(now).date, 1), '00:00').getTime();
  const at = now.getTime();
  for (const start of meetingStarts) {
    const t = start.getTime();
    if (t > at && t < next) next = t;
  }
  return new Date(next);
}

/** The years the picker offers: from the first year with data to this year (this year alone with no data). */
export function yearsWithData(firstDates: (IsoDate | null)[], now: Date): number[] {
  const thisYear = yearOf(instantToZoned(now).date);
  const years = firstDates.filter((d): d is IsoDate => d !== null).map(yearOf).filter((y) => y <= thisYear);
  const first = years.length === 0 ? thisYear : Math.min(...years);
  return Array.from({ length: thisYear - first + 1 }, (_, i) => thisYear - i);
}

/** The year asked for in `?aar=`, if it is one of the offered years; else this year. */
export function pickYear(value: string | null, years: number[], now: Date): number {
  const wanted = Number(value);
  if (value !== null && /^\d{4}$/.test(value) && years.includes(wanted)) return wanted;
  return yearOf(instantToZoned(now).date);
}

// ---------------------------------------------------------------------------------------------
// Tables: the same rows feed the page and the CSV export.

export type FigureCellValue = CsvValue;

export interface FigureTable {
  key: FigureTableKey;
  title: string;
  headers: string[];
  rows: FigureCellValue[][];
  /** Rows that are sums (shown in bold in HTML). */
  totalRows: Set<number>;
}

export const FIGURE_TABLE_KEYS = [
  'forloeb', 'fremmoede', 'moeder', 'afslutninger', 'optag', 'fremmoede-maaned', 'ventetid-kvartal', 'feedback', 'fremgang',
  'familier', 'venteliste',
] as const;
export type FigureTableKey = (typeof FIGURE_TABLE_KEYS)[number];

export function isFigureTableKey(value: string): value is FigureTableKey {
  return (FIGURE_TABLE_KEYS as readonly string[]).includes(value);
}

/** A share 0-1 as a percentage with one decimal, or null. */
export function percent(rate: number | null): number | null {
  return rate === null ? null : Math.round(rate * 1000) / 10;
}

/** Days with one decimal, or null. */
export function roundDays(days: number | null): number | null {
  return days === null ? null : Math.round(days * 10) / 10;
}

const TOTAL = 'I alt';
const ALL_GROUPS = 'Alle grupper';

function blocksWithNames(set: YearlyFigureSet): { name: string; block: FigureBlock; isTotal: boolean }[] {
  return [
    ...set.groups.map((g) => ({ name: g.name, block: g as FigureBlock, isTotal: false })),
    { name: ALL_GROUPS, block: set.totals, isTotal: true },
  ];
}

export function figureTables(set: YearlyFigureSet): FigureTable[] {
  const split = (fn: (cell: FigureCell) => FigureCellValue[]): FigureCellValue[][] =>
    blocksWithNames(set).flatMap(({ name, block }) => [
      ...MUNICIPALITIES.map((m) => [name, MUNICIPALITY_LABELS[m], ...fn(block.byMunicipality[m])]),
      [name, TOTAL, ...fn(block.total)],
    ]);
  const sums = (rows: FigureCellValue[][]): Set<number> =>
    new Set(rows.flatMap((r, i) => (r[0] === ALL_GROUPS || r[1] === TOTAL ? [i] : [])));
  const courses = split((c) => [c.courses, c.children, c.newStarts, c.ended, roundDays(c.averageWaitDays), c.longestWaitDays]);
  const attendance = split((c) => [c.present, c.excused, c.absent, percent(c.attendanceRate), c.notRegistered]);
  const blocks = blocksWithNames(set);

  return [
    {
      key: 'forloeb',
      title: 'Forløb og børn',
      headers: ['Gruppe', 'Kommune', 'Forløb', 'Børn', 'Nye forløb', 'Afsluttede forløb', 'Gns. ventetid (dage)', 'Længste ventetid (dage)'],
      rows: courses,
      totalRows: sums(courses),
    },
    {
      key: 'fremmoede',
      title: 'Fremmøde',
      headers: ['Gruppe', 'Kommune', 'Mødt', 'Afbud', 'Udeblevet', 'Fremmøde (%)', 'Ikke registreret'],
      rows: attendance,
      totalRows: sums(attendance),
    },
    {
      key: 'moeder',
      title: 'Møder',
      headers: ['Gruppe', 'Holdt', 'Aflyst', 'Kommende'],
      rows: blocks.map(({ name, block }) => [name, block.meetings.held, block.meetings.cancelled, block.meetings.upcoming]),
      totalRows: new Set([blocks.length - 1]),
    },
    {
      key: 'afslutninger',
      title: 'Afsluttede forløb og hvorfor',
      headers: ['Gruppe', 'Grund', 'Antal'],
      rows: blocks.flatMap(({ name, block }) => block.endReasons.map((r) => [name, r.reason, r.count])),
      totalRows: new Set(),
    },
    {
      key: 'optag',
      title: 'Ledige pladser ved optag',
      headers: ['Gruppe', 'Dato', 'Pladser', 'I gruppen', 'Ledige pladser'],
      rows: set.intakeWindows.map((w) => [w.groupName, csvDate(w.date), w.capacity, w.active, w.free]),
      totalRows: new Set(),
    },
    {
      key: 'fremmoede-maaned',
      title: 'Fremmøde pr. måned',
      headers: ['Gruppe', 'Måned', 'Mødt', 'Registreret', 'Fremmøde (%)'],
      rows: set.monthlyAttendance.flatMap((g) =>
        g.months.filter((m) => m.registered > 0).map((m) => [g.name, monthName(m.month, 'da'), m.present, m.registered, percent(m.rate)]),
      ),
      totalRows: new Set(),
    },
    {
      key: 'ventetid-kvartal',
      title: 'Ventetid pr. kvartal',
      headers: ['Kvartal', 'Startet', 'Gns. ventetid (dage)', 'Længste ventetid (dage)'],
      rows: set.quarterlyWait.map((q) => [`${q.quarter}. kvartal`, q.starts, roundDays(q.averageDays), q.longestDays]),
      totalRows: new Set(),
    },
    {
      key: 'feedback',
      title: 'Børnenes svar efter møderne',
      headers: ['Gruppe', 'Måned', ...FEEDBACK_QUESTIONS.map((q) => `${q.text} (gns. 1-3)`), 'Svar'],
      rows: set.feedbackTrend.flatMap((g) =>
        g.months.map((m) => [
          g.name,
          monthName(m.month, 'da'),
          ...FEEDBACK_QUESTIONS.map((q) => roundDays(m.averages[q.key] ?? null)),
          m.answers,
        ]),
      ),
      totalRows: new Set(),
    },
  ];
}

/** A table cell as text for the page: decimal comma, Danish dates, a dash for nothing. */
export function formatFigure(value: FigureCellValue): string {
  if (value === null) return '–';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return formatShortDate((value as CsvDate).date, 'da');
}

export function csvFileName(key: FigureTableKey, year: number): string {
  return `tal-${key}-${year}.csv`;
}

// ---------------------------------------------------------------------------------------------
// Progress on the scales (issue 15): courses that ended in the year, start against end, counts only

export interface FigureProgressRow extends ProgressAnswer {
  enrollmentId: string;
  groupId: string;
  municipality: Municipality;
  occasion: 'intake' | 'closing' | 'meeting';
}

/** One figure per municipality and in total. */
export interface SplitBlock<T> {
  byMunicipality: Record<Municipality, T>;
  total: T;
}

/** One block per group and one for all groups. */
export interface SplitFigures<T> {
  groups: { groupId: string; name: string; block: SplitBlock<T> }[];
  all: SplitBlock<T>;
}

/** Moved up / stayed / moved down, per municipality and in total. */
export type ProgressBlock = SplitBlock<ProgressCounts>;
export type ProgressFigures = SplitFigures<ProgressCounts>;

function emptyProgressBlock(): ProgressBlock {
  return { byMunicipality: { ishoj: { up: 0, same: 0, down: 0 }, vallensbaek: { up: 0, same: 0, down: 0 } }, total: { up: 0, same: 0, down: 0 } };
}

/** The kept counts' names for the three movements (yearly_counts, year of the course's end). */
const PROGRESS_METRICS: Record<keyof ProgressCounts, `progress_${keyof ProgressCounts}`> = { up: 'progress_up', same: 'progress_same', down: 'progress_down' };

/** How one ended course moved (child's answers, else the parent's), or null with nothing to compare. */
export function courseMovement(rows: readonly (ProgressAnswer & { occasion: FigureProgressRow['occasion'] })[]): keyof ProgressCounts | null {
  const counts = progressCounts([{ start: rows.filter((r) => r.occasion === 'intake'), end: rows.filter((r) => r.occasion === 'closing') }]);
  return counts.up > 0 ? 'up' : counts.same > 0 ? 'same' : counts.down > 0 ? 'down' : null;
}

export function progressMetric(m: keyof ProgressCounts): `progress_${keyof ProgressCounts}` {
  return PROGRESS_METRICS[m];
}

/**
 * How many children moved up, stayed or moved down between the intake and the closing conversation (courses that
 * ended in the year), per group and municipality, with the kept counts of children deleted since.
 */
export function progressFigures(
  groups: readonly { id: string; name: string }[],
  rows: readonly FigureProgressRow[],
  retained: readonly RetainedCountRow[] = [],
): ProgressFigures {
  const blocks = new Map(groups.map((g) => [g.id, emptyProgressBlock()]));
  const all = emptyProgressBlock();
  const add = (groupId: string | null, municipality: Municipality | null, m: keyof ProgressCounts, n: number): void => {
    const group = groupId === null ? undefined : blocks.get(groupId);
    for (const b of group ? [group, all] : [all]) {
      if (municipality !== null) b.byMunicipality[municipality][m] += n;
      b.total[m] += n;
    }
  };
  const courses = new Map<string, FigureProgressRow[]>();
  for (const r of rows) pushTo(courses, r.enrollmentId, r);
  for (const list of courses.values()) {
    const first = list[0];
    const m = courseMovement(list);
    if (first && m !== null) add(first.groupId, first.municipality, m, 1);
  }
  for (const r of retained) {
    for (const m of ['up', 'same', 'down'] as const) if (r.metric === PROGRESS_METRICS[m]) add(r.groupId, r.municipality, m, r.value);
  }
  return { groups: groups.map((g) => ({ groupId: g.id, name: g.name, block: blocks.get(g.id) ?? emptyProgressBlock() })), all };
}

/** The progress counts as a table: every cell under five children reads "under 5", so no child can be picked out. */
export function progressTable(set: ProgressFigures): FigureTable {
  const { rows: out, totals } = splitRows(set, (c) => [cellText(c.up), cellText(c.same), cellText(c.down)]);
  return {
    key: 'fremgang',
    title: 'Fremgang på spørgsmålene (forløb, der sluttede i året)',
    headers: ['Gruppe', 'Kommune', 'Rykket op', 'Det samme', 'Rykket ned'],
    rows: out,
    totalRows: totals,
  };
}

// ---------------------------------------------------------------------------------------------
// The memo's figures (issue 15, 002): families, group runs (hold), the waiting list per month and the longest wait

/** A guardian's ways of contact, for telling which children belong to one family. */
export interface FigureContactRow {
  childId: string;
  email: string | null;
  phone: string | null;
}

/** A referral's course as the waiting list sees it: any state, with the dates that put it on the list and off. */
export interface FigureWaitRow {
  enrollmentId: string;
  childId: string;
  groupId: string;
  municipality: Municipality;
  state: string;
  receivedAt: Date;
  /** When the course row was made: a child moved to another group joins its list on the day of the move. */
  createdAt: Date;
  startDate: IsoDate | null;
  endedOn: IsoDate | null;
  /** When the course last changed: the day a declined or withdrawn referral left the list. */
  updatedAt: Date;
}

/** One child's time on a group's waiting list: from `from` until the day before `until` (null: still waiting). */
export interface WaitingSpell {
  from: IsoDate;
  until: IsoDate | null;
}

/** A contact as a family key: e-mail in lower case, phone without spaces. */
export function contactKeys(c: Pick<FigureContactRow, 'email' | 'phone'>): string[] {
  const keys: string[] = [];
  const email = c.email?.trim().toLowerCase() ?? '';
  const phone = c.phone?.replaceAll(' ', '') ?? '';
  if (email !== '') keys.push(`e:${email}`);
  if (phone !== '') keys.push(`p:${phone}`);
  return keys;
}

/**
 * Which family each child belongs to. The product has no family record: children whose guardians share an e-mail
 * address or a phone number are one family (siblings referred one by one). A child with no contact is a family of
 * its own. Returns a key per child; two children of one family get the same key.
 */
export function familyOf(contacts: readonly FigureContactRow[]): (childId: string) => string {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };
  for (const c of contacts) {
    const child = `c:${c.childId}`;
    find(child);
    for (const key of contactKeys(c)) {
      find(key);
      union(child, key);
    }
  }
  return (childId) => find(`c:${childId}`);
}

/**
 * The waiting list, as the figures count it: a child is on a group's list from the day the referral came in (or
 * the day the child was moved to the group) until the start date; a referral closed without a start leaves the
 * list on the day it was closed. That is the centre's own "henvist og venter på en plads", and the same start the
 * yearly wait is counted from.
 */
export function waitingSpell(r: FigureWaitRow): WaitingSpell {
  const received = instantToZoned(r.receivedAt).date;
  // Only a row made after the referral can move the day (and the zone conversion is the costly step here).
  const created = r.createdAt.getTime() > r.receivedAt.getTime() ? instantToZoned(r.createdAt).date : received;
  let until: IsoDate | null = null;
  const state = isEnrollmentState(r.state) ? r.state : null;
  if (state !== null && STATES[state].started && r.startDate !== null) until = r.startDate;
  // Declined, withdrawn, or moved to another group before starting: off this list the day it closed.
  else if (state !== null && isFinalState(state)) until = r.endedOn ?? instantToZoned(r.updatedAt).date;
  // A course row made after the referral came in and before the child left the list is a move to this group.
  const from = created > received && (until === null || created <= until) ? created : received;
  return { from, until: until !== null && until < from ? from : until };
}

/** Days of the month counted so far: all of a past month, up to and including today in this month, 0 ahead. */
export function daysCounted(year: number, month: number, today: IsoDate): number {
  const first = isoDate(year, month, 1);
  const last = isoDate(year, month, daysInMonth(year, month));
  if (today < first) return 0;
  return daysBetween(first, today < last ? today : last) + 1;
}

/** The counted days of each month as [start, end) day numbers from the year's first day (end: first day not counted). */
export function monthSpans(year: number, today: IsoDate): { start: number; end: number }[] {
  const first = isoDate(year, 1, 1);
  return Array.from({ length: 12 }, (_, i) => {
    const start = daysBetween(first, isoDate(year, i + 1, 1));
    return { start, end: start + daysCounted(year, i + 1, today) };
  });
}

/**
 * Children-days on the list in each month of the year (index 0 is January), counting only days up to today:
 * the month's average list length is this divided by `daysCounted`.
 */
export function spellMonthDays(spell: WaitingSpell, year: number, today: IsoDate, spans = monthSpans(year, today)): number[] {
  const first = isoDate(year, 1, 1);
  const from = daysBetween(first, spell.from);
  const until = spell.until === null ? Number.POSITIVE_INFINITY : daysBetween(first, spell.until);
  return spans.map((m) => Math.max(0, Math.min(until, m.end) - Math.max(from, m.start)));
}

/**
 * How long the child had waited in the year: from the day on the list to the start (or the day it left), to today
 * if still waiting, or to New Year if still waiting when the year ended. Null when the child was not on the list
 * on any day of the year.
 */
export function spellWaitInYear(spell: WaitingSpell, year: number, today: IsoDate): number | null {
  const { first, last } = yearBounds(year);
  if (spell.from > last || spell.from > today) return null;
  if (spell.until !== null && spell.until <= first && spell.from < first) return null;
  const nextYear = addDays(last, 1);
  let end = spell.until ?? nextYear;
  if (end > nextYear) end = nextYear;
  if (end > today) end = today;
  return Math.max(0, daysBetween(spell.from, end));
}

/** Metrics of the memo's figures kept in yearly_counts after a purge (additive, except the longest, a maximum). */
export const MEMO_METRICS = {
  families: 'families',
  runPrefix: 'run:',
  waitingDaysPrefix: 'waitlist_days_',
  longestWait: 'waitlist_longest',
} as const;

export function waitingDaysMetric(month: number): `waitlist_days_${string}` {
  return `${MEMO_METRICS.waitingDaysPrefix}${String(month).padStart(2, '0')}`;
}

export interface MemoCell {
  families: number;
  /** Group runs (hold) begun in the year: the distinct days on which children started in the group. */
  runs: number;
  /** Children-days on the waiting list per month (index 0 is January). */
  waitingChildDays: number[];
  /** Average number of children on the list per month; null for a month not begun. */
  waitingAverage: (number | null)[];
  longestWaitDays: number | null;
}

export type MemoBlock = SplitBlock<MemoCell>;
export type MemoFigures = SplitFigures<MemoCell>;

interface MemoTally {
  families: Set<string>;
  keptFamilies: number;
  runs: Set<string>;
  childDays: number[];
  longest: number | null;
}

function emptyMemoTally(): MemoTally {
  return { families: new Set(), keptFamilies: 0, runs: new Set(), childDays: Array.from({ length: 12 }, () => 0), longest: null };
}

class MemoBlockTally {
  readonly byMunicipality: Record<Municipality, MemoTally> = { ishoj: emptyMemoTally(), vallensbaek: emptyMemoTally() };
  readonly total = emptyMemoTally();
  each(municipality: Municipality | null, fn: (t: MemoTally) => void): void {
    if (municipality !== null) fn(this.byMunicipality[municipality]);
    fn(this.total);
  }
  block(counted: number[]): MemoBlock {
    const cell = (t: MemoTally): MemoCell => ({
      families: t.families.size + t.keptFamilies,
      runs: t.runs.size,
      waitingChildDays: [...t.childDays],
      waitingAverage: t.childDays.map((d, i) => ((counted[i] ?? 0) === 0 ? null : d / (counted[i] ?? 1))),
      longestWaitDays: t.longest,
    });
    return { byMunicipality: { ishoj: cell(this.byMunicipality.ishoj), vallensbaek: cell(this.byMunicipality.vallensbaek) }, total: cell(this.total) };
  }
}

export interface MemoInput {
  year: number;
  now: Date;
  groups: readonly FigureGroupRow[];
  /** Started courses (rows outside the year are ignored). */
  courses: readonly FigureEnrollmentRow[];
  waits: readonly FigureWaitRow[];
  contacts: readonly FigureContactRow[];
  retained?: readonly RetainedCountRow[];
}

/** Families, group runs, the waiting list per month and the longest wait, per group and municipality. */
export function memoFigures(input: MemoInput): MemoFigures {
  const { year } = input;
  const today = instantToZoned(input.now).date;
  const tallies = new Map(input.groups.map((g) => [g.id, new MemoBlockTally()]));
  const all = new MemoBlockTally();
  const blocksOf = (groupId: string | null): MemoBlockTally[] => {
    const group = groupId === null ? undefined : tallies.get(groupId);
    return group ? [group, all] : [all];
  };
  const family = familyOf(input.contacts);

  for (const e of input.courses) {
    if (!courseOverlapsYear(e, year)) continue;
    const startedInYear = yearOf(e.startDate) === year;
    for (const block of blocksOf(e.groupId)) {
      block.each(e.municipality, (t) => {
        t.families.add(family(e.childId));
        // A run of the all-groups block is a group's start day, so two groups starting the same day are two runs.
        if (startedInYear) t.runs.add(`${e.groupId}|${e.startDate}`);
      });
    }
  }

  const spans = monthSpans(year, today);
  for (const w of input.waits) {
    const spell = waitingSpell(w);
    const wait = spellWaitInYear(spell, year, today);
    if (wait === null) continue;
    const days = spellMonthDays(spell, year, today, spans);
    for (const block of blocksOf(w.groupId)) {
      block.each(w.municipality, (t) => {
        days.forEach((d, i) => (t.childDays[i] = (t.childDays[i] ?? 0) + d));
        t.longest = Math.max(t.longest ?? 0, wait);
      });
    }
  }

  for (const r of input.retained ?? []) {
    if (r.metric === MEMO_METRICS.families) {
      // Kept per group for the group, and once per family for all groups (group ''), so a family in two groups
      // still counts once in the total after its children were deleted.
      const group = r.groupId === null ? undefined : tallies.get(r.groupId);
      (group ?? all).each(r.municipality, (t) => (t.keptFamilies += r.value));
      continue;
    }
    for (const block of blocksOf(r.groupId)) {
      block.each(r.municipality, (t) => {
        if (r.metric === MEMO_METRICS.longestWait) t.longest = Math.max(t.longest ?? 0, r.value);
        else if (r.metric.startsWith(MEMO_METRICS.runPrefix)) t.runs.add(`${r.groupId ?? ''}|${r.metric.slice(MEMO_METRICS.runPrefix.length)}`);
        else if (r.metric.startsWith(MEMO_METRICS.waitingDaysPrefix)) {
          const month = Number(r.metric.slice(MEMO_METRICS.waitingDaysPrefix.length));
          if (month >= 1 && month <= 12) t.childDays[month - 1] = (t.childDays[month - 1] ?? 0) + r.value;
        }
      });
    }
  }

  const counted = Array.from({ length: 12 }, (_, i) => daysCounted(year, i + 1, today));
  return {
    groups: input.groups.map((g) => ({ groupId: g.id, name: g.name, block: (tallies.get(g.id) ?? new MemoBlockTally()).block(counted) })),
    all: all.block(counted),
  };
}

/** An average number of children as the figures show it: under five reads "under 5", else one decimal. */
export function averageCellText(average: number | null): FigureCellValue {
  if (average === null) return null;
  return average < SMALL_CELL ? cellText(0) : Math.round(average * 10) / 10;
}

/** Rows per group and municipality, then the group's total; all groups last. Sums are marked for bold. */
function splitRows<T>(set: SplitFigures<T>, fn: (cell: T) => FigureCellValue[]): { rows: FigureCellValue[][]; totals: Set<number> } {
  const rows: FigureCellValue[][] = [];
  const totals = new Set<number>();
  for (const { name, block } of [...set.groups.map((g) => ({ name: g.name, block: g.block })), { name: ALL_GROUPS, block: set.all }]) {
    for (const m of MUNICIPALITIES) {
      if (name === ALL_GROUPS) totals.add(rows.length);
      rows.push([name, MUNICIPALITY_LABELS[m], ...fn(block.byMunicipality[m])]);
    }
    totals.add(rows.length);
    rows.push([name, TOTAL, ...fn(block.total)]);
  }
  return { rows, totals };
}

/** The memo's tables: families and runs; the waiting list per month with the longest wait. */
export function memoTables(set: MemoFigures): FigureTable[] {
  const families = splitRows(set, (c) => [cellText(c.families), c.runs]);
  const waiting = splitRows(set, (c) => [...c.waitingAverage.map(averageCellText), c.longestWaitDays]);
  return [
    {
      key: 'familier',
      title: 'Familier og hold',
      headers: ['Gruppe', 'Kommune', 'Familier', 'Hold startet'],
      rows: families.rows,
      totalRows: families.totals,
    },
    {
      key: 'venteliste',
      title: 'Venteliste: børn i gennemsnit pr. måned',
      headers: ['Gruppe', 'Kommune', ...Array.from({ length: 12 }, (_, i) => monthName(i + 1, 'da').slice(0, 3)), 'Længste ventetid (dage)'],
      rows: waiting.rows,
      totalRows: waiting.totals,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Chart input for the memo's figures: the same small-cell rule as the tables

export interface CountBar {
  label: string;
  value: number | null;
  /** "under 5" in place of a count too small to show; no bar is drawn. */
  text?: string;
}

/** A bar for a count of children or families: under five draws no bar and reads "under 5". */
export function countBar(label: string, count: number): CountBar {
  return count < SMALL_CELL ? { label, value: null, text: cellText(count) } : { label, value: count };
}

/** The all-groups waiting list per month for Ishøj, Vallensbæk and in total; averages under five are left out. */
export function waitingSeries(memo: MemoFigures): { name: string; values: (number | null)[] }[] {
  const shown = (cell: MemoCell) => cell.waitingAverage.map((a) => (a === null || a < SMALL_CELL ? null : Math.round(a * 10) / 10));
  return [
    ...MUNICIPALITIES.map((m) => ({ name: MUNICIPALITY_LABELS[m], values: shown(memo.all.byMunicipality[m]) })),
    { name: TOTAL, values: shown(memo.all.total) },
  ];
}

/** A figure cell of a block split by municipality: one municipality's, or the total's (`key` 'total'). */
export function placeCell<T>(block: SplitBlock<T>, key: Municipality | 'total'): T {
  return key === 'total' ? block.total : block.byMunicipality[key];
}

/** What the figures page draws beside its tables: the series and groupings its charts take. */
export function figureCharts(figures: YearlyFigureSet, memo: MemoFigures) {
  return {
    /** Groups with at least one month of registered attendance, as line series of rates. */
    attendanceSeries: figures.monthlyAttendance
      .filter((g) => g.months.some((m) => m.rate !== null))
      .map((g) => ({ name: g.name, values: g.months.map((m) => m.rate) })),
    /** Each group's intake days in the year, for groups that had any. */
    windowGroups: figures.groups
      .map((g) => ({ group: g, windows: figures.intakeWindows.filter((w) => w.groupId === g.groupId) }))
      .filter((x) => x.windows.length > 0),
    /** The municipalities and the total, in the order the charts name them. */
    places: [...MUNICIPALITIES.map((m) => ({ key: m, label: MUNICIPALITY_LABELS[m] })), { key: 'total' as const, label: 'I alt' }],
    waitSeries: waitingSeries(memo),
    attendanceRate: percent(figures.totals.total.attendanceRate),
    longestWaitDays: memo.all.total.longestWaitDays,
  };
}
export type FigureCharts = ReturnType<typeof figureCharts>;
