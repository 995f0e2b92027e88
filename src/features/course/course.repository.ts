import type { Kysely, Transaction } from 'kysely';
import type { Database, Municipality } from '../../lib/server/database';
import type { IsoDate } from '../../lib/time';
import type { ConversationStatus, NextStep, SummaryState } from '../lifecycle/lifecycle';
import type { ProgressAnswer, ProgressOccasion, ProgressQuestion, ProgressRecord, Respondent } from './course';

type Db = Kysely<Database> | Transaction<Database>;

// ---------------------------------------------------------------------------------------------
// The evaluation

export interface EvaluationRecord {
  enrollmentId: string;
  conversationId: string | null;
  goalsReached: string | null;
  childView: string | null;
  parentView: string | null;
  nextStep: NextStep;
  nextStepNote: string | null;
  createdAt: Date;
}

export async function insertEvaluation(
  db: Db,
  e: Omit<EvaluationRecord, 'createdAt'> & { childId: string; recordedBy: string },
  now: Date,
): Promise<void> {
  await db
    .insertInto('course_evaluations')
    .values({
      enrollment_id: e.enrollmentId,
      child_id: e.childId,
      conversation_id: e.conversationId,
      goals_reached: e.goalsReached,
      child_view: e.childView,
      parent_view: e.parentView,
      next_step: e.nextStep,
      next_step_note: e.nextStepNote,
      recorded_by: e.recordedBy,
      created_at: now.toISOString(),
    })
    .execute();
}

export async function selectEvaluation(db: Db, enrollmentId: string): Promise<EvaluationRecord | null> {
  const r = await db.selectFrom('course_evaluations').selectAll().where('enrollment_id', '=', enrollmentId).executeTakeFirst();
  if (!r) return null;
  return {
    enrollmentId: r.enrollment_id,
    conversationId: r.conversation_id,
    goalsReached: r.goals_reached,
    childView: r.child_view,
    parentView: r.parent_view,
    nextStep: r.next_step,
    nextStepNote: r.next_step_note,
    createdAt: new Date(r.created_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Progress answers

/**
 * Saves one occasion's answers; the intake's and the closing's replace any earlier ones. A check at a meeting in
 * between replaces only the same day's (so a second click saves once), and the checks of other days stay.
 */
export async function saveProgressAnswers(
  db: Db,
  target: { enrollmentId: string; childId: string; occasion: ProgressOccasion; answeredOn: IsoDate; recordedBy: string },
  answers: readonly ProgressAnswer[],
  now: Date,
  newId: () => string,
): Promise<void> {
  let earlier = db.deleteFrom('progress_answers').where('enrollment_id', '=', target.enrollmentId).where('occasion', '=', target.occasion);
  if (target.occasion === 'meeting') earlier = earlier.where('answered_on', '=', target.answeredOn);
  await earlier.execute();
  if (answers.length === 0) return;
  await db
    .insertInto('progress_answers')
    .values(answers.map((a) => ({
      id: newId(),
      enrollment_id: target.enrollmentId,
      child_id: target.childId,
      occasion: target.occasion,
      respondent: a.respondent,
      question: a.question,
      score: a.score,
      answered_on: target.answeredOn,
      recorded_by: target.recordedBy,
      created_at: now.toISOString(),
    })))
    .execute();
}

function toProgress(r: { occasion: ProgressOccasion; respondent: Respondent; question: string; score: number | string; answered_on: string }): ProgressRecord {
  return { occasion: r.occasion, respondent: r.respondent, question: r.question as ProgressQuestion, score: Number(r.score), answeredOn: r.answered_on as IsoDate };
}

export async function selectProgressAnswers(db: Db, enrollmentId: string): Promise<ProgressRecord[]> {
  const rows = await db
    .selectFrom('progress_answers')
    .select(['occasion', 'respondent', 'question', 'score', 'answered_on'])
    .where('enrollment_id', '=', enrollmentId)
    .orderBy('answered_on')
    .orderBy('created_at')
    .execute();
  return rows.map(toProgress);
}

/** The progress answers of courses that ended in [from, to), with what the figures split them by. */
export async function selectEndedProgress(
  db: Db,
  from: IsoDate,
  to: IsoDate,
): Promise<(ProgressRecord & { enrollmentId: string; groupId: string; municipality: Municipality; endedOn: IsoDate })[]> {
  const rows = await db
    .selectFrom('progress_answers')
    .innerJoin('enrollments', 'enrollments.id', 'progress_answers.enrollment_id')
    .innerJoin('children', 'children.id', 'progress_answers.child_id')
    .select([
      'progress_answers.enrollment_id', 'enrollments.group_id', 'children.municipality', 'enrollments.ended_on',
      'progress_answers.occasion', 'progress_answers.respondent', 'progress_answers.question', 'progress_answers.score', 'progress_answers.answered_on',
    ])
    .where('enrollments.state', '=', 'ended')
    .where('enrollments.ended_on', '>=', from)
    .where('enrollments.ended_on', '<', to)
    .execute();
  return rows.map((r) => ({ ...toProgress(r), enrollmentId: r.enrollment_id, groupId: r.group_id, municipality: r.municipality, endedOn: r.ended_on as IsoDate }));
}

// ---------------------------------------------------------------------------------------------
// Closing summaries: every version is a row; the newest carries the state

export interface SummaryVersion {
  id: string;
  version: number;
  body: string;
  state: SummaryState;
  familyComment: string | null;
  writtenBy: string | null;
  writtenByName: string | null;
  createdAt: Date;
}

export async function selectSummaryVersions(db: Db, enrollmentId: string): Promise<SummaryVersion[]> {
  const rows = await db
    .selectFrom('closing_summaries')
    .leftJoin('users', 'users.id', 'closing_summaries.written_by')
    .selectAll('closing_summaries')
    .select('users.display_name as written_by_name')
    .where('closing_summaries.enrollment_id', '=', enrollmentId)
    .orderBy('closing_summaries.version')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    version: Number(r.version),
    body: r.body,
    state: r.state,
    familyComment: r.family_comment,
    writtenBy: r.written_by,
    writtenByName: r.written_by_name ?? null,
    createdAt: new Date(r.created_at),
  }));
}

