// Retention: personal data of a course is deleted a set number of months after the course ended; the yearly
// figures survive as counts. Pure rules only (no I/O; `today` is passed in as a Copenhagen date).
import { z } from 'astro/zod';
import type { Municipality } from '../../lib/server/database';
import { addMonths, instantToZoned, type IsoDate } from '../../lib/time';
import { CLOSED_REFERRAL_STATUSES, isEnrollmentState, isFinalState, isReferralStatus, STATES } from '../lifecycle/lifecycle';
import {
  courseMovement, courseOverlapsYear, MEMO_METRICS, progressMetric, spellMonthDays, spellWaitInYear, waitDays, waitingDaysMetric, waitingSpell,
  type FigureProgressRow, type FigureWaitRow,
} from '../figures/figures';

export const RETENTION_SETTING_KEY = 'retention_months';
export const DEFAULT_RETENTION_MONTHS = 12;
export const MIN_RETENTION_MONTHS = 1;
export const MAX_RETENTION_MONTHS = 120;

const RETENTION_MESSAGE = `Skriv et helt antal måneder fra ${MIN_RETENTION_MONTHS} til ${MAX_RETENTION_MONTHS}.`;

export const retentionSettingsSchema = z.object({
  retentionMonths: z
    .string({ error: RETENTION_MESSAGE })
    .trim()
    .regex(/^\d{1,3}$/, RETENTION_MESSAGE)
    .transform(Number)
    .refine((n) => n >= MIN_RETENTION_MONTHS && n <= MAX_RETENTION_MONTHS, RETENTION_MESSAGE),
});

/** The stored setting, or the default when it is missing or unreadable. */
export function parseRetentionMonths(stored: string | null): number {
  if (stored === null || !/^\d{1,3}$/.test(stored)) return DEFAULT_RETENTION_MONTHS;
  const n = Number(stored);
  return n >= MIN_RETENTION_MONTHS && n <= MAX_RETENTION_MONTHS ? n : DEFAULT_RETENTION_MONTHS;
}


/** What the due rule needs to know about one child. Instants are ISO text, as stored. */
export interface RetentionCandidate {
  childId: string;
  childUpdatedAt: string;
  enrollments: { state: string; endedOn: IsoDate | null; updatedAt: string }[];
  referrals: { status: string; updatedAt: string }[];
}

/** 29 February 2024 + 12 months is 28 February 2025: the month's last day when the day does not exist. */
export const addMonthsClamped = addMonths;

function copenhagenDate(instant: string): IsoDate {
  return instantToZoned(new Date(instant)).date;
}

/**
 * The day the child's last course (or last referral) was closed, or null while anything is still open: an
 * enrollment not ended/declined/withdrawn, or a referral still being handled. An ended course counts from its end
 * date; a declined or withdrawn one (and a closed referral) from the day it was last changed. A child with neither
 * counts from the day the child's record was last changed.
 */
export function retentionClosedOn(c: RetentionCandidate): IsoDate | null {
  if (c.enrollments.some((e) => !isEnrollmentState(e.state) || !isFinalState(e.state))) return null;
  if (c.referrals.some((r) => !isReferralStatus(r.status) || !CLOSED_REFERRAL_STATUSES.includes(r.status))) return null;
  const ends = [
    ...c.enrollments.map((e) => (e.state === 'ended' && e.endedOn !== null ? e.endedOn : copenhagenDate(e.updatedAt))),
    ...c.referrals.map((r) => copenhagenDate(r.updatedAt)),
  ];
  if (ends.length === 0) return copenhagenDate(c.childUpdatedAt);
  return ends.reduce((a, b) => (a > b ? a : b));
}

/** The first day the child's data may be deleted, or null while something is open. */
export function purgeDueOn(c: RetentionCandidate, retentionMonths: number): IsoDate | null {
  const closed = retentionClosedOn(c);
  return closed === null ? null : addMonthsClamped(closed, retentionMonths);
}

