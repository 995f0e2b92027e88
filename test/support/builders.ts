// Test data builders: the one place that writes fixture rows straight into the tables, for the integration tests,
// the browser tests' setup and the bench. Each builder takes what a test cares about and fills the rest with
// plain defaults, so a schema change is made here and nowhere else. Every builder returns the ids it made.
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Actor } from '../../src/features/auth/auth';
import type {
  AttendanceTable, ChildrenTable, ConversationsTable, Database, EnrollmentsTable, MeetingsTable, GroupsTable,
  GuardiansTable, MeetingRulesTable, Municipality, ReferralsTable, Role,
} from '../../src/lib/server/database';

type Db = Kysely<Database>;

/** Stamps for created_at/updated_at when a test does not care. */
const DEFAULT_AT = '2026-01-01T10:00:00.000Z';
const HOUR = 3600_000;

const slug = (text: string): string => text.toLowerCase().replace(/\W+/g, '.').replace(/^\.|\.$/g, '');
const iso = (at: Date | string): string => (typeof at === 'string' ? at : at.toISOString());

// ---------------------------------------------------------------------------------------------
// Staff

export interface UserSpec {
  /** Display name; also the start of the e-mail address. */
  name?: string;
  /** Default: the name, a unique suffix and @ishoj.dk. */
  email?: string;
  municipality?: Municipality | null;
  disabled?: boolean;
  passwordHash?: string | null;
  totpKey?: string | null;
  /** The actor's address in the audit log. */
  ip?: string | null;
  at?: Date | string;
}

/** A staff account (no password, no second factor unless given), and the actor a service call takes. */
export async function addUser(db: Db, role: Role, spec: UserSpec = {}): Promise<Actor> {
  return insertUser(db, plannedUser(role, spec), spec);
}

/** The actor of an account whose row is not written yet (its id is made here): see insertUser. */
export function plannedUser(role: Role, spec: UserSpec = {}): Actor {
  const id = randomUUID();
  const name = spec.name ?? `${role} ${id.slice(0, 4)}`;
  const email = spec.email ?? `${slug(name)}.${id.slice(0, 6)}@ishoj.dk`;
  return { user: { id, email, displayName: name, role, municipality: spec.municipality ?? null }, ip: spec.ip === undefined ? '127.0.0.1' : spec.ip };
}

/** Writes the account of a planned actor; `spec` gives what the actor does not hold (password, key, stamps). */
export async function insertUser(db: Db, actor: Actor, spec: UserSpec = {}): Promise<Actor> {
  const at = iso(spec.at ?? DEFAULT_AT);
  const { id, email, displayName, role, municipality } = actor.user;
  await db.insertInto('users').values({
    id, email, display_name: displayName, role, municipality, password_hash: spec.passwordHash ?? null, totp_key: spec.totpKey ?? null,
    disabled_at: spec.disabled ? at : null, created_at: at, updated_at: at,
  }).execute();
  return actor;
}

// ---------------------------------------------------------------------------------------------
// Groups and their meetings

export type GroupSpec = Partial<Insertable<GroupsTable>> & {
  /** Leaders (user ids) of the group. */
  leaderIds?: readonly string[];
};

/** A group (the girls' group's facts unless told otherwise), with its leaders. Returns the group's id. */
export async function addGroup(db: Db, spec: GroupSpec = {}): Promise<string> {
  const { leaderIds = [], ...columns } = spec;
  const id = columns.id ?? randomUUID();
  const name = columns.name ?? `Gruppe ${id.slice(0, 4)}`;
  await db.insertInto('groups').values({
    slug: `g-${id.slice(0, 8)}`, kind: 'girls', min_age: 7, max_age: 15, capacity: 10, place: 'Familiecentret', intake_rule: 'open',
    max_course_months: null, archived_at: null, created_at: DEFAULT_AT, updated_at: DEFAULT_AT,
    ...columns, id, name,
  }).execute();
  await addLeaders(db, id, leaderIds);
  return id;
}

