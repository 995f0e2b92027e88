import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { parseInput } from '../../lib/forms';
import type { Database } from '../../lib/server/database';
import type { FieldErrors } from '../../lib/errors';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import type { IsoDate } from '../../lib/time';
import { compareDates, daysBetween, formatDateTime, instantToZoned, todayInZone, zonedToInstant } from '../../lib/time';
import type { Actor } from '../auth/auth';
import type { AuditEntry } from '../audit/audit';
import { recordAudit } from '../audit/audit.service';
import { enqueueCaseworkerNotices } from '../messages/messages.service';
import type { Group, StaffMember } from '../groups/groups';
import { selectGroupIdsLedBy, selectGroups, selectLeaderCandidates } from '../groups/groups.repository';
import type { Meeting } from '../schedule/schedule.repository';
import { selectMeeting, selectUpcomingMeetings } from '../schedule/schedule.repository';
import type {
  AgeExceptionInput,
  BookConversationInput,
  CourseLength,
  DeclineInput,
  Eligibility,
  EligibilityGroup,
  EndCourseInput,
  IntakeOutcomeInput,
  Member,
  ParentConversationInput,
  ReorderInput,
  StartCourseInput,
  WithdrawReferralInput,
} from './enrollment';
import { ageOn } from '../../lib/time';
import {
  ageExceptionSchema,
  blockingFlag,
  bookConversationSchema,
  checkEligibility,
  courseLength,
  declineSchema,
  duplicateIds,
  endCourseSchema,
  freePlaces,
  intakeOutcomeSchema,
  leavesBy,
  orderWaitingList,
  parentConversationSchema,
  plannedEndDate,
  rankForPosition,
  reorderSchema,
  startCourseSchema,
  withdrawReferralSchema,
} from './enrollment';
import type { ConversationKind, EnrollmentEvent, EnrollmentEventType, EnrollmentState, FollowUp, IntakeOutcome, Phase } from '../lifecycle/lifecycle';
import {
  canRecordIntakeOutcome, caseworkerMayWithdraw, CLOSING_CONVERSATION, conversationsDuring, conversationTimeHasCome, followUpFor, hasBegun, INBOX_STATES, isFinalState, isMemberState,
  legalEvents, legalEventsIn, MEMBER_STATES, memberNextStep, referralStatusFor, STATES, STEPS, transition,
} from '../lifecycle/lifecycle';
import { draftSummary, endWithoutClosingSchema, evaluationSchema, readScales, type ProgressAnswer, type ProgressOccasion } from '../course/course';
import type { ProgressRecord } from '../course/course';
import type { ConversationRequestRecord, EvaluationRecord } from '../course/course.repository';
import {
  insertEvaluation, insertSummaryVersion, saveProgressAnswers, selectConversationRequests, selectCourseAttendance, selectEvaluation,
  selectFollowUps, selectOpenRequestCounts, selectProgressAnswers,
} from '../course/course.repository';
import { courseTallies } from '../attendance/attendance.service';
import { tally, type Tally } from '../attendance/attendance';
import type {
  ChildRecord,
  ConversationRecord,
  EnrollmentChange,
  EnrollmentListRow,
  EnrollmentRecord,
  GuardianRecord,
  ReferralRecord,
} from './enrollment.repository';
import {
  insertConversation,
  insertEnrollment,
  lockGroupForIntake,
  selectChild,
  selectConversations,
  selectDuplicateReferrals,
  selectEnrollment,
  selectEnrollmentList,
  selectEnrollmentOfReferral,
  selectGuardians,
  selectReferral,
  selectStaffCandidate,
  selectUpcomingWindowMeetings,
  selectWindowForMeeting,
  updateAgeException,
  updateConversation,
  updateEnrollment,
  updateQueueRank,
  updateReferral,
} from './enrollment.repository';

// From a received referral to an active member and on to the end of the course. Coordinators work in
// every group, leaders in the groups they lead, caseworkers not here. Every read of a child's case and every
// change writes an audit entry with the child's id, in the same transaction as the change.

type Db = Kysely<Database> | Transaction<Database>;
type FormInput = Record<string, unknown>;

const MOVED_TO_BAND_REASON = 'Flyttet til unge-gruppen';

function assertStaffWithGroups(actor: Actor): void {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') {
    throw new ForbiddenError('Kun koordinatorer og gruppeledere arbejder med optag.');
  }
}

async function assertGroupAccess(db: Db, actor: Actor, groupId: string): Promise<void> {
  assertStaffWithGroups(actor);
  if (actor.user.role === 'coordinator') return;
  if ((await selectGroupIdsLedBy(db, actor.user.id)).includes(groupId)) return;
  throw new ForbiddenError('Du kan kun se børn i de grupper, du selv er leder af.');
}

/** All groups (for band moves) and the ones the actor may work in. */
async function groupsFor(db: Db, actor: Actor): Promise<{ all: Group[]; visible: Group[] }> {
  assertStaffWithGroups(actor);
  const all = await selectGroups(db);
  if (actor.user.role === 'coordinator') return { all, visible: all };
  const led = new Set(await selectGroupIdsLedBy(db, actor.user.id));
  return { all, visible: all.filter((g) => led.has(g.id)) };
}

function eligibilityGroup(g: Group): EligibilityGroup {
  return { id: g.id, name: g.name, kind: g.kind, minAge: g.minAge, maxAge: g.maxAge, girlsOnly: g.girlsOnly, maxCourseMonths: g.maxCourseMonths };
}

export function refuse(result: ReturnType<typeof transition>): EnrollmentState {
  if (!result.ok) throw new ConflictError(result.message);
  return result.state;
}

function auditChange(e: EnrollmentRecord, detail: Record<string, unknown>): AuditEntry {
  return { action: 'update', entityType: 'enrollment', entityId: e.id, childId: e.childId, detail: JSON.stringify(detail) };
}

