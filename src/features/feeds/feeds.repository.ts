import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import type { StaffUser } from '../auth/auth';
import { selectCalendarConversations, selectMeetings } from '../../lib/server/queries';
import { calendarConversationFromRow, calendarStampFromRow, GROUP_FACT_REFS, groupFromRow, meetingFromRow } from '../../lib/server/rows';
import { MEETING_RULE_COLUMNS, meetingRuleFromRow } from '../groups/groups.repository';
import { MEMBER_STATES } from '../lifecycle/lifecycle';
import type { FeedConversation, FeedMeeting, PublicGroup, PublicMeeting } from './feeds';

// The queries behind public group pages and calendar feeds. Rows never leave this file: every function maps
// to the domain shapes in feeds.ts (0/1 → boolean, ISO text → Date, PostgreSQL counts → number).

type Db = Kysely<Database> | Transaction<Database>;

// ---------------------------------------------------------------------------------------------
// Groups

function publicGroupQuery(db: Db) {
  return db
    .selectFrom('groups')
    .leftJoin('meeting_rules', 'meeting_rules.group_id', 'groups.id')
    .select(GROUP_FACT_REFS)
    .select(MEETING_RULE_COLUMNS)
    .where('groups.archived_at', 'is', null);
}

type PublicGroupRow = Awaited<ReturnType<ReturnType<typeof publicGroupQuery>['executeTakeFirstOrThrow']>>;

function toPublicGroup(row: PublicGroupRow): PublicGroup {
  const hasRule =
    row.weekday !== null && row.nth !== null && row.start_time !== null && row.end_time !== null && row.on_closed !== null;
  return { ...groupFromRow(row), rule: hasRule ? meetingRuleFromRow(row) : null };
}

/** Groups that are running (not archived), girls' group first, then by name. */
export async function selectPublicGroups(db: Db): Promise<PublicGroup[]> {
  const rows = await publicGroupQuery(db).orderBy('groups.kind').orderBy('groups.name').orderBy('groups.id').execute();
  return rows.map(toPublicGroup);
}

export async function selectPublicGroupBySlug(db: Db, slug: string): Promise<PublicGroup | null> {
  const row = await publicGroupQuery(db).where('groups.slug', '=', slug).executeTakeFirst();
  return row ? toPublicGroup(row) : null;
}

export async function countMembers(db: Db, groupId: string): Promise<number> {
  const row = await db
    .selectFrom('enrollments')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('group_id', '=', groupId)
    .where('state', 'in', MEMBER_STATES)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---------------------------------------------------------------------------------------------
// Meetings and conversations

/**
 * Meetings of running groups that start in [from, to), oldest first. `groupIds` null means every group;
 * an empty list selects nothing. Instants are stored as ISO 8601 UTC text, so text order is time order.
 */
export async function selectFeedMeetings(
  db: Db,
  groupIds: readonly string[] | null,
  from: Date,
  to: Date,
): Promise<FeedMeeting[]> {
  if (groupIds !== null && groupIds.length === 0) return [];
  let query = selectMeetings(db)
    .select(['meetings.sequence', 'meetings.updated_at'])
    .where('groups.archived_at', 'is', null)
    .where('meetings.starts_at', '>=', from.toISOString())
    .where('meetings.starts_at', '<', to.toISOString())
    .orderBy('meetings.starts_at')
    .orderBy('meetings.id');
  if (groupIds !== null) query = query.where('meetings.group_id', 'in', [...groupIds]);
  const rows = await query.execute();
  return rows.map((r) => ({ ...meetingFromRow(r), ...calendarStampFromRow(r) }));
}

/** The next meetings of one group that have not ended by `now`: date, time and status only. */
export async function selectNextMeetings(db: Db, groupId: string, now: Date, limit: number): Promise<PublicMeeting[]> {
  const rows = await db
    .selectFrom('meetings')
    .select(['starts_at', 'ends_at', 'status'])
    .where('group_id', '=', groupId)
    .where('ends_at', '>', now.toISOString())
    .orderBy('starts_at')
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    startsAt: new Date(r.starts_at),
    endsAt: new Date(r.ends_at),
    cancelled: r.status === 'cancelled',
  }));
}