/** Makes the users leaders of the group; one who leads it already stays so. */
export async function addLeaders(db: Db, groupId: string, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .insertInto('group_leaders')
    .values(userIds.map((user_id) => ({ group_id: groupId, user_id })))
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .execute();
}

/** The group's meeting rule (default: the second Wednesday of the month, 16.00-18.00); staff group pages show it. */
export async function addMeetingRule(db: Db, groupId: string, spec: Partial<Omit<Insertable<MeetingRulesTable>, 'group_id'>> = {}): Promise<void> {
  await db.insertInto('meeting_rules').values({
    id: randomUUID(), group_id: groupId, weekday: 3, nth: 2, start_time: '16:00', end_time: '18:00', on_closed: 'next_week', updated_at: DEFAULT_AT,
    ...spec,
  }).execute();
}

export type MeetingSpec = Partial<Omit<Insertable<MeetingsTable>, 'starts_at'>> & {
  /** Default: two hours. */
  hours?: number;
};

/** Group meetings (meetings) starting at the given instants, two hours each. Returns their ids, in order. */
export async function addMeetings(db: Db, groupId: string, starts: readonly (Date | string)[], spec: MeetingSpec = {}): Promise<string[]> {
  const { hours = 2, ...columns } = spec;
  const rows = starts.map((start) => {
    const startsAt = iso(start);
    const id = randomUUID();
    return {
      occurrence_key: `${startsAt.slice(0, 10)}-${id.slice(0, 4)}`, ends_at: new Date(Date.parse(startsAt) + hours * HOUR).toISOString(),
      place: 'Familiecentret', status: 'planned' as const, created_at: DEFAULT_AT, updated_at: DEFAULT_AT,
      ...columns, id, group_id: groupId, starts_at: startsAt,
    };
  });
  if (rows.length > 0) await db.insertInto('meetings').values(rows).execute();
  return rows.map((r) => r.id);
}

/** A group's meeting rows, by start (reading back what a schedule made). */
export function meetingsOfGroup(db: Db, groupId: string) {
  return db.selectFrom('meetings').selectAll().where('group_id', '=', groupId).orderBy('starts_at').execute();
}

/** The meeting a group's rule made for an occurrence (`YYYY-MM`), if there is one. */
export function meetingByKey(db: Db, groupId: string, occurrenceKey: string) {
  return db.selectFrom('meetings').selectAll().where('group_id', '=', groupId).where('occurrence_key', '=', occurrenceKey).executeTakeFirst();
}

// ---------------------------------------------------------------------------------------------
// Children, their guardians, referrals and courses

export type ChildSpec = Partial<Insertable<ChildrenTable>> & {
  /** Guardians to add (each a partial row); default none. */
  guardians?: readonly Partial<Omit<Insertable<GuardiansTable>, 'child_id'>>[];
};

export interface ChildIds {
  childId: string;
  guardianIds: string[];
}

/** A child (a girl from Ishøj born 2016 unless told otherwise), with any guardians given. */
export async function addChild(db: Db, spec: ChildSpec = {}): Promise<ChildIds> {
  const { guardians = [], ...columns } = spec;
  const childId = columns.id ?? randomUUID();
  await db.insertInto('children').values({
    first_name: 'Barn', last_name: 'Testesen', birth_date: '2016-05-01', gender: 'girl', municipality: 'ishoj',
    created_at: DEFAULT_AT, updated_at: DEFAULT_AT,
    ...columns, id: childId,
  }).execute();
  const guardianIds: string[] = [];
  for (const guardian of guardians) {
    const id = guardian.id ?? randomUUID();
    guardianIds.push(id);
    await db.insertInto('guardians').values({
      name: 'Forælder Testesen', phone: '+45 12 34 56 78', email: null, interpreter_language: null, created_at: columns.created_at ?? DEFAULT_AT,
      ...guardian, id, child_id: childId,
    }).execute();
  }
  return { childId, guardianIds };
}

