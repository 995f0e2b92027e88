import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import type { FieldErrors } from '../../lib/errors';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { addDays, instantToZoned, todayInZone, zonedToInstant } from '../../lib/time';
import type { Clock, IsoDate } from '../../lib/time';
import type { Actor } from '../auth/auth';
import type { AuditEntry } from '../audit/audit';
import { recordAudit } from '../audit/audit.service';
import { selectGroupIdsLedBy } from '../groups/groups.repository';
import type { AttendanceRow, HeldMeeting, Mark, MarkOutcome, MarkSource, Tally } from './attendance';
import { ageOn } from '../../lib/time';
import {
  REASON_MAX, canTakeAttendance, childMarks, childTally, effectiveMarkTime, isMemberOn, keepsFamilyAfbud,
  marksRequestSchema, needsFollowUp, meetingNoteSchema, sheetNames, tally,
} from './attendance';
import type { GroupEnrollment, SheetMeeting, StoredMark } from './attendance.repository';
import {
  claimMutationId, deleteMark, deleteMutationIdsBefore, selectChildEnrollments, selectHeldMeetingsOfGroups,
  selectMarksOfEnrollments, selectMeetingMarks, selectMeetingsWithMarks, selectMeetingsStarting, selectSheetMeeting,
  selectStartedEnrollments, updateMeetingNote, upsertMark,
} from './attendance.repository';

type Db = Kysely<Database> | Transaction<Database>;

/** A meeting as the attendance pages show it. */
export interface MeetingSummary extends SheetMeeting {
  date: IsoDate;
  startTime: Clock;
  endTime: Clock;
}

function summarize(meeting: SheetMeeting): MeetingSummary {
  const start = instantToZoned(meeting.startsAt);
  return { ...meeting, date: start.date, startTime: start.time, endTime: instantToZoned(meeting.endsAt).time };
}

// ---------------------------------------------------------------------------------------------
// Permissions: the coordinator every group, a leader the groups they lead.

async function meetingFor(db: Db, actor: Actor, meetingId: string): Promise<SheetMeeting> {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') throw new ForbiddenError();
  const meeting = await selectSheetMeeting(db, meetingId, actor.user.id);
  if (!meeting) throw new NotFoundError('Mødet findes ikke.');
  if (actor.user.role === 'leader' && !meeting.userLeads) throw new ForbiddenError('Du kan kun tage fremmøde i de grupper, du selv er leder af.');
  return meeting;
}

// ---------------------------------------------------------------------------------------------
// "Dagens møde"

export interface TodaysMeetings {
  today: MeetingSummary[];
  /** When there is no meeting today: the next ones. */
  next: MeetingSummary[];
  /** The last held meetings before today, newest first, to fill in late. */
  recent: MeetingSummary[];
}

export async function listTodaysMeetings(db: Db, actor: Actor, now: Date): Promise<TodaysMeetings> {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') throw new ForbiddenError();
  const groupIds = actor.user.role === 'coordinator' ? null : await selectGroupIdsLedBy(db, actor.user.id);
  const today = todayInZone(now);
  const dayStart = zonedToInstant(today, '00:00');
  const dayEnd = zonedToInstant(addDays(today, 1), '00:00');
  const todays = await selectMeetingsStarting(db, groupIds, dayStart, dayEnd, 50);
  const next = todays.length > 0 ? [] : await selectMeetingsStarting(db, groupIds, dayEnd, null, 5);
  const recent = (await selectMeetingsStarting(db, groupIds, zonedToInstant(addDays(today, -45), '00:00'), dayStart, 200))
    .filter((s) => s.status !== 'cancelled')
    .reverse()
    .slice(0, 5);
  return { today: todays.map(summarize), next: next.map(summarize), recent: recent.map(summarize) };
}

// ---------------------------------------------------------------------------------------------
// The attendance sheet

export interface SheetRow {
  enrollmentId: string;
  childId: string;
  /** The first name; with the surname's initial when another child on the list has the same first name. */
  firstName: string;
  age: number;
  /** The child's first meeting: no earlier meeting where they were marked present. */
  isNew: boolean;
  mark: Mark;
  reason: string | null;
  source: MarkSource | null;
  /** When the stored mark was made (ISO), so a client can tell its own change from a later one. */
  recordedAt: string | null;
  /** The child's figures over the meetings held before this one. */
  before: Tally;
  /** Two unexcused absences in a row, up to and including this meeting. */
  followUp: boolean;
}

