import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { parseForm, type FormValues } from '../../lib/forms';
import type { Database } from '../../lib/server/database';
import { hashPassword, passwordProblem, verifyPassword } from '../../lib/server/password';
import { constantTimeEqualHex, generateSecret, sha256Hex } from '../../lib/server/tokens';
import { recordAudit } from '../audit/audit.service';
import { enqueueStaffLink, publicOrigin } from '../messages/messages.service';
import { forgiveRateLimitHit, hitRateLimit, resetRateLimit } from '../throttle/throttle.service';
import { LOGIN_ACCOUNT_ADDRESS_POLICY, LOGIN_ACCOUNT_POLICY, LOGIN_IP_POLICY, loginAccountAddressKey, loginAccountKey, loginIpKey } from '../throttle/throttle';
import {
  BOOTSTRAP_LINK_LIFETIME_MS,
  keptBootstrapLinkMadeAt,
  SETUP_LINK_LIFETIME_MS,
  isWellFormedLinkToken,
  parseSessionToken,
  sessionCheck,
  secondFactorStep,
  sessionExpiry,
  setupLinkPath,
  type SecondFactorStep,
  type Actor,
  changeRoleSchema,
  roleChangeProblem,
  type BootstrapCoordinatorInput,
  type CreateUserInput,
  type Municipality,
  type Role,
  type StaffUser,
} from './auth';
import { revokeFeedTokens } from '../feeds/feeds.repository';
import {
  consumeBootstrapToken,
  deleteBootstrapToken,
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfUser,
  deleteUnusedSetupTokensOfUser,
  findBootstrapToken,
  findSessionWithUser,
  findSetupTokenByHash,
  findUserByEmail,
  findUserById,
  hasUsableCoordinator,
  insertSession,
  insertSetupToken,
  insertUser,
  listUsers,
  lockOpenCoordinators,
  markSetupTokenUsed,
  saveBootstrapToken,
  updateSessionExpiry,
  updateUserDisabledAt,
  updateUserPassword,
  updateUserRole,
  type SessionWithUser,
  type SetupTokenRecord,
  type UserRecord,
} from './auth.repository';

type Db = Kysely<Database>;
/** The operator's command line acts without a signed-in user. */
type SystemActor = { system: string };

/** The same words whether the e-mail is unknown or the password wrong: the form must not reveal who has an account. */
export const SIGN_IN_FAILED_MESSAGE = 'E-mail eller adgangskode er forkert.';
const LINK_GONE_MESSAGE = 'Linket virker ikke længere. Bed koordinatoren om et nyt link.';
const EMAIL_TAKEN_MESSAGE = 'Der findes allerede en medarbejder med denne e-mail.';

function toStaffUser(user: UserRecord): StaffUser {
  return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, municipality: user.municipality };
}

function requireCoordinator(actor: Actor | SystemActor): void {
  if ('user' in actor && actor.user.role !== 'coordinator') {
    throw new ForbiddenError('Kun koordinatoren kan styre medarbejdernes adgang.');
  }
}

// ---------------------------------------------------------------------------------------------
// Sessions

export interface SessionMeta {
  ip: string | null;
  userAgent: string | null;
}

