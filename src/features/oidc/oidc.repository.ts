import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, OidcAccessRequestsTable } from '../../lib/server/database';
import { stringListFromJson } from '../../lib/server/rows';
import type { AccountFacts } from './oidc';

type Db = Kysely<Database> | Transaction<Database>;

// ---------------------------------------------------------------------------------------------
// Started sign-ins

export interface SignInAttempt {
  id: string;
  provider: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  nextPath: string;
  expiresAt: Date;
}

export async function insertSignInAttempt(db: Db, attempt: SignInAttempt, now: Date): Promise<void> {
  await db
    .insertInto('oidc_sign_in_attempts')
    .values({
      id: attempt.id,
      provider: attempt.provider,
      state: attempt.state,
      nonce: attempt.nonce,
      code_verifier: attempt.codeVerifier,
      next_path: attempt.nextPath,
      created_at: now.toISOString(),
      expires_at: attempt.expiresAt.toISOString(),
    })
    .execute();
}

/** Reads and deletes an attempt in one go: it works once, also when the return address is loaded twice at once. */
export async function takeSignInAttempt(db: Db, id: string): Promise<SignInAttempt | null> {
  const row = await db.selectFrom('oidc_sign_in_attempts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const deleted = await db.deleteFrom('oidc_sign_in_attempts').where('id', '=', id).executeTakeFirst();
  if (Number(deleted.numDeletedRows) !== 1) return null;
  return {
    id: row.id,
    provider: row.provider,
    state: row.state,
    nonce: row.nonce,
    codeVerifier: row.code_verifier,
    nextPath: row.next_path,
    expiresAt: new Date(row.expires_at),
  };
}

export async function deleteExpiredSignInAttempts(db: Db, now: Date): Promise<void> {
  await db.deleteFrom('oidc_sign_in_attempts').where('expires_at', '<=', now.toISOString()).execute();
}

// ---------------------------------------------------------------------------------------------
// Accounts and their provider identities

function accountFacts(row: { id: string; role: AccountFacts['role']; municipality: AccountFacts['municipality']; disabled_at: string | null }): AccountFacts {
  return { id: row.id, role: row.role, municipality: row.municipality, disabled: row.disabled_at !== null };
}

/** The account tied to this provider subject, or null. */
export async function findLinkedAccount(db: Db, provider: string, subject: string): Promise<AccountFacts | null> {
  const row = await db
    .selectFrom('user_identities as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(['u.id', 'u.role', 'u.municipality', 'u.disabled_at'])
    .where('i.provider', '=', provider)
    .where('i.subject', '=', subject)
    .executeTakeFirst();
  return row ? accountFacts(row) : null;
}

/** The account with this e-mail, and whether it is already tied to some provider identity. */
export async function findAccountByEmail(db: Db, email: string): Promise<(AccountFacts & { linkedElsewhere: boolean }) | null> {
  const row = await db
    .selectFrom('users as u')
    .leftJoin('user_identities as i', 'i.user_id', 'u.id')
    .select(['u.id', 'u.role', 'u.municipality', 'u.disabled_at', 'i.subject'])
    .where('u.email', '=', email)
    .executeTakeFirst();
  return row ? { ...accountFacts(row), linkedElsewhere: row.subject !== null } : null;
}

export async function insertIdentity(db: Db, identity: { provider: string; subject: string; userId: string }, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('user_identities')
    .values({ provider: identity.provider, subject: identity.subject, user_id: identity.userId, created_at: at, last_sign_in_at: at })
    .execute();
}

export async function touchIdentity(db: Db, provider: string, subject: string, now: Date): Promise<void> {
  await db
    .updateTable('user_identities')
    .set({ last_sign_in_at: now.toISOString() })
    .where('provider', '=', provider)
    .where('subject', '=', subject)
    .execute();
}

/** The provider an account signs in with, or null for a local account. */
export async function findProviderOfUser(db: Db, userId: string): Promise<string | null> {
  const row = await db.selectFrom('user_identities').select('provider').where('user_id', '=', userId).executeTakeFirst();
  return row?.provider ?? null;
}

/** Provider names of these accounts (for the coordinator's list). */
export async function listProvidersOfUsers(db: Db): Promise<Map<string, string>> {
  const rows = await db.selectFrom('user_identities').select(['user_id', 'provider']).execute();
  return new Map(rows.map((r) => [r.user_id, r.provider]));
}

/**
 * A linked account signs in at its provider only: the local password, the authenticator key and the recovery codes
 * go, so the day the municipality turns the person's login off, this site's door closes too.
 */
export async function clearLocalCredentials(db: Db, userId: string, now: Date): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: null, totp_key: null, updated_at: now.toISOString() })
    .where('id', '=', userId)
    .execute();
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
  await db.deleteFrom('user_setup_tokens').where('user_id', '=', userId).where('used_at', 'is', null).execute();
}

// ---------------------------------------------------------------------------------------------
// Requests from people with no mapped group

export interface AccessRequest {
  id: string;
  provider: string;
  subject: string;
  email: string | null;
  displayName: string | null;
  groups: string[];
  attempts: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

function toAccessRequest(row: Selectable<OidcAccessRequestsTable>): AccessRequest {
  // An unreadable list shows as no groups.
  const groups = stringListFromJson(row.groups);
  return {
    id: row.id,
    provider: row.provider,
    subject: row.subject,
    email: row.email,
    displayName: row.display_name,
    groups,
    attempts: Number(row.attempts),
    firstSeenAt: new Date(row.first_seen_at),
    lastSeenAt: new Date(row.last_seen_at),
  };
}

export async function upsertAccessRequest(
  db: Db,
  request: { id: string; provider: string; subject: string; email: string | null; displayName: string | null; groups: string[] },
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  const groups = JSON.stringify(request.groups);
  await db
    .insertInto('oidc_access_requests')
    .values({
      id: request.id,
      provider: request.provider,
      subject: request.subject,
      email: request.email,
      display_name: request.displayName,
      groups,
      attempts: 1,
      first_seen_at: at,
      last_seen_at: at,
    })
    .onConflict((oc) =>
      oc.columns(['provider', 'subject']).doUpdateSet((eb) => ({
        email: request.email,
        display_name: request.displayName,
        groups,
        attempts: eb(eb.ref('oidc_access_requests.attempts'), '+', 1),
        last_seen_at: at,
      })),
    )
    .execute();
}

export async function listAccessRequests(db: Db): Promise<AccessRequest[]> {
  const rows = await db.selectFrom('oidc_access_requests').selectAll().orderBy('last_seen_at', 'desc').execute();
  return rows.map(toAccessRequest);
}

export async function deleteAccessRequest(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('oidc_access_requests').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** A request is answered once the person has an account (made by the coordinator, then linked by e-mail). */
export async function deleteAccessRequestsFor(db: Db, provider: string, subject: string): Promise<void> {
  await db.deleteFrom('oidc_access_requests').where('provider', '=', provider).where('subject', '=', subject).execute();
}

// ---------------------------------------------------------------------------------------------
// Sessions that came from a provider

export async function insertProviderSession(db: Db, session: { sessionId: string; provider: string; idToken: string }): Promise<void> {
  await db
    .insertInto('oidc_sessions')
    .values({ session_id: session.sessionId, provider: session.provider, id_token: session.idToken })
    .execute();
}

export async function findProviderSession(db: Db, sessionId: string): Promise<{ provider: string; idToken: string } | null> {
  const row = await db.selectFrom('oidc_sessions').select(['provider', 'id_token']).where('session_id', '=', sessionId).executeTakeFirst();
  return row ? { provider: row.provider, idToken: row.id_token } : null;
}