/**
 * Moves an enrollment along one or more events, keeping the referral's status in step, in the caller's
 * transaction. Refuses if the state changed under us (a double click, two people at once).
 */
async function applyEvents(
  trx: Transaction<Database>,
  e: EnrollmentRecord,
  events: EnrollmentEvent[],
  change: Omit<EnrollmentChange, 'state'>,
  now: Date,
  statusReason?: string,
): Promise<EnrollmentState> {
  let state = e.state;
  for (const event of events) state = refuse(transition(state, event));
  if (!(await updateEnrollment(trx, e.id, e.state, { ...change, state }, now))) {
    throw new ConflictError('Forløbet er lige blevet ændret af en anden. Se siden igen.');
  }
  if (e.referralId !== null) {
    await updateReferral(trx, e.referralId, { status: referralStatusFor(state), ...(statusReason !== undefined ? { statusReason } : {}) }, now);
  }
  // Messages (issue 14): the caseworker hears the steps the lifecycle's CASEWORKER_NOTICES table names.
  await enqueueCaseworkerNotices(trx, e.id, events.map((event) => event.type), now);
  return state;
}

export async function loadEnrollment(db: Db, actor: Actor, id: string): Promise<EnrollmentRecord> {
  assertStaffWithGroups(actor);
  const e = await selectEnrollment(db, id);
  if (!e) throw new NotFoundError('Forløbet findes ikke.');
  await assertGroupAccess(db, actor, e.groupId);
  return e;
}

function groupOf(groups: Group[], id: string): Group {
  const g = groups.find((x) => x.id === id);
  if (!g) throw new NotFoundError('Gruppen findes ikke.');
  return g;
}

// ---------------------------------------------------------------------------------------------
// Where the next start is, per group (pure over rows already loaded)

export interface StartChance {
  meetingId: string;
  startsAt: Date;
  date: IsoDate;
  freePlaces: number;
}

/** The meetings a waiting child of the group may start at: a quarterly group's intake windows, an open group's every meeting. */
function startChances(group: Group, meetings: Meeting[], windows: { groupId: string; meetingId: string; startsAt: Date }[], members: Member[]): StartChance[] {
  const source =
    group.intakeRule === 'quarterly'
      ? windows.filter((w) => w.groupId === group.id).map((w) => ({ meetingId: w.meetingId, startsAt: w.startsAt }))
      : meetings.filter((s) => s.groupId === group.id && s.status !== 'cancelled').map((s) => ({ meetingId: s.id, startsAt: s.startsAt }));
  return source.map((s) => {
    const date = instantToZoned(s.startsAt).date;
    return { ...s, date, freePlaces: freePlaces(group.capacity, members, date) };
  });
}

/** The next intake date: siblings the next window; an open group the next meeting with a free place. */
function nextIntake(group: Group, chances: StartChance[]): StartChance | null {
  if (group.intakeRule === 'quarterly') return chances[0] ?? null;
  return chances.find((c) => c.freePlaces > 0) ?? null;
}

function membersOf(rows: EnrollmentListRow[], groupId: string): Member[] {
  return rows
    .filter((r) => r.groupId === groupId && isMemberState(r.state))
    .map((r) => ({ enrollmentId: r.enrollmentId, plannedEndDate: r.plannedEndDate }));
}

// ---------------------------------------------------------------------------------------------
// Reading

export interface InboxItem {
  enrollmentId: string;
  state: EnrollmentState;
  groupId: string;
  groupName: string;
  firstName: string;
  lastName: string;
  age: number;
  municipality: EnrollmentListRow['municipality'];
  reference: string | null;
  receivedAt: Date;
  daysWaiting: number;
  intakeAt: Date | null;
  duplicate: boolean;
}

/** New referrals and those whose intake conversation is booked or held, oldest first. Lists names, not records. */
export async function listInbox(db: Db, actor: Actor, now: Date): Promise<InboxItem[]> {
  const { visible } = await groupsFor(db, actor);
  const rows = await selectEnrollmentList(db, visible.map((g) => g.id), INBOX_STATES);
  const today = todayInZone(now);
  const duplicates = duplicateIds(rows.map((r) => ({ id: r.enrollmentId, firstName: r.firstName, lastName: r.lastName, birthDate: r.birthDate })));
  return rows.map((r) => {
    const receivedAt = new Date(r.receivedAt);
    return {
      enrollmentId: r.enrollmentId,
      state: r.state,
      groupId: r.groupId,
      groupName: groupOf(visible, r.groupId).name,
      firstName: r.firstName,
      lastName: r.lastName,
      age: ageOn(r.birthDate, today),
      municipality: r.municipality,
      reference: r.reference,
      receivedAt,
      daysWaiting: Math.max(0, daysBetween(todayInZone(receivedAt), today)),
      intakeAt: r.intakeAt ? new Date(r.intakeAt) : null,
      duplicate: duplicates.has(r.enrollmentId),
    };
  });
}

export interface CaseView {
  enrollment: EnrollmentRecord;
  group: Group;
  child: ChildRecord;
  ageToday: number;
  referral: ReferralRecord | null;
  guardians: GuardianRecord[];
  conversations: ConversationRecord[];
  eligibility: Eligibility;
  duplicates: Awaited<ReturnType<typeof selectDuplicateReferrals>>;
  /** Where the course stands (inbox, waiting, member, over). */
  phase: Phase;
  /** The steps the case page offers. */
  nextSteps: EnrollmentEventType[];
  /** The intake conversation's outcome can be written (or written again, before the child is on the list). */
  canRecordIntakeOutcome: boolean;
  /** The booked intake conversation's time when it has not come yet: its outcome waits until then. */
  intakeAhead: Date | null;
  /** Conversations the course may add on its own now (a parent conversation during the course). */
  conversationsDuring: ConversationKind[];
  /** The latest intake conversation's outcome, once held. */
  intakeOutcome: IntakeOutcome | null;
  startChances: StartChance[];
  leaders: StaffMember[];
  course: CourseLength | null;
  /** The follow-up conversation (opfølgning): suggested, due, booked, held or skipped; null outside a course. */
  followUp: FollowUp | null;
  evaluation: EvaluationRecord | null;
  /** Every answer on the progress scales, oldest first. */
  progress: ProgressRecord[];
  /** The parents' requests for a conversation, open ones first. */
  requests: ConversationRequestRecord[];
}