/** Conversations a staff member leads that start in [from, to), with the child's first name only. */
export async function selectConversationsLedBy(
  db: Db,
  userId: string,
  from: Date,
  to: Date,
): Promise<FeedConversation[]> {
  const rows = await selectConversationsWithFirstName(db)
    .where('conversations.leader_id', '=', userId)
    .where('conversations.starts_at', '>=', from.toISOString())
    .where('conversations.starts_at', '<', to.toISOString())
    .orderBy('conversations.starts_at')
    .orderBy('conversations.id')
    .execute();
  return rows.map(toFeedConversation);
}

/** Conversations a caseworker is invited to (their own referrals) that start in [from, to), first name only. */
export async function selectConversationsInvitingCaseworker(db: Db, userId: string, from: Date, to: Date): Promise<FeedConversation[]> {
  const rows = await selectConversationsWithFirstName(db)
    .innerJoin('referrals', 'referrals.id', 'conversations.referral_id')
    .where('referrals.caseworker_id', '=', userId)
    .where('conversations.invites_caseworker', '=', 1)
    .where('conversations.status', 'in', ['booked', 'held', 'cancelled'])
    .where('conversations.starts_at', '>=', from.toISOString())
    .where('conversations.starts_at', '<', to.toISOString())
    .orderBy('conversations.starts_at')
    .orderBy('conversations.id')
    .execute();
  return rows.map(toFeedConversation);
}

/** A staff feed's conversations carry the child's first name, and only that. */
function selectConversationsWithFirstName(db: Db) {
  return selectCalendarConversations(db).innerJoin('children', 'children.id', 'conversations.child_id').select('children.first_name');
}

function toFeedConversation(row: Awaited<ReturnType<ReturnType<typeof selectConversationsWithFirstName>['executeTakeFirstOrThrow']>>): FeedConversation {
  return { ...calendarConversationFromRow(row), childFirstName: row.first_name };
}

// ---------------------------------------------------------------------------------------------
// Staff feed tokens (only the SHA-256 of a token is stored)

export async function selectActiveStaffUser(db: Db, userId: string): Promise<StaffUser | null> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'email', 'display_name', 'role', 'municipality'])
    .where('id', '=', userId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  return { id: row.id, email: row.email, displayName: row.display_name, role: row.role, municipality: row.municipality };
}

/** The owner of a live (not revoked) feed token whose account is not disabled, or null. */
export async function selectFeedTokenOwner(
  db: Db,
  tokenHash: string,
): Promise<{ userId: string; role: StaffUser['role'] } | null> {
  const row = await db
    .selectFrom('feed_tokens')
    .innerJoin('users', 'users.id', 'feed_tokens.user_id')
    .select(['users.id', 'users.role'])
    .where('feed_tokens.token_hash', '=', tokenHash)
    .where('feed_tokens.revoked_at', 'is', null)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  return row ? { userId: row.id, role: row.role } : null;
}

/** When the staff member's live feed link was made, or null when they have none. */
export async function selectActiveFeedTokenCreatedAt(db: Db, userId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('feed_tokens')
    .select('created_at')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? new Date(row.created_at) : null;
}

/** Revokes every live feed token of a user; returns how many. */
export async function revokeFeedTokens(db: Db, userId: string, at: Date): Promise<number> {
  const result = await db
    .updateTable('feed_tokens')
    .set({ revoked_at: at.toISOString() })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function insertFeedToken(
  db: Db,
  token: { id: string; userId: string; tokenHash: string; createdAt: Date },
): Promise<void> {
  await db
    .insertInto('feed_tokens')
    .values({
      id: token.id,
      user_id: token.userId,
      token_hash: token.tokenHash,
      created_at: token.createdAt.toISOString(),
      revoked_at: null,
    })
    .execute();
}
