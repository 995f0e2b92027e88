import { sql, type Kysely } from 'kysely';

// Frozen in time. What makes a course a course (issue 15):
// - conversations get the follow-up kind (opfølgning), a 'skipped' status (a follow-up left out, with the reason in
//   the note) and a flag for inviting the referring caseworker. A CHECK constraint cannot be changed in place on
//   SQLite, so the table is rebuilt the same way on both databases: new table, copy, drop, rename, indexes again;
// - the closing conversation's evaluation, the progress scales' answers, every version of the closing summary and
//   the parents' requests for a conversation. All of them hang on the child (cascade), so the retention purge that
//   deletes the child deletes them too.

const COLUMNS = [
  'id', 'kind', 'child_id', 'group_id', 'referral_id', 'enrollment_id', 'leader_id', 'starts_at', 'ends_at', 'place', 'status',
  'outcome', 'outcome_reason', 'child_words', 'note', 'sequence', 'created_at', 'updated_at',
];

async function rebuildConversations(db: Kysely<any>, kinds: string[], statuses: string[], withInvite: boolean): Promise<void> {
  let table = db.schema
    .createTable('conversations_next')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in (${sql.join(kinds.map((k) => sql.lit(k)))})`))
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('referral_id', 'text', (c) => c.references('referrals.id').onDelete('set null'))
    .addColumn('enrollment_id', 'text', (c) => c.references('enrollments.id').onDelete('set null'))
    .addColumn('leader_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in (${sql.join(statuses.map((k) => sql.lit(k)))})`))
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('fits', 'does_not_fit')`))
    .addColumn('outcome_reason', 'text')
    .addColumn('child_words', 'text')
    .addColumn('note', 'text')
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull());
  if (withInvite) table = table.addColumn('invites_caseworker', 'integer', (c) => c.notNull().defaultTo(0));
  await table.execute();
  const list = sql.join(COLUMNS.map((c) => sql.ref(c)));
  await sql`insert into conversations_next (${list}) select ${list} from conversations where kind in (${sql.join(kinds.map((k) => sql.lit(k)))}) and status in (${sql.join(statuses.map((k) => sql.lit(k)))})`.execute(db);
  await db.schema.dropTable('conversations').execute();
  await db.schema.alterTable('conversations_next').renameTo('conversations').execute();
  await db.schema.createIndex('conversations_child').on('conversations').column('child_id').execute();
  await db.schema.createIndex('conversations_leader_start').on('conversations').columns(['leader_id', 'starts_at']).execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  await rebuildConversations(db, ['intake', 'parent', 'follow_up', 'closing'], ['booked', 'held', 'cancelled', 'skipped'], true);

  // The closing conversation's evaluation (or, where the closing conversation is only offered, the course's end
  // without one): one per course.
  await db.schema
    .createTable('course_evaluations')
    .addColumn('enrollment_id', 'text', (c) => c.primaryKey().references('enrollments.id').onDelete('cascade'))
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('conversation_id', 'text', (c) => c.references('conversations.id').onDelete('set null'))
    .addColumn('goals_reached', 'text')
    .addColumn('child_view', 'text')
    .addColumn('parent_view', 'text')
    .addColumn('next_step', 'text', (c) => c.notNull().check(sql`next_step in ('nothing', 'other_offer', 'back_to_caseworker')`))
    .addColumn('next_step_note', 'text')
    .addColumn('recorded_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // The progress scales: one row per question per respondent per occasion.
  await db.schema
    .createTable('progress_answers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id').onDelete('cascade'))
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('occasion', 'text', (c) => c.notNull().check(sql`occasion in ('intake', 'closing', 'meeting')`))
    .addColumn('respondent', 'text', (c) => c.notNull().check(sql`respondent in ('child', 'parent')`))
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull().check(sql`score between 1 and 5`))
    .addColumn('answered_on', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('progress_answers_enrollment').on('progress_answers').columns(['enrollment_id', 'occasion']).execute();

  // Every version of a course's closing summary; the newest version carries the summary's state.
  await db.schema
    .createTable('closing_summaries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id').onDelete('cascade'))
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('draft', 'with_family', 'accepted', 'commented')`))
    .addColumn('family_comment', 'text')
    .addColumn('written_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('closing_summaries_version', ['enrollment_id', 'version'])
    .execute();

  // A parent asks for a conversation from the family page; it stays on the case page until a leader answers.
  await db.schema
    .createTable('conversation_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id').onDelete('cascade'))
    .addColumn('message', 'text')
    .addColumn('asked_at', 'text', (c) => c.notNull())
    .addColumn('answered_at', 'text')
    .addColumn('answered_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('answer_note', 'text')
    .execute();
  await db.schema.createIndex('conversation_requests_enrollment').on('conversation_requests').column('enrollment_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['conversation_requests', 'closing_summaries', 'progress_answers', 'course_evaluations']) {
    await db.schema.dropTable(table).execute();
  }
  await rebuildConversations(db, ['intake', 'parent', 'closing'], ['booked', 'held', 'cancelled'], false);
}
