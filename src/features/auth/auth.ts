import { z } from 'astro/zod';
import type { Municipality, Role } from '../../lib/server/database';

export type { Role, Municipality };

/** The signed-in staff member as pages and services see them. */
export interface StaffUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  municipality: Municipality | null;
}

/** Who is doing something, for permission checks and the audit log. */
export interface Actor {
  user: StaffUser;
  ip: string | null;
}

/** The signed-in staff member behind a staff page (the middleware lets nobody else reach one). */
export function staffActor(locals: { user: StaffUser | null; ip: string | null }): Actor {
  if (!locals.user) throw new Error('A staff page was reached without a signed-in user: the middleware guard is missing.');
  return { user: locals.user, ip: locals.ip };
}

export const ROLE_LABELS: Record<Role, string> = {
  coordinator: 'Koordinator',
  leader: 'Gruppeleder',
  caseworker: 'Familierådgiver',
};

export const MUNICIPALITY_LABELS: Record<Municipality, string> = {
  ishoj: 'Ishøj',
  vallensbaek: 'Vallensbæk',
};

// ---------------------------------------------------------------------------------------------
// Sessions (Lucia's current guide: a token `<id>.<secret>`, only a hash of the secret stored,
// an inactivity timeout that slides, and an absolute limit)

const HOUR_MS = 60 * 60 * 1000;

/** A staff session ends after this long without use (between half and all of it; see sessionCheck). */
export const SESSION_INACTIVITY_MS = 8 * HOUR_MS;
/** ... and in any case this long after sign-in. */
export const SESSION_MAX_AGE_MS = 7 * 24 * HOUR_MS;
/** A one-time link to choose a password works this long. */
export const SETUP_LINK_LIFETIME_MS = 7 * 24 * HOUR_MS;
/** The link that creates the first coordinator works this long. */
export const BOOTSTRAP_LINK_LIFETIME_MS = 24 * HOUR_MS;

/**
 * A boot keeps a first-coordinator link made this recently instead of replacing it: two servers started together
 * (or `cli boot` run just before them) would otherwise each print a link, and only the last would work.
 */
export const BOOTSTRAP_LINK_KEPT_MS = 10 * 60 * 1000;

/** When the outstanding link (expiring at `expiresAt`) was made, if a boot at `now` should keep it; else null. */
export function keptBootstrapLinkMadeAt(expiresAt: Date, now: Date): Date | null {
  const madeAt = new Date(expiresAt.getTime() - BOOTSTRAP_LINK_LIFETIME_MS);
  const age = now.getTime() - madeAt.getTime();
  return age >= 0 && age < BOOTSTRAP_LINK_KEPT_MS ? madeAt : null;
}

export interface SessionTimes {
  createdAt: Date;
  expiresAt: Date;
}

/** When a session used at `now` should expire: the inactivity window, capped by the absolute limit. */
export function sessionExpiry(createdAt: Date, now: Date): Date {
  return new Date(Math.min(now.getTime() + SESSION_INACTIVITY_MS, createdAt.getTime() + SESSION_MAX_AGE_MS));
}

/**
 * What to do with a session seen at `now`. The expiry is pushed forward only once less than half of the inactivity
 * window is left, so an active session costs one write every few hours instead of one per page view; the price is
 * that "inactive" means somewhere between 4 and 8 hours.
 */
export function sessionCheck(session: SessionTimes, now: Date): { state: 'expired' } | { state: 'valid' } | { state: 'refresh'; expiresAt: Date } {
  const nowMs = now.getTime();
  if (nowMs >= session.expiresAt.getTime()) return { state: 'expired' };
  if (nowMs >= session.createdAt.getTime() + SESSION_MAX_AGE_MS) return { state: 'expired' };
  const left = session.expiresAt.getTime() - nowMs;
  if (left >= SESSION_INACTIVITY_MS / 2) return { state: 'valid' };
  const expiresAt = sessionExpiry(session.createdAt, now);
  if (expiresAt.getTime() <= session.expiresAt.getTime()) return { state: 'valid' };
  return { state: 'refresh', expiresAt };
}

// Secrets from src/lib/server/tokens.ts are lowercase base32; anything else is not one of ours.
const TOKEN_PART = /^[a-z2-7]{16,128}$/;

/** Splits a session token `<id>.<secret>`; null for anything that is not shaped like one. */
export function parseSessionToken(token: string): { id: string; secret: string } | null {
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  const [id, secret] = parts as [string, string];
  if (!TOKEN_PART.test(id) || !TOKEN_PART.test(secret)) return null;
  return { id, secret };
}

/** A one-time link's token (the last segment of /adgang/<token>) as it must look before we ask the database. */
export function isWellFormedLinkToken(token: string | undefined): token is string {
  return token !== undefined && TOKEN_PART.test(token);
}

export function setupLinkPath(token: string): string {
  return `/adgang/${token}`;
}

// ---------------------------------------------------------------------------------------------
// Who may see what

