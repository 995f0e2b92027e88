import { PostgresAdapter, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, Municipality, Role, UsersTable } from '../../lib/server/database';
import type { StaffUser } from './auth';

type Db = Kysely<Database> | Transaction<Database>;

/** A staff account with what only the auth service may see. */
export interface UserRecord extends StaffUser {
  passwordHash: string | null;
  /** Has set up the second factor (the key itself stays in the twofactor repository). */
  hasTotpKey: boolean;
  disabledAt: Date | null;
  createdAt: Date;
}

type UserRow = Pick<Selectable<UsersTable>, 'id' | 'email' | 'display_name' | 'role' | 'municipality' | 'password_hash' | 'totp_key' | 'disabled_at' | 'created_at'>;

const USER_COLUMNS = ['id', 'email', 'display_name', 'role', 'municipality', 'password_hash', 'totp_key', 'disabled_at', 'created_at'] as const;

function toUserRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    municipality: row.municipality,
    passwordHash: row.password_hash,
    hasTotpKey: row.totp_key !== null,
    disabledAt: row.disabled_at === null ? null : new Date(row.disabled_at),
    createdAt: new Date(row.created_at),
  };
}

// ---------------------------------------------------------------------------------------------
// Users

export async function findUserByEmail(db: Db, email: string): Promise<UserRecord | null> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('email', '=', email).executeTakeFirst();
  return row ? toUserRecord(row) : null;
}

export async function findUserById(db: Db, id: string): Promise<UserRecord | null> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? toUserRecord(row) : null;
}

export async function listUsers(db: Db): Promise<UserRecord[]> {
  const rows = await db.selectFrom('users').select(USER_COLUMNS).orderBy('display_name').orderBy('email').execute();
  return rows.map(toUserRecord);
}

export interface NewUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  municipality: Municipality | null;
  passwordHash: string | null;
}

export async function insertUser(db: Db, user: NewUser, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('users')
    .values({
      id: user.id,
      email: user.email,
      display_name: user.displayName,
      role: user.role,
      municipality: user.municipality,
      password_hash: user.passwordHash,
      totp_key: null,
      disabled_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
}

export async function updateUserPassword(db: Db, userId: string, passwordHash: string, now: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: now.toISOString() })
    .where('id', '=', userId)
    .execute();
}

export async function updateUserDisabledAt(db: Db, userId: string, disabledAt: Date | null, now: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({ disabled_at: disabledAt?.toISOString() ?? null, updated_at: now.toISOString() })
    .where('id', '=', userId)
    .execute();
}

export async function updateUserRole(db: Db, userId: string, role: Role, now: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({ role, updated_at: now.toISOString() })
    .where('id', '=', userId)
    .execute();
}

/**
 * The open coordinator accounts' ids, locked until the transaction ends on PostgreSQL (two coordinators demoting each
 * other at once then take turns, and the second sees the first's change); SQLite runs one writer at a time.
 */
export async function lockOpenCoordinators(db: Transaction<Database>): Promise<string[]> {
  const query = db.selectFrom('users').select('id').where('role', '=', 'coordinator').where('disabled_at', 'is', null).orderBy('id');
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const rows = await (postgres ? query.forUpdate() : query).execute();
  return rows.map((r) => r.id);
}