export interface AttendanceSheet {
  meeting: MeetingSummary;
  rows: SheetRow[];
  tally: Tally;
  /** False before the meeting's day: marks are taken from the day on. */
  open: boolean;
}

function heldMeetingsFor(meetings: readonly { id: string; startsAt: Date }[], members: readonly GroupEnrollment[]): HeldMeeting[] {
  return meetings.map((s) => {
    const date = instantToZoned(s.startsAt).date;
    return { id: s.id, startsAt: s.startsAt, memberIds: members.filter((m) => isMemberOn(m, date)).map((m) => m.enrollmentId) };
  });
}

/**
 * Everything the sheet shows, in a constant number of statements whatever the group's size: the meeting with the
 * leader check, the members, the meetings since the first member started with the members' marks at them, and one
 * audit insert.
 */
export async function getAttendanceSheet(db: Db, actor: Actor, meetingId: string, now: Date): Promise<AttendanceSheet> {
  const meeting = await meetingFor(db, actor, meetingId);
  const summary = summarize(meeting);
  const enrollments = await selectStartedEnrollments(db, meeting.groupId, summary.date);
  const members = enrollments.filter((e) => isMemberOn(e, summary.date));
  // Earlier meetings matter from the first day any of today's members started: before it none of them was there.
  const firstStart = members.reduce<IsoDate>((first, m) => (m.startDate !== null && m.startDate < first ? m.startDate : first), summary.date);
  const from = zonedToInstant(firstStart, '00:00');
  const sheet = await selectMeetingsWithMarks(db, meeting.groupId, members.map((m) => m.enrollmentId), from, meeting.startsAt);
  const before = (at: Date) => at.getTime() < meeting.startsAt.getTime();
  const earlier = sheet.meetings.filter((s) => s.status !== 'cancelled' && before(s.startsAt));
  const marks = sheet.marks.filter((m) => m.meetingId === meeting.id);
  const earlierMarks = sheet.marks.filter((m) => before(m.meetingStartsAt));
  const held = heldMeetingsFor(earlier, members);
  const byMember = new Map(marks.map((m) => [m.enrollmentId, m]));
  const names = sheetNames(members);

  const rows = members.map((m): SheetRow => {
    const stored = byMember.get(m.enrollmentId) ?? null;
    const history = childMarks(m.enrollmentId, held, earlierMarks);
    const mark: Mark = stored?.status ?? 'unregistered';
    return {
      enrollmentId: m.enrollmentId,
      childId: m.childId,
      firstName: names.get(m.enrollmentId) ?? m.firstName,
      age: ageOn(m.birthDate, summary.date),
      isNew: !history.some((h) => h.mark === 'present'),
      mark,
      reason: stored?.reason ?? null,
      source: stored?.source ?? null,
      recordedAt: stored ? stored.recordedAt.toISOString() : null,
      before: tally(history.map((h) => h.mark)),
      followUp: needsFollowUp([...history.map((h) => h.mark), ...(meeting.startsAt.getTime() <= now.getTime() ? [mark] : [])]),
    };
  }).sort((a, b) => a.firstName.localeCompare(b.firstName, 'da'));
  await recordAudit(
    db,
    actor,
    rows.map((r) => ({ action: 'read', entityType: 'attendance', entityId: meeting.id, childId: r.childId })),
    now,
  );
  return { meeting: summary, rows, tally: tally(rows.map((r) => r.mark)), open: canTakeAttendance(summary.date, todayInZone(now)) };
}

function refuseBeforeTheDay(meeting: SheetMeeting, now: Date): void {
  if (meeting.status === 'cancelled') throw new ConflictError('Mødet er aflyst, så der kan ikke tages fremmøde.');
  if (!canTakeAttendance(instantToZoned(meeting.startsAt).date, todayInZone(now))) {
    throw new ConflictError('Mødet er ikke holdt endnu. Fremmøde kan tages fra mødets dag.');
  }
}

/** The meeting's marks as stored now: the open sheet asks for them so an afbud sent meanwhile shows up. */
export async function currentMarks(db: Db, actor: Actor, meetingId: string): Promise<SavedMarks['marks']> {
  const meeting = await meetingFor(db, actor, meetingId);
  const members = membersOf(meeting, await selectStartedEnrollments(db, meeting.groupId));
  return storedState(members, await selectMeetingMarks(db, meetingId));
}