export interface AuthSession {
  id: string;
  userId: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface ValidatedSession {
  user: StaffUser;
  sessionId: string;
  /** False for a password-only session: it may only reach the second-factor pages (see guardRequest). */
  twoFactorVerified: boolean;
  userHasTotpKey: boolean;
  /** The expiry moved forward on this request: the cookie must be sent again. */
  refreshed: boolean;
  expiresAt: Date;
}

/** Inserts a session and returns the token for the cookie; the secret itself is never stored, only its SHA-256. */
async function startSession(
  db: Db | Transaction<Database>,
  userId: string,
  meta: SessionMeta,
  now: Date,
): Promise<{ token: string; session: AuthSession }> {
  const id = generateSecret();
  const secret = generateSecret();
  const session: AuthSession = { id, userId, createdAt: now, expiresAt: sessionExpiry(now, now) };
  await insertSession(db, {
    ...session,
    secretHash: sha256Hex(secret),
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  });
  return { token: `${id}.${secret}`, session };
}

export async function createAuthSession(
  db: Db,
  userId: string,
  meta: SessionMeta,
  now: Date,
): Promise<{ token: string; session: AuthSession }> {
  return startSession(db, userId, meta, now);
}

/**
 * The session behind a cookie, or null. A normal page view costs one SELECT (session joined with its user); the
 * expiry is written only when the sliding refresh is due, and an expired session or a disabled user's session is
 * deleted on sight.
 */
function sessionFacts(session: SessionWithUser): Pick<ValidatedSession, 'user' | 'sessionId' | 'twoFactorVerified' | 'userHasTotpKey'> {
  return {
    user: session.user,
    sessionId: session.id,
    twoFactorVerified: session.twoFactorVerified,
    userHasTotpKey: session.userHasTotpKey,
  };
}

export async function validateSessionToken(db: Db, token: string, now: Date): Promise<ValidatedSession | null> {
  const parsed = parseSessionToken(token);
  if (!parsed) return null;
  const session = await findSessionWithUser(db, parsed.id);
  if (!session) return null;
  if (!constantTimeEqualHex(sha256Hex(parsed.secret), session.secretHash)) return null;

  const check = sessionCheck(session, now);
  if (check.state === 'expired' || session.userDisabled) {
    await deleteSession(db, session.id);
    return null;
  }
  if (check.state === 'refresh') {
    await updateSessionExpiry(db, session.id, now, check.expiresAt);
    return { ...sessionFacts(session), refreshed: true, expiresAt: check.expiresAt };
  }
  return { ...sessionFacts(session), refreshed: false, expiresAt: session.expiresAt };
}

export async function invalidateSession(db: Db, sessionId: string): Promise<void> {
  await deleteSession(db, sessionId);
}

/** "Log ud overalt": every device the user is signed in on. */
export async function invalidateAllSessionsOfUser(db: Db, userId: string): Promise<number> {
  return deleteSessionsOfUser(db, userId);
}

/** Housekeeping: expired sessions are deleted when seen, this removes the ones nobody came back to. */
export async function pruneExpiredSessions(db: Db, now: Date): Promise<number> {
  return deleteExpiredSessions(db, now);
}

// ---------------------------------------------------------------------------------------------
// Sign-in and sign-out

export type SignInResult =
  | { ok: true; token: string; user: StaffUser; expiresAt: Date; secondFactor: SecondFactorStep }
  | { ok: false; reason: 'invalid'; retryAfterSeconds?: undefined }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/**
 * A real argon2id hash with our parameters, of a random password nobody knows (thrown away when it was made), so an
 * unknown e-mail costs the same verify as a wrong password. Change it together with the parameters in password.ts.
 */
export const TIMING_HASH = '$argon2id$v=19$m=19456,t=2,p=1$e8QxeySI+sKtZ+MhdOVeiA$l6NuYjEpEb2mnd7iarIp9spzWZP7peK8r0TAqGifECc';

export async function signIn(
  db: Db,
  input: { email: string; password: string; ip: string | null; userAgent: string | null },
  now: Date,
): Promise<SignInResult> {
  const email = input.email.trim().toLowerCase();
  const accountKey = loginAccountKey(email);
  const pairKey = loginAccountAddressKey(email, input.ip);
  const ipKey = loginIpKey(input.ip);

  // Every attempt is counted before the password is looked at, each count one atomic statement: of a thousand
  // simultaneous attempts only as many as the limit reach the check. An attempt refused by the first limit is not
  // counted against the next: a stranger hammering from one address does not use up the account's own count.
  const limits = [
    [pairKey, LOGIN_ACCOUNT_ADDRESS_POLICY],
    [accountKey, LOGIN_ACCOUNT_POLICY],
    [ipKey, LOGIN_IP_POLICY],
  ] as const;
  for (const [key, policy] of limits) {
    const count = await hitRateLimit(db, key, policy, now);
    if (!count.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: count.retryAfterSeconds };
  }

  const user = await findUserByEmail(db, email);
  // Verify even when there is nothing to verify against, so the answer takes as long either way.
  const passwordOk = await verifyPassword(user?.passwordHash ?? TIMING_HASH, input.password);

  if (!user || user.passwordHash === null || user.disabledAt !== null || !passwordOk) {
    // Failed attempts on a real account are worth a trace; typed unknown addresses are not kept (they can hold
    // a password typed in the wrong field).
    if (user) {
      const reason = user.disabledAt !== null ? 'konto lukket' : user.passwordHash === null ? 'ingen adgangskode endnu' : 'forkert adgangskode';
      await recordAudit(db, { user: toStaffUser(user), ip: input.ip }, [
        { action: 'sign_in', entityType: 'user', entityId: user.id, detail: `mislykket: ${reason}` },
      ], now);
    }
    return { ok: false, reason: 'invalid' };
  }

  const staffUser = toStaffUser(user);
  const started = await db.transaction().execute(async (trx) => {
    const result = await startSession(trx, user.id, input, now);
    await recordAudit(trx, { user: staffUser, ip: input.ip }, [
      { action: 'sign_in', entityType: 'user', entityId: user.id, detail: null },
    ], now);
    return result;
  });
  await resetRateLimit(db, accountKey);
  await resetRateLimit(db, pairKey);
  // The office's shared address: a correct sign-in does not use up its count.
  await forgiveRateLimitHit(db, ipKey);
  return { ok: true, token: started.token, user: staffUser, expiresAt: started.session.expiresAt, secondFactor: secondFactorStep(user.hasTotpKey) };
}

/** Ends this session, or with `everywhere` every session of the user ("log ud overalt"). */
export async function signOut(
  db: Db,
  actor: Actor,
  sessionId: string,
  options: { everywhere: boolean },
  now: Date,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (options.everywhere) await deleteSessionsOfUser(trx, actor.user.id);
    else await deleteSession(trx, sessionId);
    await recordAudit(trx, actor, [
      { action: 'sign_out', entityType: 'user', entityId: actor.user.id, detail: options.everywhere ? 'overalt' : null },
    ], now);
  });
}

