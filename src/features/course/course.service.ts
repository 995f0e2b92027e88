import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'astro/zod';
import type { Database } from '../../lib/server/database';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { instantToZoned, todayInZone, zonedToInstant } from '../../lib/time';
import type { Actor } from '../auth/auth';
import { recordAudit } from '../audit/audit.service';
import { enqueueSummaryReady } from '../messages/messages.service';
import { selectGroups } from '../groups/groups.repository';
import { clockField, dateField, optionalText } from '../enrollment/enrollment';
import { loadEnrollment } from '../enrollment/enrollment.service';
import { parseInput } from '../../lib/forms';
import { insertConversation, selectChild, selectConversations, selectEnrollment } from '../enrollment/enrollment.repository';
import type { SummaryState } from '../lifecycle/lifecycle';
import { followUpFor, isMemberState, SUMMARY_STATE_RULES, summaryTransition } from '../lifecycle/lifecycle';
import {
  answerRequestSchema, conversationRequestSchema, familyAnswerSchema, progressCheckErrors, readScales, skipFollowUpSchema, summaryEditSchema,
} from './course';
import type { ProgressRecord } from './course';
import type { EvaluationRecord, SummaryVersion } from './course.repository';
import {
  answerConversationRequest, insertConversationRequest, selectEnrollmentIdsOfReferral, insertSummaryVersion, saveProgressAnswers, selectConversationRequests,
  selectEvaluation, selectProgressAnswers, selectSummaryVersions,
} from './course.repository';

// The parts of a course around its states: the follow-up conversation, the parents' requests for a conversation,
// and the closing summary from draft to the family and on to the caseworker. Leaders work in their own groups, the
// coordinator in all (loadEnrollment checks); the family acts through its secret link; every change is audited.

type Db = Kysely<Database> | Transaction<Database>;
type FormInput = Record<string, unknown>;
type FamilyActor = { system: string };

// ---------------------------------------------------------------------------------------------
// The follow-up conversation

const followUpSchema = z.object({ date: dateField, time: clockField, note: optionalText(2000) });

/** A follow-up conversation, held (its time has passed) or booked (ahead). Only for a course in the group. */
export async function recordFollowUp(db: Kysely<Database>, actor: Actor, enrollmentId: string, input: FormInput, now: Date): Promise<string> {
  const data = parseInput(followUpSchema, input);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    if (!isMemberState(e.state)) throw new ConflictError('En opfølgningssamtale hører til et barn, der går i gruppen.');
    const [group] = await selectGroups(trx, [e.groupId]);
    const startsAt = zonedToInstant(data.date, data.time);
    const id = randomUUID();
    await insertConversation(trx, {
      id, kind: 'follow_up', childId: e.childId, groupId: e.groupId, referralId: e.referralId, enrollmentId: e.id, leaderId: actor.user.id,
      startsAt, endsAt: new Date(startsAt.getTime() + 60 * 60_000), place: group?.place ?? '',
      status: startsAt.getTime() <= now.getTime() ? 'held' : 'booked', note: data.note || null,
    }, now);
    await recordAudit(trx, actor, [{ action: 'create', entityType: 'conversation', entityId: id, childId: e.childId, detail: JSON.stringify({ kind: 'follow_up', date: data.date }) }], now);
    return id;
  });
}

// ---------------------------------------------------------------------------------------------
// A check on the scales between the intake and the closing conversation (midtvejs)

const progressCheckSchema = z.object({ answeredOn: dateField });

/**
 * The child's and a parent's answers to the progress questions at a meeting in between, for a child in the group.
 * One check per day: saving the same day again replaces that day's answers (a second click saves once).
 */
export async function recordProgressCheck(db: Kysely<Database>, actor: Actor, enrollmentId: string, input: FormInput, now: Date): Promise<void> {
  const { answers, errors } = readScales(input);
  const parsed = progressCheckSchema.safeParse(input);
  const today = todayInZone(now);
  // Every message at once: an answer off the scale, the day, nothing answered.
  const checks = parsed.success ? progressCheckErrors(parsed.data.answeredOn, answers, null, today) : { answeredOn: parsed.error.issues[0]?.message ?? 'Skriv en dato.' };
  for (const [field, message] of Object.entries(checks)) errors[field] ??= message;
  if (Object.keys(errors).length > 0 || !parsed.success) throw new ValidationError(errors);
  const answeredOn = parsed.data.answeredOn;
  await db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    if (!isMemberState(e.state)) throw new ConflictError('Svar undervejs hører til et barn, der går i gruppen.');
    const refused = progressCheckErrors(answeredOn, answers, e.startDate, today);
    if (Object.keys(refused).length > 0) throw new ValidationError(refused);
    await saveProgressAnswers(trx, { enrollmentId: e.id, childId: e.childId, occasion: 'meeting', answeredOn, recordedBy: actor.user.id }, answers, now, randomUUID);
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'progress_answers', entityId: e.id, childId: e.childId, detail: JSON.stringify({ occasion: 'meeting', answeredOn, answers: answers.length }) }], now);
  });
}

