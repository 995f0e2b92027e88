import type { Kysely } from 'kysely';

// Frozen in time. Two things the production deployment needs:
// - users.totp_last_step: the TOTP time step (30-second counter) of the last code a person signed in with, so a
//   code is accepted once: a code seen over a shoulder or replayed within its 90 seconds is refused;
// - a 'public' data version, moved on every committed write to the tables the public group pages and feeds are
//   built from, so every server can answer them from memory until it moves (see src/lib/server/data-version.ts).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
  await db.insertInto('data_versions').values({ name: 'public', version: 0 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('data_versions').where('name', '=', 'public').execute();
  await db.schema.alterTable('users').dropColumn('totp_last_step').execute();
}