// ---------------------------------------------------------------------------------------------
// Staff accounts (the coordinator's page)

export type AccountStatus = 'active' | 'invited' | 'disabled';

export interface StaffAccount extends StaffUser {
  status: AccountStatus;
  hasSecondFactor: boolean;
  createdAt: Date;
}

function toStaffAccount(user: UserRecord): StaffAccount {
  const status: AccountStatus = user.disabledAt !== null ? 'disabled' : user.passwordHash === null ? 'invited' : 'active';
  return { ...toStaffUser(user), status, hasSecondFactor: user.hasTotpKey, createdAt: user.createdAt };
}

async function newSetupLink(
  db: Transaction<Database>,
  user: UserRecord,
  now: Date,
): Promise<string> {
  const token = generateSecret();
  await deleteUnusedSetupTokensOfUser(db, user.id);
  await insertSetupToken(db, {
    id: randomUUID(),
    userId: user.id,
    tokenHash: sha256Hex(token),
    purpose: user.passwordHash === null ? 'setup' : 'reset',
    expiresAt: new Date(now.getTime() + SETUP_LINK_LIFETIME_MS),
  }, now);
  return setupLinkPath(token);
}

/** Creates an account without a password and a one-time link (7 days) where the person chooses one. */
export async function createStaffUser(
  db: Db,
  actor: Actor | SystemActor,
  input: CreateUserInput,
  now: Date,
  options: { emailLink?: boolean } = {},
): Promise<{ user: StaffAccount; setupUrlPath: string }> {
  requireCoordinator(actor);
  if (await findUserByEmail(db, input.email)) throw new ValidationError({ email: EMAIL_TAKEN_MESSAGE });
  const municipality: Municipality | null = input.role === 'caseworker' ? input.municipality : null;
  if (input.role === 'caseworker' && municipality === null) {
    throw new ValidationError({ municipality: 'En familierådgiver skal have en kommune.' });
  }
  return db.transaction().execute(async (trx) => {
    const id = randomUUID();
    await insertUser(trx, { id, email: input.email, displayName: input.name, role: input.role, municipality, passwordHash: null }, now);
    const user = await findUserById(trx, id);
    if (!user) throw new Error('The new user vanished inside its own transaction.');
    const setupUrlPath = await newSetupLink(trx, user, now);
    if (options.emailLink ?? true) await enqueueStaffLink(trx, { id, email: user.email, name: user.displayName }, 'setup', `${publicOrigin()}${setupUrlPath}`, now); // messages (issue 14)
    await recordAudit(trx, actor, [
      { action: 'create', entityType: 'user', entityId: id, detail: `rolle ${input.role}` },
    ], now);
    return { user: toStaffAccount(user), setupUrlPath };
  });
}

