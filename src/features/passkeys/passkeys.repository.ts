import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { stringListFromJson } from '../../lib/server/rows';

type Db = Kysely<Database> | Transaction<Database>;

export interface PasskeyRecord {
  id: string;
  userId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

function toPasskey(row: { id: string; user_id: string; public_key: string; counter: number; transports: string; name: string; created_at: string; last_used_at: string | null }): PasskeyRecord {
  // Unreadable hints are no hints: the browser asks every transport.
  const transports = stringListFromJson(row.transports);
  return {
    id: row.id,
    userId: row.user_id,
    publicKey: row.public_key,
    counter: Number(row.counter),
    transports,
    name: row.name,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
  };
}

export async function listPasskeysOfUser(db: Db, userId: string): Promise<PasskeyRecord[]> {
  const rows = await db.selectFrom('passkeys').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
  return rows.map(toPasskey);
}

export async function findPasskey(db: Db, id: string): Promise<PasskeyRecord | null> {
  const row = await db.selectFrom('passkeys').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toPasskey(row) : null;
}

export async function insertPasskey(db: Db, passkey: Omit<PasskeyRecord, 'lastUsedAt' | 'createdAt'>, now: Date): Promise<void> {
  await db
    .insertInto('passkeys')
    .values({
      id: passkey.id,
      user_id: passkey.userId,
      public_key: passkey.publicKey,
      counter: passkey.counter,
      transports: JSON.stringify(passkey.transports),
      name: passkey.name,
      created_at: now.toISOString(),
      last_used_at: null,
    })
    .execute();
}

export async function markPasskeyUsed(db: Db, id: string, counter: number, now: Date): Promise<void> {
  await db.updateTable('passkeys').set({ counter, last_used_at: now.toISOString() }).where('id', '=', id).execute();
}

export async function deletePasskeyOfUser(db: Db, userId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('passkeys').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function insertChallenge(
  db: Db,
  challenge: { id: string; userId: string | null; purpose: 'register' | 'sign_in'; challenge: string; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now.toISOString()).execute();
  await db
    .insertInto('webauthn_challenges')
    .values({ id: challenge.id, user_id: challenge.userId, purpose: challenge.purpose, challenge: challenge.challenge, expires_at: challenge.expiresAt.toISOString() })
    .execute();
}

/** Reads and deletes a challenge: it is answered once. */
export async function takeChallenge(db: Db, id: string): Promise<{ userId: string | null; purpose: 'register' | 'sign_in'; challenge: string; expiresAt: Date } | null> {
  const row = await db.selectFrom('webauthn_challenges').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const deleted = await db.deleteFrom('webauthn_challenges').where('id', '=', id).executeTakeFirst();
  if (Number(deleted.numDeletedRows) !== 1) return null;
  return { userId: row.user_id, purpose: row.purpose, challenge: row.challenge, expiresAt: new Date(row.expires_at) };
}

/** The account behind a passkey, as the sign-in needs it. */
export async function findPasskeyOwner(db: Db, userId: string): Promise<{ disabled: boolean } | null> {
  const row = await db.selectFrom('users').select('disabled_at').where('id', '=', userId).executeTakeFirst();
  return row ? { disabled: row.disabled_at !== null } : null;
}