export const ALL_ROLES: readonly Role[] = ['coordinator', 'leader', 'caseworker'];

/** Longest prefix first: the first match wins. Anything not under /personale is public. */
export const ROLE_GUARDS: readonly { prefix: string; roles: readonly Role[] }[] = [
  { prefix: '/personale/brugere', roles: ['coordinator'] },
  { prefix: '/personale/lukkede-perioder', roles: ['coordinator'] },
  { prefix: '/personale/grupper', roles: ['coordinator', 'leader'] },
  { prefix: '/personale/moeder', roles: ['coordinator', 'leader'] },
  { prefix: '/personale/fremmoede', roles: ['coordinator', 'leader'] },
  { prefix: '/personale/boern', roles: ['coordinator', 'leader'] },
  { prefix: '/personale/optag', roles: ['coordinator', 'leader'] },
  { prefix: '/personale/feedback', roles: ['coordinator', 'leader'] },
  { prefix: '/personale/tal', roles: ['coordinator'] },
  { prefix: '/personale/log', roles: ['coordinator'] },
  { prefix: '/personale/indstillinger', roles: ['coordinator'] },
  { prefix: '/personale/beskeder', roles: ['coordinator'] },
  // Caseworkers see their own referrals here; leaders and coordinators the inbox. Services narrow it further.
  { prefix: '/personale/henvisninger', roles: ALL_ROLES },
  { prefix: '/personale', roles: ALL_ROLES },
];

/**
 * Normalises a path the way a router might read it, so `/Personale//brugere/` or `/personale%2Fbrugere`
 * cannot slip past a guard that the router would still send to the page. Errs on the side of guarding.
 */
export function normalizeGuardPath(pathname: string): string {
  let path = pathname;
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape: guard the raw text.
  }
  path = path.replace(/\\/g, '/').replace(/\/{2,}/g, '/').toLowerCase();
  if (path.length > 1) path = path.replace(/\/+$/, '');
  return path === '' ? '/' : path;
}

export function requiredRolesFor(pathname: string): Role[] | 'public' {
  const path = normalizeGuardPath(pathname);
  for (const guard of ROLE_GUARDS) {
    if (path === guard.prefix || path.startsWith(`${guard.prefix}/`)) return [...guard.roles];
  }
  return 'public';
}

// ---------------------------------------------------------------------------------------------
// The second factor. A correct password gives a password-only session; only after the TOTP code (or a recovery code)
// is the session marked two_factor_verified and the person counts as signed in.

export type SecondFactorStep = 'setup' | 'verify';

export const SECOND_FACTOR_SETUP_PATH = '/logind/totp-opsaetning';
export const SECOND_FACTOR_VERIFY_PATH = '/logind/totp';
export const RECOVERY_CODE_PATH = '/logind/totp-gendannelse';

/** A user without a key sets one up; a user with one types the code. */
export function secondFactorStep(hasTotpKey: boolean): SecondFactorStep {
  return hasTotpKey ? 'verify' : 'setup';
}

/** The second-factor page for this step, remembering where the person was going (only a staff page). */
export function secondFactorPath(step: SecondFactorStep, next?: string | null): string {
  const path = step === 'setup' ? SECOND_FACTOR_SETUP_PATH : SECOND_FACTOR_VERIFY_PATH;
  const target = safeNextPath(next);
  return target === '/personale' ? path : `${path}?${new URLSearchParams({ naeste: target }).toString()}`;
}

/** Who is asking, as the middleware saw the session cookie. */
export interface Viewer {
  /** Signed in with both factors. */
  user: StaffUser | null;
  /** Only the password is checked so far. */
  pending: { hasTotpKey: boolean } | null;
  /** The browser sent a session cookie (to tell "signed out by inactivity" from "never signed in"). */
  sentCookie: boolean;
}

export type GuardDecision =
  | { kind: 'allow' }
  | { kind: 'redirect'; location: string }
  | { kind: 'forbidden' };

/**
 * The middleware's decision for a request. Anything under /personale needs a fully signed-in user with a role the
 * path allows; a password-only session is sent on to its second-factor page and reaches nothing else there.
 */
export function guardRequest(pathname: string, search: string, viewer: Viewer): GuardDecision {
  const required = requiredRolesFor(pathname);
  if (required === 'public') return { kind: 'allow' };
  const wanted = `${pathname}${search}`;
  if (!viewer.user) {
    if (viewer.pending) return { kind: 'redirect', location: secondFactorPath(secondFactorStep(viewer.pending.hasTotpKey), wanted) };
    const params = new URLSearchParams({ naeste: wanted });
    if (viewer.sentCookie) params.set('udloebet', '1');
    return { kind: 'redirect', location: `/logind?${params.toString()}` };
  }
  if (!required.includes(viewer.user.role)) return { kind: 'forbidden' };
  return { kind: 'allow' };
}

