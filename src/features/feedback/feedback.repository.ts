import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { selectMeetings } from '../../lib/server/queries';
import { meetingFromRow } from '../../lib/server/rows';
import type { GroupMeeting } from '../../lib/server/rows';

type Db = Kysely<Database> | Transaction<Database>;

export type FeedbackSessionRow = GroupMeeting;

export async function selectFeedbackSession(db: Db, sessionId: string): Promise<FeedbackSessionRow | null> {
  const row = await selectMeetings(db).where('group_sessions.id', '=', sessionId).executeTakeFirst();
  return row ? meetingFromRow(row) : null;
}

export async function insertFeedback(
  db: Db,
  row: { id: string; sessionId: string; question: string; score: number; createdAt: Date },
): Promise<void> {
  await db
    .insertInto('session_feedback')
    .values({ id: row.id, session_id: row.sessionId, question: row.question, score: row.score, created_at: row.createdAt.toISOString() })
    .execute();
}

export async function countFeedback(db: Db, sessionId: string): Promise<number> {
  const row = await db
    .selectFrom('session_feedback')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('session_id', '=', sessionId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
