import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { childFromRow, guardianFromRow } from '../../lib/server/rows';
import type {
  InsightAttendance, InsightAuditEntry, InsightConversationRequest, InsightEvaluation, InsightProgressAnswer, InsightSummaryVersion, InsightChild, InsightConversation, InsightEnrollment, InsightFamilyLink,
  InsightGuardian, InsightReferral,
} from './insight';

type Db = Kysely<Database> | Transaction<Database>;

// The insight shows the stored instants as stored (ISO text); the app writes them with toISOString(), so the
// decoded Date gives the same text back.
export async function selectInsightChild(db: Db, childId: string): Promise<InsightChild | null> {
  const r = await db.selectFrom('children').selectAll().where('id', '=', childId).executeTakeFirst();
  if (!r) return null;
  const child = childFromRow(r);
  return { ...child, createdAt: child.createdAt.toISOString(), updatedAt: child.updatedAt.toISOString() };
}

export async function selectInsightGuardians(db: Db, childId: string): Promise<InsightGuardian[]> {
  const rows = await db.selectFrom('guardians').selectAll().where('child_id', '=', childId).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => {
    const { childId: _child, ...guardian } = guardianFromRow(r);
    return { ...guardian, createdAt: guardian.createdAt.toISOString() };
  });
}

export async function selectInsightReferrals(db: Db, childId: string): Promise<InsightReferral[]> {
  const rows = await db
    .selectFrom('referrals as r')
    .innerJoin('groups as g', 'g.id', 'r.group_id')
    .leftJoin('users as u', 'u.id', 'r.caseworker_id')
    .select([
      'r.id', 'r.reference', 'g.name as group_name', 'r.source', 'u.display_name as caseworker', 'r.status', 'r.reason',
      'r.custody_consent', 'r.status_reason', 'r.received_at', 'r.updated_at',
    ])
    .where('r.child_id', '=', childId)
    .orderBy('r.received_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    reference: r.reference,
    group: r.group_name,
    source: r.source,
    caseworker: r.caseworker,
    status: r.status,
    reason: r.reason,
    custodyConsent: Number(r.custody_consent) === 1,
    statusReason: r.status_reason,
    receivedAt: r.received_at,
    updatedAt: r.updated_at,
  }));
}

export async function selectInsightEnrollments(db: Db, childId: string): Promise<InsightEnrollment[]> {
  const rows = await db
    .selectFrom('enrollments as e')
    .innerJoin('groups as g', 'g.id', 'e.group_id')
    .select([
      'e.id', 'g.name as group_name', 'e.state', 'e.start_date', 'e.planned_end_date', 'e.ended_on', 'e.end_reason',
      'e.age_exception_reason', 'e.created_at', 'e.updated_at',
    ])
    .where('e.child_id', '=', childId)
    .orderBy('e.created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    group: r.group_name,
    state: r.state,
    startDate: r.start_date,
    plannedEndDate: r.planned_end_date,
    endedOn: r.ended_on,
    endReason: r.end_reason,
    ageExceptionReason: r.age_exception_reason,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

export async function selectInsightConversations(db: Db, childId: string): Promise<InsightConversation[]> {
  const rows = await db
    .selectFrom('conversations as c')
    .innerJoin('groups as g', 'g.id', 'c.group_id')
    .leftJoin('users as u', 'u.id', 'c.leader_id')
    .select([
      'c.id', 'c.kind', 'g.name as group_name', 'u.display_name as leader', 'c.starts_at', 'c.ends_at', 'c.place', 'c.status',
      'c.outcome', 'c.outcome_reason', 'c.child_words', 'c.note', 'c.created_at', 'c.updated_at',
    ])
    .where('c.child_id', '=', childId)
    .orderBy('c.starts_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    group: r.group_name,
    leader: r.leader,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    place: r.place,
    status: r.status,
    outcome: r.outcome,
    outcomeReason: r.outcome_reason,
    childWords: r.child_words,
    note: r.note,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  }));
}

export async function selectInsightAttendance(db: Db, childId: string): Promise<InsightAttendance[]> {
  const rows = await db
    .selectFrom('attendance as a')
    .innerJoin('enrollments as e', 'e.id', 'a.enrollment_id')
    .innerJoin('meetings as s', 's.id', 'a.meeting_id')
    .innerJoin('groups as g', 'g.id', 's.group_id')
    .select(['g.name as group_name', 's.starts_at', 'a.status', 'a.reason', 'a.source', 'a.recorded_at'])
    .where('e.child_id', '=', childId)
    .orderBy('s.starts_at')
    .execute();
  return rows.map((r) => ({
    group: r.group_name,
    meetingStartsAt: r.starts_at,
    status: r.status,
    reason: r.reason,
    source: r.source,
    recordedAt: r.recorded_at,
  }));
}

/** Dates only: the token's hash stays in the database. */
export async function selectInsightFamilyLinks(db: Db, childId: string): Promise<InsightFamilyLink[]> {
  const rows = await db.selectFrom('family_links').select(['created_at', 'revoked_at']).where('child_id', '=', childId).orderBy('created_at').execute();
  return rows.map((r) => ({ createdAt: r.created_at, revokedAt: r.revoked_at }));
}

export async function selectInsightAudit(db: Db, childId: string): Promise<InsightAuditEntry[]> {
  const rows = await db
    .selectFrom('audit_log')
    .select(['at', 'actor', 'action', 'entity_type', 'entity_id', 'ip', 'detail'])
    .where('child_id', '=', childId)
    .orderBy('at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ at: r.at, actor: r.actor, action: r.action, entityType: r.entity_type, entityId: r.entity_id, ip: r.ip, detail: r.detail }));
}

// ---------------------------------------------------------------------------------------------
// The course's evaluation, scales, summaries and requests (issue 15)

export async function selectInsightEvaluations(db: Db, childId: string): Promise<InsightEvaluation[]> {
  const rows = await db.selectFrom('course_evaluations').selectAll().where('child_id', '=', childId).orderBy('created_at').execute();
  return rows.map((r) => ({
    enrollmentId: r.enrollment_id, goalsReached: r.goals_reached, childView: r.child_view, parentView: r.parent_view, nextStep: r.next_step,
    nextStepNote: r.next_step_note, createdAt: r.created_at,
  }));
}

export async function selectInsightProgressAnswers(db: Db, childId: string): Promise<InsightProgressAnswer[]> {
  const rows = await db.selectFrom('progress_answers').selectAll().where('child_id', '=', childId).orderBy('answered_on').orderBy('respondent').orderBy('question').execute();
  return rows.map((r) => ({ enrollmentId: r.enrollment_id, occasion: r.occasion, respondent: r.respondent, question: r.question, score: Number(r.score), answeredOn: r.answered_on }));
}

export async function selectInsightSummaries(db: Db, childId: string): Promise<InsightSummaryVersion[]> {
  const rows = await db.selectFrom('closing_summaries').selectAll().where('child_id', '=', childId).orderBy('enrollment_id').orderBy('version').execute();
  return rows.map((r) => ({ enrollmentId: r.enrollment_id, version: Number(r.version), state: r.state, body: r.body, familyComment: r.family_comment, createdAt: r.created_at }));
}

export async function selectInsightConversationRequests(db: Db, childId: string): Promise<InsightConversationRequest[]> {
  const rows = await db.selectFrom('conversation_requests').selectAll().where('child_id', '=', childId).orderBy('asked_at').execute();
  return rows.map((r) => ({ enrollmentId: r.enrollment_id, message: r.message, askedAt: r.asked_at, answeredAt: r.answered_at, answerNote: r.answer_note }));
}
