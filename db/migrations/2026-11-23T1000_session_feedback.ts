import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Frozen in time. Anonymous answers to the three smiley questions after a session: on purpose no reference to a
// child, an enrollment or a user, so an answer can never be traced back to who gave it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('session_feedback')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('session_id', 'text', (c) => c.notNull().references('group_sessions.id').onDelete('cascade'))
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull().check(sql`score between 1 and 3`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('session_feedback_session').on('session_feedback').column('session_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('session_feedback').execute();
}
