import type { Kysely } from 'kysely';

// Frozen in time. A counter per kind of data that moves whenever a committed write changes it, so a page built from
// that data can keep what it built until the counter moves (see src/lib/server/data-version.ts). 'figures' moves on
// every write to the tables the yearly figures are counted from.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('data_versions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('version', 'bigint', (c) => c.notNull())
    .execute();
  await db.insertInto('data_versions').values({ name: 'figures', version: 0 }).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('data_versions').execute();
}
