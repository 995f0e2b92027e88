import { beforeAll, describe, expect, it } from 'vitest';
import { guardRequest, type Actor, type StaffUser } from '../../src/features/auth/auth';
import {
  completeBootstrap, completeSetup, createStaffUser, ensureBootstrapLink, listStaffUsers, signIn, validateSessionToken,
} from '../../src/features/auth/auth.service';
import { decodeTotpKey, totpCodeAt } from '../../src/features/twofactor/twofactor';
import {
  confirmTotpSetup, resetSecondFactor, signInWithRecoveryCode, totpSetupView, verifyTotp, type PendingSession,
} from '../../src/features/twofactor/twofactor.service';
import { ConflictError, ForbiddenError } from '../../src/lib/errors';
import { open } from '../../src/lib/server/secret-box';
import { statementCount } from '../../src/lib/server/db';
import { databaseKind, useTestDatabase } from '../support/database';
import { errorOf } from '../support/errors';

const MINUTE = 60 * 1000;
const NOW = new Date('2026-03-04T09:00:00Z');
const later = (minutes: number) => new Date(NOW.getTime() + minutes * MINUTE);
const meta = { ip: '192.0.2.44', userAgent: 'Vitest' };
const COORDINATOR_PASSWORD = 'koordinatorens lange kode';
const LEADER_PASSWORD = 'lederens lange adgangskode';


/** A code that is not the right one at `now` (nor one step off). */
function wrongCode(key: Uint8Array, now: Date): string {
  return String((Number(totpCodeAt(key, now)) + 500_000) % 1_000_000).padStart(6, '0');
}