function bookedIntakeAhead(conversations: readonly ConversationRecord[], enrollmentId: string, now: Date): Date | null {
  const booked = conversations.filter((c) => c.enrollmentId === enrollmentId && c.kind === 'intake' && c.status === 'booked');
  const latest = booked[booked.length - 1];
  return latest && !conversationTimeHasCome(latest.startsAt, now) ? latest.startsAt : null;
}

/** One child's case: facts, guardians, conversations, eligibility and the legal next steps. Audited as a read. */
export async function getCase(db: Kysely<Database>, actor: Actor, enrollmentId: string, now: Date): Promise<CaseView> {
  const e = await loadEnrollment(db, actor, enrollmentId);
  // An ended course's notes (conversations, the child's words, the referral's reason) are for the coordinator only.
  if (e.state === 'ended' && actor.user.role !== 'coordinator') {
    throw new ForbiddenError('Forløbet er afsluttet. Kun koordinatoren kan se det nu.');
  }
  const today = todayInZone(now);
  const all = await selectGroups(db);
  const group = groupOf(all, e.groupId);
  const child = await selectChild(db, e.childId);
  if (!child) throw new NotFoundError('Barnet findes ikke.');
  const referral = e.referralId ? await selectReferral(db, e.referralId) : null;
  const guardians = await selectGuardians(db, child.id);
  const conversations = (await selectConversations(db, child.id, group.id)).filter((c) => c.enrollmentId === null || c.enrollmentId === e.id);
  const duplicates = await selectDuplicateReferrals(db, child, referral?.id ?? null);
  const meetings = await selectUpcomingMeetings(db, [group.id], now);
  const windows = await selectUpcomingWindowMeetings(db, [group.id], now);
  const memberRows = await selectEnrollmentList(db, [group.id], MEMBER_STATES);
  const chances = startChances(group, meetings.filter((s) => s.startsAt.getTime() > now.getTime()), windows, membersOf(memberRows, group.id));
  const next = nextIntake(group, chances);
  const eligibility = checkEligibility(child, eligibilityGroup(group), next?.date ?? null, today, all.map(eligibilityGroup));
  const intake = [...conversations].reverse().find((c) => c.kind === 'intake' && c.status === 'held') ?? null;
  const leaders = await selectLeaderCandidates(db);
  const followUps = conversations.filter((c) => c.kind === 'follow_up').map((c) => ({ status: c.status, startsOn: instantToZoned(c.startsAt).date }));
  const requests = await selectConversationRequests(db, e.id);
  await recordAudit(db, actor, [{ action: 'read', entityType: 'enrollment', entityId: e.id, childId: child.id }], now);
  return {
    enrollment: e,
    group,
    child,
    ageToday: ageOn(child.birthDate, today),
    referral,
    guardians,
    conversations,
    eligibility,
    duplicates,
    phase: STATES[e.state].phase,
    nextSteps: legalEventsIn(e.state, group.kind),
    canRecordIntakeOutcome: canRecordIntakeOutcome(e.state),
    intakeAhead: bookedIntakeAhead(conversations, e.id, now),
    conversationsDuring: conversationsDuring(e.state),
    intakeOutcome: intake?.outcome ?? null,
    startChances: chances.slice(0, group.intakeRule === 'quarterly' ? 4 : 6),
    leaders,
    course: e.startDate && isMemberState(e.state) ? courseLength(e.startDate, group.maxCourseMonths, today) : null,
    followUp: followUpFor(e.state, e.startDate, followUps, today),
    evaluation: await selectEvaluation(db, e.id),
    progress: await selectProgressAnswers(db, e.id),
    requests: [...requests.filter((r) => r.answeredAt === null), ...requests.filter((r) => r.answeredAt !== null)],
  };
}

/** One member on the group's member list. */
export interface GroupMember {
  enrollmentId: string;
  firstName: string;
  age: number;
  startDate: IsoDate | null;
  plannedEndDate: IsoDate | null;
  attendance: Tally;
  nextStep: string;
}

/**
 * The group's members, those who have begun and those admitted for a later start, each leading to the course:
 * first name, age, start, planned end, attendance rate and the next step. For the group's leaders and the coordinator.
 */
export async function groupMembers(db: Kysely<Database>, actor: Actor, groupId: string, now: Date): Promise<GroupMember[]> {
  const { visible } = await groupsFor(db, actor);
  const group = visible.find((g) => g.id === groupId);
  if (!group) throw new ForbiddenError('Du kan kun se børnene i de grupper, du selv er leder af.');
  const today = todayInZone(now);
  const rows = await selectEnrollmentList(db, [group.id], MEMBER_STATES);
  const tallies = await courseTallies(db, group.id, rows.map((r) => ({ enrollmentId: r.enrollmentId, state: r.state, startDate: r.startDate, endedOn: null })), now);
  const names = new Map(rows.map((r) => [r.enrollmentId, r.firstName]));
  await recordAudit(db, actor, rows.map((r) => ({ action: 'read' as const, entityType: 'enrollment', entityId: r.enrollmentId, childId: r.childId })), now);
  return rows
    .map((r) => {
      const due = r.startDate !== null && courseLength(r.startDate, group.maxCourseMonths, today).status !== 'ok';
      return {
        enrollmentId: r.enrollmentId,
        firstName: names.get(r.enrollmentId) ?? r.firstName,
        age: ageOn(r.birthDate, today),
        startDate: r.startDate,
        plannedEndDate: r.plannedEndDate,
        attendance: tallies.get(r.enrollmentId) ?? tally([]),
        nextStep: memberNextStep(r.state, r.startDate, today, due),
      };
    })
    .sort((a, b) => a.firstName.localeCompare(b.firstName, 'da'));
}

