// Yearly figures: pure arithmetic over the year's rows (no I/O; `now` passed in). The repository fetches the rows
// with a fixed number of queries; everything here is counting, so it is tested without a database.
import type { Municipality } from '../../lib/server/database';
import { MUNICIPALITY_LABELS } from '../auth/auth';
import type { IsoDate } from '../../lib/time';
import { addDays, daysBetween, formatShortDate, instantToZoned, isoDate, monthName, zonedToInstant } from '../../lib/time';
import type { CsvDate, CsvValue } from '../../lib/csv';
import { csvDate } from '../../lib/csv';
import { formatNumber } from '../../lib/numbers';
import { FEEDBACK_QUESTIONS } from '../feedback/feedback';

export const MUNICIPALITIES: readonly Municipality[] = ['ishoj', 'vallensbaek'];

/** Shown when a course ended without a written reason. */
export const NO_END_REASON = 'Ingen grund skrevet';

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
  endReason: string | null;
  /** When the referral was received; null if the course has no referral. */
  receivedAt: Date | null;
}

export interface FigureSessionRow {
  id: string;
  groupId: string;
  startsAt: Date;
  status: 'planned' | 'cancelled' | 'moved';
}

export interface FigureAttendanceRow {
  sessionId: string;
  enrollmentId: string;
  municipality: Municipality;
  status: 'present' | 'excused' | 'absent';
}

export interface FigureIntakeWindowRow {
  groupId: string;
  quarterStart: IsoDate;
  /** The date of the meeting new members start at, when the window has one. */
  sessionDate: IsoDate | null;
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
  sessions: FigureSessionRow[];
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

export interface SessionCounts {
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
  sessions: SessionCounts;
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

interface Tally {
  courses: number;
  children: Set<string>;
  newStarts: number;
  ended: number;
  present: number;
  excused: number;
  absent: number;
  notRegistered: number;
  waits: number;
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
  readonly sessions: SessionCounts = { held: 0, cancelled: 0, upcoming: 0 };
  readonly endReasons = new Map<string, number>();

  each(municipality: Municipality, fn: (t: Tally) => void): void {
    fn(this.byMunicipality[municipality]);
    fn(this.total);
  }

  block(): FigureBlock {
    return {
      byMunicipality: { ishoj: cellOf(this.byMunicipality.ishoj), vallensbaek: cellOf(this.byMunicipality.vallensbaek) },
      total: cellOf(this.total),
      sessions: { ...this.sessions },
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
  const sessionYear = (s: FigureSessionRow): number => yearOf(dateOf(s.startsAt));

  // Courses, children, starts, ends, waits.
  const courses = input.enrollments.filter((e) => courseOverlapsYear(e, year));
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
        const reason = e.endReason?.trim() || NO_END_REASON;
        block.endReasons.set(reason, (block.endReasons.get(reason) ?? 0) + 1);
      }
    }
    if (wait !== null) pushTo(quarterWaits, quarterOf(e.startDate), wait);
  }

  // Sessions held and cancelled; marks and missing marks on the meetings held.
  const yearSessions = input.sessions.filter((s) => sessionYear(s) === year);
  const heldSessions = new Map<string, FigureSessionRow>();
  for (const s of yearSessions) {
    const kind: keyof SessionCounts =
      s.status === 'cancelled' ? 'cancelled' : s.startsAt.getTime() <= now.getTime() ? 'held' : 'upcoming';
    if (kind === 'held') heldSessions.set(s.id, s);
    const group = groupTallies.get(s.groupId);
    if (group) group.sessions[kind] += 1;
    all.sessions[kind] += 1;
  }

  const marked = new Set<string>();
  const monthly = new Map<string, { present: number; registered: number }[]>();
  for (const a of input.attendance) {
    const session = heldSessions.get(a.sessionId);
    if (!session) continue;
    marked.add(`${a.sessionId}|${a.enrollmentId}`);
    const group = groupTallies.get(session.groupId);
    for (const block of group ? [group, all] : [all]) {
      block.each(a.municipality, (t) => {
        t[a.status] += 1;
      });
    }
    const months = monthly.get(session.groupId) ?? Array.from({ length: 12 }, () => ({ present: 0, registered: 0 }));
    monthly.set(session.groupId, months);
    const m = months[monthOf(dateOf(session.startsAt)) - 1];
    if (m) {
      m.registered += 1;
      if (a.status === 'present') m.present += 1;
    }
  }

  const coursesByGroup = new Map<string, FigureEnrollmentRow[]>();
  for (const e of courses) pushTo(coursesByGroup, e.groupId, e);
  for (const s of heldSessions.values()) {
    const date = dateOf(s.startsAt);
    const group = groupTallies.get(s.groupId);
    for (const e of coursesByGroup.get(s.groupId) ?? []) {
      if (!isActiveOn(e, date) || marked.has(`${s.id}|${e.id}`)) continue;
      for (const block of group ? [group, all] : [all]) block.each(e.municipality, (t) => (t.notRegistered += 1));
    }
  }

  // Counts kept for children whose records were deleted (yearly_counts). A deleted child counted in two groups
  // counts twice in the all-groups total: the kept counts cannot tell children apart. Attendance marks and the
  // longest wait are not added (the page's excused/absent split and maximum cannot be rebuilt from sums).
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
    .map((w) => ({ w, date: w.sessionDate ?? w.quarterStart }))
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
export function figuresStaleAt(sessionStarts: Date[], now: Date): Date {
  let next = zonedToInstant(addDays(instantToZoned(now).date, 1), '00:00').getTime();
  const at = now.getTime();
  for (const start of sessionStarts) {
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
  'forloeb', 'fremmoede', 'moeder', 'afslutninger', 'optag', 'fremmoede-maaned', 'ventetid-kvartal', 'feedback',
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
      rows: blocks.map(({ name, block }) => [name, block.sessions.held, block.sessions.cancelled, block.sessions.upcoming]),
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
