import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import type { FieldErrors } from '../../lib/errors';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { strongEtag } from '../../lib/server/etag';
import { renderCalendar } from '../../lib/server/ical';
import { openText, sealText } from '../../lib/server/secret-box';
import { generateSecret, sha256Hex } from '../../lib/server/tokens';
import { instantToZoned } from '../../lib/time';
import type { Actor } from '../auth/auth';
import { recordAudit } from '../audit/audit.service';
import { canWithdrawAfbud, isMemberOn } from '../attendance/attendance';
import { isEnrollmentState, isMemberState } from '../lifecycle/lifecycle';
import type { ConversationKind } from '../lifecycle/lifecycle';
import type { FamilySummary } from '../course/course.service';
import { answerSummary, askForConversation, familySummary, hasOpenRequest } from '../course/course.service';
import { selectEndedEnrollmentIds } from '../course/course.repository';
import { deleteMark, upsertMark } from '../attendance/attendance.repository';
import type { ChildCourseHistory } from '../attendance/attendance.service';
import { childAttendanceHistory } from '../attendance/attendance.service';
import type { FeedConversation, FeedMeeting, RenderedFeed } from '../feeds/feeds';
import { feedEvents, feedWindow, newestChange } from '../feeds/feeds';
import { hitRateLimit } from '../throttle/throttle.service';
import { enqueueAfbud, enqueueFamilyLink, guardianChoices, saveGuardianChoice, type GuardianChoice, type LinkTarget } from '../messages/messages.service';
import type { CourseRow, FamilyConversationRow, FamilyLinkRow, FamilyMeetingRow } from './families.repository';
import {
  insertFamilyLink, leadsOpenCourseOf, revokeChildLinks, selectSealedTokens, updateSealedToken, selectChild, selectChildConversations, selectMeetingsBetween,
  selectMarksInMeetings, selectOpenCourses, selectOpenLinkByHash, selectOpenLinkOfChild, selectMeetingById,
} from './families.repository';
import { FAMILY_RATE_LIMIT, absenceSchema, familyPagePath, familyRateLimitKey, isWellFormedFamilyToken } from './families';

type Db = Kysely<Database> | Transaction<Database>;

/** The family's own actions in the audit trail: no person signed in, the link's id (never the token) says which. */
function familyActor(link: FamilyLinkRow): { system: string } {
  return { system: `familielink:${link.id}` };
}

// ---------------------------------------------------------------------------------------------
// Staff: the child's page with the family link

async function assertMaySeeChild(db: Db, actor: Actor, childId: string): Promise<void> {
  if (actor.user.role === 'coordinator') return;
  if (actor.user.role === 'leader' && (await leadsOpenCourseOf(db, actor.user.id, childId))) return;
  throw new ForbiddenError('Du kan kun se børn i de grupper, du selv er leder af.');
}

export interface ChildPage {
  child: { id: string; firstName: string; lastName: string; birthDate: string };
  courses: CourseRow[];
  /** The open family link (its token cannot be shown again: only the hash is stored), or null. */
  link: { createdAt: Date } | null;
  history: ChildCourseHistory[];
  /** Guardians' addresses (whether there is one) and choices, for "send the link" (issue 14). */
  guardians: GuardianChoice[];
}

export async function getChildPage(db: Db, actor: Actor, childId: string, now: Date): Promise<ChildPage> {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') throw new ForbiddenError();
  const child = await selectChild(db, childId);
  if (!child) throw new NotFoundError('Barnet findes ikke.');
  await assertMaySeeChild(db, actor, childId);
  const courses = await selectOpenCourses(db, childId);
  const link = await selectOpenLinkOfChild(db, childId);
  const history = await childAttendanceHistory(db, childId, now);
  await recordAudit(db, actor, [{ action: 'read', entityType: 'child', entityId: childId, childId }], now);
  return { child, courses, link: link ? { createdAt: link.createdAt } : null, history, guardians: await guardianChoices(db, childId) };
}

export interface IssuedLink {
  token: string;
  path: string;
  /** An open link was closed to make this one. */
  replaced: boolean;
}

