// Staff sign-in through a municipality's own login: starting the authorization request, finishing it (account link,
// creation only where a group maps to a role, refusals), the coordinator's list of requests, and the provider's
// sign-out address. Sessions are the same as for a local sign-in (auth.service's createAuthSession); the provider's
// own second factor counts, so the session is marked verified at once.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../lib/server/database';
import { ForbiddenError, NotFoundError } from '../../lib/errors';
import {
  buildAuthorizationRequest, buildEndSessionUrl, exchangeAuthorizationCode, ProviderUnavailableError,
} from '../../lib/server/openid';
import { generateSecret, sha256Hex } from '../../lib/server/tokens';
import { recordAudit } from '../audit/audit.service';
import { safeNextPath, type Actor, type StaffUser } from '../auth/auth';
import { findUserById, insertUser } from '../auth/auth.repository';
import { createAuthSession } from '../auth/auth.service';
import { markSessionTwoFactorVerified } from '../twofactor/twofactor.repository';
import { PROVIDER_START_IP_POLICY, providerStartKey } from '../throttle/throttle';
import { forgiveRateLimitHit, hitRateLimit } from '../throttle/throttle.service';
import {
  AFTER_PROVIDER_SIGN_OUT_PATH, decideProviderSignIn, identityFromClaims, parseProviderConfigs, providerCallbackPath,
  signInAuditDetail, type ProviderConfig, type RefusalReason,
} from './oidc';
import {
  clearLocalCredentials, deleteAccessRequest, deleteAccessRequestsFor, deleteExpiredSignInAttempts, findAccountByEmail,
  findLinkedAccount, findProviderSession, insertIdentity, insertProviderSession, insertSignInAttempt, listAccessRequests,
  takeSignInAttempt, touchIdentity, upsertAccessRequest, type AccessRequest,
} from './oidc.repository';

type Db = Kysely<Database>;

/** A started sign-in must come back within this long. */
export const SIGN_IN_ATTEMPT_LIFETIME_MS = 10 * 60 * 1000;

let fromEnvironment: ProviderConfig[] | null = null;

/** The providers configured in the environment (read once per process; an invalid configuration throws at first use). */
export function configuredProviders(): ProviderConfig[] {
  fromEnvironment ??= parseProviderConfigs(process.env);
  return fromEnvironment;
}

export function findProvider(name: string | undefined): ProviderConfig | null {
  return configuredProviders().find((p) => p.name === name) ?? null;
}

/** The providers' origins, where signing out may lead the browser (the CSP's form-action must allow them). */
export function providerOrigins(): string[] {
  return [...new Set(configuredProviders().map((p) => p.issuer.origin))];
}

/** The buttons on the sign-in page: label and address of each configured provider. */
export function providerButtons(): { label: string; name: string }[] {
  return configuredProviders().map((p) => ({ label: p.label, name: p.name }));
}

// ---------------------------------------------------------------------------------------------
// Starting

