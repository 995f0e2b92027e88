// Passkeys for local accounts: adding one after signing in, signing in with one instead of password and code, and
// removing one. The sign-in starts the same session as any other (auth.service's createAuthSession), marked verified
// at once: a passkey with user verification is both factors in one.
import type { Kysely } from 'kysely';
import type { Database } from '../../lib/server/database';
import { ConflictError, NotFoundError } from '../../lib/errors';
import { generateSecret } from '../../lib/server/tokens';
import {
  authenticationOptions, checkAuthentication, checkRegistration, registrationOptions, relyingParty,
  type AuthenticationResponseJSON, type RegistrationResponseJSON,
} from '../../lib/server/webauthn';
import { recordAudit } from '../audit/audit.service';
import type { Actor, StaffUser } from '../auth/auth';
import { findUserById } from '../auth/auth.repository';
import { createAuthSession } from '../auth/auth.service';
import { findProviderOfUser } from '../oidc/oidc.repository';
import { markSessionTwoFactorVerified } from '../twofactor/twofactor.repository';
import { CHALLENGE_LIFETIME_MS, passkeyName, passkeyNotAllowed, type PasskeyAnswer } from './passkeys';
import {
  deletePasskeyOfUser, findPasskey, findPasskeyOwner, insertChallenge, insertPasskey, listPasskeysOfUser, markPasskeyUsed,
  takeChallenge, type PasskeyRecord,
} from './passkeys.repository';

type Db = Kysely<Database>;

export interface PasskeyView {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function passkeysOverview(db: Db, actor: Actor): Promise<{ passkeys: PasskeyView[]; notAllowed: string | null }> {
  const passkeys = await listPasskeysOfUser(db, actor.user.id);
  const notAllowed = passkeyNotAllowed({ linkedProvider: await findProviderOfUser(db, actor.user.id), passkeyCount: passkeys.length });
  return { passkeys: passkeys.map(({ id, name, createdAt, lastUsedAt }) => ({ id, name, createdAt, lastUsedAt })), notAllowed };
}

async function newChallenge(db: Db, userId: string | null, purpose: 'register' | 'sign_in', challenge: string, now: Date): Promise<string> {
  const id = generateSecret();
  await insertChallenge(db, { id, userId, purpose, challenge, expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_MS) }, now);
  return id;
}

async function usableChallenge(db: Db, answer: PasskeyAnswer, purpose: 'register' | 'sign_in', userId: string | null, now: Date): Promise<string | null> {
  const stored = await takeChallenge(db, answer.challengeId);
  if (!stored || stored.purpose !== purpose || stored.userId !== userId || stored.expiresAt.getTime() <= now.getTime()) return null;
  return stored.challenge;
}

// ---------------------------------------------------------------------------------------------
// Adding and removing

export async function startPasskeyRegistration(db: Db, actor: Actor, publicOrigin: string, now: Date): Promise<{ challengeId: string; options: unknown }> {
  const existing = await listPasskeysOfUser(db, actor.user.id);
  const problem = passkeyNotAllowed({ linkedProvider: await findProviderOfUser(db, actor.user.id), passkeyCount: existing.length });
  if (problem) throw new ConflictError(problem);
  const options = await registrationOptions(relyingParty(publicOrigin), actor.user, existing);
  return { challengeId: await newChallenge(db, actor.user.id, 'register', options.challenge, now), options };
}

