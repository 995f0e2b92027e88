import type { Kysely, Transaction } from 'kysely';
import type { Database } from './database';
import { CALENDAR_CONVERSATION_COLUMNS, GROUP_MEETING_COLUMNS } from './rows';

// Query pieces that several repositories start from, so a join or a column list is written once. Each returns a
// Kysely query the repository narrows with its own where/orderBy and decodes with the matching function in rows.ts.

type Db = Kysely<Database> | Transaction<Database>;

/** Group meetings with their group's name, as meetingFromRow reads them. */
export function selectMeetings(db: Db) {
  return db.selectFrom('meetings').innerJoin('groups', 'groups.id', 'meetings.group_id').select(GROUP_MEETING_COLUMNS);
}

/** Conversations with their group's name, as calendarConversationFromRow reads them. */
export function selectCalendarConversations(db: Db) {
  return db.selectFrom('conversations').innerJoin('groups', 'groups.id', 'conversations.group_id').select(CALENDAR_CONVERSATION_COLUMNS);
}