export type StartResult =
  | { ok: true; redirectTo: URL; attemptSecret: string; expiresAt: Date }
  | { ok: false; reason: 'unavailable' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

/**
 * Makes a fresh state, nonce and PKCE verifier, keeps them under the SHA-256 of a secret the browser gets in a cookie,
 * and returns the provider's address to send the browser to. Each start from an address is counted first (one atomic
 * upsert), so a burst gets no more starts than the limit.
 */
export async function startProviderSignIn(
  db: Db,
  config: ProviderConfig,
  publicOrigin: string,
  next: string | null,
  ip: string | null,
  now: Date,
): Promise<StartResult> {
  const limit = await hitRateLimit(db, providerStartKey(ip), PROVIDER_START_IP_POLICY, now);
  if (!limit.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: limit.retryAfterSeconds };
  let request;
  try {
    request = await buildAuthorizationRequest(config, new URL(providerCallbackPath(config.name), publicOrigin).href);
  } catch (error) {
    if (error instanceof ProviderUnavailableError) return { ok: false, reason: 'unavailable' };
    throw error;
  }
  const attemptSecret = generateSecret();
  const expiresAt = new Date(now.getTime() + SIGN_IN_ATTEMPT_LIFETIME_MS);
  await deleteExpiredSignInAttempts(db, now);
  await insertSignInAttempt(db, {
    id: sha256Hex(attemptSecret),
    provider: config.name,
    state: request.state,
    nonce: request.nonce,
    codeVerifier: request.codeVerifier,
    nextPath: safeNextPath(next),
    expiresAt,
  }, now);
  return { ok: true, redirectTo: request.url, attemptSecret, expiresAt };
}

// ---------------------------------------------------------------------------------------------
// Finishing

export type FinishResult =
  | { ok: true; token: string; expiresAt: Date; next: string; user: StaffUser }
  | { ok: false; reason: RefusalReason | 'failed' | 'unavailable' };

function systemActor(config: ProviderConfig): { system: string } {
  return { system: `login:${config.name}` };
}

/**
 * The provider sent the browser back. `returnUrl` is the return address as called, on the site's public origin.
 * Everything the library checks (state, PKCE, the ID token's signature, issuer, audience, expiry, nonce) must hold;
 * then the account is found, linked or made, and a signed-in session starts.
 */
export async function finishProviderSignIn(
  db: Db,
  config: ProviderConfig,
  attemptSecret: string | null,
  returnUrl: URL,
  meta: { ip: string | null; userAgent: string | null },
  now: Date,
): Promise<FinishResult> {
  const attempt = attemptSecret ? await takeSignInAttempt(db, sha256Hex(attemptSecret)) : null;
  if (!attempt || attempt.provider !== config.name || attempt.expiresAt.getTime() <= now.getTime()) {
    await recordAudit(db, systemActor(config), [
      { action: 'sign_in', entityType: 'user', entityId: null, detail: 'mislykket: intet påbegyndt log ind i denne browser' },
    ], now);
    return { ok: false, reason: 'failed' };
  }

  const exchanged = await exchangeAuthorizationCode(config, returnUrl, attempt);
  if (!exchanged.ok) {
    await recordAudit(db, systemActor(config), [
      { action: 'sign_in', entityType: 'user', entityId: null, detail: `mislykket: ${exchanged.kind} (${exchanged.detail})`.slice(0, 500) },
    ], now);
    return { ok: false, reason: exchanged.kind === 'unavailable' ? 'unavailable' : 'failed' };
  }
  const identity = identityFromClaims(config, exchanged.claims);
  if (!identity) return { ok: false, reason: 'failed' };

  const result = await db.transaction().execute(async (trx): Promise<FinishResult> => {
    const linked = await findLinkedAccount(trx, config.name, identity.subject);
    const byEmail = linked === null && identity.email !== null ? await findAccountByEmail(trx, identity.email) : null;
    const decision = decideProviderSignIn(config, identity, linked, byEmail);

    if (decision.kind === 'refuse') {
      const known = linked ?? byEmail;
      const account = known ? await findUserById(trx, known.id) : null;
      if (decision.reason === 'no_role') {
        await upsertAccessRequest(trx, {
          id: randomUUID(),
          provider: config.name,
          subject: identity.subject,
          email: identity.email,
          displayName: identity.displayName,
          groups: identity.groups,
        }, now);
      }
      const actor = account ? { user: account, ip: meta.ip } : systemActor(config);
      await recordAudit(trx, actor, [
        { action: 'sign_in', entityType: 'user', entityId: account?.id ?? null, detail: `afvist: ${decision.reason}; ${signInAuditDetail(config, identity)}` },
      ], now);
      return { ok: false, reason: decision.reason };
    }

    let userId: string;
    const changes: { action: 'create' | 'update'; detail: string }[] = [];
    if (decision.kind === 'create') {
      userId = randomUUID();
      const email = identity.email as string; // decideProviderSignIn creates only with an e-mail
      await insertUser(trx, {
        id: userId,
        email,
        displayName: identity.displayName ?? email,
        role: decision.role,
        municipality: decision.municipality,
        passwordHash: null,
      }, now);
      await insertIdentity(trx, { provider: config.name, subject: identity.subject, userId }, now);
      changes.push({ action: 'create', detail: `rolle ${decision.role} fra ${config.label}s grupper` });
    } else if (decision.kind === 'link') {
      userId = decision.userId;
      await insertIdentity(trx, { provider: config.name, subject: identity.subject, userId }, now);
      await clearLocalCredentials(trx, userId, now);
      changes.push({ action: 'update', detail: `knyttet til ${config.label}s login; adgangskode og kode fjernet` });
    } else {
      userId = decision.userId;
      await touchIdentity(trx, config.name, identity.subject, now);
    }
    await deleteAccessRequestsFor(trx, config.name, identity.subject);

    const user = await findUserById(trx, userId);
    if (!user) throw new Error('The account vanished inside its own transaction.');
    const started = await createAuthSession(trx, userId, meta, now);
    await markSessionTwoFactorVerified(trx, started.session.id);
    await insertProviderSession(trx, { sessionId: started.session.id, provider: config.name, idToken: exchanged.idToken });
    const actor = { user, ip: meta.ip };
    await recordAudit(trx, actor, [
      ...changes.map((c) => ({ action: c.action, entityType: 'user', entityId: userId, detail: c.detail })),
      { action: 'sign_in' as const, entityType: 'user', entityId: userId, detail: signInAuditDetail(config, identity) },
    ], now);
    return {
      ok: true,
      token: started.token,
      expiresAt: started.session.expiresAt,
      next: attempt.nextPath,
      user: { id: user.id, email: user.email, displayName: user.displayName, role: user.role, municipality: user.municipality },
    };
  });
  // A finished sign-in gives its start back, so an office behind one address is not stopped by its own colleagues.
  if (result.ok) await forgiveRateLimitHit(db, providerStartKey(meta.ip));
  return result;
}

// ---------------------------------------------------------------------------------------------
// Sign-out

/**
 * Where to send the browser after the local session ends: the provider's end-session address when this session came
 * from a provider that offers one, else null. Ask before the session is deleted (its record goes with it).
 */
export async function providerSignOutUrl(db: Db, sessionId: string, publicOrigin: string): Promise<URL | null> {
  const session = await findProviderSession(db, sessionId);
  if (!session) return null;
  const config = findProvider(session.provider);
  if (!config) return null;
  return buildEndSessionUrl(config, session.idToken, new URL(AFTER_PROVIDER_SIGN_OUT_PATH, publicOrigin).href);
}

// ---------------------------------------------------------------------------------------------
// The coordinator's list of requests

function requireCoordinator(actor: Actor): void {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan se anmodninger om adgang.');
}

export interface AccessRequestView extends AccessRequest {
  providerLabel: string;
}

export async function listProviderAccessRequests(db: Db, actor: Actor): Promise<AccessRequestView[]> {
  requireCoordinator(actor);
  const labels = new Map(configuredProviders().map((p) => [p.name, p.label]));
  return (await listAccessRequests(db)).map((r) => ({ ...r, providerLabel: labels.get(r.provider) ?? r.provider }));
}

/** The coordinator has dealt with a request (made an account, or decided against it). */
export async function dismissProviderAccessRequest(db: Db, actor: Actor, id: string, now: Date): Promise<void> {
  requireCoordinator(actor);
  await db.transaction().execute(async (trx) => {
    if (!(await deleteAccessRequest(trx, id))) throw new NotFoundError('Anmodningen findes ikke længere.');
    await recordAudit(trx, actor, [{ action: 'delete', entityType: 'oidc_access_request', entityId: id, detail: null }], now);
  });
}