/** A new one-time link for a user (first password or a forgotten one); earlier unused links stop working. */
export async function issueSetupLink(
  db: Db,
  actor: Actor | SystemActor,
  userId: string,
  now: Date,
): Promise<{ user: StaffAccount; setupUrlPath: string }> {
  requireCoordinator(actor);
  return db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, userId);
    if (!user) throw new NotFoundError('Medarbejderen findes ikke.');
    if (user.disabledAt !== null) throw new ConflictError('Kontoen er lukket. Åbn den igen, før du laver et nyt link.');
    const setupUrlPath = await newSetupLink(trx, user, now);
    await enqueueStaffLink(trx, { id: user.id, email: user.email, name: user.displayName }, user.passwordHash === null ? 'setup' : 'reset', `${publicOrigin()}${setupUrlPath}`, now); // messages (issue 14)
    await recordAudit(trx, actor, [
      { action: 'update', entityType: 'user', entityId: user.id, detail: 'nyt engangslink' },
    ], now);
    return { user: toStaffAccount(user), setupUrlPath };
  });
}

export async function listStaffUsers(db: Db, actor: Actor): Promise<StaffAccount[]> {
  requireCoordinator(actor);
  return (await listUsers(db)).map(toStaffAccount);
}

/**
 * Closes or reopens an account. Closing signs the person out everywhere at once and revokes their calendar link and
 * any unused one-time link, for good.
 */
export async function setUserDisabled(
  db: Db,
  actor: Actor,
  userId: string,
  disabled: boolean,
  now: Date,
): Promise<StaffAccount> {
  requireCoordinator(actor);
  if (disabled && userId === actor.user.id) throw new ConflictError('Du kan ikke lukke din egen konto.');
  return db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, userId);
    if (!user) throw new NotFoundError('Medarbejderen findes ikke.');
    const disabledAt = disabled ? (user.disabledAt ?? now) : null;
    await updateUserDisabledAt(trx, userId, disabledAt, now);
    if (disabled) {
      // For good: reopening the account later revives none of these; the person makes new ones.
      await deleteSessionsOfUser(trx, userId);
      await revokeFeedTokens(trx, userId, now);
      await deleteUnusedSetupTokensOfUser(trx, userId);
    }
    await recordAudit(trx, actor, [
      { action: 'update', entityType: 'user', entityId: userId, detail: disabled ? 'konto lukket' : 'konto åbnet igen' },
    ], now);
    return toStaffAccount({ ...user, disabledAt });
  });
}

/**
 * Gives an existing account another role. The person's sessions stay, and every request reads the role again from the
 * account (`findSessionWithUser`), so a demoted coordinator meets a closed door on their very next page. The last open
 * coordinator account keeps its role; a caseworker's municipality is left as it is.
 */
