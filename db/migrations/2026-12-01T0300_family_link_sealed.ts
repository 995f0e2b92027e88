import type { Kysely } from 'kysely';

// Frozen in time. The family link's token, sealed with APP_SECRET (AES-256-GCM, as the TOTP keys), beside its hash:
// automatic messages to a family (a moved meeting, a reminder) put the current link in at delivery. Links made
// before this have none, and such messages say "use the link we gave you".

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('family_links').addColumn('token_sealed', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('family_links').dropColumn('token_sealed').execute();
}