export async function finishPasskeyRegistration(db: Db, actor: Actor, publicOrigin: string, answer: PasskeyAnswer, now: Date): Promise<PasskeyView> {
  const challenge = await usableChallenge(db, answer, 'register', actor.user.id, now);
  if (!challenge) throw new ConflictError('Det tog for lang tid, eller siden er gammel. Prøv igen.');
  const checked = await checkRegistration(relyingParty(publicOrigin), answer.response as unknown as RegistrationResponseJSON, challenge);
  if (!checked) throw new ConflictError('Adgangsnøglen kunne ikke godkendes. Prøv igen.');
  const name = passkeyName(answer.name);
  return db.transaction().execute(async (trx) => {
    const existing = await listPasskeysOfUser(trx, actor.user.id);
    const problem = passkeyNotAllowed({ linkedProvider: await findProviderOfUser(trx, actor.user.id), passkeyCount: existing.length });
    if (problem) throw new ConflictError(problem);
    if (await findPasskey(trx, checked.id)) throw new ConflictError('Den adgangsnøgle er allerede tilføjet.');
    await insertPasskey(trx, { ...checked, userId: actor.user.id, name }, now);
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'user', entityId: actor.user.id, detail: 'adgangsnøgle tilføjet' }], now);
    return { id: checked.id, name, createdAt: now, lastUsedAt: null };
  });
}

export async function removePasskey(db: Db, actor: Actor, passkeyId: string, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await deletePasskeyOfUser(trx, actor.user.id, passkeyId))) throw new NotFoundError('Adgangsnøglen findes ikke.');
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'user', entityId: actor.user.id, detail: 'adgangsnøgle fjernet' }], now);
  });
}

// ---------------------------------------------------------------------------------------------
// Signing in

export async function startPasskeySignIn(db: Db, publicOrigin: string, now: Date): Promise<{ challengeId: string; options: unknown }> {
  const options = await authenticationOptions(relyingParty(publicOrigin));
  return { challengeId: await newChallenge(db, null, 'sign_in', options.challenge, now), options };
}

export type PasskeySignInResult =
  | { ok: true; token: string; expiresAt: Date; user: StaffUser }
  | { ok: false; message: string };

const NOT_ACCEPTED = 'Adgangsnøglen blev ikke godkendt. Log ind med e-mail og adgangskode.';

export async function finishPasskeySignIn(
  db: Db,
  publicOrigin: string,
  answer: PasskeyAnswer,
  meta: { ip: string | null; userAgent: string | null },
  now: Date,
): Promise<PasskeySignInResult> {
  const challenge = await usableChallenge(db, answer, 'sign_in', null, now);
  if (!challenge) return { ok: false, message: 'Det tog for lang tid. Prøv igen.' };
  const passkey: PasskeyRecord | null = await findPasskey(db, answer.response.id);
  if (!passkey) return { ok: false, message: NOT_ACCEPTED };
  const checked = await checkAuthentication(relyingParty(publicOrigin), answer.response as unknown as AuthenticationResponseJSON, challenge, passkey);
  const owner = await findUserById(db, passkey.userId);
  if (!checked || !owner) {
    if (owner) await recordAudit(db, { user: owner, ip: meta.ip }, [{ action: 'sign_in', entityType: 'user', entityId: owner.id, detail: 'mislykket: adgangsnøgle' }], now);
    return { ok: false, message: NOT_ACCEPTED };
  }
  if ((await findPasskeyOwner(db, owner.id))?.disabled !== false) {
    await recordAudit(db, { user: owner, ip: meta.ip }, [{ action: 'sign_in', entityType: 'user', entityId: owner.id, detail: 'mislykket: konto lukket' }], now);
    return { ok: false, message: 'Din konto er lukket. Kontakt koordinatoren.' };
  }
  if ((await findProviderOfUser(db, owner.id)) !== null) {
    return { ok: false, message: 'Du logger ind med din kommunes login. Brug knappen for din kommune.' };
  }
  return db.transaction().execute(async (trx) => {
    await markPasskeyUsed(trx, passkey.id, checked.newCounter, now);
    const started = await createAuthSession(trx, owner.id, meta, now);
    await markSessionTwoFactorVerified(trx, started.session.id);
    const user: StaffUser = { id: owner.id, email: owner.email, displayName: owner.displayName, role: owner.role, municipality: owner.municipality };
    await recordAudit(trx, { user, ip: meta.ip }, [{ action: 'sign_in', entityType: 'user', entityId: owner.id, detail: 'adgangsnøgle' }], now);
    return { ok: true, token: started.token, expiresAt: started.session.expiresAt, user };
  });
}
