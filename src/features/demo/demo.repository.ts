import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { GROUP_FACT_REFS, groupFromRow } from '../../lib/server/rows';
import { MEETING_RULE_COLUMNS, meetingRuleFromRow } from '../groups/groups.repository';
import type { Group } from '../groups/groups';
import type { DemoExistingMeeting } from './demo';

type Db = Kysely<Database> | Transaction<Database>;

// Bound parameters per statement stay well under SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_STATEMENT = 500;

/** A running group as the demo data set builds on it. */
export type DemoGroupRecord = Group;

export async function selectDemoLoadedAt(db: Db, key: string): Promise<string | null> {
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function insertSetting(db: Db, key: string, value: string): Promise<void> {
  await db.insertInto('app_settings').values({ key, value }).execute();
}

/** Groups that are not archived, oldest first, with their meeting rule and leaders. Two statements. */
export async function selectDemoGroups(db: Db): Promise<DemoGroupRecord[]> {
  const rows = await db
    .selectFrom('groups')
    .innerJoin('meeting_rules', 'meeting_rules.group_id', 'groups.id')
    .select(GROUP_FACT_REFS)
    .select(MEETING_RULE_COLUMNS)
    .where('groups.archived_at', 'is', null)
    .orderBy('groups.created_at')
    .orderBy('groups.slug')
    .execute();
  const leaders = await db.selectFrom('group_leaders').select(['group_id', 'user_id']).orderBy('user_id').execute();
  return rows.map((r) => ({
    ...groupFromRow(r),
    rule: meetingRuleFromRow(r),
    leaderIds: leaders.filter((l) => l.group_id === r.id).map((l) => l.user_id),
  }));
}

export async function selectGroupSlugs(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('groups').select('slug').execute();
  return rows.map((r) => r.slug);
}

export async function selectMeetingsByGroup(db: Db): Promise<Map<string, DemoExistingMeeting[]>> {
  const rows = await db
    .selectFrom('meetings')
    .select(['id', 'group_id', 'occurrence_key', 'starts_at', 'ends_at', 'status'])
    .orderBy('starts_at')
    .execute();
  const byGroup = new Map<string, DemoExistingMeeting[]>();
  for (const r of rows) {
    const list = byGroup.get(r.group_id) ?? [];
    list.push({ id: r.id, occurrenceKey: r.occurrence_key, startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at), status: r.status });
    byGroup.set(r.group_id, list);
  }
  return byGroup;
}

type StoredWindow = { id: string; quarterStart: string; meetingId: string | null };

export async function selectIntakeWindowsByGroup(db: Db): Promise<Map<string, StoredWindow[]>> {
  const rows = await db.selectFrom('intake_windows').select(['id', 'group_id', 'quarter_start', 'meeting_id']).execute();
  const byGroup = new Map<string, StoredWindow[]>();
  for (const r of rows) {
    const list = byGroup.get(r.group_id) ?? [];
    list.push({ id: r.id, quarterStart: r.quarter_start, meetingId: r.meeting_id });
    byGroup.set(r.group_id, list);
  }
  return byGroup;
}

export async function selectClosedPeriods(
  db: Db,
): Promise<{ groupId: string | null; name: string; startDate: string; endDate: string }[]> {
  const rows = await db.selectFrom('closed_periods').select(['group_id', 'name', 'start_date', 'end_date']).execute();
  return rows.map((r) => ({ groupId: r.group_id, name: r.name, startDate: r.start_date, endDate: r.end_date }));
}

export async function selectUsersByEmail(
  db: Db,
  emails: readonly string[],
): Promise<{ id: string; email: string; municipality: 'ishoj' | 'vallensbaek' | null }[]> {
  if (emails.length === 0) return [];
  return db.selectFrom('users').select(['id', 'email', 'municipality']).where('email', 'in', [...emails]).execute();
}

export async function selectReferralReferences(db: Db, prefix: string): Promise<string[]> {
  const rows = await db.selectFrom('referrals').select('reference').where('reference', 'like', `${prefix}%`).execute();
  return rows.map((r) => r.reference);
}

/**
 * Multi-row inserts in chunks, so no statement passes the databases' limits on bound parameters. Every row of a
 * table must list the same columns (SQLite has no DEFAULT in a VALUES list).
 */
export async function insertInChunks<T extends keyof Database & string>(
  db: Db,
  table: T,
  rows: readonly Insertable<Database[T]>[],
): Promise<number> {
  const first = rows[0];
  if (first === undefined) return 0;
  const columns = Object.keys(first).length;
  const size = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMETERS / columns)));
  for (let i = 0; i < rows.length; i += size) {
    // The generic table name defeats Kysely's per-table typing; the rows' type above is the check.
    await db.insertInto(table).values(rows.slice(i, i + size) as never).execute();
  }
  return rows.length;
}

export async function updateIntakeWindowMeeting(db: Db, id: string, meetingId: string): Promise<void> {
  await db.updateTable('intake_windows').set({ meeting_id: meetingId }).where('id', '=', id).execute();
}