/** The follow-up is left out, with a reason; it is then no longer shown as due. */
export async function skipFollowUp(db: Kysely<Database>, actor: Actor, enrollmentId: string, input: FormInput, now: Date): Promise<string> {
  const data = parseInput(skipFollowUpSchema, input);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    const followUps = (await selectConversations(trx, e.childId, e.groupId))
      .filter((c) => c.enrollmentId === e.id && c.kind === 'follow_up')
      .map((c) => ({ status: c.status, startsOn: instantToZoned(c.startsAt).date }));
    const followUp = followUpFor(e.state, e.startDate, followUps, todayInZone(now));
    if (followUp === null) throw new ConflictError('En opfølgningssamtale hører til et barn, der går i gruppen.');
    if (followUp.status === 'held' || followUp.status === 'skipped') throw new ConflictError('Opfølgningen er allerede holdt eller sprunget over.');
    const id = randomUUID();
    // A skipped follow-up has no time of its own: it is stamped with the moment it was skipped and has no leader,
    // so it never appears in anybody's calendar.
    await insertConversation(trx, {
      id, kind: 'follow_up', childId: e.childId, groupId: e.groupId, referralId: e.referralId, enrollmentId: e.id, leaderId: null,
      startsAt: now, endsAt: now, place: '', status: 'skipped', note: data.reason,
    }, now);
    await recordAudit(trx, actor, [{ action: 'create', entityType: 'conversation', entityId: id, childId: e.childId, detail: JSON.stringify({ kind: 'follow_up', skipped: true, reason: data.reason }) }], now);
    return id;
  });
}

// ---------------------------------------------------------------------------------------------
// The parents' requests for a conversation

/** A leader answers a parent's request (a conversation booked, a phone call made): it leaves the case page's list. */
export async function answerRequest(db: Kysely<Database>, actor: Actor, enrollmentId: string, input: FormInput, now: Date): Promise<void> {
  const data = parseInput(answerRequestSchema, input);
  const requestId = typeof input['requestId'] === 'string' ? input['requestId'] : '';
  await db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    if (!(await answerConversationRequest(trx, requestId, e.id, actor.user.id, data.answerNote, now))) {
      throw new ConflictError('Ønsket er allerede besvaret.');
    }
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'conversation_request', entityId: requestId, childId: e.childId, detail: JSON.stringify({ answered: true }) }], now);
  });
}

/**
 * The family asks for a conversation, for the child's course in a group. Asking again while a request is open
 * changes nothing (a double click, or a second parent), so a request is saved once.
 */
export async function askForConversation(trx: Db, family: FamilyActor, enrollmentId: string, childId: string, input: FormInput, now: Date): Promise<void> {
  const data = parseInput(conversationRequestSchema, input);
  const open = (await selectConversationRequests(trx, enrollmentId)).find((r) => r.answeredAt === null);
  if (open) return;
  const id = randomUUID();
  await insertConversationRequest(trx, { id, childId, enrollmentId, message: data.message || null }, now);
  await recordAudit(trx, family, [{ action: 'create', entityType: 'conversation_request', entityId: id, childId, detail: 'samtale ønsket af familien' }], now);
}

/** Whether the family has a request no leader has answered yet. */
export async function hasOpenRequest(db: Db, enrollmentId: string): Promise<boolean> {
  return (await selectConversationRequests(db, enrollmentId)).some((r) => r.answeredAt === null);
}

// ---------------------------------------------------------------------------------------------
// The closing summary

export interface SummaryPage {
  enrollmentId: string;
  firstName: string;
  groupName: string;
  endedOn: string | null;
  versions: SummaryVersion[];
  current: SummaryVersion | null;
  editable: boolean;
  evaluation: EvaluationRecord | null;
  progress: ProgressRecord[];
}

function current(versions: readonly SummaryVersion[]): SummaryVersion | null {
  return versions[versions.length - 1] ?? null;
}

/** The summary page of an ended course: every version, the evaluation and the scales. Leaders of the group and the coordinator. */
export async function getSummaryPage(db: Kysely<Database>, actor: Actor, enrollmentId: string, now: Date): Promise<SummaryPage> {
  const e = await loadEnrollment(db, actor, enrollmentId);
  const versions = await selectSummaryVersions(db, e.id);
  if (versions.length === 0) throw new NotFoundError('Forløbet har ingen opsummering. Den skrives, når forløbet afsluttes.');
  const child = await selectChild(db, e.childId);
  const [group] = await selectGroups(db, [e.groupId]);
  if (!child || !group) throw new NotFoundError('Forløbet findes ikke.');
  await recordAudit(db, actor, [{ action: 'read', entityType: 'closing_summary', entityId: e.id, childId: e.childId }], now);
  const latest = current(versions);
  return {
    enrollmentId: e.id,
    firstName: child.firstName,
    groupName: group.name,
    endedOn: e.endedOn,
    versions,
    current: latest,
    editable: latest !== null && SUMMARY_STATE_RULES[latest.state].editable,
    evaluation: await selectEvaluation(db, e.id),
    progress: await selectProgressAnswers(db, e.id),
  };
}