export async function changeUserRole(db: Db, actor: Actor, input: FormValues, now: Date): Promise<StaffAccount> {
  requireCoordinator(actor);
  const parsed = parseForm(changeRoleSchema, input);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  const { userId, role } = parsed.data;
  return db.transaction().execute(async (trx) => {
    const coordinators = await lockOpenCoordinators(trx);
    const user = await findUserById(trx, userId);
    if (!user) throw new NotFoundError('Medarbejderen findes ikke.');
    if (user.role === role) return toStaffAccount(user);
    const problem = roleChangeProblem(
      { role: user.role, municipality: user.municipality, disabled: user.disabledAt !== null },
      role,
      coordinators.filter((id) => id !== userId).length,
    );
    if (problem) throw new ValidationError({ role: problem });
    await updateUserRole(trx, userId, role, now);
    await recordAudit(trx, actor, [
      { action: 'update', entityType: 'user', entityId: userId, detail: `rolle ${user.role} → ${role}` },
    ], now);
    return toStaffAccount({ ...user, role });
  });
}

// ---------------------------------------------------------------------------------------------
// One-time links: /adgang/<token>

export type SetupLinkInfo =
  | { kind: 'setup' | 'reset'; email: string; displayName: string; expiresAt: Date }
  | { kind: 'bootstrap'; expiresAt: Date };

async function usableSetupToken(db: Db, token: string, now: Date): Promise<SetupTokenRecord | null> {
  if (!isWellFormedLinkToken(token)) return null;
  const record = await findSetupTokenByHash(db, sha256Hex(token));
  if (!record || record.usedAt !== null || record.expiresAt.getTime() <= now.getTime() || record.user.disabledAt !== null) {
    return null;
  }
  return record;
}

async function usableBootstrapToken(
  db: Db | Transaction<Database>,
  token: string,
  now: Date,
): Promise<{ tokenHash: string; expiresAt: Date } | null> {
  if (!isWellFormedLinkToken(token)) return null;
  const stored = await findBootstrapToken(db);
  if (!stored || stored.expiresAt.getTime() <= now.getTime()) return null;
  if (!constantTimeEqualHex(sha256Hex(token), stored.tokenHash)) return null;
  if (await hasUsableCoordinator(db)) return null;
  return stored;
}

/** What the link page should show, or null when the link is unknown, used, expired or no longer needed. */
export async function findSetupToken(db: Db, token: string, now: Date): Promise<SetupLinkInfo | null> {
  const record = await usableSetupToken(db, token, now);
  if (record) {
    return { kind: record.purpose, email: record.user.email, displayName: record.user.displayName, expiresAt: record.expiresAt };
  }
  const bootstrap = await usableBootstrapToken(db, token, now);
  return bootstrap ? { kind: 'bootstrap', expiresAt: bootstrap.expiresAt } : null;
}

export interface SignedIn {
  token: string;
  user: StaffUser;
  expiresAt: Date;
  /** The session is password-only: where the person goes next. */
  secondFactor: SecondFactorStep;
}

/** Sets the password from a one-time link (which then stops working) and signs the person in. */
export async function completeSetup(
  db: Db,
  token: string,
  input: { password: string },
  meta: SessionMeta,
  now: Date,
): Promise<SignedIn> {
  const record = await usableSetupToken(db, token, now);
  if (!record) throw new NotFoundError(LINK_GONE_MESSAGE);
  const problem = passwordProblem(input.password, record.user.email);
  if (problem) throw new ValidationError({ password: problem });
  const passwordHash = await hashPassword(input.password);
  const user = toStaffUser(record.user);
  return db.transaction().execute(async (trx) => {
    if (!(await markSetupTokenUsed(trx, record.id, now))) throw new NotFoundError(LINK_GONE_MESSAGE);
    await updateUserPassword(trx, user.id, passwordHash, now);
    // A new password ends every earlier session, e.g. one left open on a lost phone.
    await deleteSessionsOfUser(trx, user.id);
    await deleteUnusedSetupTokensOfUser(trx, user.id);
    const started = await startSession(trx, user.id, meta, now);
    await recordAudit(trx, { user, ip: meta.ip }, [
      { action: 'update', entityType: 'user', entityId: user.id, detail: record.purpose === 'setup' ? 'adgangskode valgt' : 'ny adgangskode' },
      { action: 'sign_in', entityType: 'user', entityId: user.id, detail: null },
    ], now);
    return { token: started.token, user, expiresAt: started.session.expiresAt, secondFactor: secondFactorStep(record.user.hasTotpKey) };
  });
}

