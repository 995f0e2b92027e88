import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Frozen in time. One word for a group's meeting in code and schema: "session" now means a sign-in only (DESIGN.md's
// glossary). The tables and columns are renamed, and the stored words that name a meeting follow:
// - yearly_counts' metrics sessions_registered / sessions_attended;
// - the outbox's message kind session_changed (in its kind column and its payload) and its topics `session:<id>:…`.
// The audit log is left as written (it is a record of what happened): its entity type 'session' keeps its label in
// features/audit. SQLite keeps the unique constraint's old name (group_sessions_occurrence): a constraint of a
// SQLite table is renamed only by rebuilding the table, and nothing refers to it by name.

const RENAMED_INDEXES: readonly { from: string; to: string; table: string; columns: string[] }[] = [
  { from: 'group_sessions_group_start', to: 'meetings_group_start', table: 'meetings', columns: ['group_id', 'starts_at'] },
  { from: 'group_sessions_start', to: 'meetings_start', table: 'meetings', columns: ['starts_at'] },
  { from: 'session_feedback_session', to: 'meeting_feedback_meeting', table: 'meeting_feedback', columns: ['meeting_id'] },
  { from: 'attendance_session_status', to: 'attendance_meeting_status', table: 'attendance', columns: ['meeting_id', 'enrollment_id', 'status'] },
];

/** The yearly counts' metrics, the outbox's message kind (column and payload) and its topics, from one word to the other. */
async function renameStoredWords(db: Kysely<any>, from: 'session' | 'meeting', to: 'session' | 'meeting'): Promise<void> {
  for (const metric of ['registered', 'attended']) {
    await db.updateTable('yearly_counts').set({ metric: `${to}s_${metric}` }).where('metric', '=', `${from}s_${metric}`).execute();
  }
  const kind = (word: string): string => `"kind":"${word}_changed"`;
  await db
    .updateTable('outbox_messages')
    .set({ kind: `${to}_changed`, payload: sql`replace(payload, ${sql.lit(kind(from))}, ${sql.lit(kind(to))})` })
    .where('kind', '=', `${from}_changed`)
    .execute();
  // Both words have seven letters: the rest of a topic starts at its ninth character.
  await db.updateTable('outbox_messages').set({ topic: sql`${sql.lit(`${to}:`)} || substr(topic, 9)` }).where('topic', 'like', `${from}:%`).execute();
}

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('group_sessions').renameTo('meetings').execute();
  await db.schema.alterTable('session_feedback').renameTo('meeting_feedback').execute();
  for (const table of ['intake_windows', 'attendance', 'meeting_feedback']) {
    await db.schema.alterTable(table).renameColumn('session_id', 'meeting_id').execute();
  }
  for (const index of RENAMED_INDEXES) {
    await db.schema.dropIndex(index.from).execute();
    await db.schema.createIndex(index.to).on(index.table).columns(index.columns).execute();
  }
  await renameStoredWords(db, 'session', 'meeting');
}

export async function down(db: Kysely<any>): Promise<void> {
  await renameStoredWords(db, 'meeting', 'session');
  for (const index of RENAMED_INDEXES) {
    await db.schema.dropIndex(index.to).execute();
  }
  for (const table of ['intake_windows', 'attendance', 'meeting_feedback']) {
    await db.schema.alterTable(table).renameColumn('meeting_id', 'session_id').execute();
  }
  await db.schema.alterTable('meeting_feedback').renameTo('session_feedback').execute();
  await db.schema.alterTable('meetings').renameTo('group_sessions').execute();
  for (const index of RENAMED_INDEXES) {
    const table = index.table === 'meetings' ? 'group_sessions' : index.table === 'meeting_feedback' ? 'session_feedback' : index.table;
    await db.schema.createIndex(index.from).on(table).columns(index.columns.map((c) => (c === 'meeting_id' ? 'session_id' : c))).execute();
  }
}
