// The second factor for staff, as pure rules: TOTP codes (RFC 6238, what every authenticator app speaks) checked
// against a `now` that is passed in, and the shape of the one-time recovery codes. No I/O here.
import { generateHOTP, verifyHOTP } from '@oslojs/otp';
import { decodeBase64, encodeBase32NoPadding, encodeBase64 } from '@oslojs/encoding';
import { z } from 'astro/zod';
import type { FieldErrors } from '../../lib/errors';
import { retryAfterMinutes, type RateLimitPolicy } from '../throttle/throttle';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** A code from the step just before or just after now is accepted too: phones' clocks drift, people type slowly. */
export const TOTP_GRACE_STEPS = 1;
/** 20 bytes = 160 bits, the key size RFC 4226 recommends for HMAC-SHA1. */
export const TOTP_KEY_BYTES = 20;
export const TOTP_ISSUER = 'Gruppeforløb';

export const RECOVERY_CODE_COUNT = 10;
/** 10 random bytes = 80 bits = 16 base32 characters, shown in four groups of four. */
export const RECOVERY_CODE_BYTES = 10;

/** Wrong codes for one account: 5 in 15 minutes, then 15 minutes' pause. */
export const SECOND_FACTOR_POLICY: RateLimitPolicy = { max: 5, windowSeconds: 15 * 60, blockSeconds: 15 * 60 };

export function secondFactorKey(userId: string): string {
  return `second-factor:${userId}`;
}

function counterAt(now: Date): bigint {
  return BigInt(Math.floor(now.getTime() / (TOTP_PERIOD_SECONDS * 1000)));
}

/** The code an authenticator app shows at `now` (used by tests and nothing else in the app). */
export function totpCodeAt(key: Uint8Array, now: Date): string {
  return generateHOTP(key, counterAt(now), TOTP_DIGITS);
}

/**
 * The time step `code` belongs to: now's, or one before or after; null when it is none of them. The step is stored
 * once a code is used, so the same code (or an older one) is not accepted again.
 */
export function matchingTotpStep(key: Uint8Array, code: string, now: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const counter = counterAt(now);
  let matched: number | null = null;
  // Every step is checked (no early return), so the time taken does not tell which step matched.
  for (let step = -TOTP_GRACE_STEPS; step <= TOTP_GRACE_STEPS; step += 1) {
    if (verifyHOTP(key, counter + BigInt(step), TOTP_DIGITS, code)) matched = Number(counter + BigInt(step));
  }
  return matched;
}

/** Is `code` the key's code at `now`, or one step before or after? */
export function verifyTotpCode(key: Uint8Array, code: string, now: Date): boolean {
  return matchingTotpStep(key, code, now) !== null;
}

/** What an authenticator app reads from the QR code. */
export function totpKeyUri(accountName: string, key: Uint8Array): string {
  const issuer = encodeURIComponent(TOTP_ISSUER);
  const params = new URLSearchParams({
    secret: encodeBase32NoPadding(key),
    issuer: TOTP_ISSUER,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_PERIOD_SECONDS),
  });
  return `otpauth://totp/${issuer}:${encodeURIComponent(accountName)}?${params.toString()}`;
}

/** The key as a person types it into an app by hand: base32 in groups of four. */
export function formatKeyForManualEntry(key: Uint8Array): string {
  return encodeBase32NoPadding(key).replace(/(.{4})(?=.)/g, '$1 ');
}

/** How the key is stored (users.totp_key) and carried in the setup form. */
export function encodeTotpKey(key: Uint8Array): string {
  return encodeBase64(key);
}

/** The key from its stored/posted form; null for anything that is not a key of the right size. */
export function decodeTotpKey(text: string): Uint8Array | null {
  try {
    const key = decodeBase64(text);
    return key.byteLength === TOTP_KEY_BYTES ? key : null;
  } catch {
    return null;
  }
}

/** A recovery code for display: "abcd-efgh-ijkl-mnop". */
export function formatRecoveryCode(raw: string): string {
  return raw.replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * A typed recovery code reduced to its 16 characters (case, spaces and dashes do not matter), or null when it cannot
 * be one. The base32 alphabet has no 0, 1, 8 or 9: those are read as the letters people mistake them for.
 */
export function normalizeRecoveryCode(typed: string): string | null {
  const code = typed
    .toLowerCase()
    .replace(/[\s-]/g, '')
    .replace(/0/g, 'o')
    .replace(/1/g, 'l')
    .replace(/8/g, 'b');
  return /^[a-z2-7]{16}$/.test(code) ? code : null;
}

export const totpCodeSchema = z.object({
  code: z
    .string({ error: 'Skriv koden fra din app.' })
    .transform((v) => v.replace(/\s/g, ''))
    .pipe(z.string().min(1, 'Skriv koden fra din app.').regex(/^\d{6}$/, 'Koden er 6 cifre. Skriv den, som den står i appen.')),
});

export const totpSetupSchema = totpCodeSchema.extend({
  key: z.string({ error: 'Start forfra.' }).min(1, 'Start forfra.').max(200, 'Start forfra.'),
});

export const recoveryCodeSchema = z.object({
  code: z
    .string({ error: 'Skriv en af dine gendannelseskoder.' })
    .trim()
    .min(1, 'Skriv en af dine gendannelseskoder.')
    .max(100, 'Koden er for lang.'),
});

export const resetSecondFactorSchema = z.object({
  userId: z.string({ error: 'Vælg en medarbejder.' }).min(1, 'Vælg en medarbejder.'),
  confirm: z.literal('ja', { error: 'Sæt kryds for at bekræfte.' }),
});

/** What a sign-in page shows when a code is refused: too many tries at the top (the page answers 429 with Retry-After), a wrong code at the field. */
export function refusedCode(
  result: { reason: 'invalid' } | { reason: 'throttled'; retryAfterSeconds: number },
  wrong: string,
): { errors: FieldErrors; formError: string | null; retryAfterSeconds: number | null } {
  if (result.reason === 'invalid') return { errors: { code: wrong }, formError: null, retryAfterSeconds: null };
  const minutes = retryAfterMinutes(result.retryAfterSeconds);
  return {
    errors: {},
    formError: `Der har været for mange forkerte koder. Vent ${minutes} ${minutes === 1 ? 'minut' : 'minutter'}, og prøv så igen.`,
    retryAfterSeconds: result.retryAfterSeconds,
  };
}