export interface WaitingEntry {
  enrollmentId: string;
  position: number;
  firstName: string;
  lastName: string;
  receivedAt: Date;
  reordered: boolean;
  eligibility: Eligibility;
  duplicate: boolean;
}

export interface MemberEntry {
  enrollmentId: string;
  firstName: string;
  lastName: string;
  state: EnrollmentState;
  startDate: IsoDate | null;
  plannedEndDate: IsoDate | null;
  course: CourseLength | null;
}

export interface GroupWindowView {
  group: Group;
  /** The next intake date: a quarterly group's next window, an open group's next meeting. */
  next: { date: IsoDate; startsAt: Date; meetingId: string } | null;
  /** Children whose course has begun (the start meeting has come). */
  members: number;
  /** Children with a place whose start meeting is still ahead: they hold a place but are not in the group yet. */
  startingLater: number;
  freePlaces: number;
  dueToLeave: MemberEntry[];
  waiting: WaitingEntry[];
  /** Courses that have run 11 months or more (siblings): the closing conversation should be booked. */
  mustEnd: MemberEntry[];
  /** Courses whose follow-up conversation is due (6-8 weeks after the start, or later) and not held or skipped. */
  followUpsDue: (MemberEntry & { followUp: FollowUp })[];
  /** Courses whose parents asked for a conversation that is not answered yet. */
  requestsOpen: (MemberEntry & { requests: number })[];
}

