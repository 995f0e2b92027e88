// Sign-in through a municipality's own login (OpenID Connect): the operator's provider configuration, read from the
// environment, and the rules that decide what a provider sign-in may do. No I/O here.
import { z } from 'astro/zod';
import type { Municipality, Role } from '../../lib/server/database';
import { MUNICIPALITY_LABELS } from '../auth/auth';

/** One configured provider: a municipality's (or the centre's) identity provider. */
export interface ProviderConfig {
  /** Short name in the addresses, e.g. `ishoj` in /logind/kommune/ishoj. */
  name: string;
  /** The button says "Log ind med <label>". */
  label: string;
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** The municipality its people belong to; null for the centre's own provider (its people cannot be caseworkers). */
  municipality: Municipality | null;
  /** The ID token claim that carries groups or app roles (Entra ID: `groups` or `roles`). */
  roleClaim: string;
  /** Group → role, in the operator's order: the first group the person has decides. */
  roleMap: readonly { group: string; role: Role }[];
}

export class ProviderConfigError extends Error {
  constructor(message: string) {
    super(`OIDC configuration: ${message}`);
    this.name = 'ProviderConfigError';
  }
}

const NAME = /^[a-z][a-z0-9-]{0,30}$/;
const ROLES = new Set<Role>(['coordinator', 'leader', 'caseworker']);
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function envKey(name: string, field: string): string {
  return `OIDC_${name.toUpperCase().replace(/-/g, '_')}_${field}`;
}

/** `<group>=<role>` pairs separated by `;` or new lines. Group ids may hold anything but `=` and `;`. */
export function parseRoleMap(text: string, where: string): { group: string; role: Role }[] {
  const entries: { group: string; role: Role }[] = [];
  for (const part of text.split(/[;\n]/)) {
    const item = part.trim();
    if (item === '') continue;
    const at = item.lastIndexOf('=');
    const group = item.slice(0, at).trim();
    const role = item.slice(at + 1).trim() as Role;
    if (at <= 0 || group === '' || !ROLES.has(role)) {
      throw new ProviderConfigError(`${where}: "${item}" is not <group>=coordinator|leader|caseworker.`);
    }
    entries.push({ group, role });
  }
  return entries;
}

/**
 * The providers the operator configured: `OIDC_PROVIDERS=ishoj,vallensbaek` and for each name
 * `OIDC_<NAME>_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`, `_MUNICIPALITY` (`ishoj`, `vallensbaek` or `centre`),
 * optionally `_LABEL`, `_ROLE_CLAIM` (default `groups`) and `_ROLE_MAP`. Nothing configured: an empty list, and the
 * site signs in local accounts only. A half-made configuration is an error at start, not a broken button later.
 */
export function parseProviderConfigs(env: Record<string, string | undefined>): ProviderConfig[] {
  const list = (env['OIDC_PROVIDERS'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const seen = new Set<string>();
  return list.map((name) => {
    if (!NAME.test(name)) throw new ProviderConfigError(`"${name}" in OIDC_PROVIDERS: use lowercase letters, digits and -.`);
    if (seen.has(name)) throw new ProviderConfigError(`"${name}" is listed twice in OIDC_PROVIDERS.`);
    seen.add(name);
    const need = (field: string): string => {
      const value = env[envKey(name, field)]?.trim();
      if (!value) throw new ProviderConfigError(`${envKey(name, field)} is not set.`);
      return value;
    };
    let issuer: URL;
    try {
      issuer = new URL(need('ISSUER'));
    } catch (error) {
      if (error instanceof ProviderConfigError) throw error;
      throw new ProviderConfigError(`${envKey(name, 'ISSUER')} is not a URL.`);
    }
    if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname))) {
      throw new ProviderConfigError(`${envKey(name, 'ISSUER')} must be https (plain http only on this machine, for tests).`);
    }
    const place = need('MUNICIPALITY');
    if (place !== 'ishoj' && place !== 'vallensbaek' && place !== 'centre') {
      throw new ProviderConfigError(`${envKey(name, 'MUNICIPALITY')} must be ishoj, vallensbaek or centre.`);
    }
    const municipality: Municipality | null = place === 'centre' ? null : place;
    const roleMap = parseRoleMap(env[envKey(name, 'ROLE_MAP')] ?? '', envKey(name, 'ROLE_MAP'));
    if (municipality === null && roleMap.some((m) => m.role === 'caseworker')) {
      throw new ProviderConfigError(`${envKey(name, 'ROLE_MAP')}: the centre's provider cannot make caseworkers (they belong to a municipality).`);
    }
    return {
      name,
      label: env[envKey(name, 'LABEL')]?.trim() || (municipality ? `${MUNICIPALITY_LABELS[municipality]} Kommune` : 'Familiecentret'),
      issuer,
      clientId: need('CLIENT_ID'),
      clientSecret: need('CLIENT_SECRET'),
      municipality,
      roleClaim: env[envKey(name, 'ROLE_CLAIM')]?.trim() || 'groups',
      roleMap,
    };
  });
}

