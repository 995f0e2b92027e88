import type { Kysely } from 'kysely';

// Frozen in time. Before issue 11's fix, a leader could save marks on meetings still to come (9 December, 13 January
// and 10 February were accepted on 30 November); they then showed in the figures. Marks are taken from the meeting's
// day on (Copenhagen), so a leader's mark on a meeting of a later day than the day this runs cannot be real: it is
// deleted. Kept: a leader's mark on today's meeting (allowed by the rule), and a family's afbud, which is reported
// ahead of the meeting on purpose (source 'family').

const ZONE = 'Europe/Copenhagen';

function copenhagenDate(instant: Date): string {
  // en-CA writes YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
}

export async function up(db: Kysely<any>): Promise<void> {
  const now = new Date();
  const today = copenhagenDate(now);
  const ahead: { id: string; starts_at: string }[] = await db
    .selectFrom('group_sessions')
    .select(['id', 'starts_at'])
    .where('starts_at', '>', now.toISOString())
    .execute();
  const laterDays = ahead.filter((s) => copenhagenDate(new Date(s.starts_at)) > today).map((s) => s.id);
  // In slices, so no statement carries more parameters than SQLite allows.
  for (let i = 0; i < laterDays.length; i += 500) {
    await db
      .deleteFrom('attendance')
      .where('source', '=', 'leader')
      .where('session_id', 'in', laterDays.slice(i, i + 500))
      .execute();
  }
}

export async function down(): Promise<void> {
  // Deleted marks are not brought back.
}