/** Per group: the next intake date, free places, who leaves before it, the waiting list in order, who must end. */
export async function windowOverview(db: Db, actor: Actor, now: Date): Promise<GroupWindowView[]> {
  const { all, visible } = await groupsFor(db, actor);
  const ids = visible.map((g) => g.id);
  const today = todayInZone(now);
  const meetings = (await selectUpcomingMeetings(db, ids, now)).filter((s) => s.startsAt.getTime() > now.getTime());
  const windows = await selectUpcomingWindowMeetings(db, ids, now);
  const rows = await selectEnrollmentList(db, ids, ['waiting', ...MEMBER_STATES]);
  const memberIds = rows.filter((r) => isMemberState(r.state)).map((r) => r.enrollmentId);
  const followUps = await selectFollowUps(db, memberIds);
  const openRequests = await selectOpenRequestCounts(db, memberIds);
  const others = all.map(eligibilityGroup);
  return visible.map((group) => {
    const members = membersOf(rows, group.id);
    const chances = startChances(group, meetings, windows, members);
    const next = chances[0] ?? null;
    const date = next?.date ?? today;
    // The age is checked on the date a waiting child could start: an open group's next meeting with a place.
    const intakeDate = nextIntake(group, chances)?.date ?? null;
    const memberRows = rows.filter((r) => r.groupId === group.id && isMemberState(r.state));
    const toEntry = (r: EnrollmentListRow): MemberEntry => ({
      enrollmentId: r.enrollmentId,
      firstName: r.firstName,
      lastName: r.lastName,
      state: r.state,
      startDate: r.startDate,
      plannedEndDate: r.plannedEndDate,
      course: r.startDate ? courseLength(r.startDate, group.maxCourseMonths, today) : null,
    });
    const waitingRows = orderWaitingList(rows.filter((r) => r.groupId === group.id && r.state === 'waiting'));
    const duplicates = duplicateIds(waitingRows.map((r) => ({ id: r.enrollmentId, firstName: r.firstName, lastName: r.lastName, birthDate: r.birthDate })));
    return {
      group,
      next: next ? { date: next.date, startsAt: next.startsAt, meetingId: next.meetingId } : null,
      members: memberRows.filter((r) => hasBegun(r.startDate, today)).length,
      startingLater: memberRows.filter((r) => !hasBegun(r.startDate, today)).length,
      freePlaces: freePlaces(group.capacity, members, date),
      dueToLeave: memberRows.filter((r) => leavesBy({ enrollmentId: r.enrollmentId, plannedEndDate: r.plannedEndDate }, date)).map(toEntry),
      waiting: waitingRows.map((r, i) => ({
        enrollmentId: r.enrollmentId,
        position: i + 1,
        firstName: r.firstName,
        lastName: r.lastName,
        receivedAt: new Date(r.receivedAt),
        reordered: r.queueRank !== null,
        eligibility: checkEligibility(r, eligibilityGroup(group), intakeDate, today, others),
        duplicate: duplicates.has(r.enrollmentId),
      })),
      mustEnd: memberRows
        .filter((r) => STEPS.book_closing.moves[r.state] !== undefined)
        .map(toEntry)
        .filter((m) => m.course !== null && m.course.status !== 'ok'),
      followUpsDue: memberRows.flatMap((r) => {
        const held = (followUps.get(r.enrollmentId) ?? []).map((f) => ({ status: f.status, startsOn: instantToZoned(f.startsAt).date }));
        const followUp = followUpFor(r.state, r.startDate, held, today);
        return followUp !== null && followUp.status === 'due' ? [{ ...toEntry(r), followUp }] : [];
      }),
      requestsOpen: memberRows.flatMap((r) => {
        const n = openRequests.get(r.enrollmentId) ?? 0;
        return n > 0 ? [{ ...toEntry(r), requests: n }] : [];
      }),
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Changes

function conversationTimes(date: IsoDate, time: string, minutes: number): { startsAt: Date; endsAt: Date } {
  const startsAt = zonedToInstant(date, time);
  return { startsAt, endsAt: new Date(startsAt.getTime() + minutes * 60_000) };
}

async function checkLeader(db: Db, leaderId: string): Promise<void> {
  if (!(await selectStaffCandidate(db, leaderId))) throw new ValidationError({ leaderId: 'Vælg en gruppeleder fra listen.' });
}

function notBeforeToday(date: IsoDate, now: Date, field = 'date'): void {
  if (compareDates(date, todayInZone(now)) < 0) throw new ValidationError({ [field]: 'Datoen er overstået. Vælg i dag eller en dag efter.' });
}

/** Books (or moves) the intake conversation. The family sees the time through their family link. */
export async function bookIntakeConversation(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: BookConversationInput | FormInput,
  now: Date,
): Promise<ConversationRecord['id']> {
  const data = parseInput(bookConversationSchema, input);
  notBeforeToday(data.date, now);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    await checkLeader(trx, data.leaderId);
    const event: EnrollmentEvent = legalEvents(e.state).includes('rebook_intake') ? { type: 'rebook_intake' } : { type: 'book_intake' };
    refuse(transition(e.state, event));
    const earlier = (await selectConversations(trx, e.childId, e.groupId)).filter((c) => c.enrollmentId === e.id && c.kind === 'intake' && c.status === 'booked');
    for (const c of earlier) await updateConversation(trx, c.id, { status: 'cancelled' }, now);
    // The referring caseworker may be invited to the start (it then shows in their list and their calendar).
    const invitesCaseworker = (input as FormInput)['inviteCaseworker'] === 'ja';
    if (invitesCaseworker && !(e.referralId && (await selectReferral(trx, e.referralId))?.caseworkerId)) {
      throw new ValidationError({ inviteCaseworker: 'Henvisningen kommer ikke fra en rådgiver, der kan inviteres.' });
    }
    const id = randomUUID();
    await insertConversation(
      trx,
      { id, kind: 'intake', childId: e.childId, groupId: e.groupId, referralId: e.referralId, enrollmentId: e.id, leaderId: data.leaderId, ...conversationTimes(data.date, data.time, data.durationMinutes), place: data.place, status: 'booked', note: null, invitesCaseworker },
      now,
    );
    await applyEvents(trx, e, [event], {}, now);
    await recordAudit(trx, actor, [
      { action: 'create', entityType: 'conversation', entityId: id, childId: e.childId, detail: JSON.stringify({ kind: 'intake', date: data.date, time: data.time, rebooked: earlier.length > 0, invitesCaseworker }) },
      auditChange(e, { event: event.type, from: e.state, to: STEPS[event.type].moves[e.state] }),
    ], now);
    return id;
  });
}

/** The intake conversation was held: fits → the waiting list; does not fit → declined with the reason. */
export async function recordIntakeOutcome(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: IntakeOutcomeInput | FormInput,
  now: Date,
): Promise<EnrollmentState> {
  const data = parseInput(intakeOutcomeSchema, input);
  const scales = parseScales(input);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    const steps = legalEvents(e.state);
    if (!canRecordIntakeOutcome(e.state)) refuse(transition(e.state, { type: 'hold_intake', outcome: data.outcome }));
    const intakes = (await selectConversations(trx, e.childId, e.groupId)).filter((c) => c.enrollmentId === e.id && c.kind === 'intake' && c.status !== 'cancelled');
    const conversation = intakes[intakes.length - 1];
    if (!conversation) throw new ConflictError('Der er ingen indledende samtale at skrive udfaldet af. Aftal den først.');
    if (conversation.status === 'booked' && !conversationTimeHasCome(conversation.startsAt, now)) {
      throw new ConflictError(`Den indledende samtale er ikke holdt endnu (${formatDateTime(conversation.startsAt, 'da')}). Skriv udfaldet bagefter.`);
    }
    await updateConversation(trx, conversation.id, { status: 'held', outcome: data.outcome, outcomeReason: data.reason || null, childWords: data.childWords || null, note: data.note || null }, now);
    await saveScales(trx, actor, e, 'intake', scales, instantToZoned(conversation.startsAt).date, now);
    const events: EnrollmentEvent[] = steps.includes('hold_intake') ? [{ type: 'hold_intake', outcome: data.outcome }] : [];
    events.push(data.outcome === 'fits' ? { type: 'place_on_waiting_list', intakeOutcome: 'fits' } : { type: 'decline', reason: data.reason });
    const state = await applyEvents(
      trx,
      e,
      events,
      data.outcome === 'fits' ? {} : { endedOn: todayInZone(now), endReason: data.reason },
      now,
      data.outcome === 'fits' ? undefined : data.reason,
    );
    await recordAudit(trx, actor, [
      { action: 'update', entityType: 'conversation', entityId: conversation.id, childId: e.childId, detail: JSON.stringify({ kind: 'intake', outcome: data.outcome }) },
      auditChange(e, { event: 'intake_outcome', outcome: data.outcome, from: e.state, to: state }),
    ], now);
    return state;
  });
}

