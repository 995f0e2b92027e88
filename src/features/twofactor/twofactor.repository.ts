import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';

type Db = Kysely<Database> | Transaction<Database>;

/** The stored key (base64), or null when the user has not set up the second factor. */
export async function findTotpKey(db: Db, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('totp_key').where('id', '=', userId).executeTakeFirst();
  return row?.totp_key ?? null;
}

/** Sets the key only if there is none yet; false when another tab or request set one first. */
export async function setTotpKeyIfNone(db: Db, userId: string, key: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_key: key, updated_at: now.toISOString() })
    .where('id', '=', userId)
    .where('totp_key', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function clearTotpKey(db: Db, userId: string, now: Date): Promise<void> {
  await db.updateTable('users').set({ totp_key: null, updated_at: now.toISOString() }).where('id', '=', userId).execute();
}

export async function insertRecoveryCodes(db: Db, userId: string, codes: { id: string; codeHash: string }[]): Promise<void> {
  if (codes.length === 0) return;
  await db
    .insertInto('recovery_codes')
    .values(codes.map((c) => ({ id: c.id, user_id: userId, code_hash: c.codeHash, used_at: null })))
    .execute();
}

export async function deleteRecoveryCodesOfUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
}

/**
 * Marks the user's unused code with this hash as used, in one statement; false when there is no such code (wrong,
 * or already used, also by a double click in another tab).
 */
export async function useRecoveryCodeByHash(db: Db, userId: string, codeHash: string, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('recovery_codes')
    .set({ used_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function countUnusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * The password-only session becomes a signed-in one under a new id and secret (the old token, which may have been
 * seen before the second factor was given, stops working). Returns when it expires; null if the session is gone.
 */
/**
 * Marks a session made moments ago in the same transaction as signed in: a sign-in whose second factor was given
 * elsewhere (a municipality's login, a passkey). Its token is brand new, so there is nothing to replace.
 */
export async function markSessionTwoFactorVerified(db: Db, sessionId: string): Promise<void> {
  await db.updateTable('auth_sessions').set({ two_factor_verified: 1 }).where('id', '=', sessionId).execute();
}

export async function replaceWithVerifiedSession(db: Db, sessionId: string, next: { id: string; secretHash: string }): Promise<Date | null> {
  const row = await db
    .updateTable('auth_sessions')
    .set({ id: next.id, secret_hash: next.secretHash, two_factor_verified: 1 })
    .where('id', '=', sessionId)
    .returning('expires_at')
    .executeTakeFirst();
  return row ? new Date(row.expires_at) : null;
}

/** Takes the TOTP step as used; false if this step or a later one was used already (a replayed code). */
export async function useTotpStep(db: Db, userId: string, step: number): Promise<boolean> {
  const result = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function listTotpKeys(db: Db): Promise<{ id: string; key: string }[]> {
  const rows = await db.selectFrom('users').select(['id', 'totp_key']).where('totp_key', 'is not', null).execute();
  return rows.map((row) => ({ id: row.id, key: row.totp_key as string }));
}

/** Replaces a stored key with the same key sealed anew, unless it changed meanwhile (a reset, a new setup). */
export async function updateTotpKey(db: Db, userId: string, was: string, sealed: string): Promise<void> {
  await db.updateTable('users').set({ totp_key: sealed }).where('id', '=', userId).where('totp_key', '=', was).execute();
}
