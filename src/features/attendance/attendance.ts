import { z } from 'astro/zod';
import type { IsoDate } from '../../lib/time';
import { isEnrollmentState, isMemberState, STATES } from '../lifecycle/lifecycle';

// Attendance (fremmøde) as pure rules: what a mark is, how a tap cycles it, and the figures computed from stored
// rows. No I/O; `now` is an argument.
//
// The attendance rate is present ÷ (present + absent + excused): every meeting the child was registered for counts,
// an afbud too, because a child who often sends afbud still misses the group. Excused is shown beside the rate, so a
// leader can tell "often ill and says so" from "stays away". Meetings with no mark ("ikke registreret") are left out
// of the rate entirely: they are unknown, never present and never absent.

export type AttendanceStatus = 'present' | 'absent' | 'excused';
/** What a leader sees per child: a stored status, or no row at all. */
export type Mark = AttendanceStatus | 'unregistered';
export type MarkSource = 'leader' | 'family';

export const MARKS: readonly Mark[] = ['unregistered', 'present', 'absent', 'excused'];

export const MARK_LABELS: Record<Mark, string> = {
  unregistered: 'ikke registreret',
  present: 'mødt',
  absent: 'udeblevet',
  excused: 'afbud',
};

/** One tap moves a child's mark on: ikke registreret → mødt → udeblevet → afbud → ikke registreret. */
export function nextMark(mark: Mark): Mark {
  const i = MARKS.indexOf(mark);
  return MARKS[(i + 1) % MARKS.length] ?? 'unregistered';
}

/** "Alle mødt": every child without a mark becomes present; a mark already given (an afbud above all) stays. */
export function markAllPresent<T extends { enrollmentId: string; mark: Mark }>(rows: readonly T[]): { enrollmentId: string; mark: Mark }[] {
  return rows.filter((r) => r.mark === 'unregistered').map((r) => ({ enrollmentId: r.enrollmentId, mark: 'present' as const }));
}


// ---------------------------------------------------------------------------------------------
// Figures

export interface Tally {
  present: number;
  absent: number;
  excused: number;
  unregistered: number;
  /** present + absent + excused */
  registered: number;
  /** present ÷ registered, or null when nothing is registered (no rate is better than a made-up one). */
  rate: number | null;
}

export function tally(marks: Iterable<Mark>): Tally {
  const t = { present: 0, absent: 0, excused: 0, unregistered: 0 };
  for (const m of marks) t[m] += 1;
  const registered = t.present + t.absent + t.excused;
  return { ...t, registered, rate: registered === 0 ? null : t.present / registered };
}

/** A stored attendance row, as the figures need it. */
export interface AttendanceRow {
  meetingId: string;
  enrollmentId: string;
  status: AttendanceStatus;
}

/** A meeting's figures: every member counted, a member without a row as "ikke registreret" (never as present). */
export function meetingTally(memberIds: readonly string[], rows: readonly AttendanceRow[], meetingId: string): Tally {
  const byMember = new Map<string, AttendanceStatus>();
  for (const r of rows) if (r.meetingId === meetingId) byMember.set(r.enrollmentId, r.status);
  return tally(memberIds.map((id) => byMember.get(id) ?? 'unregistered'));
}

/** A held meeting and who was a member of the group on its date. */
export interface HeldMeeting {
  id: string;
  startsAt: Date;
  memberIds: readonly string[];
}

/** One child's marks in time order over the meetings they were a member for (cancelled ones are not passed in). */
export function childMarks(enrollmentId: string, meetings: readonly HeldMeeting[], rows: readonly AttendanceRow[]): { meetingId: string; startsAt: Date; mark: Mark }[] {
  const mine = new Map<string, AttendanceStatus>();
  for (const r of rows) if (r.enrollmentId === enrollmentId) mine.set(r.meetingId, r.status);
  return [...meetings]
    .filter((s) => s.memberIds.includes(enrollmentId))
    .sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime())
    .map((s) => ({ meetingId: s.id, startsAt: s.startsAt, mark: mine.get(s.id) ?? 'unregistered' }));
}

export function childTally(enrollmentId: string, meetings: readonly HeldMeeting[], rows: readonly AttendanceRow[]): Tally {
  return tally(childMarks(enrollmentId, meetings, rows).map((m) => m.mark));
}

/** A group's figures over its held meetings: every member of every meeting counted once. */
export function groupTally(meetings: readonly HeldMeeting[], rows: readonly AttendanceRow[]): Tally {
  const marks: Mark[] = [];
  for (const s of meetings) {
    const t = meetingTally(s.memberIds, rows, s.id);
    marks.push(
      ...Array<Mark>(t.present).fill('present'),
      ...Array<Mark>(t.absent).fill('absent'),
      ...Array<Mark>(t.excused).fill('excused'),
      ...Array<Mark>(t.unregistered).fill('unregistered'),
    );
  }
  return tally(marks);
}

/**
 * "To udeblivelser i træk": the child's two latest meetings (in time order) were both udeblevet without afbud.
 * A meeting with no mark breaks the run: we don't know, so we don't flag.
 */