/** An coordinator who can sign in: not disabled, and has chosen a password. */
export async function hasUsableCoordinator(db: Db): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'coordinator')
    .where('disabled_at', 'is', null)
    .where('password_hash', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Sessions

export interface SessionWithUser {
  id: string;
  secretHash: string;
  createdAt: Date;
  expiresAt: Date;
  user: StaffUser;
  userDisabled: boolean;
  /** The second factor was checked in this session (0/1 in auth_sessions.two_factor_verified). */
  twoFactorVerified: boolean;
  userHasTotpKey: boolean;
}

export interface NewSession {
  id: string;
  userId: string;
  secretHash: string;
  createdAt: Date;
  expiresAt: Date;
  ip: string | null;
  userAgent: string | null;
}

export async function insertSession(db: Db, session: NewSession): Promise<void> {
  await db
    .insertInto('auth_sessions')
    .values({
      id: session.id,
      user_id: session.userId,
      secret_hash: session.secretHash,
      created_at: session.createdAt.toISOString(),
      last_seen_at: session.createdAt.toISOString(),
      expires_at: session.expiresAt.toISOString(),
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .execute();
}

/** The session and its user in one query: this runs on every signed-in page view. */
export async function findSessionWithUser(db: Db, sessionId: string): Promise<SessionWithUser | null> {
  const row = await db
    .selectFrom('auth_sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id', 's.secret_hash', 's.created_at', 's.expires_at', 's.two_factor_verified',
      'u.id as user_id', 'u.email', 'u.display_name', 'u.role', 'u.municipality', 'u.disabled_at', 'u.totp_key',
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    secretHash: row.secret_hash,
    createdAt: new Date(row.created_at),
    expiresAt: new Date(row.expires_at),
    user: { id: row.user_id, email: row.email, displayName: row.display_name, role: row.role, municipality: row.municipality },
    userDisabled: row.disabled_at !== null,
    twoFactorVerified: Number(row.two_factor_verified) === 1,
    userHasTotpKey: row.totp_key !== null,
  };
}

export async function updateSessionExpiry(db: Db, sessionId: string, lastSeenAt: Date, expiresAt: Date): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ last_seen_at: lastSeenAt.toISOString(), expires_at: expiresAt.toISOString() })
    .where('id', '=', sessionId)
    .execute();
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.deleteFrom('auth_sessions').where('id', '=', sessionId).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: string): Promise<number> {
  const result = await db.deleteFrom('auth_sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('auth_sessions').where('expires_at', '<=', now.toISOString()).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---------------------------------------------------------------------------------------------
// One-time links

export interface SetupTokenRecord {
  id: string;
  purpose: 'setup' | 'reset';
  expiresAt: Date;
  usedAt: Date | null;
  user: UserRecord;
}

export async function insertSetupToken(
  db: Db,
  token: { id: string; userId: string; tokenHash: string; purpose: 'setup' | 'reset'; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db
    .insertInto('user_setup_tokens')
    .values({
      id: token.id,
      user_id: token.userId,
      token_hash: token.tokenHash,
      purpose: token.purpose,
      expires_at: token.expiresAt.toISOString(),
      used_at: null,
      created_at: now.toISOString(),
    })
    .execute();
}

export async function findSetupTokenByHash(db: Db, tokenHash: string): Promise<SetupTokenRecord | null> {
  const row = await db
    .selectFrom('user_setup_tokens as t')
    .innerJoin('users as u', 'u.id', 't.user_id')
    .select([
      't.id as token_id', 't.purpose', 't.expires_at', 't.used_at',
      'u.id', 'u.email', 'u.display_name', 'u.role', 'u.municipality', 'u.password_hash', 'u.totp_key', 'u.disabled_at', 'u.created_at',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.token_id,
    purpose: row.purpose,
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at === null ? null : new Date(row.used_at),
    user: toUserRecord(row),
  };
}

/** Marks a link used; false when someone else used it first (the link works once, even under a double click). */
export async function markSetupTokenUsed(db: Db, tokenId: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('user_setup_tokens')
    .set({ used_at: now.toISOString() })
    .where('id', '=', tokenId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Removes a user's links that were never used, so only the newest one works. */
export async function deleteUnusedSetupTokensOfUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('user_setup_tokens').where('user_id', '=', userId).where('used_at', 'is', null).execute();
}

// ---------------------------------------------------------------------------------------------
// The first coordinator's link, kept in app_settings

export const BOOTSTRAP_HASH_KEY = 'bootstrap_token_hash';
export const BOOTSTRAP_EXPIRES_KEY = 'bootstrap_token_expires_at';

export async function findBootstrapToken(db: Db): Promise<{ tokenHash: string; expiresAt: Date } | null> {
  const rows = await db
    .selectFrom('app_settings')
    .select(['key', 'value'])
    .where('key', 'in', [BOOTSTRAP_HASH_KEY, BOOTSTRAP_EXPIRES_KEY])
    .execute();
  const hash = rows.find((r) => r.key === BOOTSTRAP_HASH_KEY)?.value;
  const expires = rows.find((r) => r.key === BOOTSTRAP_EXPIRES_KEY)?.value;
  if (!hash || !expires) return null;
  return { tokenHash: hash, expiresAt: new Date(expires) };
}

export async function saveBootstrapToken(db: Db, tokenHash: string, expiresAt: Date): Promise<void> {
  for (const [key, value] of [
    [BOOTSTRAP_HASH_KEY, tokenHash],
    [BOOTSTRAP_EXPIRES_KEY, expiresAt.toISOString()],
  ] as const) {
    await db
      .insertInto('app_settings')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  }
}

/** Consumes the bootstrap link; false when it was already used or replaced (a concurrent submit lost the race). */
export async function consumeBootstrapToken(db: Db, tokenHash: string): Promise<boolean> {
  const result = await db
    .deleteFrom('app_settings')
    .where('key', '=', BOOTSTRAP_HASH_KEY)
    .where('value', '=', tokenHash)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) !== 1) return false;
  await db.deleteFrom('app_settings').where('key', '=', BOOTSTRAP_EXPIRES_KEY).execute();
  return true;
}

export async function deleteBootstrapToken(db: Db): Promise<void> {
  await db.deleteFrom('app_settings').where('key', 'in', [BOOTSTRAP_HASH_KEY, BOOTSTRAP_EXPIRES_KEY]).execute();
}
