// The second factor: setting up a TOTP key, checking a code or a one-time recovery code to finish a sign-in, and the
// coordinator's reset of a lost factor. Follows Lucia's guide: once the second factor is given, the password-only
// session is replaced by a signed-in one under a new token (auth_sessions.two_factor_verified = 1).
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';
import { ConflictError, ForbiddenError, NotFoundError } from '../../lib/errors';
import type { Database } from '../../lib/server/database';
import { qrCodeDataUrl } from '../../lib/server/qr';
import { isSealed, open, seal } from '../../lib/server/secret-box';
import { generateSecret, sha256Hex } from '../../lib/server/tokens';
import { recordAudit } from '../audit/audit.service';
import type { Actor, StaffUser } from '../auth/auth';
import { deleteSessionsOfUser, findUserById } from '../auth/auth.repository';
import { hitRateLimit, resetRateLimit } from '../throttle/throttle.service';
import {
  RECOVERY_CODE_BYTES, RECOVERY_CODE_COUNT, SECOND_FACTOR_POLICY, TOTP_KEY_BYTES,
  decodeTotpKey, encodeTotpKey, formatKeyForManualEntry, formatRecoveryCode, normalizeRecoveryCode,
  matchingTotpStep, secondFactorKey, totpKeyUri,
} from './twofactor';
import {
  clearTotpKey, countUnusedRecoveryCodes, deleteRecoveryCodesOfUser, findTotpKey, insertRecoveryCodes, listTotpKeys, updateTotpKey,
  replaceWithVerifiedSession, setTotpKeyIfNone, useRecoveryCodeByHash, useTotpStep,
} from './twofactor.repository';

type Db = Kysely<Database>;

/** A password-only session: whose it is and which one. */
export interface PendingSession {
  user: StaffUser;
  sessionId: string;
}

export type SecondFactorResult<T = object> =
  | ({ ok: true } & T)
  | { ok: false; reason: 'invalid' }
  | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export interface TotpSetupView {
  /** The new key, base64, carried in a hidden field until the first code confirms it. */
  key: string;
  /** The key in base32 groups, for typing into an app by hand. */
  manualKey: string;
  qrDataUrl: string;
}

function randomBytes(count: number): Uint8Array {
  const bytes = new Uint8Array(count);
  crypto.getRandomValues(bytes);
  return bytes;
}

/** The setup page for `key` (base64), or for a fresh random key when none is given or it is not a valid one. */
export async function totpSetupView(user: StaffUser, key?: string | null): Promise<TotpSetupView> {
  const bytes = (key ? decodeTotpKey(key) : null) ?? randomBytes(TOTP_KEY_BYTES);
  return {
    key: encodeTotpKey(bytes),
    manualKey: formatKeyForManualEntry(bytes),
    qrDataUrl: await qrCodeDataUrl(totpKeyUri(user.email, bytes)),
  };
}

/** The signed-in session that replaces a password-only one: a new token for the cookie. */
export interface VerifiedSession {
  token: string;
  expiresAt: Date;
}

async function verifiedSession(trx: Transaction<Database>, pending: PendingSession): Promise<VerifiedSession> {
  const id = generateSecret();
  const secret = generateSecret();
  const expiresAt = await replaceWithVerifiedSession(trx, pending.sessionId, { id, secretHash: sha256Hex(secret) });
  if (!expiresAt) throw new ConflictError('Din indlogning er udløbet. Log ind igen.');
  return { token: `${id}.${secret}`, expiresAt };
}

/** A stored key: sealed (AES-GCM under APP_SECRET), or plain base64 as stored before keys were encrypted. */
function openTotpKey(stored: string): Uint8Array | null {
  return isSealed(stored) ? open(stored) : decodeTotpKey(stored);
}

/**
 * Seals every stored key again under the current APP_SECRET: keys stored in plain base64 before encryption came, and
 * keys sealed under APP_SECRET_PREVIOUS during a rotation. Run by `cli boot` and `cli reencrypt`. Returns how many
 * were sealed again; throws if a key opens under neither secret (the wrong APP_SECRET: nothing is changed then).
 */
export async function resealTotpKeys(db: Db): Promise<number> {
  const rows = await listTotpKeys(db);
  const opened = rows.map((row) => ({ id: row.id, stored: row.key, key: openTotpKey(row.key) }));
  const unreadable = opened.filter((row) => row.key === null).length;
  if (unreadable > 0) throw new Error(`${unreadable} second-factor key(s) open under neither APP_SECRET nor APP_SECRET_PREVIOUS.`);
  let count = 0;
  await db.transaction().execute(async (trx) => {
    for (const row of opened) {
      await updateTotpKey(trx, row.id, row.stored, seal(row.key as Uint8Array));
      count += 1;
    }
  });
  return count;
}

/** Ten fresh recovery codes, raw (16 base32 characters each). */
function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => encodeBase32LowerCaseNoPadding(randomBytes(RECOVERY_CODE_BYTES)));
}

/**
 * Counts failures against the user's second-factor limit (5 wrong in 15 minutes, then a 15-minute pause; the state is
 * in the database so every app process sees it). A correct answer clears the count.
 */
async function throttled<T extends object>(
  db: Db,
  pending: PendingSession,
  ip: string | null,
  now: Date,
  what: string,
  attempt: () => Promise<T | null>,
): Promise<SecondFactorResult<T>> {
  const key = secondFactorKey(pending.user.id);
  // Counted before the code is checked, in one atomic statement: simultaneous guesses get no more checks than the limit.
  const status = await hitRateLimit(db, key, SECOND_FACTOR_POLICY, now);
  if (!status.allowed) return { ok: false, reason: 'throttled', retryAfterSeconds: status.retryAfterSeconds };
  const result = await attempt();
  if (result === null) {
    await recordAudit(db, { user: pending.user, ip }, [
      { action: 'sign_in', entityType: 'user', entityId: pending.user.id, detail: `mislykket: forkert ${what}` },
    ], now);
    return { ok: false, reason: 'invalid' };
  }
  await resetRateLimit(db, key);
  return { ok: true, ...result };
}

