import { describe, expect, it } from 'vitest';
import {
  SESSION_INACTIVITY_MS,
  SESSION_MAX_AGE_MS,
  bootstrapCoordinatorSchema,
  createUserSchema,
  normalizeGuardPath,
  parseSessionToken,
  requiredRolesFor,
  safeNextPath,
  sessionCheck,
  sessionExpiry,
  setPasswordSchema,
  signInSchema,
} from '../../src/features/auth/auth';
import { parseForm } from '../../src/lib/forms';
import { hashPassword, passwordProblem, verifyPassword } from '../../src/lib/server/password';
import { constantTimeEqualHex, generateSecret, sha256Hex } from '../../src/lib/server/tokens';

const HOUR = 60 * 60 * 1000;
const signedInAt = new Date('2026-01-14T08:00:00Z');
const at = (hours: number) => new Date(signedInAt.getTime() + hours * HOUR);

describe('session lifetime', () => {
  it('expires after the inactivity window, but never later than the absolute limit', () => {
    expect(sessionExpiry(signedInAt, signedInAt)).toEqual(at(8));
    expect(sessionExpiry(signedInAt, at(7 * 24 - 2))).toEqual(new Date(signedInAt.getTime() + SESSION_MAX_AGE_MS));
  });

  it('needs no write while more than half the window is left', () => {
    const session = { createdAt: signedInAt, expiresAt: at(8) };
    expect(sessionCheck(session, at(0))).toEqual({ state: 'valid' });
    expect(sessionCheck(session, at(3.9))).toEqual({ state: 'valid' });
  });

  it('slides the expiry forward once less than half is left', () => {
    const session = { createdAt: signedInAt, expiresAt: at(8) };
    expect(sessionCheck(session, at(4.5))).toEqual({ state: 'refresh', expiresAt: at(12.5) });
  });

  it('is over at the expiry, however active the person was before', () => {
    const session = { createdAt: signedInAt, expiresAt: at(8) };
    expect(sessionCheck(session, at(8))).toEqual({ state: 'expired' });
    expect(sessionCheck(session, at(30))).toEqual({ state: 'expired' });
  });

  it('stops sliding at the absolute limit and then ends', () => {
    const limit = signedInAt.getTime() + SESSION_MAX_AGE_MS;
    const nearEnd = { createdAt: signedInAt, expiresAt: new Date(limit) };
    const now = new Date(limit - 2 * HOUR);
    expect(sessionCheck(nearEnd, now)).toEqual({ state: 'valid' });
    expect(sessionCheck(nearEnd, new Date(limit))).toEqual({ state: 'expired' });
    // Even a stored expiry past the limit (clock change, old data) does not keep it alive.
    expect(sessionCheck({ createdAt: signedInAt, expiresAt: new Date(limit + HOUR) }, new Date(limit))).toEqual({ state: 'expired' });
  });

  it('keeps the inactivity window at 8 hours', () => {
    expect(SESSION_INACTIVITY_MS).toBe(8 * HOUR);
  });
});

describe('parseSessionToken', () => {
  const id = generateSecret();
  const secret = generateSecret();

  it('splits <id>.<secret>', () => {
    expect(parseSessionToken(`${id}.${secret}`)).toEqual({ id, secret });
  });

  it.each([
    ['no dot', id],
    ['three parts', `${id}.${secret}.${secret}`],
    ['empty secret', `${id}.`],
    ['upper case', `${id.toUpperCase()}.${secret}`],
    ['characters outside base32', `${id}.${secret.slice(0, -1)}1`],
    ['too short', 'abc.def'],
    ['far too long', `${id}.${'a'.repeat(500)}`],
    ['SQL in the id', `' or 1=1 --.${secret}`],
  ])('refuses %s', (_label, token) => {
    expect(parseSessionToken(token)).toBeNull();
  });
});

describe('requiredRolesFor', () => {
  it.each([
    ['/personale', ['coordinator', 'leader', 'caseworker']],
    ['/personale/henvisninger/123', ['coordinator', 'leader', 'caseworker']],
    ['/personale/brugere', ['coordinator']],
    ['/personale/brugere/', ['coordinator']],
    ['/personale/lukkede-perioder/ny', ['coordinator']],
    ['/personale/grupper', ['coordinator', 'leader']],
    ['/personale/grupper/pigegruppen/fremmoede', ['coordinator', 'leader']],
  ])('%s → %j', (path, roles) => {
    expect(requiredRolesFor(path)).toEqual(roles);
  });

  it.each(['/', '/logind', '/adgang/abc', '/personalet', '/personale-info', '/familie/xyz'])('%s is public', (path) => {
    expect(requiredRolesFor(path)).toBe('public');
  });

  it('is not fooled by case, doubled or encoded slashes, or a trailing slash', () => {
    expect(requiredRolesFor('/Personale/Brugere')).toEqual(['coordinator']);
    expect(requiredRolesFor('//personale//brugere//')).toEqual(['coordinator']);
    expect(requiredRolesFor('/personale%2Fbrugere')).toEqual(['coordinator']);
    expect(requiredRolesFor('/%70ersonale/brugere')).toEqual(['coordinator']);
    expect(requiredRolesFor('/personale\\brugere')).toEqual(['coordinator']);
    expect(normalizeGuardPath('/personale/%E0%A4%A')).toBe('/personale/%e0%a4%a');
  });
});