async function addVersion(
  trx: Db,
  who: Actor | FamilyActor,
  e: { id: string; childId: string },
  step: Parameters<typeof summaryTransition>[1],
  change: { body?: string; familyComment?: string | null },
  now: Date,
): Promise<SummaryState> {
  const versions = await selectSummaryVersions(trx, e.id);
  const latest = current(versions);
  const moved = summaryTransition(latest?.state ?? 'none', step);
  if (!moved.ok) throw new ConflictError(moved.message);
  const id = randomUUID();
  const version = (latest?.version ?? 0) + 1;
  await insertSummaryVersion(trx, {
    id, enrollmentId: e.id, childId: e.childId, version,
    body: change.body ?? latest?.body ?? '',
    state: moved.state,
    familyComment: change.familyComment !== undefined ? change.familyComment : (latest?.familyComment ?? null),
    writtenBy: 'user' in who ? who.user.id : null,
  }, now);
  await recordAudit(trx, who, [{ action: 'create', entityType: 'closing_summary', entityId: id, childId: e.childId, detail: JSON.stringify({ version, step, state: moved.state }) }], now);
  return moved.state;
}

/** The leader's edit: a new version of the text (the draft, or the one the family has not answered yet). */
export async function saveSummary(db: Kysely<Database>, actor: Actor, enrollmentId: string, input: FormInput, now: Date): Promise<SummaryState> {
  const data = parseInput(summaryEditSchema, input);
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    const latest = current(await selectSummaryVersions(trx, e.id));
    if (latest?.body === data.body) return latest.state;
    return addVersion(trx, actor, e, 'save_draft', { body: data.body }, now);
  });
}

/** The summary is shown to the family on the family page. */
export async function shareSummary(db: Kysely<Database>, actor: Actor, enrollmentId: string, now: Date): Promise<SummaryState> {
  return db.transaction().execute(async (trx) => {
    const e = await loadEnrollment(trx, actor, enrollmentId);
    return addVersion(trx, actor, e, 'share_with_family', {}, now);
  });
}

export interface FamilySummary {
  enrollmentId: string;
  body: string;
  state: SummaryState;
  familyComment: string | null;
}

/** The newest summary the family may read (shared with them), or null. */
export async function familySummary(db: Db, enrollmentIds: readonly string[]): Promise<FamilySummary | null> {
  for (const id of enrollmentIds) {
    const latest = current(await selectSummaryVersions(db, id));
    if (latest && SUMMARY_STATE_RULES[latest.state].familySees) return { enrollmentId: id, body: latest.body, state: latest.state, familyComment: latest.familyComment };
  }
  return null;
}

/**
 * The family accepts the summary or adds a comment; either way it then goes to the referring caseworker (their
 * referral page shows it from now on; a message follows through `summaryReachedCaseworker`).
 */
export async function answerSummary(trx: Transaction<Database>, family: FamilyActor, enrollmentId: string, childId: string, input: FormInput, now: Date): Promise<void> {
  const data = parseInput(familyAnswerSchema, input);
  const e = await selectEnrollment(trx, enrollmentId);
  if (!e || e.childId !== childId) throw new NotFoundError('Opsummeringen findes ikke.');
  await addVersion(trx, family, e, data.answer === 'accept' ? 'family_accepts' : 'family_comments', { familyComment: data.answer === 'comment' ? data.comment : null }, now);
  await summaryReachedCaseworker(trx, e.id, data.answer === 'comment', now);
}

/**
 * The summary has gone to the referring caseworker: an e-mail with a link to their referral page is written in the
 * same transaction as the family's answer (messages, issue 14).
 */
export async function summaryReachedCaseworker(trx: Transaction<Database>, enrollmentId: string, commented: boolean, now: Date): Promise<void> {
  await enqueueSummaryReady(trx, enrollmentId, commented, now);
}

/**
 * The summary the referring caseworker may read on their referral page: only once the family has seen and
 * answered it. The caller has checked that the referral is theirs.
 */
export async function caseworkerSummary(db: Db, referralId: string): Promise<FamilySummary | null> {
  for (const enrollmentId of await selectEnrollmentIdsOfReferral(db, referralId)) {
    const latest = current(await selectSummaryVersions(db, enrollmentId));
    if (latest && SUMMARY_STATE_RULES[latest.state].caseworkerSees) {
      return { enrollmentId, body: latest.body, state: latest.state, familyComment: latest.familyComment };
    }
  }
  return null;
}