/**
 * Confirms a new key with the first code from the app, stores the key, makes ten recovery codes (returned once, only
 * their hashes are kept) and marks the session signed in.
 */
export async function confirmTotpSetup(
  db: Db,
  pending: PendingSession,
  input: { key: string; code: string },
  ip: string | null,
  now: Date,
): Promise<SecondFactorResult<{ recoveryCodes: string[]; session: VerifiedSession }>> {
  const key = decodeTotpKey(input.key);
  if (!key) throw new NotFoundError('Opsætningen er udløbet. Start forfra.');
  if ((await findTotpKey(db, pending.user.id)) !== null) {
    throw new ConflictError('Du har allerede sat to-faktor op. Log ind med koden fra din app.');
  }
  return throttled(db, pending, ip, now, 'kode ved opsætning', async () => {
    const step = matchingTotpStep(key, input.code, now);
    if (step === null) return null;
    const codes = newRecoveryCodes();
    const session = await db.transaction().execute(async (trx) => {
      if (!(await setTotpKeyIfNone(trx, pending.user.id, seal(key), now))) {
        throw new ConflictError('Du har allerede sat to-faktor op. Log ind med koden fra din app.');
      }
      await deleteRecoveryCodesOfUser(trx, pending.user.id);
      await insertRecoveryCodes(trx, pending.user.id, codes.map((code) => ({ id: randomUUID(), codeHash: sha256Hex(code) })));
      await useTotpStep(trx, pending.user.id, step);
      await recordAudit(trx, { user: pending.user, ip }, [
        { action: 'update', entityType: 'user', entityId: pending.user.id, detail: 'to-faktor sat op' },
        { action: 'sign_in', entityType: 'user', entityId: pending.user.id, detail: 'to-faktor' },
      ], now);
      return verifiedSession(trx, pending);
    });
    return { recoveryCodes: codes.map(formatRecoveryCode), session };
  });
}

/** Checks the 6-digit code from the app (each code once) and replaces the session with a signed-in one. */
export async function verifyTotp(
  db: Db,
  pending: PendingSession,
  code: string,
  ip: string | null,
  now: Date,
): Promise<SecondFactorResult<{ session: VerifiedSession }>> {
  return throttled(db, pending, ip, now, 'kode', async () => {
    const stored = await findTotpKey(db, pending.user.id);
    const key = stored === null ? null : openTotpKey(stored);
    const step = key === null ? null : matchingTotpStep(key, code, now);
    if (step === null) return null;
    return db.transaction().execute(async (trx) => {
      // A code is good once: the same code again (or an older one) within its 90 seconds counts as wrong.
      if (!(await useTotpStep(trx, pending.user.id, step))) return null;
      await recordAudit(trx, { user: pending.user, ip }, [
        { action: 'sign_in', entityType: 'user', entityId: pending.user.id, detail: 'to-faktor' },
      ], now);
      return { session: await verifiedSession(trx, pending) };
    });
  });
}

/** Uses one recovery code instead of the app's code (each code works once) and marks the session signed in. */
export async function signInWithRecoveryCode(
  db: Db,
  pending: PendingSession,
  typed: string,
  ip: string | null,
  now: Date,
): Promise<SecondFactorResult<{ codesLeft: number; session: VerifiedSession }>> {
  return throttled(db, pending, ip, now, 'gendannelseskode', async () => {
    const code = normalizeRecoveryCode(typed);
    if (code === null) return null;
    return db.transaction().execute(async (trx) => {
      if (!(await useRecoveryCodeByHash(trx, pending.user.id, sha256Hex(code), now))) return null;
      await recordAudit(trx, { user: pending.user, ip }, [
        { action: 'sign_in', entityType: 'user', entityId: pending.user.id, detail: 'gendannelseskode brugt' },
      ], now);
      return { codesLeft: await countUnusedRecoveryCodes(trx, pending.user.id), session: await verifiedSession(trx, pending) };
    });
  });
}

/**
 * The coordinator resets a colleague's lost second factor: the key and the recovery codes are removed and the person
 * is signed out everywhere; at the next sign-in they set up a new one. Not for one's own account (another
 * coordinator must do it, so a stolen password and session alone cannot remove the factor).
 */
export async function resetSecondFactor(db: Db, actor: Actor, userId: string, now: Date): Promise<StaffUser> {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan nulstille to-faktor.');
  if (userId === actor.user.id) throw new ConflictError('Du kan ikke nulstille din egen to-faktor. Bed en anden koordinator om det.');
  return db.transaction().execute(async (trx) => {
    const user = await findUserById(trx, userId);
    if (!user) throw new NotFoundError('Medarbejderen findes ikke.');
    if (!user.hasTotpKey) throw new ConflictError(`${user.displayName} har ikke sat to-faktor op. Der er intet at nulstille.`);
    await clearTotpKey(trx, userId, now);
    await deleteRecoveryCodesOfUser(trx, userId);
    await deleteSessionsOfUser(trx, userId);
    await recordAudit(trx, actor, [
      { action: 'update', entityType: 'user', entityId: userId, detail: 'to-faktor nulstillet' },
    ], now);
    return { id: user.id, email: user.email, displayName: user.displayName, role: user.role, municipality: user.municipality };
  });
}