/** Makes a new family link for a child; any open one is closed at the same moment. The token is shown once. */
export async function issueFamilyLink(
  db: Kysely<Database>,
  actor: Actor,
  childId: string,
  now: Date,
  send: { origin: string; targets: LinkTarget[] } | null = null,
): Promise<IssuedLink> {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') throw new ForbiddenError();
  const token = generateSecret();
  const replaced = await db.transaction().execute(async (trx) => {
    if (!(await selectChild(trx, childId))) throw new NotFoundError('Barnet findes ikke.');
    await assertMaySeeChild(trx, actor, childId);
    const revoked = await revokeChildLinks(trx, childId, now);
    const id = randomUUID();
    await insertFamilyLink(trx, { id, childId, tokenHash: sha256Hex(token), tokenSealed: sealText(token), createdBy: actor.user.id }, now);
    // Sent by e-mail or SMS (issue 14): the message is secret, so the link never shows in the staff log.
    const sent = send ? await enqueueFamilyLink(trx, childId, new URL(familyPagePath(token), send.origin).toString(), send.targets, now) : 0;
    if (send && sent === 0) throw new ValidationError({ to: 'Vælg mindst én e-mail eller et mobilnummer.' });
    await recordAudit(trx, actor, [
      ...(revoked > 0 ? [{ action: 'delete' as const, entityType: 'family_link', entityId: null, childId, detail: 'lukket, nyt link lavet' }] : []),
      { action: 'create', entityType: 'family_link', entityId: id, childId },
    ], now);
    return revoked > 0;
  });
  return { token, path: familyPagePath(token), replaced };
}

/**
 * Seals the open family links' tokens again under the current APP_SECRET (after a rotation, `cli reencrypt`). A token
 * that opens under neither secret is left as it is: its messages say "use the link we gave you" until a new link is
 * made. Returns how many were sealed again.
 */
export async function resealFamilyLinks(db: Kysely<Database>): Promise<number> {
  const rows = await selectSealedTokens(db);
  let count = 0;
  await db.transaction().execute(async (trx) => {
    for (const row of rows) {
      const token = openText(row.sealed);
      if (token === null) continue;
      await updateSealedToken(trx, row.id, row.sealed, sealText(token));
      count += 1;
    }
  });
  return count;
}

/** Closes the child's family link. */
export async function revokeFamilyLink(db: Kysely<Database>, actor: Actor, childId: string, now: Date): Promise<{ revoked: number }> {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') throw new ForbiddenError();
  return db.transaction().execute(async (trx) => {
    if (!(await selectChild(trx, childId))) throw new NotFoundError('Barnet findes ikke.');
    await assertMaySeeChild(trx, actor, childId);
    const revoked = await revokeChildLinks(trx, childId, now);
    await recordAudit(trx, actor, [{ action: 'delete', entityType: 'family_link', entityId: null, childId, detail: 'lukket' }], now);
    return { revoked };
  });
}

// The child's page still imports the QR code from here; the one wrapper is lib/server/qr.ts.
export { qrCodeDataUrl } from '../../lib/server/qr';

// ---------------------------------------------------------------------------------------------
// The family page

export interface FamilyMeeting {
  id: string;
  groupName: string;
  startsAt: Date;
  endsAt: Date;
  place: string;
  status: 'planned' | 'cancelled' | 'moved';
  /** Why the meeting is cancelled, as the leader wrote it for the families. */
  cancelReason: string | null;
  /** The child is on the list and the meeting has not begun: "Meld afbud" is offered. */
  mayReportAbsence: boolean;
  afbud: { message: string | null; byFamily: boolean; mayWithdraw: boolean } | null;
}

export interface FamilyView {
  firstName: string;
  courses: { groupName: string; started: boolean }[];
  meetings: FamilyMeeting[];
  conversations: { id: string; kind: ConversationKind; groupName: string; startsAt: Date; endsAt: Date; place: string }[];
  /** The course a parent may ask for a conversation in (the first started one), and whether a request is open. */
  ask: { enrollmentId: string; open: boolean } | null;
  /** The closing summary shared with the family, if any. */
  summary: FamilySummary | null;
  /** Each guardian's choice of messages (issue 14). */
  messageChoices: GuardianChoice[];
}

export type FamilyAccess<T> = { kind: 'ok'; value: T } | { kind: 'gone' } | { kind: 'limited'; retryAfterSeconds: number };

/** How many coming meetings the page lists. */
export const FAMILY_NEXT_MEETINGS = 6;

async function openLink(db: Kysely<Database>, token: string | undefined, ip: string | null, now: Date): Promise<FamilyAccess<FamilyLinkRow>> {
  const limit = await hitRateLimit(db, familyRateLimitKey(ip), FAMILY_RATE_LIMIT, now);
  if (!limit.allowed) return { kind: 'limited', retryAfterSeconds: limit.retryAfterSeconds };
  if (!isWellFormedFamilyToken(token)) return { kind: 'gone' };
  const link = await selectOpenLinkByHash(db, sha256Hex(token));
  return link ? { kind: 'ok', value: link } : { kind: 'gone' };
}

function meetingIsMemberOf(course: CourseRow, meeting: { groupId: string; startsAt: Date }): boolean {
  return course.groupId === meeting.groupId && isMemberOn(course, instantToZoned(meeting.startsAt).date);
}

function startedCourses(courses: readonly CourseRow[]): CourseRow[] {
  return courses.filter((c) => c.startDate !== null && isEnrollmentState(c.state) && isMemberState(c.state));
}

