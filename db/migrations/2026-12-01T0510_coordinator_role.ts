import { SqliteAdapter, sql, type Kysely } from 'kysely';

// Frozen in time. The coordinator's role was coded 'admin' and shown as "koordinator"; it is now 'coordinator' in
// code and data alike (DESIGN.md's glossary). The role's CHECK constraint changes with it. The audit log keeps the
// words it was written with.
//
// SQLite changes a CHECK constraint only by rebuilding the table (https://sqlite.org/lang_altertable.html, "making
// other kinds of table schema changes"): with foreign keys off, so dropping the old `users` neither cascades to the
// sessions, links and audit rows that point at it nor rewrites their references; Kysely runs SQLite migrations
// outside a transaction, so the pragma takes effect, and the rebuild itself is one transaction.

const OLD_CHECK = "role in ('admin', 'leader', 'caseworker')";
const NEW_CHECK = "role in ('coordinator', 'leader', 'caseworker')";

function isSqlite(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

async function rebuildUsersOnSqlite(db: Kysely<any>, fromCheck: string, toCheck: string, fromRole: string, toRole: string): Promise<void> {
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      const table = await sql<{ sql: string }>`select sql from sqlite_master where type = 'table' and name = 'users'`.execute(trx);
      const createUsers = table.rows[0]?.sql ?? '';
      const createNew = createUsers.replace(/^create table "users"/i, 'create table "users_new"').replace(fromCheck, toCheck);
      if (!createNew.includes('"users_new"') || !createNew.includes(toCheck)) throw new Error(`Unexpected users table: ${createUsers}`);
      const indexes = await sql<{ sql: string }>`select sql from sqlite_master where type = 'index' and tbl_name = 'users' and sql is not null`.execute(trx);
      const columns = (await sql<{ name: string }>`pragma table_info(users)`.execute(trx)).rows.map((c) => c.name);
      const picked = columns.map((c) => (c === 'role' ? sql`case when role = ${fromRole} then ${toRole} else role end` : sql.ref(c)));
      await sql.raw(createNew).execute(trx);
      await sql`insert into users_new (${sql.join(columns.map((c) => sql.ref(c)))}) select ${sql.join(picked)} from users`.execute(trx);
      await sql`drop table users`.execute(trx);
      await sql`alter table users_new rename to users`.execute(trx);
      for (const index of indexes.rows) await sql.raw(index.sql).execute(trx);
      const broken = await sql`pragma foreign_key_check`.execute(trx);
      if (broken.rows.length > 0) throw new Error(`Foreign keys broken by the users rebuild: ${JSON.stringify(broken.rows)}`);
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}

/** PostgreSQL: the migrator already runs this in a transaction. */
async function changeOnPostgres(db: Kysely<any>, toCheck: string, fromRole: string, toRole: string): Promise<void> {
  await sql`alter table users drop constraint users_role_check`.execute(db);
  await db.updateTable('users').set({ role: toRole }).where('role', '=', fromRole).execute();
  await sql`alter table users add constraint users_role_check check (${sql.raw(toCheck)})`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) await rebuildUsersOnSqlite(db, OLD_CHECK, NEW_CHECK, 'admin', 'coordinator');
  else await changeOnPostgres(db, NEW_CHECK, 'admin', 'coordinator');
}

export async function down(db: Kysely<any>): Promise<void> {
  if (isSqlite(db)) await rebuildUsersOnSqlite(db, NEW_CHECK, OLD_CHECK, 'coordinator', 'admin');
  else await changeOnPostgres(db, OLD_CHECK, 'coordinator', 'admin');
}