export async function insertSummaryVersion(
  db: Db,
  v: { id: string; enrollmentId: string; childId: string; version: number; body: string; state: SummaryState; familyComment: string | null; writtenBy: string | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('closing_summaries')
    .values({
      id: v.id,
      enrollment_id: v.enrollmentId,
      child_id: v.childId,
      version: v.version,
      body: v.body,
      state: v.state,
      family_comment: v.familyComment,
      written_by: v.writtenBy,
      created_at: now.toISOString(),
    })
    .execute();
}

/** Meetings of the group held (not cancelled, started) from `from` to `to`, and how many the course was marked present at. */
export async function selectCourseAttendance(
  db: Db,
  enrollmentId: string,
  groupId: string,
  from: string,
  to: string,
): Promise<{ held: number; attended: number }> {
  const held = await db
    .selectFrom('meetings')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('group_id', '=', groupId)
    .where('status', '!=', 'cancelled')
    .where('starts_at', '>=', from)
    .where('starts_at', '<', to)
    .executeTakeFirst();
  // Only marks on the meetings counted as held above: a mark on a meeting still to come is not attendance.
  const attended = await db
    .selectFrom('attendance as a')
    .innerJoin('meetings as s', 's.id', 'a.meeting_id')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('a.enrollment_id', '=', enrollmentId)
    .where('a.status', '=', 'present')
    .where('s.status', '!=', 'cancelled')
    .where('s.starts_at', '>=', from)
    .where('s.starts_at', '<', to)
    .executeTakeFirst();
  return { held: Number(held?.n ?? 0), attended: Number(attended?.n ?? 0) };
}

// ---------------------------------------------------------------------------------------------
// Parents' requests for a conversation

export interface ConversationRequestRecord {
  id: string;
  enrollmentId: string;
  message: string | null;
  askedAt: Date;
  answeredAt: Date | null;
  answerNote: string | null;
}

export async function insertConversationRequest(
  db: Db,
  r: { id: string; childId: string; enrollmentId: string; message: string | null },
  now: Date,
): Promise<void> {
  await db
    .insertInto('conversation_requests')
    .values({ id: r.id, child_id: r.childId, enrollment_id: r.enrollmentId, message: r.message, asked_at: now.toISOString(), answered_at: null, answered_by: null, answer_note: null })
    .execute();
}

export async function selectConversationRequests(db: Db, enrollmentId: string): Promise<ConversationRequestRecord[]> {
  const rows = await db.selectFrom('conversation_requests').selectAll().where('enrollment_id', '=', enrollmentId).orderBy('asked_at').execute();
  return rows.map((r) => ({
    id: r.id,
    enrollmentId: r.enrollment_id,
    message: r.message,
    askedAt: new Date(r.asked_at),
    answeredAt: r.answered_at ? new Date(r.answered_at) : null,
    answerNote: r.answer_note,
  }));
}

/** Marks an open request answered; false when it was already answered (a double click). */
export async function answerConversationRequest(db: Db, id: string, enrollmentId: string, by: string, note: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('conversation_requests')
    .set({ answered_at: now.toISOString(), answered_by: by, answer_note: note })
    .where('id', '=', id)
    .where('enrollment_id', '=', enrollmentId)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Open requests per enrollment, for the leaders' overview. */
export async function selectOpenRequestCounts(db: Db, enrollmentIds: readonly string[]): Promise<Map<string, number>> {
  if (enrollmentIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('conversation_requests')
    .select(['enrollment_id'])
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('enrollment_id', 'in', enrollmentIds)
    .where('answered_at', 'is', null)
    .groupBy('enrollment_id')
    .execute();
  return new Map(rows.map((r) => [r.enrollment_id, Number(r.n)]));
}

/** The follow-up conversations of some courses (for the overview), by enrollment. */
export async function selectFollowUps(db: Db, enrollmentIds: readonly string[]): Promise<Map<string, { status: ConversationStatus; startsAt: Date }[]>> {
  const out = new Map<string, { status: ConversationStatus; startsAt: Date }[]>();
  if (enrollmentIds.length === 0) return out;
  const rows = await db
    .selectFrom('conversations')
    .select(['enrollment_id', 'status', 'starts_at'])
    .where('kind', '=', 'follow_up')
    .where('enrollment_id', 'in', enrollmentIds)
    .execute();
  for (const r of rows) {
    if (r.enrollment_id === null) continue;
    const list = out.get(r.enrollment_id) ?? [];
    list.push({ status: r.status, startsAt: new Date(r.starts_at) });
    out.set(r.enrollment_id, list);
  }
  return out;
}

/** A child's ended courses, newest end first (the family page shows the newest summary shared with it). */
export async function selectEndedEnrollmentIds(db: Db, childId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('enrollments')
    .select(['id'])
    .where('child_id', '=', childId)
    .where('state', '=', 'ended')
    .orderBy('ended_on', 'desc')
    .execute();
  return rows.map((r) => r.id);
}

/** The courses a referral led to (a band move makes a second one), newest first. */
export async function selectEnrollmentIdsOfReferral(db: Db, referralId: string): Promise<string[]> {
  const rows = await db.selectFrom('enrollments').select(['id']).where('referral_id', '=', referralId).orderBy('created_at', 'desc').execute();
  return rows.map((r) => r.id);
}