/** Due when everything is closed and `retentionMonths` months have passed since the last close (on that day). */
export function isDueForPurge(c: RetentionCandidate, retentionMonths: number, today: IsoDate): boolean {
  const due = purgeDueOn(c, retentionMonths);
  return due !== null && due <= today;
}

// ---------------------------------------------------------------------------------------------
// The counts that survive a child's deletion

/**
 * Metrics kept in yearly_counts per (year, group, the child's municipality). They mirror the figures page:
 * - courses: started courses (active/closing_booked/ended with a start date) running on any day of the year
 * - children: 1 per year and group in which the child had such a course running
 * - new_starts: started courses whose start date lies in the year
 * - ended: started courses whose end date lies in the year
 * - wait_count / wait_days_total: courses started in the year that came from a referral, and the sum of their
 *   waits in whole days (Copenhagen date of the referral → start date, never negative); average = total ÷ count
 * - meetings_registered / meetings_attended: the child's marks (present, excused or absent) at meetings held in the
 *   year (not cancelled, begun before the purge), and the present ones among them; year and group of the meeting
 * - wait_longest: the longest wait of those courses (a maximum, not a sum)
 * The memo's figures (issue 15, see figures.ts):
 * - families: 1 per year and group (and, with group '' = all groups, per year) in which the child's family has no
 *   other child left with a course running: the family still counts through a sibling until the last one goes
 * - run:<start date>: the child's course began a group run that day (the figures count distinct days)
 * - waitlist_days_MM: the child's days on the group's waiting list in month MM; waitlist_longest: the longest
 *   time the child had waited in the year (a maximum)
 * - progress_up / progress_same / progress_down: how an ended course moved on the scales, in the year it ended
 */
export type YearlyMetric =
  | 'courses' | 'children' | 'new_starts' | 'ended' | 'wait_count' | 'wait_days_total' | 'meetings_registered'
  | 'meetings_attended' | 'wait_longest' | 'families' | 'waitlist_longest' | `run:${string}` | `waitlist_days_${string}`
  | `progress_${'up' | 'same' | 'down'}`;

/** Metrics kept as the largest value seen, not a sum. */
export const MAXIMUM_METRICS: ReadonlySet<string> = new Set(['wait_longest', MEMO_METRICS.longestWait]);

/** The group id of the kept counts that stand for all groups together (families: one family, however many groups). */
export const ALL_GROUPS_ID = '';

export interface YearlyCount {
  year: number;
  groupId: string;
  municipality: Municipality;
  metric: YearlyMetric;
  value: number;
}

export interface ChildFigures {
  municipality: Municipality;
  enrollments: {
    groupId: string;
    state: string;
    startDate: IsoDate | null;
    endedOn: IsoDate | null;
    /** When the course's referral came in; null without one. */
    referralReceivedAt: string | null;
  }[];
  attendance: { groupId: string; meetingStartsAt: string; meetingStatus: string; status: 'present' | 'excused' | 'absent' }[];
  /** The child's courses from a referral, as the waiting list sees them. */
  waits?: Omit<FigureWaitRow, 'childId' | 'municipality'>[];
  /** The courses of the other children of the child's family who are still stored. */
  family?: { groupId: string; municipality: Municipality; state: string; startDate: IsoDate | null; endedOn: IsoDate | null }[];
  /** The scales' answers of the child's ended courses. */
  progress?: (Pick<FigureProgressRow, 'enrollmentId' | 'groupId' | 'occasion' | 'respondent' | 'question' | 'score'> & { endedOn: IsoDate | null })[];
}

function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

