import type { Kysely } from 'kysely';

// Frozen in time. Staff sign-in through a municipality's own login (OpenID Connect):
// - oidc_sign_in_attempts: one started sign-in (state, nonce and PKCE verifier), found by the SHA-256 of the secret in
//   the browser's cookie, used once, gone after ten minutes;
// - user_identities: which provider subject an account is tied to (one provider per account);
// - oidc_access_requests: people who signed in at their provider but whose groups give no role (the coordinator's list);
// - oidc_sessions: which sessions came from a provider, with the ID token as the hint for the provider's sign-out.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('oidc_sign_in_attempts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('next_path', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_sign_in_attempts_expires').on('oidc_sign_in_attempts').column('expires_at').execute();

  await db.schema
    .createTable('user_identities')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull().unique().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_identities_pk', ['provider', 'subject'])
    .execute();

  await db.schema
    .createTable('oidc_access_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('display_name', 'text')
    .addColumn('groups', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('first_seen_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('oidc_access_requests_subject', ['provider', 'subject'])
    .execute();

  await db.schema
    .createTable('oidc_sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey().references('auth_sessions.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('id_token', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oidc_sessions').execute();
  await db.schema.dropTable('oidc_access_requests').execute();
  await db.schema.dropTable('user_identities').execute();
  await db.schema.dropTable('oidc_sign_in_attempts').execute();
}
