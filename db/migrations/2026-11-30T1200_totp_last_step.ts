import type { Kysely } from 'kysely';

// Frozen in time. The TOTP time step (30-second counter) of the last code a person signed in with, so a code is
// accepted once: a code seen over a shoulder or replayed within its 90 seconds is refused.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').addColumn('totp_last_step', 'bigint').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('totp_last_step').execute();
}
