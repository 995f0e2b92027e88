// Arranges children with everything that hangs on them (guardians, referral, course, conversations, marks, family
// link) straight in the tables, for the privacy tests (audit, retention, insight, backup).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor, StaffUser } from '../../src/features/auth/auth';
import type { Database, Municipality, Role } from '../../src/lib/server/database';

export async function addStaff(db: Kysely<Database>, role: Role, name: string, now = new Date('2026-01-01T10:00:00Z')): Promise<Actor> {
  const id = randomUUID();
  const email = `${name.toLowerCase().replace(/\W+/g, '.')}.${id.slice(0, 6)}@test.dk`;
  const at = now.toISOString();
  await db.insertInto('users').values({ id, email, display_name: name, role, municipality: null, password_hash: null, totp_key: null, disabled_at: null, created_at: at, updated_at: at }).execute();
  const user: StaffUser = { id, email, displayName: name, role, municipality: null };
  return { user, ip: '10.1.2.3' };
}

export async function addGroup(db: Kysely<Database>, name: string): Promise<string> {
  const id = randomUUID();
  const at = '2023-01-01T10:00:00.000Z';
  await db.insertInto('groups').values({
    id, slug: `${name.toLowerCase().replace(/\W+/g, '-')}-${id.slice(0, 6)}`, name, kind: 'girls', min_age: 7, max_age: 15, capacity: 10,
    place: 'Familiecentret', intake_rule: 'open', max_course_months: null, archived_at: null, created_at: at, updated_at: at,
  }).execute();
  return id;
}

/** Meetings of a group at the given instants (16.00 Copenhagen winter time if given as dates). */
export async function addSessions(db: Kysely<Database>, groupId: string, startsAt: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const start of startsAt) {
    const id = randomUUID();
    ids.push(id);
    const end = new Date(new Date(start).getTime() + 2 * 3600_000).toISOString();
    await db.insertInto('group_sessions').values({
      id, group_id: groupId, occurrence_key: `${start.slice(0, 10)}-${id.slice(0, 4)}`, starts_at: start, ends_at: end,
      place: 'Familiecentret', status: 'planned', created_at: start, updated_at: start,
    }).execute();
  }
  return ids;
}

export interface ChildSpec {
  groupId: string;
  firstName: string;
  lastName: string;
  municipality?: Municipality;
  referralStatus?: string;
  receivedAt?: string;
  enrollmentState?: string | null;
  startDate?: string | null;
  endedOn?: string | null;
  updatedAt?: string;
  sessionIds?: string[];
  guardianName?: string;
  caseworkerId?: string | null;
}

export interface ChildIds {
  childId: string;
  guardianId: string;
  referralId: string;
  enrollmentId: string | null;
  conversationId: string;
  familyLinkId: string;
}

export async function addChild(db: Kysely<Database>, spec: ChildSpec): Promise<ChildIds> {
  const childId = randomUUID();
  const guardianId = randomUUID();
  const referralId = randomUUID();
  const conversationId = randomUUID();
  const familyLinkId = randomUUID();
  const updatedAt = spec.updatedAt ?? '2025-01-31T12:00:00.000Z';
  const receivedAt = spec.receivedAt ?? '2024-01-10T09:00:00.000Z';
  await db.insertInto('children').values({
    id: childId, first_name: spec.firstName, last_name: spec.lastName, birth_date: '2014-05-01', gender: 'girl',
    municipality: spec.municipality ?? 'ishoj', created_at: receivedAt, updated_at: updatedAt,
  }).execute();
  await db.insertInto('guardians').values({
    id: guardianId, child_id: childId, name: spec.guardianName ?? `Forælder til ${spec.firstName}`, phone: '+45 12 34 56 78',
    email: `${childId.slice(0, 8)}@familie.dk`, interpreter_language: null, created_at: receivedAt,
  }).execute();
  await db.insertInto('referrals').values({
    id: referralId, reference: `H-${childId.slice(0, 8)}`, group_id: spec.groupId, child_id: childId, source: 'caseworker',
    caseworker_id: spec.caseworkerId ?? null, status: spec.referralStatus ?? 'ended', reason: `Grund for ${spec.firstName}`,
    queue_rank: null, status_reason: null, idempotency_key: null, received_at: receivedAt, updated_at: updatedAt,
  }).execute();
  let enrollmentId: string | null = null;
  if (spec.enrollmentState !== null) {
    enrollmentId = randomUUID();
    await db.insertInto('enrollments').values({
      id: enrollmentId, child_id: childId, group_id: spec.groupId, referral_id: referralId, state: spec.enrollmentState ?? 'ended',
      intake_window_id: null, start_date: spec.startDate === undefined ? '2024-02-14' : spec.startDate, planned_end_date: null,
      ended_on: spec.endedOn === undefined ? '2025-01-31' : spec.endedOn, end_reason: null, created_at: receivedAt, updated_at: updatedAt,
    }).execute();
    for (const sessionId of spec.sessionIds ?? []) {
      await db.insertInto('attendance').values({
        session_id: sessionId, enrollment_id: enrollmentId, status: 'present', reason: null, source: 'leader', recorded_by: null,
        recorded_at: updatedAt,
      }).execute();
    }
  }
  await db.insertInto('conversations').values({
    id: conversationId, kind: 'intake', child_id: childId, group_id: spec.groupId, referral_id: referralId,
    enrollment_id: enrollmentId, leader_id: null, starts_at: '2024-02-01T15:00:00.000Z', ends_at: '2024-02-01T16:00:00.000Z',
    place: 'Familiecentret', status: 'held', outcome: 'fits', outcome_reason: null, child_words: `${spec.firstName} glæder sig`,
    note: `Note om ${spec.firstName}`, created_at: receivedAt, updated_at: updatedAt,
  }).execute();
  await db.insertInto('family_links').values({
    id: familyLinkId, child_id: childId, token_hash: `hash-${childId}`, created_by: null, created_at: receivedAt, revoked_at: null,
  }).execute();
  return { childId, guardianId, referralId, enrollmentId, conversationId, familyLinkId };
}