/** Creates the first coordinator from the bootstrap link (which works once, and only while there is no coordinator). */
export async function completeBootstrap(
  db: Db,
  token: string,
  input: BootstrapCoordinatorInput,
  meta: SessionMeta,
  now: Date,
): Promise<SignedIn> {
  if (!(await usableBootstrapToken(db, token, now))) throw new NotFoundError(LINK_GONE_MESSAGE);
  const problem = passwordProblem(input.password, input.email);
  if (problem) throw new ValidationError({ password: problem });
  if (await findUserByEmail(db, input.email)) throw new ValidationError({ email: EMAIL_TAKEN_MESSAGE });
  const passwordHash = await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    // Checked again inside the transaction: two people opening the link at once create one coordinator, not two.
    const bootstrap = await usableBootstrapToken(trx, token, now);
    if (!bootstrap || !(await consumeBootstrapToken(trx, bootstrap.tokenHash))) throw new NotFoundError(LINK_GONE_MESSAGE);
    const id = randomUUID();
    const role: Role = 'coordinator';
    await insertUser(trx, { id, email: input.email, displayName: input.name, role, municipality: null, passwordHash }, now);
    const user: StaffUser = { id, email: input.email, displayName: input.name, role, municipality: null };
    const started = await startSession(trx, id, meta, now);
    await recordAudit(trx, { user, ip: meta.ip }, [
      { action: 'create', entityType: 'user', entityId: id, detail: 'første koordinator' },
      { action: 'sign_in', entityType: 'user', entityId: id, detail: null },
    ], now);
    return { token: started.token, user, expiresAt: started.session.expiresAt, secondFactor: 'setup' };
  });
}

/**
 * While no coordinator can sign in, makes a fresh one-time link (24 hours) for creating the first one and returns
 * its path; any earlier bootstrap link stops working. Returns null (and forgets any old link) once an coordinator exists.
 */
/** What a boot hands the operator: a new link, the time the still-fresh link was made, or nothing (an coordinator exists). */
export type BootstrapOnBoot = { kind: 'new'; path: string } | { kind: 'kept'; madeAt: Date } | null;

/**
 * The first coordinator's link at boot: a link made less than BOOTSTRAP_LINK_KEPT_MS ago (by another server
 * starting at the same moment, or by `cli boot` just before) is kept, since it was printed there; otherwise as
 * ensureBootstrapLink (always so with `replace`). Boots are serialized by the boot lock: they decide one by one.
 */
export async function bootstrapLinkOnBoot(db: Db, now: Date, replace = false): Promise<BootstrapOnBoot> {
  if (!replace && !(await hasUsableCoordinator(db))) {
    const outstanding = await findBootstrapToken(db);
    const madeAt = outstanding ? keptBootstrapLinkMadeAt(outstanding.expiresAt, now) : null;
    if (madeAt) return { kind: 'kept', madeAt };
  }
  const path = await ensureBootstrapLink(db, now);
  return path === null ? null : { kind: 'new', path };
}

export async function ensureBootstrapLink(db: Db, now: Date): Promise<string | null> {
  return db.transaction().execute(async (trx) => {
    if (await hasUsableCoordinator(trx)) {
      await deleteBootstrapToken(trx);
      return null;
    }
    const token = generateSecret();
    await saveBootstrapToken(trx, sha256Hex(token), new Date(now.getTime() + BOOTSTRAP_LINK_LIFETIME_MS));
    return setupLinkPath(token);
  });
}