/** The meetings a family sees: from the child's start date on (or now), never earlier ones. */
function familyMeetingsFrom(meetings: readonly FamilyMeetingRow[], courses: readonly CourseRow[]): FamilyMeetingRow[] {
  return meetings.filter((s) =>
    courses.some((c) => c.groupId === s.groupId && c.startDate !== null && instantToZoned(s.startsAt).date >= c.startDate),
  );
}

async function familyView(db: Db, link: FamilyLinkRow, now: Date): Promise<FamilyView> {
  const child = await selectChild(db, link.childId);
  if (!child) throw new NotFoundError();
  const courses = await selectOpenCourses(db, child.id);
  const started = startedCourses(courses);
  const window = feedWindow(now);
  const all = await selectMeetingsBetween(db, started.map((c) => c.groupId), now, window.to);
  const meetings = familyMeetingsFrom(all, started).slice(0, FAMILY_NEXT_MEETINGS);
  const marks = await selectMarksInMeetings(db, started.map((c) => c.enrollmentId), meetings.map((s) => s.id));
  const conversations = (await selectChildConversations(db, child.id, now)).filter((c) => c.status === 'booked');
  return {
    firstName: child.firstName,
    courses: courses.map((c) => ({ groupName: c.groupName, started: started.includes(c) })),
    meetings: meetings.map((s) => {
      const course = started.find((c) => meetingIsMemberOf(c, s)) ?? null;
      const mark = course ? marks.find((m) => m.meetingId === s.id && m.enrollmentId === course.enrollmentId) : undefined;
      const before = canWithdrawAfbud(s.startsAt, now);
      return {
        id: s.id,
        groupName: s.groupName,
        startsAt: s.startsAt,
        endsAt: s.endsAt,
        place: s.place,
        status: s.status,
        cancelReason: s.cancelReason,
        mayReportAbsence: course !== null && before && s.status !== 'cancelled' && mark?.status !== 'excused',
        afbud:
          mark?.status === 'excused'
            ? { message: mark.source === 'family' ? mark.reason : null, byFamily: mark.source === 'family', mayWithdraw: mark.source === 'family' && before }
            : null,
      };
    }),
    conversations: conversations.map((c) => ({ id: c.id, kind: c.kind, groupName: c.groupName, startsAt: c.startsAt, endsAt: c.endsAt, place: c.place })),
    ask: started[0] ? { enrollmentId: started[0].enrollmentId, open: await hasOpenRequest(db, started[0].enrollmentId) } : null,
    summary: await familySummary(db, await selectEndedEnrollmentIds(db, child.id)),
    messageChoices: await guardianChoices(db, child.id),
  };
}

/** What /familie/<token> shows, or why it cannot. Every call counts against the address's rate limit. */
export async function openFamilyPage(db: Kysely<Database>, token: string | undefined, ip: string | null, now: Date): Promise<FamilyAccess<FamilyView>> {
  const access = await openLink(db, token, ip, now);
  if (access.kind !== 'ok') return access;
  return { kind: 'ok', value: await familyView(db, access.value, now) };
}

export type FamilyAction =
  | { action: 'absence' | 'withdraw' | 'ask' | 'summary'; values: Record<string, string> }
  | { action: 'messages'; values: Record<string, string>; language: 'da' | 'en' };

/**
 * The family page's two forms: "Meld afbud" (an afbud with an optional message, stored as the attendance row
 * status 'excused', source 'family') and "Tag afbud tilbage" (only the family's own, only before the meeting starts).
 */