/** Where to go after sign-in: only a local staff page, never another site (`//evil.example`, `/\evil`). */
export function safeNextPath(next: string | null | undefined): string {
  const fallback = '/personale';
  if (!next || next.length > 2000) return fallback;
  if (!/^\/personale(?:[/?#]|$)/.test(next)) return fallback;
  if (/[\\\s]|\/\/|%2f%2f|%5c/i.test(next)) return fallback;
  try {
    const url = new URL(next, 'http://gruppeforlob.invalid');
    if (url.origin !== 'http://gruppeforlob.invalid') return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}

// ---------------------------------------------------------------------------------------------
// Forms

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const email = z
  .string({ error: 'Skriv en e-mailadresse.' })
  .trim()
  .toLowerCase()
  .min(1, 'Skriv en e-mailadresse.')
  .max(254, 'E-mailadressen er for lang.')
  .regex(EMAIL_SHAPE, 'Skriv en hel e-mailadresse, fx navn@ishoj.dk.');

const displayName = z
  .string({ error: 'Skriv navnet.' })
  .trim()
  .min(1, 'Skriv navnet.')
  .max(120, 'Navnet må højst være 120 tegn.');

const newPassword = z.string({ error: 'Vælg en adgangskode.' }).min(1, 'Vælg en adgangskode.').max(256, 'Adgangskoden må højst være 256 tegn.');
const repeatPassword = z.string({ error: 'Skriv adgangskoden igen.' }).min(1, 'Skriv adgangskoden igen.');

export const signInSchema = z.object({
  // Not checked for shape: a mistyped address gets the same answer as a wrong password.
  email: z.string({ error: 'Skriv din e-mail.' }).trim().toLowerCase().min(1, 'Skriv din e-mail.').max(254, 'E-mailadressen er for lang.'),
  password: z.string({ error: 'Skriv din adgangskode.' }).min(1, 'Skriv din adgangskode.').max(256, 'Adgangskoden er for lang.'),
});
export type SignInInput = z.output<typeof signInSchema>;

function passwordsMatch(value: { password: string; confirm: string }): boolean {
  return value.password === value.confirm;
}
const MISMATCH = { error: 'De to adgangskoder er ikke ens. Skriv den samme to gange.', path: ['confirm'] };

/** Choosing a password from a one-time link. How strong it must be is checked by the service (it knows the e-mail). */
export const setPasswordSchema = z
  .object({ password: newPassword, confirm: repeatPassword })
  .refine(passwordsMatch, MISMATCH);
export type SetPasswordInput = z.output<typeof setPasswordSchema>;

/** The first coordinator, from the bootstrap link. */
export const bootstrapCoordinatorSchema = z
  .object({ name: displayName, email, password: newPassword, confirm: repeatPassword })
  .refine(passwordsMatch, MISMATCH);
export type BootstrapCoordinatorInput = z.output<typeof bootstrapCoordinatorSchema>;

export const createUserSchema = z
  .object({
    name: displayName,
    email,
    role: z.enum(['coordinator', 'leader', 'caseworker'], { error: 'Vælg en rolle.' }),
    municipality: z
      .string()
      .optional()
      .transform((v) => (v === undefined || v === '' ? null : v))
      .pipe(z.enum(['ishoj', 'vallensbaek'], { error: 'Vælg Ishøj eller Vallensbæk.' }).nullable()),
  })
  .refine((v) => v.role !== 'caseworker' || v.municipality !== null, {
    error: 'En familierådgiver skal have en kommune.',
    path: ['municipality'],
  })
  // Only caseworkers belong to a municipality; the centre's own staff serve both.
  .transform((v) => ({ ...v, municipality: v.role === 'caseworker' ? v.municipality : null }));
export type CreateUserInput = z.output<typeof createUserSchema>;

/** The coordinator gives an existing account another role (one form per account on the staff page). */
export const changeRoleSchema = z.object({
  userId: z.string().min(1, { error: 'Vælg en medarbejder.' }),
  role: z.enum(['coordinator', 'leader', 'caseworker'], { error: 'Vælg en rolle.' }),
});
export type ChangeRoleInput = z.output<typeof changeRoleSchema>;

/**
 * Why an account may not get `role`, as a message for the role field, or null when it may. At least one open
 * coordinator account must remain, or nobody could manage the staff again; a caseworker's municipality is never set
 * here (it comes from their municipality's login or from when the account was made), so an account without one cannot
 * become a caseworker.
 */
export function roleChangeProblem(
  account: { role: Role; municipality: Municipality | null; disabled: boolean },
  role: Role,
  otherOpenCoordinators: number,
): string | null {
  if (account.role === 'coordinator' && role !== 'coordinator' && !account.disabled && otherOpenCoordinators === 0) {
    return 'Der skal altid være mindst én koordinator. Gør en anden til koordinator først.';
  }
  if (role === 'caseworker' && account.municipality === null) {
    return 'En familierådgiver skal høre til en kommune, og denne konto har ingen. Opret en ny konto som familierådgiver.';
  }
  return null;
}
