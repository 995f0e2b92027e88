import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { describe, expect, it } from 'vitest';
import { guardRequest, secondFactorPath, secondFactorStep, type StaffUser } from '../../src/features/auth/auth';
import {
  decodeTotpKey, encodeTotpKey, formatKeyForManualEntry, formatRecoveryCode, normalizeRecoveryCode,
  recoveryCodeSchema, resetSecondFactorSchema, totpCodeAt, totpCodeSchema, totpKeyUri, verifyTotpCode,
} from '../../src/features/twofactor/twofactor';
import { parseForm } from '../../src/lib/forms';

// RFC 6238's SHA-1 test key ("12345678901234567890") and one of its published vectors: 59 s → 94287082 (8 digits).
const RFC_KEY = new TextEncoder().encode('12345678901234567890');
const STEP = 30_000;

describe('TOTP codes with `now` passed in', () => {
  it('match the RFC 6238 test vector (last six digits)', () => {
    expect(totpCodeAt(RFC_KEY, new Date(59_000))).toBe('287082');
    expect(totpCodeAt(RFC_KEY, new Date(1_111_111_109_000))).toBe('081804');
  });

  it('accept the code of the step before and after now, and nothing further off', () => {
    const stepStart = 1_700_000_010 * 1000 - ((1_700_000_010 * 1000) % STEP);
    const code = totpCodeAt(RFC_KEY, new Date(stepStart));
    // Its own step, from the first to the last millisecond.
    expect(verifyTotpCode(RFC_KEY, code, new Date(stepStart))).toBe(true);
    expect(verifyTotpCode(RFC_KEY, code, new Date(stepStart + STEP - 1))).toBe(true);
    // The next step (the person typed slowly) and the step before (the phone's clock runs ahead).
    expect(verifyTotpCode(RFC_KEY, code, new Date(stepStart + 2 * STEP - 1))).toBe(true);
    expect(verifyTotpCode(RFC_KEY, code, new Date(stepStart - STEP))).toBe(true);
    // Just outside the window on either side.
    expect(verifyTotpCode(RFC_KEY, code, new Date(stepStart + 2 * STEP))).toBe(false);
    expect(verifyTotpCode(RFC_KEY, code, new Date(stepStart - STEP - 1))).toBe(false);
  });

  it('refuse anything that is not six digits, and a code made with another key', () => {
    const now = new Date('2026-11-23T10:00:00Z');
    const code = totpCodeAt(RFC_KEY, now);
    expect(verifyTotpCode(RFC_KEY, ` ${code}`, now)).toBe(false);
    expect(verifyTotpCode(RFC_KEY, `${code}0`, now)).toBe(false);
    expect(verifyTotpCode(RFC_KEY, '', now)).toBe(false);
    const other = new Uint8Array(20).fill(7);
    expect(verifyTotpCode(other, code, now)).toBe(totpCodeAt(other, now) === code);
  });

  it('the code field takes spaces people type and names a wrong shape', () => {
    expect(parseForm(totpCodeSchema, { code: '123 456' })).toMatchObject({ ok: true, data: { code: '123456' } });
    expect(parseForm(totpCodeSchema, { code: '12345' })).toMatchObject({ ok: false, errors: { code: 'Koden er 6 cifre. Skriv den, som den står i appen.' } });
    expect(parseForm(totpCodeSchema, {})).toMatchObject({ ok: false, errors: { code: 'Skriv koden fra din app.' } });
  });
});

describe('the key', () => {
  const key = Uint8Array.from({ length: 20 }, (_, i) => i * 11);

  it('is stored as base64 and read back; anything of the wrong size is refused', () => {
    expect(decodeTotpKey(encodeTotpKey(key))).toEqual(key);
    expect(decodeTotpKey(encodeTotpKey(key.slice(0, 10)))).toBeNull();
    expect(decodeTotpKey('not base64!')).toBeNull();
  });

  it('is offered to apps as an otpauth URI and to people as base32 in groups of four', () => {
    const uri = new URL(totpKeyUri('leder@ishoj.dk', key));
    expect(uri.protocol).toBe('otpauth:');
    expect(decodeURIComponent(uri.pathname)).toContain('Gruppeforløb:leder@ishoj.dk');
    expect(uri.searchParams.get('issuer')).toBe('Gruppeforløb');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(decodeBase32IgnorePadding(uri.searchParams.get('secret') ?? '')).toEqual(key);
    const manual = formatKeyForManualEntry(key);
    expect(manual).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/);
    expect(decodeBase32IgnorePadding(manual.replace(/ /g, ''))).toEqual(key);
  });
});

