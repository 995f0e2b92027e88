import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, GroupsTable, MeetingRulesTable } from '../../lib/server/database';
import { groupFromRow } from '../../lib/server/rows';
import type { MeetingRule } from '../schedule/schedule';
import type { Group, GroupInput, StaffMember } from './groups';

type Db = Kysely<Database> | Transaction<Database>;

type GroupRow = Selectable<GroupsTable> & Pick<
  Selectable<MeetingRulesTable>,
  'weekday' | 'nth' | 'start_time' | 'end_time' | 'on_closed'
>;

/** The columns meetingRuleFromRow reads, for a query that joins `meeting_rules` to `groups`. */
export const MEETING_RULE_COLUMNS = [
  'meeting_rules.weekday',
  'meeting_rules.nth',
  'meeting_rules.start_time',
  'meeting_rules.end_time',
  'meeting_rules.on_closed',
] as const;

/** A meeting rule's columns (from a join, so typed loosely) as the schedule's rule. */
export function meetingRuleFromRow(row: {
  weekday: number | null; nth: number | null; start_time: string | null; end_time: string | null; on_closed: string | null;
}): MeetingRule {
  return {
    weekday: Number(row.weekday),
    nth: Number(row.nth),
    startTime: row.start_time,
    endTime: row.end_time,
    onClosed: row.on_closed,
  } as MeetingRule;
}

function toGroup(row: GroupRow, leaderIds: string[]): Group {
  return { ...groupFromRow(row), rule: meetingRuleFromRow(row), leaderIds };
}

/**
 * Groups (not archived) with their meeting rule and leaders, in name order. `ids` narrows the selection;
 * an empty list selects nothing. Two statements whatever the number of groups.
 */
export async function selectGroups(db: Db, ids?: readonly string[]): Promise<Group[]> {
  if (ids !== undefined && ids.length === 0) return [];
  let query = db
    .selectFrom('groups')
    .innerJoin('meeting_rules', 'meeting_rules.group_id', 'groups.id')
    .selectAll('groups')
    .select(MEETING_RULE_COLUMNS)
    .where('groups.archived_at', 'is', null)
    .orderBy('groups.name')
    .orderBy('groups.id');
  if (ids !== undefined) query = query.where('groups.id', 'in', [...ids]);
  const rows = await query.execute();
  if (rows.length === 0) return [];
  const leaders = await db
    .selectFrom('group_leaders')
    .select(['group_id', 'user_id'])
    .where('group_id', 'in', rows.map((r) => r.id))
    .orderBy('user_id')
    .execute();
  return rows.map((row) =>
    toGroup(
      row,
      leaders.filter((l) => l.group_id === row.id).map((l) => l.user_id),
    ),
  );
}

export async function selectGroup(db: Db, id: string): Promise<Group | null> {
  const [group] = await selectGroups(db, [id]);
  return group ?? null;
}

/** Ids of the groups a user leads (not archived), in id order. */
export async function selectGroupIdsLedBy(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('group_leaders')
    .innerJoin('groups', 'groups.id', 'group_leaders.group_id')
    .select('group_leaders.group_id')
    .where('group_leaders.user_id', '=', userId)
    .where('groups.archived_at', 'is', null)
    .orderBy('group_leaders.group_id')
    .execute();
  return rows.map((r) => r.group_id);
}

export async function isLeaderOf(db: Db, userId: string, groupId: string): Promise<boolean> {
  const row = await db
    .selectFrom('group_leaders')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('group_id', '=', groupId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function countGroups(db: Db): Promise<number> {
  const row = await db
    .selectFrom('groups')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Is the slug used by another group than `exceptId`? */
export async function isSlugTaken(db: Db, slug: string, exceptId: string | null): Promise<boolean> {
  let query = db.selectFrom('groups').select('id').where('slug', '=', slug);
  if (exceptId !== null) query = query.where('id', '!=', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

function groupColumns(input: GroupInput) {
  return {
    slug: input.slug,
    name: input.name,
    kind: input.kind,
    min_age: input.minAge,
    max_age: input.maxAge,
    girls_only: input.girlsOnly ? (1 as const) : (0 as const),
    capacity: input.capacity,
    place: input.place,
    intake_rule: input.intakeRule,
    max_course_months: input.maxCourseMonths,
    public_description: input.publicDescription,
  };
}

/**
 * Inserts a group row unless its slug is taken (then nothing happens and false comes back), so two processes
 * seeding at once create each group once.
 */
export async function insertGroupIfSlugFree(db: Db, id: string, input: GroupInput, now: Date): Promise<boolean> {
  const at = now.toISOString();
  const inserted = await db
    .insertInto('groups')
    .values({ id, ...groupColumns(input), archived_at: null, created_at: at, updated_at: at })
    .onConflict((oc) => oc.column('slug').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updateGroupRow(db: Db, id: string, input: GroupInput, now: Date): Promise<void> {
  await db
    .updateTable('groups')
    .set({ ...groupColumns(input), updated_at: now.toISOString() })
    .where('id', '=', id)
    .execute();
}

function meetingRuleColumns(rule: MeetingRule, now: Date) {
  return {
    weekday: rule.weekday,
    nth: rule.nth,
    start_time: rule.startTime,
    end_time: rule.endTime,
    on_closed: rule.onClosed,
    updated_at: now.toISOString(),
  };
}

export async function insertMeetingRule(db: Db, id: string, groupId: string, rule: MeetingRule, now: Date): Promise<void> {
  await db
    .insertInto('meeting_rules')
    .values({ id, group_id: groupId, ...meetingRuleColumns(rule, now) })
    .execute();
}

export async function updateMeetingRule(db: Db, groupId: string, rule: MeetingRule, now: Date): Promise<void> {
  await db
    .updateTable('meeting_rules')
    .set(meetingRuleColumns(rule, now))
    .where('group_id', '=', groupId)
    .execute();
}

export async function replaceGroupLeaders(db: Db, groupId: string, userIds: readonly string[]): Promise<void> {
  await db.deleteFrom('group_leaders').where('group_id', '=', groupId).execute();
  if (userIds.length === 0) return;
  await db
    .insertInto('group_leaders')
    .values(userIds.map((userId) => ({ group_id: groupId, user_id: userId })))
    .execute();
}

/** Staff who can lead a group: leaders and coordinators whose account is not disabled, by name. */
export async function selectLeaderCandidates(db: Db): Promise<StaffMember[]> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'display_name'])
    .where('role', 'in', ['leader', 'coordinator'])
    .where('disabled_at', 'is', null)
    .orderBy('display_name')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
}

/** Names of staff by id (leaders shown on group lists), including disabled accounts. */
export async function selectStaffNames(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'display_name']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r.display_name]));
}