/** A waiting child starts at a meeting: any upcoming one (open group) or an intake window's (quarterly). */
export async function startCourse(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: StartCourseInput | FormInput,
  now: Date,
): Promise<{ startDate: IsoDate; plannedEndDate: IsoDate | null }> {
  const data = parseInput(startCourseSchema, input);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    await lockGroupForIntake(trx, e.groupId);
    const all = await selectGroups(trx);
    const group = groupOf(all, e.groupId);
    const meeting = await selectMeeting(trx, data.meetingId);
    if (!meeting || meeting.groupId !== group.id || meeting.status === 'cancelled' || meeting.startsAt.getTime() <= now.getTime()) {
      throw new ValidationError({ meetingId: 'Vælg et kommende møde i gruppen.' });
    }
    const windowId = await selectWindowForMeeting(trx, meeting.id);
    if (group.intakeRule === 'quarterly' && windowId === null) {
      throw new ValidationError({ meetingId: 'Nye børn starter kun på kvartalets første møde. Vælg et af dem.' });
    }
    const startDate = instantToZoned(meeting.startsAt).date;
    const child = await selectChild(trx, e.childId);
    if (!child) throw new NotFoundError('Barnet findes ikke.');
    const eligibility = checkEligibility(child, eligibilityGroup(group), startDate, todayInZone(now), all.map(eligibilityGroup));
    // The age band is passed only by the coordinator's exception on the case (grantAgeException).
    const blocking = blockingFlag(eligibility, e.ageException !== null);
    if (blocking) {
      const way = blocking.code === 'not_girl' ? '' : ' Kun koordinatoren kan gøre en undtagelse for alderen, med en begrundelse.';
      throw new ConflictError(`Barnet kan ikke starte: ${blocking.message}${way}`);
    }
    const memberRows = await selectEnrollmentList(trx, [group.id], MEMBER_STATES);
    if (freePlaces(group.capacity, membersOf(memberRows, group.id), startDate) === 0) {
      throw new ConflictError(`Der er ingen ledig plads i gruppen den ${startDate}. Alle ${group.capacity} pladser er optaget.`);
    }
    const end = plannedEndDate(startDate, group.maxCourseMonths);
    const state = await applyEvents(trx, e, [{ type: 'start', startDate }], { startDate, plannedEndDate: end, intakeWindowId: windowId }, now);
    await recordAudit(trx, actor, [auditChange(e, { event: 'start', from: e.state, to: state, meetingId: meeting.id, startDate, plannedEndDate: end })], now);
    return { startDate, plannedEndDate: end };
  });
}

/**
 * The coordinator lets a child outside the group's age band start anyway, with a written reason (shown on the case,
 * audited). Leaders and caseworkers cannot: the band is the group's rule, and only the coordinator sets those.
 */
export async function grantAgeException(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: AgeExceptionInput | FormInput,
  now: Date,
): Promise<void> {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan gøre en undtagelse for alderen.');
  const data = parseInput(ageExceptionSchema, input);
  await db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    if (e.ageException !== null) throw new ConflictError('Der er allerede gjort en undtagelse for alderen.');
    if (e.startDate !== null || !(await updateAgeException(trx, e.id, { reason: data.reason, byUserId: actor.user.id }, now))) {
      throw new ConflictError('Undtagelsen kan kun gøres, før barnet har fået en plads.');
    }
    await recordAudit(trx, actor, [auditChange(e, { event: 'age_exception', reason: data.reason })], now);
  });
}

/** Puts a waiting child at a place on the group's waiting list, with a written reason (kept in the audit log). */
export async function reorderWaitingList(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: ReorderInput | FormInput,
  now: Date,
): Promise<{ from: number; to: number }> {
  const data = parseInput(reorderSchema, input);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    if (e.state !== 'waiting' || e.referralId === null) throw new ConflictError('Kun et barn på ventelisten kan flyttes på listen.');
    const rows = await selectEnrollmentList(trx, [e.groupId], ['waiting']);
    const before = orderWaitingList(rows).findIndex((r) => r.enrollmentId === e.id) + 1;
    const rank = rankForPosition(rows, e.id, data.position);
    await updateQueueRank(trx, e.referralId, rank, now);
    const position = Math.min(Math.max(data.position, 1), rows.length);
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'waiting_list', entityId: e.id, childId: e.childId, detail: JSON.stringify({ from: before, to: position, reason: data.reason }) }], now);
    return { from: before, to: position };
  });
}

/** Declines (the centre says no) or withdraws (the family or caseworker says no) at any step before the end. */
export async function declineOrWithdraw(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: DeclineInput | FormInput,
  now: Date,
): Promise<EnrollmentState> {
  const data = parseInput(declineSchema, input);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    return stopCourse(trx, actor, e, data.kind === 'decline' ? { type: 'decline', reason: data.reason } : { type: 'withdraw', reason: data.reason }, now);
  });
}

/**
 * The referring caseworker withdraws their own referral (the lifecycle's `withdraw` step), while the course has not
 * begun. Anyone but that caseworker and the coordinator is told the referral does not exist, as on its page.
 */
export async function withdrawReferral(
  db: Kysely<Database>,
  actor: Actor,
  referralId: string,
  input: WithdrawReferralInput | FormInput,
  now: Date,
): Promise<EnrollmentState> {
  if (actor.user.role !== 'caseworker' && actor.user.role !== 'coordinator') throw new ForbiddenError();
  const data = parseInput(withdrawReferralSchema, input);
  return db.transaction().execute(async (trx) => {
    const referral = await selectReferral(trx, referralId);
    const e = referral ? await selectEnrollmentOfReferral(trx, referral.id) : null;
    if (!referral || !e || (actor.user.role !== 'coordinator' && referral.caseworkerId !== actor.user.id)) throw new NotFoundError('Henvisningen findes ikke.');
    if (!caseworkerMayWithdraw(e.state, e.startDate, todayInZone(now))) {
      throw new ConflictError(isFinalState(e.state) ? 'Henvisningen er allerede afsluttet.' : 'Barnet er startet i gruppen. Ring til koordinatoren, hvis forløbet skal stoppe.');
    }
    return stopCourse(trx, actor, e, { type: 'withdraw', reason: data.reason }, now);
  });
}

/** Declines or withdraws in the caller's transaction: the step, the end date and reason, booked conversations cancelled, audited. */
async function stopCourse(
  trx: Transaction<Database>,
  actor: Actor,
  e: EnrollmentRecord,
  event: Extract<EnrollmentEvent, { type: 'decline' | 'withdraw' }>,
  now: Date,
): Promise<EnrollmentState> {
  const state = await applyEvents(trx, e, [event], { endedOn: todayInZone(now), endReason: event.reason }, now, event.reason);
  const booked = (await selectConversations(trx, e.childId, e.groupId)).filter((c) => c.enrollmentId === e.id && c.status === 'booked');
  for (const c of booked) await updateConversation(trx, c.id, { status: 'cancelled' }, now);
  await recordAudit(trx, actor, [auditChange(e, { event: event.type, from: e.state, to: state, reason: event.reason, cancelledConversations: booked.length })], now);
  return state;
}

