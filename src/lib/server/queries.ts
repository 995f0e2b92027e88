import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database';

// Query pieces that several repositories start from, so a join or a column list is written once. Each returns a
// Kysely query the repository narrows with its own where/orderBy and decodes with the matching function in rows.ts.

type Db = Kysely<Database> | Transaction<Database>;

/** Group meetings with their group's name: the columns meetingFromRow reads. */
export function selectMeetings(db: Db) {
  return db
    .selectFrom('group_sessions')
    .innerJoin('groups', 'groups.id', 'group_sessions.group_id')
    .select([
      'group_sessions.id', 'group_sessions.group_id', 'groups.name as group_name', 'group_sessions.starts_at',
      'group_sessions.ends_at', 'group_sessions.place', 'group_sessions.status',
    ]);
}

/** Conversations with their group's name: the columns calendarConversationFromRow reads. */
export function selectCalendarConversations(db: Db) {
  return db
    .selectFrom('conversations')
    .innerJoin('groups', 'groups.id', 'conversations.group_id')
    .select([
      'conversations.id', 'conversations.kind', 'groups.name as group_name', 'conversations.starts_at',
      'conversations.ends_at', 'conversations.place', 'conversations.status', 'conversations.sequence',
      'conversations.updated_at',
    ]);
}
