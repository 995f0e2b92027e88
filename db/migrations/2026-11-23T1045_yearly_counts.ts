import type { Kysely } from 'kysely';

// Frozen in time. Yearly figures that outlive the personal data: when the retention purge deletes a child, the
// child's share of each figure is added here first, so a figures page adds these counts to the live rows.
// No foreign key to groups: the counts stay even if a group is removed one day.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('yearly_counts')
    .addColumn('year', 'integer', (c) => c.notNull())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('municipality', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('value', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('yearly_counts_pk', ['year', 'group_id', 'municipality', 'metric'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('yearly_counts').execute();
}
