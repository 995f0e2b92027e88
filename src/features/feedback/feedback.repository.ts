import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { selectMeetings } from '../../lib/server/queries';
import { meetingFromRow } from '../../lib/server/rows';
import type { GroupMeeting } from '../../lib/server/rows';

type Db = Kysely<Database> | Transaction<Database>;

export type FeedbackMeetingRow = GroupMeeting;

export async function selectFeedbackMeeting(db: Db, meetingId: string): Promise<FeedbackMeetingRow | null> {
  const row = await selectMeetings(db).where('meetings.id', '=', meetingId).executeTakeFirst();
  return row ? meetingFromRow(row) : null;
}

export async function insertFeedback(
  db: Db,
  row: { id: string; meetingId: string; question: string; score: number; createdAt: Date },
): Promise<void> {
  await db
    .insertInto('meeting_feedback')
    .values({ id: row.id, meeting_id: row.meetingId, question: row.question, score: row.score, created_at: row.createdAt.toISOString() })
    .execute();
}

export async function countFeedback(db: Db, meetingId: string): Promise<number> {
  const row = await db
    .selectFrom('meeting_feedback')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('meeting_id', '=', meetingId)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
