import { describe, expect, it } from 'vitest';
import {
  decideProviderSignIn, identityFromClaims, parseProviderConfigs, parseRoleMap, ProviderConfigError, roleForGroups,
  signInAuditDetail, type AccountFacts, type ProviderConfig,
} from '../../src/features/oidc/oidc';
import { contentSecurityPolicy, CONTENT_SECURITY_POLICY } from '../../src/lib/http-security';

const ISHOJ_ENV = {
  OIDC_PROVIDERS: 'ishoj',
  OIDC_ISHOJ_ISSUER: 'https://login.microsoftonline.com/tenant-id/v2.0',
  OIDC_ISHOJ_CLIENT_ID: 'client-id',
  OIDC_ISHOJ_CLIENT_SECRET: 'secret',
  OIDC_ISHOJ_MUNICIPALITY: 'ishoj',
  OIDC_ISHOJ_ROLE_MAP: 'g-raadgivere=caseworker; g-ledere=leader',
};

function ishoj(): ProviderConfig {
  const [config] = parseProviderConfigs(ISHOJ_ENV);
  if (!config) throw new Error('no config');
  return config;
}

describe('provider configuration from the environment', () => {
  it('is empty when nothing is configured: local accounts only', () => {
    expect(parseProviderConfigs({})).toEqual([]);
    expect(parseProviderConfigs({ OIDC_PROVIDERS: ' ' })).toEqual([]);
  });

  it('reads a provider with its municipality, label, claim and role map in the operator’s order', () => {
    const config = ishoj();
    expect(config).toMatchObject({
      name: 'ishoj', label: 'Ishøj Kommune', clientId: 'client-id', municipality: 'ishoj', roleClaim: 'groups',
      roleMap: [{ group: 'g-raadgivere', role: 'caseworker' }, { group: 'g-ledere', role: 'leader' }],
    });
    expect(config.issuer.href).toBe('https://login.microsoftonline.com/tenant-id/v2.0');
  });

  it('refuses a half-made configuration at start, naming the variable', () => {
    expect(() => parseProviderConfigs({ ...ISHOJ_ENV, OIDC_ISHOJ_CLIENT_SECRET: '' })).toThrow(/OIDC_ISHOJ_CLIENT_SECRET is not set/);
    expect(() => parseProviderConfigs({ ...ISHOJ_ENV, OIDC_ISHOJ_MUNICIPALITY: 'koege' })).toThrow(ProviderConfigError);
    expect(() => parseProviderConfigs({ ...ISHOJ_ENV, OIDC_ISHOJ_ROLE_MAP: 'g=boss' })).toThrow(/not <group>=coordinator\|leader\|caseworker/);
    expect(() => parseProviderConfigs({ ...ISHOJ_ENV, OIDC_PROVIDERS: 'ishoj,ishoj' })).toThrow(/twice/);
  });

  it('accepts plain http only for a provider on this machine', () => {
    expect(() => parseProviderConfigs({ ...ISHOJ_ENV, OIDC_ISHOJ_ISSUER: 'http://login.example.dk' })).toThrow(/must be https/);
    expect(parseProviderConfigs({ ...ISHOJ_ENV, OIDC_ISHOJ_ISSUER: 'http://127.0.0.1:9000' })).toHaveLength(1);
  });

  it('never lets the centre’s own provider make caseworkers (they belong to a municipality)', () => {
    expect(() => parseProviderConfigs({ ...ISHOJ_ENV, OIDC_ISHOJ_MUNICIPALITY: 'centre' })).toThrow(/cannot make caseworkers/);
    const [centre] = parseProviderConfigs({ ...ISHOJ_ENV, OIDC_ISHOJ_MUNICIPALITY: 'centre', OIDC_ISHOJ_ROLE_MAP: 'g-ledere=leader' });
    expect(centre).toMatchObject({ municipality: null, label: 'Familiecentret' });
  });

  it('reads group ids that hold anything but = and ;', () => {
    expect(parseRoleMap('7f3c-aa=bb=leader\n', 'X')).toEqual([{ group: '7f3c-aa=bb', role: 'leader' }]);
  });
});