/** The child's share of every yearly figure, to be added to yearly_counts before the child is deleted. */
export function childContribution(f: ChildFigures, now: Date): YearlyCount[] {
  const counts = new Map<string, YearlyCount>();
  const add = (year: number, groupId: string, metric: YearlyMetric, value: number): void => {
    const key = `${year}|${groupId}|${metric}`;
    const existing = counts.get(key);
    if (existing) existing.value = MAXIMUM_METRICS.has(metric) ? Math.max(existing.value, value) : existing.value + value;
    else counts.set(key, { year, groupId, municipality: f.municipality, metric, value });
  };
  const today = instantToZoned(now).date;
  const childYears = new Set<string>();
  for (const e of f.enrollments) {
    if (!isEnrollmentState(e.state) || !STATES[e.state].started || e.startDate === null) continue;
    const lastYear = yearOf(e.endedOn ?? today);
    for (let year = yearOf(e.startDate); year <= lastYear; year += 1) {
      add(year, e.groupId, 'courses', 1);
      childYears.add(`${year}|${e.groupId}`);
    }
    add(yearOf(e.startDate), e.groupId, 'new_starts', 1);
    add(yearOf(e.startDate), e.groupId, `${MEMO_METRICS.runPrefix}${e.startDate}`, 1);
    if (e.endedOn !== null) add(yearOf(e.endedOn), e.groupId, 'ended', 1);
    if (e.referralReceivedAt !== null) {
      const wait = waitDays(new Date(e.referralReceivedAt), e.startDate);
      add(yearOf(e.startDate), e.groupId, 'wait_count', 1);
      add(yearOf(e.startDate), e.groupId, 'wait_days_total', wait);
      add(yearOf(e.startDate), e.groupId, 'wait_longest', wait);
    }
  }
  const family = f.family ?? [];
  const familyRunsIn = (year: number, groupId: string | null): boolean =>
    family.some((o) =>
      (groupId === null || o.groupId === groupId) && o.municipality === f.municipality && isEnrollmentState(o.state) && STATES[o.state].started &&
      o.startDate !== null && courseOverlapsYear({ startDate: o.startDate, endedOn: o.endedOn }, year));
  const familyYears = new Set<number>();
  for (const key of childYears) {
    const [year, groupId] = key.split('|') as [string, string];
    add(Number(year), groupId, 'children', 1);
    if (!familyRunsIn(Number(year), groupId)) add(Number(year), groupId, MEMO_METRICS.families, 1);
    familyYears.add(Number(year));
  }
  for (const year of familyYears) if (!familyRunsIn(year, null)) add(year, ALL_GROUPS_ID, MEMO_METRICS.families, 1);

  for (const w of f.waits ?? []) {
    const spell = waitingSpell({ ...w, childId: '', municipality: f.municipality });
    const lastYear = yearOf(spell.until ?? today);
    for (let year = yearOf(spell.from); year <= lastYear; year += 1) {
      const longest = spellWaitInYear(spell, year, today);
      if (longest === null) continue;
      add(year, w.groupId, MEMO_METRICS.longestWait, longest);
      spellMonthDays(spell, year, today).forEach((days, i) => {
        if (days > 0) add(year, w.groupId, waitingDaysMetric(i + 1), days);
      });
    }
  }

  const progress = new Map<string, NonNullable<ChildFigures['progress']>>();
  for (const p of f.progress ?? []) progress.set(p.enrollmentId, [...(progress.get(p.enrollmentId) ?? []), p]);
  for (const answers of progress.values()) {
    const first = answers[0];
    const m = courseMovement(answers);
    if (first && first.endedOn !== null && m !== null) add(yearOf(first.endedOn), first.groupId, progressMetric(m), 1);
  }
  for (const a of f.attendance) {
    if (a.meetingStatus === 'cancelled' || new Date(a.meetingStartsAt).getTime() > now.getTime()) continue;
    const year = yearOf(copenhagenDate(a.meetingStartsAt));
    add(year, a.groupId, 'meetings_registered', 1);
    if (a.status === 'present') add(year, a.groupId, 'meetings_attended', 1);
  }
  return [...counts.values()];
}

/** One line of the purge report: nothing that names the child. */
export interface PurgeLine {
  childId: string;
  groupNames: string[];
  municipality: Municipality;
  closedOn: IsoDate;
}