/** Books the closing conversation (wrap-up and evaluation): the course moves to "afsluttende samtale aftalt". */
export async function bookClosingConversation(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: BookConversationInput | FormInput,
  now: Date,
): Promise<string> {
  const data = parseInput(bookConversationSchema, input);
  notBeforeToday(data.date, now);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    await checkLeader(trx, data.leaderId);
    const id = randomUUID();
    // The conversation first, so the step's message to the caseworker can tell its time (a refused step rolls both back).
    await insertConversation(
      trx,
      { id, kind: 'closing', childId: e.childId, groupId: e.groupId, referralId: e.referralId, enrollmentId: e.id, leaderId: data.leaderId, ...conversationTimes(data.date, data.time, data.durationMinutes), place: data.place, status: 'booked', note: null },
      now,
    );
    const state = await applyEvents(trx, e, [{ type: 'book_closing' }], {}, now);
    await recordAudit(trx, actor, [
      { action: 'create', entityType: 'conversation', entityId: id, childId: e.childId, detail: JSON.stringify({ kind: 'closing', date: data.date, time: data.time }) },
      auditChange(e, { event: 'book_closing', from: e.state, to: state }),
    ], now);
    return id;
  });
}

/** The closing conversation is held: the course ends. */
export async function endCourse(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: EndCourseInput | FormInput,
  now: Date,
): Promise<EnrollmentState> {
  const [data, evaluation, scales] = parseAll(() => parseInput(endCourseSchema, input), () => parseInput(evaluationSchema, input), () => parseScales(input));
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    if (e.startDate !== null && compareDates(data.endedOn, e.startDate) < 0) {
      throw new ValidationError({ endedOn: 'Forløbet kan ikke slutte, før det begyndte.' });
    }
    if (compareDates(data.endedOn, todayInZone(now)) > 0) throw new ValidationError({ endedOn: 'Skriv den dag, forløbet sluttede (i dag eller før).' });
    const reason = data.reason || 'Forløbet er afsluttet med en afsluttende samtale.';
    const closing = (await selectConversations(trx, e.childId, e.groupId)).filter((c) => c.enrollmentId === e.id && c.kind === 'closing' && c.status === 'booked');
    const ahead = closing.find((c) => c.startsAt.getTime() > now.getTime());
    if (ahead && legalEvents(e.state).includes('end')) {
      throw new ConflictError(`Den afsluttende samtale er ikke holdt endnu (${formatDateTime(ahead.startsAt, 'da')}). Afslut forløbet bagefter.`);
    }
    const state = await applyEvents(trx, e, [{ type: 'end' }], { endedOn: data.endedOn, endReason: reason }, now);
    for (const c of closing) await updateConversation(trx, c.id, { status: 'held' }, now);
    const held = closing[closing.length - 1] ?? null;
    await insertEvaluation(trx, {
      enrollmentId: e.id, childId: e.childId, conversationId: held?.id ?? null, recordedBy: actor.user.id,
      goalsReached: evaluation.goalsReached || null, childView: evaluation.childView || null, parentView: evaluation.parentView || null,
      nextStep: evaluation.nextStep, nextStepNote: evaluation.nextStepNote || null,
    }, now);
    await saveScales(trx, actor, e, 'closing', scales, data.endedOn, now);
    await draftClosingSummary(trx, actor, e, data.endedOn, now);
    await recordAudit(trx, actor, [
      auditChange(e, { event: 'end', from: e.state, to: state, endedOn: data.endedOn, reason }),
      { action: 'create', entityType: 'course_evaluation', entityId: e.id, childId: e.childId, detail: JSON.stringify({ nextStep: evaluation.nextStep, scaleAnswers: scales.length }) },
    ], now);
    return state;
  });
}

/**
 * A course ends without a closing conversation, where the group only offers one (the girls' group): the reason and
 * what happens next are kept as the course's evaluation.
 */
export async function endWithoutClosing(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: FormInput,
  now: Date,
): Promise<EnrollmentState> {
  const data = parseInput(endWithoutClosingSchema, input);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    const [group] = await selectGroups(trx, [e.groupId]);
    if (!group) throw new NotFoundError('Gruppen findes ikke.');
    const endedOn = todayInZone(now);
    const state = await applyEvents(
      trx, e, [{ type: 'end_without_closing', reason: data.reason, closing: CLOSING_CONVERSATION[group.kind] }], { endedOn, endReason: data.reason }, now,
    );
    // A closing conversation booked for a family that did not come is cancelled: it will not be held now.
    const booked = (await selectConversations(trx, e.childId, e.groupId)).filter((c) => c.enrollmentId === e.id && c.kind === 'closing' && c.status === 'booked');
    for (const c of booked) await updateConversation(trx, c.id, { status: 'cancelled' }, now);
    await insertEvaluation(trx, {
      enrollmentId: e.id, childId: e.childId, conversationId: null, recordedBy: actor.user.id,
      goalsReached: null, childView: null, parentView: null, nextStep: data.nextStep, nextStepNote: data.reason,
    }, now);
    await draftClosingSummary(trx, actor, e, endedOn, now);
    await recordAudit(trx, actor, [auditChange(e, { event: 'end_without_closing', from: e.state, to: state, reason: data.reason, nextStep: data.nextStep })], now);
    return state;
  });
}