export function needsFollowUp(marksInOrder: readonly Mark[]): boolean {
  const n = marksInOrder.length;
  return n >= 2 && marksInOrder[n - 1] === 'absent' && marksInOrder[n - 2] === 'absent';
}

/** "62 %" the Danish way, or "–" when there is nothing to show. */
export function formatRate(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)} %`;
}

// ---------------------------------------------------------------------------------------------
// Saving marks

/**
 * Marks are taken from the meeting's own day (Copenhagen) on: a leader cannot mark a meeting that has not come yet.
 * A family's afbud for a coming meeting is not a leader's mark and is not covered by this.
 */
export function canTakeAttendance(meetingDate: IsoDate, today: IsoDate): boolean {
  return meetingDate <= today;
}

/**
 * A family's afbud stands until a leader deliberately changes that child: a change made on a sheet that did not yet
 * show the afbud (`expected`, the mark the leader saw) or sent by "Alle mødt" leaves it in place.
 */
export function keepsFamilyAfbud(stored: { status: AttendanceStatus; source: MarkSource } | null, expected: Mark | null, allPresent: boolean): boolean {
  if (stored === null || stored.source !== 'family' || stored.status !== 'excused') return false;
  return allPresent || expected !== 'excused';
}

/** A family's afbud can be taken back until the meeting starts. */
export function canWithdrawAfbud(meetingStartsAt: Date, now: Date): boolean {
  return now.getTime() < meetingStartsAt.getTime();
}

/**
 * A client's clock may be wrong. Its timestamp orders two leaders' taps (last write wins), but is never taken
 * as later than the server's own clock, so a phone set a day ahead cannot lock a mark against corrections.
 */
export function effectiveMarkTime(clientTime: Date | null, now: Date): Date {
  if (clientTime === null || Number.isNaN(clientTime.getTime())) return now;
  return clientTime.getTime() > now.getTime() ? now : clientTime;
}

export const REASON_MAX = 200;

const markSchema = z.object({
  enrollmentId: z.string().min(1).max(100),
  mark: z.enum(['unregistered', 'present', 'absent', 'excused']),
  reason: z.string().max(REASON_MAX, `Grunden må højst være ${REASON_MAX} tegn.`).optional().nullable(),
  /** The client's id for this change, so a resend (offline queue, retry) is recognised and applied once. */
  mutationId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'Ugyldigt ændrings-id.'),
  /** When the leader tapped, ISO 8601. */
  clientTime: z.iso.datetime({ offset: true }),
  /** The mark the leader saw before this change, so a family's afbud that arrived meanwhile is not overwritten. */
  expected: z.enum(['unregistered', 'present', 'absent', 'excused']).optional().nullable(),
  /** Sent by "Alle mødt" rather than a tap on this child. */
  allPresent: z.boolean().optional(),
});

export const marksRequestSchema = z.object({
  marks: z.array(markSchema).min(1).max(100),
});

export type MarkInput = z.output<typeof markSchema>;

export type MarkOutcome = 'saved' | 'duplicate' | 'superseded';

/** The meeting note form: theme and what happened. */
export const meetingNoteSchema = z.object({
  theme: z.string().optional().transform((v) => (v ?? '').trim()).pipe(z.string().max(200, 'Temaet må højst være 200 tegn.')),
  note: z.string().optional().transform((v) => (v ?? '').trim()).pipe(z.string().max(4000, 'Noten må højst være 4000 tegn.')),
});

// ---------------------------------------------------------------------------------------------
// Who is on the list

/** The enrollment facts membership depends on. */
export interface Membership {
  state: string;
  startDate: IsoDate | null;
  endedOn: IsoDate | null;
}

/**
 * A child is on a meeting's list when their course had started by the meeting's date (Copenhagen) and had not
 * ended before it: state active or closing_booked, or ended with ended_on after the date.
 */
export function isMemberOn(enrollment: Membership, date: IsoDate): boolean {
  if (enrollment.startDate === null || enrollment.startDate > date) return false;
  if (!isEnrollmentState(enrollment.state) || !STATES[enrollment.state].started) return false;
  // A member's course has no end date yet; an ended one had its last day before `ended_on`.
  if (isMemberState(enrollment.state)) return enrollment.endedOn === null || enrollment.endedOn > date;
  return enrollment.endedOn !== null && enrollment.endedOn > date;
}

/**
 * The name a sheet shows per child: the first name, plus the surname's initial when two children on the same list
 * share a first name ("Anna H." and "Anna K."). Keyed by enrollment id.
 */
export function sheetNames(members: readonly { enrollmentId: string; firstName: string; lastName: string }[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const m of members) count.set(m.firstName, (count.get(m.firstName) ?? 0) + 1);
  return new Map(members.map((m) => [m.enrollmentId, (count.get(m.firstName) ?? 0) > 1 && m.lastName ? `${m.firstName} ${m.lastName.charAt(0)}.` : m.firstName]));
}
