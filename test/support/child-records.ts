// Arranges children with everything that hangs on them (guardians, referral, course, conversations, marks, family
// link), for the privacy tests (audit, retention, insight, backup) and the browser tests. Built from the shared
// builders (builders.ts); these are the defaults the privacy tests share.
import type { Kysely } from 'kysely';
import type { Actor } from '../../src/features/auth/auth';
import type { Database, Municipality, Role } from '../../src/lib/server/database';
import * as build from './builders';

export async function addStaff(db: Kysely<Database>, role: Role, name: string, now = new Date('2026-01-01T10:00:00Z')): Promise<Actor> {
  return build.addUser(db, role, { name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${crypto.randomUUID().slice(0, 6)}@test.dk`, at: now, ip: '10.1.2.3' });
}

export async function addGroup(db: Kysely<Database>, name: string): Promise<string> {
  const at = '2023-01-01T10:00:00.000Z';
  const id = crypto.randomUUID();
  return build.addGroup(db, { id, name, slug: `${name.toLowerCase().replace(/\W+/g, '-')}-${id.slice(0, 6)}`, created_at: at, updated_at: at });
}

/** Meetings of a group at the given instants (16.00 Copenhagen winter time if given as dates). */
export async function addMeetings(db: Kysely<Database>, groupId: string, startsAt: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const start of startsAt) ids.push(...(await build.addMeetings(db, groupId, [start], { created_at: start, updated_at: start })));
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
  meetingIds?: string[];
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
  const updatedAt = spec.updatedAt ?? '2025-01-31T12:00:00.000Z';
  const receivedAt = spec.receivedAt ?? '2024-01-10T09:00:00.000Z';
  const childId = crypto.randomUUID();
  const { guardianIds } = await build.addChild(db, {
    id: childId, first_name: spec.firstName, last_name: spec.lastName, birth_date: '2014-05-01', gender: 'girl',
    municipality: spec.municipality ?? 'ishoj', created_at: receivedAt, updated_at: updatedAt,
    guardians: [{ name: spec.guardianName ?? `Forælder til ${spec.firstName}`, email: `${childId.slice(0, 8)}@familie.dk` }],
  });
  const referralId = await build.addReferral(db, {
    reference: `H-${childId.slice(0, 8)}`, group_id: spec.groupId, child_id: childId, caseworker_id: spec.caseworkerId ?? null,
    status: spec.referralStatus ?? 'ended', reason: `Grund for ${spec.firstName}`, received_at: receivedAt, updated_at: updatedAt,
  });
  let enrollmentId: string | null = null;
  if (spec.enrollmentState !== null) {
    enrollmentId = await build.addEnrollment(db, {
      child_id: childId, group_id: spec.groupId, referral_id: referralId, state: spec.enrollmentState ?? 'ended',
      start_date: spec.startDate === undefined ? '2024-02-14' : spec.startDate,
      ended_on: spec.endedOn === undefined ? '2025-01-31' : spec.endedOn, created_at: receivedAt, updated_at: updatedAt,
    });
    for (const meetingId of spec.meetingIds ?? []) {
      await build.addMark(db, { meeting_id: meetingId, enrollment_id: enrollmentId, recorded_at: updatedAt });
    }
  }
  const conversationId = await build.addConversation(db, {
    child_id: childId, group_id: spec.groupId, referral_id: referralId, enrollment_id: enrollmentId,
    starts_at: '2024-02-01T15:00:00.000Z', status: 'held', outcome: 'fits', child_words: `${spec.firstName} glæder sig`,
    note: `Note om ${spec.firstName}`, created_at: receivedAt, updated_at: updatedAt,
  });
  const familyLinkId = crypto.randomUUID();
  await db.insertInto('family_links').values({
    id: familyLinkId, child_id: childId, token_hash: `hash-${childId}`, created_by: null, created_at: receivedAt, revoked_at: null,
  }).execute();
  return { childId, guardianId: guardianIds[0] ?? '', referralId, enrollmentId, conversationId, familyLinkId };
}
