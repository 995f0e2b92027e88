import type { Kysely } from 'kysely';

// Frozen in time. The coordinator's age exception on a course (issue 11): a child outside the group's age band may
// still be admitted when the coordinator writes why. The reason names the child's situation: personal data, kept
// on the course row, so the retention purge that deletes the child's courses deletes it too.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('enrollments').addColumn('age_exception_reason', 'text').execute();
  await db.schema.alterTable('enrollments').addColumn('age_exception_by', 'text', (c) => c.references('users.id').onDelete('set null')).execute();
  await db.schema.alterTable('enrollments').addColumn('age_exception_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('enrollments').dropColumn('age_exception_at').execute();
  await db.schema.alterTable('enrollments').dropColumn('age_exception_by').execute();
  await db.schema.alterTable('enrollments').dropColumn('age_exception_reason').execute();
}
