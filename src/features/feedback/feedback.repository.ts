import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';

type Db = Kysely<Database> | Transaction<Database>;

export interface FeedbackSessionRow {
  id: string;
  groupId: string;
  groupName: string;
  startsAt: Date;
  status: 'planned' | 'cancelled' | 'moved';
}

export async function selectFeedbackSession(db: Db, sessionId: string): Promise<FeedbackSessionRow | null> {
  const row = await db
    .selectFrom('group_sessions as s')
    .innerJoin('groups as g', 'g.id', 's.group_id')
    .select(['s.id', 's.group_id', 'g.name', 's.starts_at', 's.status'])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  if (!row) return null;
  return { id: row.id, groupId: row.group_id, groupName: row.name, startsAt: new Date(row.starts_at), status: row.status };
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