describe('safeNextPath', () => {
  it('keeps a staff page with its query', () => {
    expect(safeNextPath('/personale/grupper?uge=3')).toBe('/personale/grupper?uge=3');
    expect(safeNextPath('/personale')).toBe('/personale');
  });

  it.each([
    null, '', 'https://evil.example/personale', '//evil.example/personale', '/\\evil.example', '/personale//evil.example',
    '/personalet', '/logind', 'javascript:alert(1)', '/personale\\..\\x', ' /personale',
  ])('sends %j to the overview instead', (next) => {
    expect(safeNextPath(next)).toBe('/personale');
  });
});

describe('forms', () => {
  it('signs in with a trimmed, lower-cased e-mail', () => {
    const parsed = parseForm(signInSchema, { email: '  Mette@Ishoj.DK ', password: 'x' });
    expect(parsed.ok && parsed.data.email).toBe('mette@ishoj.dk');
  });

  it('asks for both fields in Danish', () => {
    const parsed = parseForm(signInSchema, {});
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors).toEqual({ email: 'Skriv din e-mail.', password: 'Skriv din adgangskode.' });
  });

  it('wants the new password twice, the same', () => {
    const parsed = parseForm(setPasswordSchema, { password: 'kaffe paa altanen', confirm: 'kaffe på altanen' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.errors['confirm']).toMatch(/ikke ens/);
    expect(parseForm(setPasswordSchema, { password: 'kaffe på altanen', confirm: 'kaffe på altanen' }).ok).toBe(true);
  });

  it('creates a caseworker only with a municipality', () => {
    const base = { name: 'Sara Holm', email: 'sara@vallensbaek.dk', role: 'caseworker' };
    const without = parseForm(createUserSchema, { ...base, municipality: '' });
    expect(without.ok).toBe(false);
    if (!without.ok) expect(without.errors['municipality']).toBe('En familierådgiver skal have en kommune.');
    const withIt = parseForm(createUserSchema, { ...base, municipality: 'vallensbaek' });
    expect(withIt.ok && withIt.data).toEqual({ ...base, municipality: 'vallensbaek' });
  });

  it('gives the centre\'s own staff no municipality', () => {
    const parsed = parseForm(createUserSchema, { name: 'Lene', email: 'lene@fc.dk', role: 'leader', municipality: 'ishoj' });
    expect(parsed.ok && parsed.data.municipality).toBeNull();
  });

  it('refuses an unknown role, a bad municipality, a missing name and a non-address', () => {
    const parsed = parseForm(createUserSchema, { name: ' ', email: 'sara', role: 'root', municipality: 'koege' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(Object.keys(parsed.errors).sort()).toEqual(['email', 'municipality', 'name', 'role']);
      expect(parsed.errors['email']).toMatch(/e-mailadresse/);
    }
  });

  it('creates the first coordinator from name, e-mail and a repeated password', () => {
    const parsed = parseForm(bootstrapCoordinatorSchema, { name: 'Anne', email: 'ANNE@fc.dk', password: 'en lang sætning', confirm: 'en lang sætning' });
    expect(parsed.ok && parsed.data.email).toBe('anne@fc.dk');
  });
});

describe('passwords', () => {
  it('asks for 12 characters, counting letters like æ, ø and å as one each', () => {
    expect(passwordProblem('kort')).toMatch(/mindst 12 tegn/);
    expect(passwordProblem('æøåæøåæøåæø')).toMatch(/mindst 12 tegn/);
    expect(passwordProblem('æøåæøåæøåæøå')).toBeNull();
  });

  it('refuses one character repeated and the person\'s own e-mail', () => {
    expect(passwordProblem('aaaaaaaaaaaaaaaa')).toMatch(/samme tegn/);
    expect(passwordProblem('Mette.Hansen@ishoj.dk', 'mette.hansen@ishoj.dk')).toMatch(/e-mailadresse/);
    expect(passwordProblem('mette.hansen.ishoj', 'mette.hansen.ishoj@ishoj.dk')).toMatch(/e-mailadresse/);
    expect(passwordProblem('sommerfugl i haven', 'mette@ishoj.dk')).toBeNull();
  });

  it('hashes with argon2id and the OWASP parameters, and verifies', async () => {
    const stored = await hashPassword('sommerfugl i haven');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(stored).not.toContain('sommerfugl');
    expect(await verifyPassword(stored, 'sommerfugl i haven')).toBe(true);
    expect(await verifyPassword(stored, 'sommerfugl i haven ')).toBe(false);
    expect(await verifyPassword('not a hash', 'sommerfugl i haven')).toBe(false);
  });
});

describe('tokens', () => {
  it('makes different lowercase base32 secrets of 192 bits', () => {
    const a = generateSecret();
    const b = generateSecret();
    expect(a).toMatch(/^[a-z2-7]{39}$/);
    expect(a).not.toBe(b);
    expect(generateSecret(10)).toHaveLength(16);
  });

  it('hashes with SHA-256', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares hex digests', () => {
    const h = sha256Hex('x');
    expect(constantTimeEqualHex(h, sha256Hex('x'))).toBe(true);
    expect(constantTimeEqualHex(h, sha256Hex('y'))).toBe(false);
    expect(constantTimeEqualHex(h, h.slice(0, 32))).toBe(false);
    expect(constantTimeEqualHex(h, 'zz')).toBe(false);
    expect(constantTimeEqualHex('', '')).toBe(false);
  });
});