/** Whether the issuer is reached over plain http (allowed only on loopback, see parseProviderConfigs). */
export function isLoopbackIssuer(config: ProviderConfig): boolean {
  return config.issuer.protocol === 'http:';
}

export function providerStartPath(name: string): string {
  return `/logind/kommune/${name}`;
}

export function providerCallbackPath(name: string): string {
  return `/logind/kommune/${name}/retur`;
}

/** Where the provider sends the person back after signing out there. */
export const AFTER_PROVIDER_SIGN_OUT_PATH = '/logind?logget-ud=1';

// ---------------------------------------------------------------------------------------------
// What the ID token says

/** The facts of a verified ID token this site uses. */
export interface ProviderIdentity {
  subject: string;
  email: string | null;
  displayName: string | null;
  groups: string[];
  /** Authentication methods and context class, as the provider sent them: recorded, never trusted for anything. */
  amr: string[];
  acr: string | null;
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(255),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  preferred_username: z.string().optional(),
  upn: z.string().optional(),
  name: z.string().optional(),
  amr: z.array(z.string()).optional(),
  acr: z.string().optional(),
});

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function emailFrom(claims: z.output<typeof claimsSchema>): string | null {
  // An address the provider itself says is not verified is never used to find an account.
  if (claims.email_verified === false) return null;
  // Entra ID often leaves `email` out; its `preferred_username`/`upn` is the work address (user principal name).
  for (const candidate of [claims.email, claims.preferred_username, claims.upn]) {
    const value = candidate?.trim().toLowerCase();
    if (value && value.length <= 254 && EMAIL_SHAPE.test(value)) return value;
  }
  return null;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

/** Reads the claims of a verified ID token; null when it lacks a subject. */
export function identityFromClaims(config: ProviderConfig, claims: Record<string, unknown>): ProviderIdentity | null {
  const parsed = claimsSchema.safeParse(claims);
  if (!parsed.success) return null;
  const c = parsed.data;
  return {
    subject: c.sub,
    email: emailFrom(c),
    displayName: c.name?.trim().slice(0, 120) || null,
    groups: stringList(claims[config.roleClaim]).slice(0, 500),
    amr: (c.amr ?? []).slice(0, 10).map((v) => v.slice(0, 40)),
    acr: c.acr?.slice(0, 200) ?? null,
  };
}

/** The role the operator's map gives these groups: the first entry of the map the person has, or null. */
export function roleForGroups(config: ProviderConfig, groups: readonly string[]): Role | null {
  const have = new Set(groups);
  return config.roleMap.find((m) => have.has(m.group))?.role ?? null;
}

/** The audit line of a provider sign-in: which provider, and the amr/acr it sent. */
export function signInAuditDetail(config: ProviderConfig, identity: ProviderIdentity): string {
  const amr = identity.amr.length ? identity.amr.join(' ') : '-';
  return `${config.label}; amr=${amr}; acr=${identity.acr ?? '-'}`.slice(0, 500);
}

// ---------------------------------------------------------------------------------------------
// The decision

/** An account as the decision needs to see it. */
export interface AccountFacts {
  id: string;
  role: Role;
  municipality: Municipality | null;
  disabled: boolean;
}

export type ProviderSignInDecision =
  | { kind: 'sign_in'; userId: string }
  | { kind: 'link'; userId: string }
  | { kind: 'create'; role: Role; municipality: Municipality | null }
  | { kind: 'refuse'; reason: RefusalReason };

export type RefusalReason = 'closed' | 'no_role' | 'no_email' | 'other_municipality' | 'linked_elsewhere';

/**
 * What a verified provider sign-in leads to. `linked` is the account already tied to this provider's subject;
 * `byEmail` the account with the same e-mail (looked up only when there is no link) and whether it is tied to another
 * provider already.
 */
export function decideProviderSignIn(
  config: ProviderConfig,
  identity: ProviderIdentity,
  linked: AccountFacts | null,
  byEmail: (AccountFacts & { linkedElsewhere: boolean }) | null,
): ProviderSignInDecision {
  if (linked) {
    if (linked.disabled) return { kind: 'refuse', reason: 'closed' };
    if (linked.role === 'caseworker' && linked.municipality !== config.municipality) return { kind: 'refuse', reason: 'other_municipality' };
    return { kind: 'sign_in', userId: linked.id };
  }
  if (byEmail) {
    if (byEmail.disabled) return { kind: 'refuse', reason: 'closed' };
    if (byEmail.linkedElsewhere) return { kind: 'refuse', reason: 'linked_elsewhere' };
    // A caseworker's municipality comes from the provider: an Ishøj account is never signed into from Vallensbæk.
    if (byEmail.role === 'caseworker' && byEmail.municipality !== config.municipality) return { kind: 'refuse', reason: 'other_municipality' };
    return { kind: 'link', userId: byEmail.id };
  }
  const role = roleForGroups(config, identity.groups);
  if (role === null) return { kind: 'refuse', reason: identity.email === null ? 'no_email' : 'no_role' };
  if (identity.email === null) return { kind: 'refuse', reason: 'no_email' };
  if (role === 'caseworker' && config.municipality === null) return { kind: 'refuse', reason: 'no_role' };
  return { kind: 'create', role, municipality: role === 'caseworker' ? config.municipality : null };
}

/** What the person is told, in plain Danish. */
export function refusalMessage(reason: RefusalReason | 'failed' | 'unavailable', label: string): string {
  switch (reason) {
    case 'closed':
      return 'Din konto i Gruppeforløb er lukket. Kontakt koordinatoren på familiecentret, hvis du skal have adgang igen.';
    case 'no_role':
      return `Du er logget ind hos ${label}, men du har ikke adgang til Gruppeforløb endnu. Koordinatoren på familiecentret kan se din anmodning og give dig adgang.`;
    case 'no_email':
      return `${label} sendte ingen e-mailadresse, så vi kan ikke finde din konto. Kontakt koordinatoren på familiecentret.`;
    case 'other_municipality':
      return `Din konto i Gruppeforløb hører til en anden kommune end ${label}. Log ind med din egen kommunes login, eller kontakt koordinatoren.`;
    case 'linked_elsewhere':
      return 'Din konto i Gruppeforløb bruger allerede et andet login. Log ind med det, eller kontakt koordinatoren.';
    case 'unavailable':
      return `Vi kan ikke få forbindelse til ${label}s login lige nu. Prøv igen om lidt.`;
    case 'failed':
      return 'Log ind mislykkedes. Start forfra fra siden Log ind.';
  }
}

/** A plain summary of a sign-in request's groups for the coordinator (ids can be long GUIDs). */
export function groupsSummary(groups: readonly string[]): string {
  if (groups.length === 0) return 'ingen grupper';
  const shown = groups.slice(0, 5).join(', ');
  return groups.length > 5 ? `${shown} og ${groups.length - 5} mere` : shown;
}