// ---------------------------------------------------------------------------------------------
// Saving marks

export interface MarkResult {
  mutationId: string;
  enrollmentId: string;
  outcome: MarkOutcome;
}

export interface SavedMarks {
  results: MarkResult[];
  /** The meeting's marks as stored after the save, so the client shows what won. */
  marks: { enrollmentId: string; mark: Mark; reason: string | null; source: MarkSource | null; recordedAt: string | null }[];
}

function storedState(members: readonly GroupEnrollment[], marks: readonly StoredMark[]): SavedMarks['marks'] {
  const byMember = new Map(marks.map((m) => [m.enrollmentId, m]));
  return members.map((m) => {
    const s = byMember.get(m.enrollmentId);
    return {
      enrollmentId: m.enrollmentId,
      mark: s?.status ?? 'unregistered',
      reason: s?.reason ?? null,
      source: s?.source ?? null,
      recordedAt: s ? s.recordedAt.toISOString() : null,
    };
  });
}

interface Change {
  enrollmentId: string;
  childId: string;
  mark: Mark;
  reason: string | null;
  at: Date;
}

async function applyChange(trx: Db, actor: Actor, meetingId: string, change: Change): Promise<boolean> {
  if (change.mark === 'unregistered') {
    // Already gone counts as done: the wanted state is there.
    await deleteMark(trx, meetingId, change.enrollmentId, change.at);
    const still = (await selectMeetingMarks(trx, meetingId)).find((m) => m.enrollmentId === change.enrollmentId);
    return still === undefined;
  }
  return upsertMark(trx, {
    meetingId,
    enrollmentId: change.enrollmentId,
    status: change.mark,
    reason: change.mark === 'excused' && change.reason ? change.reason.trim().slice(0, REASON_MAX) || null : null,
    source: 'leader',
    recordedBy: actor.user.id,
    recordedAt: change.at,
  });
}

function changeAudit(meetingId: string, change: Change): AuditEntry {
  return { action: 'update', entityType: 'attendance', entityId: meetingId, childId: change.childId, detail: JSON.stringify({ mark: change.mark }) };
}

function membersOf(meeting: SheetMeeting, enrollments: readonly GroupEnrollment[]): GroupEnrollment[] {
  const date = instantToZoned(meeting.startsAt).date;
  return enrollments.filter((e) => isMemberOn(e, date));
}

/**
 * Saves marks sent by the attendance page (one tap, "Alle mødt", or a queue that waited for the connection).
 * Each mark is applied once: a mutation id seen before is a resend and is skipped; between two leaders the mark
 * made last wins, per child.
 */
export async function saveMarks(db: Kysely<Database>, actor: Actor, meetingId: string, input: unknown, now: Date): Promise<SavedMarks> {
  const parsed = marksRequestSchema.safeParse(input);
  if (!parsed.success) {
    const fields: FieldErrors = {};
    for (const issue of parsed.error.issues) fields[issue.path.join('.') || '_form'] ??= issue.message;
    throw new ValidationError(fields);
  }
  return db.transaction().execute(async (trx) => {
    const meeting = await meetingFor(trx, actor, meetingId);
    refuseBeforeTheDay(meeting, now);
    const members = membersOf(meeting, await selectStartedEnrollments(trx, meeting.groupId));
    const byId = new Map(members.map((m) => [m.enrollmentId, m]));
    const before = new Map((await selectMeetingMarks(trx, meetingId)).map((m) => [m.enrollmentId, m]));
    const results: MarkResult[] = [];
    const audit: AuditEntry[] = [];
    // Applied in one order for every request (by child, then as sent), so two saves touching the same children in
    // opposite orders take PostgreSQL's row locks in the same order and cannot deadlock (found by the crash-safety
    // test: "deadlock detected" → 500). Marks for one child keep their order; the answer lists them as sent.
    const ordered = parsed.data.marks
      .map((mark, index) => ({ mark, index }))
      .sort((a, b) => (a.mark.enrollmentId < b.mark.enrollmentId ? -1 : a.mark.enrollmentId > b.mark.enrollmentId ? 1 : a.index - b.index));
    const resultAt: MarkResult[] = [];
    for (const { mark, index } of ordered) {
      const member = byId.get(mark.enrollmentId);
      if (!member) throw new ValidationError({ marks: 'Et af børnene er ikke med i gruppen på denne dag.' });
      const fresh = await claimMutationId(trx, `attendance:${mark.mutationId}`, 'attendance', meetingId, now);
      if (!fresh) {
        resultAt[index] = { mutationId: mark.mutationId, enrollmentId: mark.enrollmentId, outcome: 'duplicate' };
        continue;
      }
      if (keepsFamilyAfbud(before.get(mark.enrollmentId) ?? null, mark.expected ?? null, mark.allPresent === true)) {
        resultAt[index] = { mutationId: mark.mutationId, enrollmentId: mark.enrollmentId, outcome: 'superseded' };
        continue;
      }
      const change: Change = {
        enrollmentId: mark.enrollmentId,
        childId: member.childId,
        mark: mark.mark,
        reason: mark.reason ?? null,
        at: effectiveMarkTime(new Date(mark.clientTime), now),
      };
      const applied = await applyChange(trx, actor, meetingId, change);
      resultAt[index] = { mutationId: mark.mutationId, enrollmentId: mark.enrollmentId, outcome: applied ? 'saved' : 'superseded' };
      if (applied) audit.push(changeAudit(meetingId, change));
    }
    for (const result of resultAt) if (result) results.push(result);
    await recordAudit(trx, actor, audit, now);
    return { results, marks: storedState(members, await selectMeetingMarks(trx, meetingId)) };
  });
}