describe('claims and roles', () => {
  it('takes the first mapped group the person has, in the operator’s order', () => {
    expect(roleForGroups(ishoj(), ['g-ledere', 'g-raadgivere'])).toBe('caseworker');
    expect(roleForGroups(ishoj(), ['g-ledere'])).toBe('leader');
    expect(roleForGroups(ishoj(), ['g-andre'])).toBeNull();
  });

  it('uses Entra’s preferred_username as the e-mail when there is no email claim, never an unverified one', () => {
    expect(identityFromClaims(ishoj(), { sub: 's', preferred_username: 'Ida@Ishoj.dk' })?.email).toBe('ida@ishoj.dk');
    expect(identityFromClaims(ishoj(), { sub: 's', email: 'ida@ishoj.dk', email_verified: false })?.email).toBeNull();
    expect(identityFromClaims(ishoj(), { sub: 's', email: 'not an address' })?.email).toBeNull();
    expect(identityFromClaims(ishoj(), { email: 'x@y.dk' })).toBeNull();
  });

  it('records the provider’s amr and acr in the audit line', () => {
    const identity = identityFromClaims(ishoj(), { sub: 's', amr: ['pwd', 'mfa'], acr: 'urn:mitid:substantial' });
    expect(signInAuditDetail(ishoj(), identity!)).toBe('Ishøj Kommune; amr=pwd mfa; acr=urn:mitid:substantial');
  });
});

describe('what a provider sign-in leads to', () => {
  const identity = (groups: string[], email: string | null = 'ida@ishoj.dk') => ({ subject: 's', email, displayName: 'Ida', groups, amr: [], acr: null });
  const account = (over: Partial<AccountFacts> = {}): AccountFacts => ({ id: 'u1', role: 'caseworker', municipality: 'ishoj', disabled: false, ...over });

  it('signs in a linked account, and refuses it once closed', () => {
    expect(decideProviderSignIn(ishoj(), identity([]), account(), null)).toEqual({ kind: 'sign_in', userId: 'u1' });
    expect(decideProviderSignIn(ishoj(), identity([]), account({ disabled: true }), null)).toEqual({ kind: 'refuse', reason: 'closed' });
  });

  it('links an account with the same e-mail whatever the groups, unless closed, linked already or of another municipality', () => {
    expect(decideProviderSignIn(ishoj(), identity([]), null, { ...account(), linkedElsewhere: false })).toEqual({ kind: 'link', userId: 'u1' });
    expect(decideProviderSignIn(ishoj(), identity([]), null, { ...account({ disabled: true }), linkedElsewhere: false })).toMatchObject({ reason: 'closed' });
    expect(decideProviderSignIn(ishoj(), identity([]), null, { ...account(), linkedElsewhere: true })).toMatchObject({ reason: 'linked_elsewhere' });
    expect(decideProviderSignIn(ishoj(), identity([]), null, { ...account({ municipality: 'vallensbaek' }), linkedElsewhere: false })).toMatchObject({ reason: 'other_municipality' });
    expect(decideProviderSignIn(ishoj(), identity([]), null, { ...account({ role: 'leader', municipality: null }), linkedElsewhere: false })).toEqual({ kind: 'link', userId: 'u1' });
  });

  it('creates an account only where a group maps to a role, with the municipality from the provider', () => {
    expect(decideProviderSignIn(ishoj(), identity(['g-raadgivere']), null, null)).toEqual({ kind: 'create', role: 'caseworker', municipality: 'ishoj' });
    expect(decideProviderSignIn(ishoj(), identity(['g-ledere']), null, null)).toEqual({ kind: 'create', role: 'leader', municipality: null });
    expect(decideProviderSignIn(ishoj(), identity(['g-andre']), null, null)).toEqual({ kind: 'refuse', reason: 'no_role' });
    expect(decideProviderSignIn(ishoj(), identity(['g-raadgivere'], null), null, null)).toEqual({ kind: 'refuse', reason: 'no_email' });
  });
});

describe('the content security policy', () => {
  it('lets a form lead only to the site itself, and to the providers where signing out ends', () => {
    expect(contentSecurityPolicy([])).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).toContain("form-action 'self';");
    const policy = contentSecurityPolicy(['https://login.microsoftonline.com']);
    expect(policy).toContain("form-action 'self' https://login.microsoftonline.com;");
    expect(policy).toContain("script-src 'self';");
  });
});