/** Several parses at once, so every field's error shows together. */
function parseAll<A, B, C>(a: () => A, b: () => B, c: () => C): [A, B, C] {
  const fields: FieldErrors = {};
  const results: unknown[] = [];
  for (const parse of [a, b, c] as (() => unknown)[]) {
    try {
      results.push(parse());
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      Object.assign(fields, error.fields);
    }
  }
  if (Object.keys(fields).length > 0) throw new ValidationError(fields);
  return results as [A, B, C];
}

function parseScales(input: unknown): ProgressAnswer[] {
  const { answers, errors } = readScales(input as Record<string, unknown>);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return answers;
}

async function saveScales(trx: Db, actor: Actor, e: EnrollmentRecord, occasion: ProgressOccasion, answers: ProgressAnswer[], answeredOn: IsoDate, now: Date): Promise<void> {
  if (answers.length === 0 && occasion === 'meeting') return;
  await saveProgressAnswers(trx, { enrollmentId: e.id, childId: e.childId, occasion, answeredOn, recordedBy: actor.user.id }, answers, now, randomUUID);
  await recordAudit(trx, actor, [{ action: 'update', entityType: 'progress_answers', entityId: e.id, childId: e.childId, detail: JSON.stringify({ occasion, answers: answers.length }) }], now);
}

/** The system's first draft of the closing summary (version 1), from the course's dates, attendance and evaluation. */
async function draftClosingSummary(trx: Db, actor: Actor, e: EnrollmentRecord, endedOn: IsoDate, now: Date): Promise<void> {
  const child = await selectChild(trx, e.childId);
  const [group] = await selectGroups(trx, [e.groupId]);
  if (!child || !group) return;
  const from = e.startDate ? zonedToInstant(e.startDate, '00:00').toISOString() : now.toISOString();
  const attendance = await selectCourseAttendance(trx, e.id, e.groupId, from, now.toISOString());
  const evaluation = await selectEvaluation(trx, e.id);
  const body = draftSummary({
    firstName: child.firstName,
    groupName: group.name,
    startDate: e.startDate,
    endedOn,
    meetingsHeld: attendance.held,
    meetingsAttended: attendance.attended,
    evaluation: evaluation ? { goalsReached: evaluation.goalsReached ?? '', childView: evaluation.childView ?? '', parentView: evaluation.parentView ?? '', nextStep: evaluation.nextStep } : null,
  });
  const id = randomUUID();
  await insertSummaryVersion(trx, { id, enrollmentId: e.id, childId: e.childId, version: 1, body, state: 'draft', familyComment: null, writtenBy: null }, now);
  await recordAudit(trx, actor, [{ action: 'create', entityType: 'closing_summary', entityId: id, childId: e.childId, detail: JSON.stringify({ version: 1, state: 'draft', drafted: 'system' }) }], now);
}

/** A conversation the parents asked for during the course, held (date passed) or booked (date ahead). */
export async function recordParentConversation(
  db: Kysely<Database>,
  actor: Actor,
  enrollmentId: string,
  input: ParentConversationInput | FormInput,
  now: Date,
): Promise<string> {
  const data = parseInput(parentConversationSchema, input);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    if (!isMemberState(e.state)) throw new ConflictError('En forældresamtale kan kun skrives for et barn, der går i gruppen.');
    const [group] = await selectGroups(trx, [e.groupId]);
    const id = randomUUID();
    const times = conversationTimes(data.date, data.time, 60);
    await insertConversation(
      trx,
      { id, kind: 'parent', childId: e.childId, groupId: e.groupId, referralId: e.referralId, enrollmentId: e.id, leaderId: actor.user.id, ...times, place: group?.place ?? '', status: times.startsAt.getTime() <= now.getTime() ? 'held' : 'booked', note: data.note || null },
      now,
    );
    await recordAudit(trx, actor, [{ action: 'create', entityType: 'conversation', entityId: id, childId: e.childId, detail: JSON.stringify({ kind: 'parent', date: data.date, time: data.time }) }], now);
    return id;
  });
}

/**
 * A child of the children's band who is 13 at the next window moves to the young people's band: a new
 * enrollment there on the waiting list (keeping the referral's place in line), the old one ended.
 */
export async function moveToBand(db: Kysely<Database>, actor: Actor, enrollmentId: string, targetGroupId: string, now: Date): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    await assertGroupAccess(trx, actor, targetGroupId);
    const all = await selectGroups(trx);
    const group = groupOf(all, e.groupId);
    const child = await selectChild(trx, e.childId);
    if (!child) throw new NotFoundError('Barnet findes ikke.');
    const windows = await selectUpcomingWindowMeetings(trx, [group.id], now);
    const meetings = group.intakeRule === 'open' ? await selectUpcomingMeetings(trx, [group.id], now) : [];
    const chances = startChances(group, meetings.filter((s) => s.startsAt.getTime() > now.getTime()), windows, []);
    const eligibility = checkEligibility(child, eligibilityGroup(group), chances[0]?.date ?? null, todayInZone(now), all.map(eligibilityGroup));
    if (eligibility.moveTo?.groupId !== targetGroupId) throw new ConflictError('Barnet kan ikke flyttes til den gruppe.');
    const newId = randomUUID();
    await applyEvents(trx, e, [{ type: 'move_band' }], { endedOn: todayInZone(now), endReason: MOVED_TO_BAND_REASON }, now, MOVED_TO_BAND_REASON);
    await insertEnrollment(trx, { id: newId, childId: e.childId, groupId: targetGroupId, referralId: e.referralId, state: 'waiting' }, now);
    if (e.referralId !== null) await updateReferral(trx, e.referralId, { status: referralStatusFor('waiting'), groupId: targetGroupId }, now);
    await recordAudit(trx, actor, [
      auditChange(e, { event: 'move_band', from: e.state, to: 'ended', targetGroupId, newEnrollmentId: newId }),
      { action: 'create', entityType: 'enrollment', entityId: newId, childId: e.childId, detail: JSON.stringify({ state: 'waiting', movedFrom: e.id }) },
    ], now);
    return newId;
  });
}