export async function submitFamilyAction(
  db: Kysely<Database>,
  token: string | undefined,
  ip: string | null,
  request: FamilyAction,
  now: Date,
): Promise<FamilyAccess<{ done: 'absence' | 'withdrawn' | 'asked' | 'answered' | 'messages' }>> {
  const access = await openLink(db, token, ip, now);
  if (access.kind !== 'ok') return access;
  const link = access.value;
  if (request.action === 'ask' || request.action === 'summary') return courseAction(db, link, request, now);
  if (request.action === 'messages') {
    const language = request.language;
    await db.transaction().execute((trx) => saveGuardianChoice(trx, link.childId, familyActor(link).system, request.values, language, now));
    return { kind: 'ok', value: { done: 'messages' } };
  }
  const parsed = absenceSchema.safeParse(request.values);
  if (!parsed.success) {
    const fields: FieldErrors = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? '_form')] ??= issue.message;
    throw new ValidationError(fields);
  }
  const { meetingId, message } = parsed.data;
  return db.transaction().execute(async (trx) => {
    const meeting = await selectMeetingById(trx, meetingId);
    const course = meeting ? startedCourses(await selectOpenCourses(trx, link.childId)).find((c) => meetingIsMemberOf(c, meeting)) : undefined;
    if (!meeting || !course) throw new NotFoundError('Mødet findes ikke.');
    if (!canWithdrawAfbud(meeting.startsAt, now)) throw new ConflictError('Mødet er begyndt. Ring til os, hvis der er noget.');
    if (request.action === 'absence') {
      if (meeting.status === 'cancelled') throw new ConflictError('Mødet er aflyst.');
      await upsertMark(trx, {
        meetingId,
        enrollmentId: course.enrollmentId,
        status: 'excused',
        reason: message === '' ? null : message,
        source: 'family',
        recordedBy: null,
        recordedAt: now,
      });
      await recordAudit(trx, familyActor(link), [{ action: 'create', entityType: 'attendance', entityId: meetingId, childId: link.childId, detail: 'afbud fra familien' }], now);
      await enqueueAfbud(trx, meetingId, link.childId, message === '' ? null : message, now); // messages (issue 14)
      return { kind: 'ok' as const, value: { done: 'absence' as const } };
    }
    await deleteMark(trx, meetingId, course.enrollmentId, now, 'family');
    await recordAudit(trx, familyActor(link), [{ action: 'delete', entityType: 'attendance', entityId: meetingId, childId: link.childId, detail: 'afbud taget tilbage' }], now);
    return { kind: 'ok' as const, value: { done: 'withdrawn' as const } };
  });
}

/** A parent asks for a conversation, or answers the closing summary (features/course does the work). */
async function courseAction(db: Kysely<Database>, link: FamilyLinkRow, request: FamilyAction, now: Date): Promise<FamilyAccess<{ done: 'asked' | 'answered' }>> {
  return db.transaction().execute(async (trx) => {
    if (request.action === 'ask') {
      const course = startedCourses(await selectOpenCourses(trx, link.childId))[0];
      if (!course) throw new ConflictError('Dit barn går ikke i en gruppe lige nu. Ring til os.');
      await askForConversation(trx, familyActor(link), course.enrollmentId, link.childId, request.values, now);
      return { kind: 'ok' as const, value: { done: 'asked' as const } };
    }
    const ended = await selectEndedEnrollmentIds(trx, link.childId);
    const summary = await familySummary(trx, ended);
    if (!summary) throw new NotFoundError('Der er ingen opsummering at svare på.');
    await answerSummary(trx, familyActor(link), summary.enrollmentId, link.childId, request.values, now);
    return { kind: 'ok' as const, value: { done: 'answered' as const } };
  });
}

// ---------------------------------------------------------------------------------------------
// The family's calendar feed

function toFeedMeeting(s: FamilyMeetingRow): FeedMeeting {
  return {
    id: s.id, groupName: s.groupName, startsAt: s.startsAt, endsAt: s.endsAt, place: s.place, status: s.status, sequence: s.sequence,
    updatedAt: s.updatedAt, cancelReason: s.cancelReason,
  };
}

function toFeedConversation(c: FamilyConversationRow, firstName: string): FeedConversation {
  return {
    id: c.id, kind: c.kind, groupName: c.groupName, childFirstName: firstName, startsAt: c.startsAt, endsAt: c.endsAt, place: c.place,
    status: c.status, sequence: c.sequence, updatedAt: c.updatedAt,
  };
}

/** The child's group meetings and booked conversations as iCalendar; the first name only in a DESCRIPTION. */
export async function familyCalendar(db: Kysely<Database>, token: string | undefined, ip: string | null, now: Date): Promise<FamilyAccess<RenderedFeed>> {
  const access = await openLink(db, token, ip, now);
  if (access.kind !== 'ok') return access;
  const child = await selectChild(db, access.value.childId);
  if (!child) return { kind: 'gone' };
  const started = startedCourses(await selectOpenCourses(db, child.id));
  const window = feedWindow(now);
  const meetings = familyMeetingsFrom(await selectMeetingsBetween(db, started.map((c) => c.groupId), window.from, window.to), started);
  const conversations = await selectChildConversations(db, child.id, window.from);
  const events = feedEvents(meetings.map(toFeedMeeting), conversations.map((c) => toFeedConversation(c, child.firstName)), now);
  const body = renderCalendar({ name: 'Gruppeforløb', description: 'Møder og samtaler i Familiecentret', events });
  return { kind: 'ok', value: { body, etag: strongEtag(body), lastModified: newestChange(events) } };
}

/** The child page's "send the link" checkboxes (`email:<guardianId>` or `sms:<guardianId>`) as the outbox's targets. */
export function linkTargets(sent: readonly string[]): LinkTarget[] {
  return sent
    .map((value) => value.split(':'))
    .filter((p): p is ['email' | 'sms', string] => (p[0] === 'email' || p[0] === 'sms') && typeof p[1] === 'string')
    .map(([channel, guardianId]) => ({ channel, guardianId }));
}