describe(`the second factor on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  let coordinator: StaffUser;
  let coordinatorActor: Actor;
  let leader: StaffUser;
  let leaderKey: Uint8Array;
  let recoveryCodes: string[];

  async function pendingFromToken(token: string, now: Date): Promise<PendingSession> {
    const session = await validateSessionToken(handle.db, token, now);
    if (!session) throw new Error('no session');
    expect(session.twoFactorVerified).toBe(false);
    return { user: session.user, sessionId: session.sessionId };
  }

  async function storedKey(userId: string): Promise<Uint8Array | null> {
    const row = await handle.db.selectFrom('users').select('totp_key').where('id', '=', userId).executeTakeFirstOrThrow();
    if (row.totp_key === null) return null;
    // Encrypted at rest: never the key itself in the row.
    expect(row.totp_key).toMatch(/^v1\./);
    return open(row.totp_key);
  }

  /** Sets up the second factor for a pending session, as the setup page does; returns the key. */
  async function setUp(pending: PendingSession, now: Date): Promise<{ key: Uint8Array; codes: string[] }> {
    const view = await totpSetupView(pending.user);
    const key = decodeTotpKey(view.key)!;
    const result = await confirmTotpSetup(handle.db, pending, { key: view.key, code: totpCodeAt(key, now) }, meta.ip, now);
    if (!result.ok) throw new Error(`setup failed: ${result.reason}`);
    return { key, codes: result.recoveryCodes };
  }

  beforeAll(async () => {
    const token = (await ensureBootstrapLink(handle.db, NOW))!.replace('/adgang/', '');
    const signedIn = await completeBootstrap(handle.db, token, { name: 'Alma Coordinator', email: 'alma@familiecentret.dk', password: COORDINATOR_PASSWORD, confirm: COORDINATOR_PASSWORD }, meta, NOW);
    coordinator = signedIn.user;
    coordinatorActor = { user: coordinator, ip: meta.ip };
    expect(signedIn.secondFactor).toBe('setup');
    await setUp(await pendingFromToken(signedIn.token, NOW), NOW);
  });

  it('a one-time link signs in with a password-only session that cannot reach staff pages', async () => {
    const { setupUrlPath } = await createStaffUser(handle.db, coordinatorActor, { name: 'Lise Leder', email: 'lise@familiecentret.dk', role: 'leader', municipality: null }, NOW);
    const signedIn = await completeSetup(handle.db, setupUrlPath.replace('/adgang/', ''), { password: LEADER_PASSWORD }, meta, NOW);
    leader = signedIn.user;
    expect(signedIn.secondFactor).toBe('setup');

    const before = statementCount();
    const session = await validateSessionToken(handle.db, signedIn.token, later(1));
    // Still one SELECT per page view: the session, its user and the two-factor facts together.
    expect(statementCount() - before).toBe(1);
    expect(session).toMatchObject({ twoFactorVerified: false, userHasTotpKey: false });
    expect(guardRequest('/personale/grupper', '', { user: null, pending: { hasTotpKey: false }, sentCookie: true }))
      .toEqual({ kind: 'redirect', location: '/logind/totp-opsaetning?naeste=%2Fpersonale%2Fgrupper' });
  });

  it('setup: a wrong code stores nothing; the right one stores the key, ten hashed recovery codes, and verifies the session', async () => {
    const signedIn = await signIn(handle.db, { email: 'lise@familiecentret.dk', password: LEADER_PASSWORD, ...meta }, NOW);
    if (!signedIn.ok) throw new Error('sign-in failed');
    expect(signedIn.secondFactor).toBe('setup');
    const pending = await pendingFromToken(signedIn.token, NOW);

    const view = await totpSetupView(leader);
    expect(view.qrDataUrl).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(view.qrDataUrl.split(',')[1]!, 'base64').toString('utf8')).toContain('<svg');
    // Shown again after a wrong code: the same key, so the person need not scan twice.
    expect((await totpSetupView(leader, view.key)).key).toBe(view.key);
    leaderKey = decodeTotpKey(view.key)!;

    expect(await confirmTotpSetup(handle.db, pending, { key: view.key, code: wrongCode(leaderKey, NOW) }, meta.ip, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(await storedKey(leader.id)).toBeNull();

    const done = await confirmTotpSetup(handle.db, pending, { key: view.key, code: totpCodeAt(leaderKey, later(0.4)) }, meta.ip, NOW);
    if (!done.ok) throw new Error('setup refused');
    recoveryCodes = done.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(await storedKey(leader.id)).toEqual(leaderKey);
    const rows = await handle.db.selectFrom('recovery_codes').select(['code_hash', 'used_at']).where('user_id', '=', leader.id).execute();
    expect(rows).toHaveLength(10);
    for (const row of rows) {
      expect(row.code_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(recoveryCodes.some((code) => row.code_hash.includes(code.replace(/-/g, '')))).toBe(false);
    }
    // The password-only token is replaced: the old one is gone, the new one is signed in.
    expect(await validateSessionToken(handle.db, signedIn.token, NOW)).toBeNull();
    expect(await validateSessionToken(handle.db, done.session.token, NOW)).toMatchObject({ twoFactorVerified: true, userHasTotpKey: true });

    // A second setup (another tab) cannot replace the key.
    const again = await signIn(handle.db, { email: 'lise@familiecentret.dk', password: LEADER_PASSWORD, ...meta }, NOW);
    if (!again.ok) throw new Error('sign-in failed');
    expect(again.secondFactor).toBe('verify');
    const other = await totpSetupView(leader);
    const otherKey = decodeTotpKey(other.key)!;
    expect(await errorOf(confirmTotpSetup(handle.db, await pendingFromToken(again.token, NOW), { key: other.key, code: totpCodeAt(otherKey, NOW) }, meta.ip, NOW)))
      .toBeInstanceOf(ConflictError);
    expect(await storedKey(leader.id)).toEqual(leaderKey);
  });

  it('the code from the app signs in; wrong codes are throttled after five, for 15 minutes, and recorded', async () => {
    const signedIn = await signIn(handle.db, { email: 'lise@familiecentret.dk', password: LEADER_PASSWORD, ...meta }, later(1));
    if (!signedIn.ok) throw new Error('sign-in failed');
    const pending = await pendingFromToken(signedIn.token, later(1));
    for (let i = 0; i < 5; i += 1) {
      expect(await verifyTotp(handle.db, pending, wrongCode(leaderKey, later(1)), meta.ip, later(1))).toEqual({ ok: false, reason: 'invalid' });
    }
    // Now even the right code waits.
    expect(await verifyTotp(handle.db, pending, totpCodeAt(leaderKey, later(2)), meta.ip, later(2))).toMatchObject({ ok: false, reason: 'throttled', retryAfterSeconds: 14 * 60 });
    expect((await validateSessionToken(handle.db, signedIn.token, later(2)))?.twoFactorVerified).toBe(false);

    const verified = await verifyTotp(handle.db, pending, totpCodeAt(leaderKey, later(17)), meta.ip, later(17));
    if (!verified.ok) throw new Error('the right code was refused');
    expect(await validateSessionToken(handle.db, signedIn.token, later(17))).toBeNull();
    expect((await validateSessionToken(handle.db, verified.session.token, later(17)))?.twoFactorVerified).toBe(true);

    // The same code a second time, within its 90 seconds (seen over a shoulder, replayed): refused.
    const again = await signIn(handle.db, { email: 'lise@familiecentret.dk', password: LEADER_PASSWORD, ...meta }, later(17.2));
    if (!again.ok) throw new Error('sign-in failed');
    const replay = await verifyTotp(handle.db, await pendingFromToken(again.token, later(17.2)), totpCodeAt(leaderKey, later(17)), meta.ip, later(17.2));
    expect(replay).toEqual({ ok: false, reason: 'invalid' });

    const failures = await handle.db.selectFrom('audit_log').select('detail').where('entity_id', '=', leader.id).where('detail', '=', 'mislykket: forkert kode').execute();
    expect(failures).toHaveLength(6);
  });

  it('a recovery code works once, typed in any case, and says how many are left', async () => {
    const first = await signIn(handle.db, { email: 'lise@familiecentret.dk', password: LEADER_PASSWORD, ...meta }, later(20));
    if (!first.ok) throw new Error('sign-in failed');
    const code = recoveryCodes[3]!;
    const used = await signInWithRecoveryCode(handle.db, await pendingFromToken(first.token, later(20)), code.toUpperCase().replace(/-/g, ' '), meta.ip, later(20));
    expect(used).toMatchObject({ ok: true, codesLeft: 9 });
    if (!used.ok) throw new Error('recovery code refused');
    expect(await validateSessionToken(handle.db, first.token, later(20))).toBeNull();
    expect((await validateSessionToken(handle.db, used.session.token, later(20)))?.twoFactorVerified).toBe(true);

    const second = await signIn(handle.db, { email: 'lise@familiecentret.dk', password: LEADER_PASSWORD, ...meta }, later(21));
    if (!second.ok) throw new Error('sign-in failed');
    const pending = await pendingFromToken(second.token, later(21));
    expect(await signInWithRecoveryCode(handle.db, pending, code, meta.ip, later(21))).toEqual({ ok: false, reason: 'invalid' });
    expect(await signInWithRecoveryCode(handle.db, pending, 'aaaa-bbbb-cccc-dddd', meta.ip, later(21))).toEqual({ ok: false, reason: 'invalid' });
    expect((await validateSessionToken(handle.db, second.token, later(21)))?.twoFactorVerified).toBe(false);
    // Another person's codes do not open this account.
    expect(await signInWithRecoveryCode(handle.db, { user: coordinator, sessionId: pending.sessionId }, recoveryCodes[4]!, meta.ip, later(21)))
      .toEqual({ ok: false, reason: 'invalid' });
  });

  it('the coordinator resets a lost factor: key and codes gone, signed out everywhere, logged; not for oneself, not by others', async () => {
    const signedIn = await signIn(handle.db, { email: 'lise@familiecentret.dk', password: LEADER_PASSWORD, ...meta }, later(30));
    if (!signedIn.ok) throw new Error('sign-in failed');
    await verifyTotp(handle.db, await pendingFromToken(signedIn.token, later(30)), totpCodeAt(leaderKey, later(30)), meta.ip, later(30));

    expect(await errorOf(resetSecondFactor(handle.db, { user: leader, ip: null }, coordinator.id, later(31)))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(resetSecondFactor(handle.db, coordinatorActor, coordinator.id, later(31)))).toBeInstanceOf(ConflictError);
    expect((await listStaffUsers(handle.db, coordinatorActor)).find((u) => u.id === leader.id)?.hasSecondFactor).toBe(true);

    await resetSecondFactor(handle.db, coordinatorActor, leader.id, later(31));
    expect(await storedKey(leader.id)).toBeNull();
    expect(await handle.db.selectFrom('recovery_codes').select('id').where('user_id', '=', leader.id).execute()).toEqual([]);
    expect(await validateSessionToken(handle.db, signedIn.token, later(31))).toBeNull();
    expect((await listStaffUsers(handle.db, coordinatorActor)).find((u) => u.id === leader.id)?.hasSecondFactor).toBe(false);
    const entry = await handle.db.selectFrom('audit_log').select(['actor', 'action']).where('entity_id', '=', leader.id).where('detail', '=', 'to-faktor nulstillet').executeTakeFirst();
    expect(entry).toEqual({ actor: coordinator.email, action: 'update' });

    const next = await signIn(handle.db, { email: 'lise@familiecentret.dk', password: LEADER_PASSWORD, ...meta }, later(32));
    expect(next).toMatchObject({ ok: true, secondFactor: 'setup' });
    // Nothing left to reset: refused, and nothing is written.
    const auditBefore = (await handle.db.selectFrom('audit_log').select('id').execute()).length;
    expect(await errorOf(resetSecondFactor(handle.db, coordinatorActor, leader.id, later(33)))).toBeInstanceOf(ConflictError);
    expect((await handle.db.selectFrom('audit_log').select('id').execute()).length).toBe(auditBefore);
    // The coordinator's own factor is untouched.
    expect(await storedKey(coordinator.id)).not.toBeNull();
  });
});