const FORM_MARKS = new Set<Mark>(['unregistered', 'present', 'absent', 'excused']);

/**
 * The page without JavaScript: one radio group per child (`mark-<enrollmentId>`), the mark shown when the page was
 * loaded (`was-<enrollmentId>`) and an afbud reason (`reason-<enrollmentId>`). Only children whose mark or reason was
 * changed on this page are saved, so an afbud that arrived meanwhile, or another leader's marks, are not overwritten.
 * `allPresent`: "Alle mødt": every child without a stored mark becomes present.
 */
export async function saveSheetForm(
  db: Kysely<Database>,
  actor: Actor,
  meetingId: string,
  values: Record<string, string>,
  options: { allPresent: boolean },
  now: Date,
): Promise<{ changed: number; keptAfbud: number }> {
  return db.transaction().execute(async (trx) => {
    const meeting = await meetingFor(trx, actor, meetingId);
    refuseBeforeTheDay(meeting, now);
    const members = membersOf(meeting, await selectStartedEnrollments(trx, meeting.groupId));
    const stored = new Map((await selectMeetingMarks(trx, meetingId)).map((m) => [m.enrollmentId, m]));
    const changes: Change[] = [];
    const errors: FieldErrors = {};
    let keptAfbud = 0;
    for (const m of members) {
      const raw = values[`mark-${m.enrollmentId}`];
      const was = values[`was-${m.enrollmentId}`] ?? 'unregistered';
      const reason = (values[`reason-${m.enrollmentId}`] ?? '').trim();
      const wasReason = (values[`wasreason-${m.enrollmentId}`] ?? '').trim();
      if (reason.length > REASON_MAX) errors[`reason-${m.enrollmentId}`] = `Grunden må højst være ${REASON_MAX} tegn.`;
      let mark: Mark | null = raw !== undefined && FORM_MARKS.has(raw as Mark) ? (raw as Mark) : null;
      if (options.allPresent && !stored.has(m.enrollmentId) && (mark === null || mark === 'unregistered')) mark = 'present';
      if (mark === null) continue;
      const unchanged = mark === was && (mark !== 'excused' || reason === wasReason);
      if (unchanged && !(options.allPresent && mark === 'present' && !stored.has(m.enrollmentId))) continue;
      if (keepsFamilyAfbud(stored.get(m.enrollmentId) ?? null, FORM_MARKS.has(was as Mark) ? (was as Mark) : null, false)) {
        keptAfbud += 1;
        continue;
      }
      changes.push({ enrollmentId: m.enrollmentId, childId: m.childId, mark, reason, at: now });
    }
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);
    for (const change of changes) await applyChange(trx, actor, meetingId, change);
    await recordAudit(trx, actor, changes.map((c) => changeAudit(meetingId, c)), now);
    return { changed: changes.length, keptAfbud };
  });
}