export type ReferralSpec = Partial<Insertable<ReferralsTable>> & Pick<Insertable<ReferralsTable>, 'child_id' | 'group_id'>;

/** A referral of a child to a group (from a caseworker, status 'received' unless told otherwise). Returns its id. */
export async function addReferral(db: Db, spec: ReferralSpec): Promise<string> {
  const id = spec.id ?? randomUUID();
  await db.insertInto('referrals').values({
    reference: `H-${id.slice(0, 8)}`, source: 'caseworker', caseworker_id: null, status: 'received', reason: 'Grund til henvisningen',
    queue_rank: null, status_reason: null, idempotency_key: null, received_at: DEFAULT_AT, updated_at: DEFAULT_AT,
    ...spec, id,
  }).execute();
  return id;
}

export type EnrollmentSpec = Partial<Insertable<EnrollmentsTable>> & Pick<Insertable<EnrollmentsTable>, 'child_id' | 'group_id'>;

/** A course (enrollment) in a given state: 'active' from 1 January 2026 unless told otherwise. Returns its id. */
export async function addEnrollment(db: Db, spec: EnrollmentSpec): Promise<string> {
  const id = spec.id ?? randomUUID();
  await db.insertInto('enrollments').values({
    referral_id: null, state: 'active', intake_window_id: null, start_date: '2026-01-01', planned_end_date: null, ended_on: null,
    end_reason: null, created_at: DEFAULT_AT, updated_at: DEFAULT_AT,
    ...spec, id,
  }).execute();
  return id;
}

export type ConversationSpec = Partial<Insertable<ConversationsTable>> &
  Pick<Insertable<ConversationsTable>, 'child_id' | 'group_id' | 'starts_at'>;

/** A conversation (an intake conversation of an hour, booked, unless told otherwise). Returns its id. */
export async function addConversation(db: Db, spec: ConversationSpec): Promise<string> {
  const id = spec.id ?? randomUUID();
  await db.insertInto('conversations').values({
    kind: 'intake', referral_id: null, enrollment_id: null, leader_id: null, ends_at: new Date(Date.parse(spec.starts_at) + HOUR).toISOString(),
    place: 'Familiecentret', status: 'booked', outcome: null, outcome_reason: null, child_words: null, note: null,
    created_at: DEFAULT_AT, updated_at: DEFAULT_AT,
    ...spec, id,
  }).execute();
  return id;
}

// ---------------------------------------------------------------------------------------------
// Attendance

export type MarkSpec = Partial<Insertable<AttendanceTable>> & Pick<Insertable<AttendanceTable>, 'meeting_id' | 'enrollment_id'>;

/** One attendance mark (present, by a leader, unless told otherwise). */
export async function addMark(db: Db, spec: MarkSpec): Promise<void> {
  await db.insertInto('attendance').values({
    status: 'present', reason: null, source: 'leader', recorded_by: null, recorded_at: DEFAULT_AT,
    ...spec,
  }).execute();
}

// ---------------------------------------------------------------------------------------------
// Progress scales

export interface ProgressSpec {
  enrollmentId: string;
  childId: string;
  occasion: 'intake' | 'closing' | 'meeting';
  answeredOn: string;
  /** Score 1-5 per question key, for the child; the parent's too when given. */
  child: Record<string, number>;
  parent?: Record<string, number>;
}

/** One occasion's answers to the progress questions. */
export async function addProgressAnswers(db: Db, spec: ProgressSpec): Promise<void> {
  const rows = (['child', 'parent'] as const).flatMap((respondent) =>
    Object.entries((respondent === 'child' ? spec.child : spec.parent) ?? {}).map(([question, score]) => ({
      id: randomUUID(), enrollment_id: spec.enrollmentId, child_id: spec.childId, occasion: spec.occasion, respondent, question, score,
      answered_on: spec.answeredOn, recorded_by: null, created_at: DEFAULT_AT,
    })),
  );
  if (rows.length > 0) await db.insertInto('progress_answers').values(rows).execute();
}
