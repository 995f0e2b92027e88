// Retention: personal data of a course is deleted a set number of months after the course ended; the yearly
// figures survive as counts. Pure rules only (no I/O; `today` is passed in as a Copenhagen date).
import { z } from 'astro/zod';
import type { Municipality } from '../../lib/server/database';
import { addMonths, daysBetween, instantToZoned, type IsoDate } from '../../lib/time';
import { CLOSED_REFERRAL_STATUSES, isEnrollmentState, isFinalState, isReferralStatus, STATES } from '../lifecycle/lifecycle';

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
 * - sessions_registered / sessions_attended: the child's marks (present, excused or absent) at meetings held in the
 *   year (not cancelled, begun before the purge), and the present ones among them; year and group of the meeting
 */
export type YearlyMetric =
  | 'courses' | 'children' | 'new_starts' | 'ended' | 'wait_count' | 'wait_days_total' | 'sessions_registered'
  | 'sessions_attended';

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
  attendance: { groupId: string; sessionStartsAt: string; sessionStatus: string; status: 'present' | 'excused' | 'absent' }[];
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
    if (existing) existing.value += value;
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
    if (e.endedOn !== null) add(yearOf(e.endedOn), e.groupId, 'ended', 1);
    if (e.referralReceivedAt !== null) {
      add(yearOf(e.startDate), e.groupId, 'wait_count', 1);
      add(yearOf(e.startDate), e.groupId, 'wait_days_total', Math.max(0, daysBetween(copenhagenDate(e.referralReceivedAt), e.startDate)));
    }
  }
  for (const key of childYears) {
    const [year, groupId] = key.split('|') as [string, string];
    add(Number(year), groupId, 'children', 1);
  }
  for (const a of f.attendance) {
    if (a.sessionStatus === 'cancelled' || new Date(a.sessionStartsAt).getTime() > now.getTime()) continue;
    const year = yearOf(copenhagenDate(a.sessionStartsAt));
    add(year, a.groupId, 'sessions_registered', 1);
    if (a.status === 'present') add(year, a.groupId, 'sessions_attended', 1);
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