describe('recovery codes', () => {
  it('are shown in four groups of four', () => {
    expect(formatRecoveryCode('abcdefghijklmnop')).toBe('abcd-efgh-ijkl-mnop');
  });

  it.each([
    ['abcd-efgh-ijkl-mnop', 'abcdefghijklmnop'],
    [' ABCD EFGH IJKL MNOP ', 'abcdefghijklmnop'],
    ['abcd-efgh-ijk1-mn0p', 'abcdefghijklmnop'],
    ['a8cd-efgh-ijkl-mnop', 'abcdefghijklmnop'],
  ])('are read back however they are typed: case, spaces, dashes, and 0/1/8 for o/l/b: %j → %j', (input, expected) => {
    expect(normalizeRecoveryCode(input)).toBe(expected);
  });

  it('refuse anything that cannot be a code', () => {
    expect(normalizeRecoveryCode('abcd-efgh-ijkl')).toBeNull();
    expect(normalizeRecoveryCode('abcd-efgh-ijkl-mnopq')).toBeNull();
    expect(normalizeRecoveryCode('abcd-efgh-ijkl-mn9p')).toBeNull();
    expect(normalizeRecoveryCode("abcd'; drop table--")).toBeNull();
    expect(parseForm(recoveryCodeSchema, { code: '  ' })).toMatchObject({ ok: false, errors: { code: 'Skriv en af dine gendannelseskoder.' } });
  });

  it('a reset needs the confirmation box ticked', () => {
    expect(parseForm(resetSecondFactorSchema, { userId: 'u1' })).toMatchObject({ ok: false, errors: { confirm: 'Sæt kryds for at bekræfte.' } });
    expect(parseForm(resetSecondFactorSchema, { userId: 'u1', confirm: 'ja' })).toMatchObject({ ok: true });
  });
});

describe('the guard with a password-only session', () => {
  const leader: StaffUser = { id: 'u1', email: 'l@x.dk', displayName: 'L', role: 'leader', municipality: null };
  const anonymous = { user: null, pending: null, sentCookie: false };

  it('sends a session without the second factor to setup or code entry, for every staff page', () => {
    expect(guardRequest('/personale', '', { user: null, pending: { hasTotpKey: false }, sentCookie: true }))
      .toEqual({ kind: 'redirect', location: '/logind/totp-opsaetning' });
    expect(guardRequest('/personale/grupper', '?x=1', { user: null, pending: { hasTotpKey: true }, sentCookie: true }))
      .toEqual({ kind: 'redirect', location: '/logind/totp?naeste=%2Fpersonale%2Fgrupper%3Fx%3D1' });
    expect(guardRequest('/Personale//brugere/', '', { user: null, pending: { hasTotpKey: true }, sentCookie: true }))
      .toEqual({ kind: 'redirect', location: '/logind/totp' });
    expect(guardRequest('/personale/log/eksport.csv', '', { user: null, pending: { hasTotpKey: true }, sentCookie: true }).kind).toBe('redirect');
  });

  it('lets the second-factor pages, sign-out and public pages through', () => {
    for (const path of ['/logind/totp', '/logind/totp-opsaetning', '/logind/totp-gendannelse', '/logud', '/logind', '/']) {
      expect(guardRequest(path, '', { user: null, pending: { hasTotpKey: true }, sentCookie: true })).toEqual({ kind: 'allow' });
    }
  });

  it('signed in with both factors the roles decide; without any session, sign in first', () => {
    expect(guardRequest('/personale/grupper', '', { user: leader, pending: null, sentCookie: true })).toEqual({ kind: 'allow' });
    expect(guardRequest('/personale/brugere', '', { user: leader, pending: null, sentCookie: true })).toEqual({ kind: 'forbidden' });
    expect(guardRequest('/personale/brugere', '', anonymous)).toEqual({ kind: 'redirect', location: '/logind?naeste=%2Fpersonale%2Fbrugere' });
    expect(guardRequest('/personale', '', { ...anonymous, sentCookie: true })).toEqual({ kind: 'redirect', location: '/logind?naeste=%2Fpersonale&udloebet=1' });
  });

  it('never sends the person on to another site after the second factor', () => {
    expect(secondFactorStep(false)).toBe('setup');
    expect(secondFactorStep(true)).toBe('verify');
    expect(secondFactorPath('verify', '//evil.example/personale')).toBe('/logind/totp');
    expect(secondFactorPath('verify', 'https://evil.example')).toBe('/logind/totp');
    expect(secondFactorPath('setup', '/personale/brugere?velkommen=1')).toBe('/logind/totp-opsaetning?naeste=%2Fpersonale%2Fbrugere%3Fvelkommen%3D1');
  });
});
