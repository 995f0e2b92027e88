import type { Kysely } from 'kysely';

// Frozen in time. Indexes for the yearly figures at ten years of data (plans and timings in docs/performance.md):
// - enrollments(start_date): the first-year lookup (min(start_date)) and "courses running in a year" scanned the
//   whole enrollments table;
// - attendance(session_id, enrollment_id, status): the year's attendance joined to its sessions reads a few
//   thousand marks; with status in the index they are read from the index alone (no table lookup per mark).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('enrollments_start_date').on('enrollments').column('start_date').execute();
  await db.schema
    .createIndex('attendance_session_status')
    .on('attendance')
    .columns(['session_id', 'enrollment_id', 'status'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('attendance_session_status').execute();
  await db.schema.dropIndex('enrollments_start_date').execute();
}