/** Theme and what happened, for the leaders' own record. Never shown to families. */
export async function saveMeetingNote(db: Kysely<Database>, actor: Actor, meetingId: string, values: Record<string, string>, now: Date): Promise<void> {
  const parsed = meetingNoteSchema.safeParse(values);
  if (!parsed.success) {
    const fields: FieldErrors = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? '_form')] ??= issue.message;
    throw new ValidationError(fields);
  }
  await db.transaction().execute(async (trx) => {
    const meeting = await meetingFor(trx, actor, meetingId);
    await updateMeetingNote(trx, meeting.id, parsed.data.theme || null, parsed.data.note || null, now);
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'meeting_note', entityId: meeting.id }], now);
  });
}

// ---------------------------------------------------------------------------------------------
// One child's history (shown on the staff page for a child; the caller checks access)

export interface ChildHistoryEntry {
  meetingId: string;
  startsAt: Date;
  mark: Mark;
  reason: string | null;
  source: MarkSource | null;
}

export interface ChildCourseHistory {
  enrollmentId: string;
  groupId: string;
  groupName: string;
  state: string;
  startDate: IsoDate | null;
  endedOn: IsoDate | null;
  /** Newest first. */
  entries: ChildHistoryEntry[];
  tally: Tally;
  followUp: boolean;
}

/** Per course: every held meeting since the start with its mark, the running rate, and the follow-up flag. */
/** How long a phone's queued mark is recognised as a resend. Older resends apply again, harmlessly: last tap wins. */
export const MUTATION_ID_DAYS = 30;

/** Nightly: the table of seen mutation ids would otherwise grow with every tap, forever. */
export async function pruneMutationIds(db: Db, now: Date): Promise<number> {
  const before = new Date(now.getTime() - MUTATION_ID_DAYS * 24 * 60 * 60 * 1000).toISOString();
  return deleteMutationIdsBefore(db, 'attendance', before);
}

/** Each course's attendance over the group's held meetings while it was a member (the member list's rate). */
export async function courseTallies(
  db: Db,
  groupId: string,
  courses: readonly { enrollmentId: string; state: string; startDate: IsoDate | null; endedOn: IsoDate | null }[],
  now: Date,
): Promise<Map<string, Tally>> {
  const meetings = await selectHeldMeetingsOfGroups(db, [groupId], now);
  const rows: AttendanceRow[] = await selectMarksOfEnrollments(db, courses.map((c) => c.enrollmentId), now);
  return new Map(courses.map((c) => {
    const held = meetings.map((s) => ({ id: s.id, startsAt: s.startsAt, memberIds: isMemberOn(c, instantToZoned(s.startsAt).date) ? [c.enrollmentId] : [] }));
    return [c.enrollmentId, childTally(c.enrollmentId, held, rows)];
  }));
}

export async function childAttendanceHistory(db: Db, childId: string, now: Date): Promise<ChildCourseHistory[]> {
  const enrollments = (await selectChildEnrollments(db, childId)).filter((e) => e.startDate !== null);
  const meetings = await selectHeldMeetingsOfGroups(db, [...new Set(enrollments.map((e) => e.groupId))], now);
  const rows = await selectMarksOfEnrollments(db, enrollments.map((e) => e.enrollmentId), now);
  const detail = new Map(rows.map((r) => [`${r.meetingId}|${r.enrollmentId}`, r]));
  const plain: AttendanceRow[] = rows;
  return enrollments.map((e) => {
    const held = meetings
      .filter((s) => s.groupId === e.groupId)
      .map((s) => ({ id: s.id, startsAt: s.startsAt, memberIds: isMemberOn(e, instantToZoned(s.startsAt).date) ? [e.enrollmentId] : [] }));
    const marks = childMarks(e.enrollmentId, held, plain);
    return {
      enrollmentId: e.enrollmentId,
      groupId: e.groupId,
      groupName: e.groupName,
      state: e.state,
      startDate: e.startDate,
      endedOn: e.endedOn,
      entries: marks
        .map((m) => {
          const d = detail.get(`${m.meetingId}|${e.enrollmentId}`);
          return { meetingId: m.meetingId, startsAt: m.startsAt, mark: m.mark, reason: d?.reason ?? null, source: d?.source ?? null };
        })
        .reverse(),
      tally: childTally(e.enrollmentId, held, plain),
      followUp: needsFollowUp(marks.map((m) => m.mark)),
    };
  });
}
