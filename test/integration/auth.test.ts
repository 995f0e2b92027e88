import { describe, expect, it } from 'vitest';
import type { Actor, StaffUser } from '../../src/features/auth/auth';
import {
  SIGN_IN_FAILED_MESSAGE,
  TIMING_HASH,
  completeBootstrap,
  completeSetup,
  createAuthSession,
  createStaffUser,
  bootstrapLinkOnBoot,
  ensureBootstrapLink,
  findSetupToken,
  invalidateAllSessionsOfUser,
  issueSetupLink,
  listStaffUsers,
  pruneExpiredSessions,
  setUserDisabled,
  signIn,
  signOut,
  validateSessionToken,
} from '../../src/features/auth/auth.service';
import { issueStaffFeedToken, staffFeed } from '../../src/features/feeds/feeds.service';
import { hitRateLimit, resetRateLimit } from '../../src/features/throttle/throttle.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/errors';
import { statementCount } from '../../src/lib/server/db';
import { hashPassword } from '../../src/lib/server/password';
import { sha256Hex } from '../../src/lib/server/tokens';
import { databaseKind, useTestDatabase } from '../support/database';
import { errorOf } from '../support/errors';

const HOUR = 60 * 60 * 1000;
const NOW = new Date('2026-02-02T08:00:00Z');
const later = (hours: number) => new Date(NOW.getTime() + hours * HOUR);
const meta = { ip: '192.0.2.10', userAgent: 'Vitest' };

const COORDINATOR_EMAIL = 'koordinator@familiecentret.dk';
const COORDINATOR_PASSWORD = 'fire ord om foråret';

function tokenFromPath(path: string): string {
  const token = path.replace(/^\/adgang\//, '');
  expect(path).toBe(`/adgang/${token}`);
  return token;
}


describe(`staff sign-in on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  let coordinator: StaffUser;
  let coordinatorActor: Actor;


  /** A staff member who has chosen a password through their one-time link. */
  async function staffMember(email: string, password: string, role: 'leader' | 'caseworker' = 'leader'): Promise<StaffUser> {
    const input = role === 'caseworker'
      ? { name: email.split('@')[0] ?? email, email, role, municipality: 'ishoj' as const }
      : { name: email.split('@')[0] ?? email, email, role, municipality: null };
    const { setupUrlPath } = await createStaffUser(handle.db, coordinatorActor, input, NOW);
    const signedIn = await completeSetup(handle.db, tokenFromPath(setupUrlPath), { password }, meta, NOW);
    return signedIn.user;
  }

  describe('the first coordinator', () => {
    it('gets a one-time link while there is no coordinator, and only the newest link works', async () => {
      const first = await ensureBootstrapLink(handle.db, NOW);
      const second = await ensureBootstrapLink(handle.db, NOW);
      expect(first).toMatch(/^\/adgang\/[a-z2-7]+$/);
      expect(second).not.toBe(first);
      expect(await findSetupToken(handle.db, tokenFromPath(first!), NOW)).toBeNull();
      expect(await findSetupToken(handle.db, tokenFromPath(second!), NOW)).toEqual({ kind: 'bootstrap', expiresAt: later(24) });
      expect(await findSetupToken(handle.db, tokenFromPath(second!), later(24))).toBeNull();
    });

    it('at boot, keeps a link made minutes ago by another start, so the link that was printed works', async () => {
      const printed = await bootstrapLinkOnBoot(handle.db, NOW, true);
      expect(printed).toMatchObject({ kind: 'new' });
      const path = printed?.kind === 'new' ? printed.path : '';
      // A second server boots at the same moment, and one 9 minutes later: both keep the printed link.
      expect(await bootstrapLinkOnBoot(handle.db, NOW)).toEqual({ kind: 'kept', madeAt: NOW });
      expect(await bootstrapLinkOnBoot(handle.db, new Date(NOW.getTime() + 9 * 60_000))).toEqual({ kind: 'kept', madeAt: NOW });
      expect(await findSetupToken(handle.db, tokenFromPath(path), NOW)).toMatchObject({ kind: 'bootstrap' });
      // A restart after 10 minutes (the link may be lost) prints a new one; so does `boot --new-link` at any time.
      const later10 = await bootstrapLinkOnBoot(handle.db, new Date(NOW.getTime() + 10 * 60_000));
      expect(later10).toMatchObject({ kind: 'new' });
      expect(await findSetupToken(handle.db, tokenFromPath(path), NOW)).toBeNull();
      const replaced = await bootstrapLinkOnBoot(handle.db, new Date(NOW.getTime() + 10 * 60_000), true);
      expect(replaced).toMatchObject({ kind: 'new' });
      expect(replaced).not.toEqual(later10);
    });

    it('is created from the link, which then stops working; no new link is offered', async () => {
      const token = tokenFromPath((await ensureBootstrapLink(handle.db, NOW))!);
      const weak = await errorOf(completeBootstrap(handle.db, token, { name: 'Anne', email: COORDINATOR_EMAIL, password: 'kort', confirm: 'kort' }, meta, NOW));
      expect(weak).toBeInstanceOf(ValidationError);
      expect((weak as ValidationError).fields['password']).toMatch(/mindst 12 tegn/);

      const signedIn = await completeBootstrap(
        handle.db, token, { name: 'Anne Koordinator', email: COORDINATOR_EMAIL, password: COORDINATOR_PASSWORD, confirm: COORDINATOR_PASSWORD }, meta, NOW,
      );
      coordinator = signedIn.user;
      coordinatorActor = { user: coordinator, ip: meta.ip };
      expect(coordinator).toMatchObject({ email: COORDINATOR_EMAIL, role: 'coordinator', displayName: 'Anne Koordinator' });
      expect((await validateSessionToken(handle.db, signedIn.token, NOW))?.user.id).toBe(coordinator.id);

      expect(await findSetupToken(handle.db, token, NOW)).toBeNull();
      expect(await errorOf(completeBootstrap(
        handle.db, token, { name: 'Mallory', email: 'mallory@example.com', password: COORDINATOR_PASSWORD, confirm: COORDINATOR_PASSWORD }, meta, NOW,
      ))).toBeInstanceOf(NotFoundError);
      expect(await ensureBootstrapLink(handle.db, NOW)).toBeNull();
      const settings = await handle.db.selectFrom('app_settings').select('key').where('key', 'like', 'bootstrap%').execute();
      expect(settings).toEqual([]);
    });
  });

  describe('signing in', () => {
    it('works with the right password and gives a session for the user', async () => {
      const result = await signIn(handle.db, { email: '  Koordinator@Familiecentret.dk ', password: COORDINATOR_PASSWORD, ...meta }, NOW);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.user.id).toBe(coordinator.id);
      expect(result.token).toMatch(/^[a-z2-7]+\.[a-z2-7]+$/);
      expect(result.expiresAt).toEqual(later(8));
      expect((await validateSessionToken(handle.db, result.token, NOW))?.user.email).toBe(COORDINATOR_EMAIL);
    });

    it('answers a wrong password and an unknown e-mail the same way', async () => {
      const wrong = await signIn(handle.db, { email: COORDINATOR_EMAIL, password: 'forkert forkert', ...meta, ip: '192.0.2.20' }, NOW);
      const unknown = await signIn(handle.db, { email: 'ingen@familiecentret.dk', password: COORDINATOR_PASSWORD, ...meta, ip: '192.0.2.20' }, NOW);
      expect(wrong).toEqual({ ok: false, reason: 'invalid' });
      expect(unknown).toEqual(wrong);
      expect(SIGN_IN_FAILED_MESSAGE).toBe('E-mail eller adgangskode er forkert.');
      await resetRateLimit(handle.db, `login:account:${COORDINATOR_EMAIL}`);
    });

    it('checks a password even for an unknown e-mail, against a hash made like the real ones', async () => {
      const phc = (hash: string) => hash.split('$').slice(0, 4);
      expect(phc(TIMING_HASH)).toEqual(phc(await hashPassword('hvad som helst')));
      expect(TIMING_HASH.split('$')).toHaveLength(6);
    });

    it('refuses an account from one address after 5 attempts for 15 minutes, even with the right one; the owner elsewhere gets in', async () => {
      const email = 'lene.leder@familiecentret.dk';
      const password = 'blå cykel ved søen';
      await staffMember(email, password);
      for (let i = 0; i < 5; i += 1) {
        expect(await signIn(handle.db, { email, password: `forkert ${i} gang`, ...meta }, NOW)).toEqual({ ok: false, reason: 'invalid' });
      }
      const blocked = await signIn(handle.db, { email, password, ...meta }, later(0.1));
      expect(blocked).toMatchObject({ ok: false, reason: 'throttled' });
      if (!blocked.ok && blocked.reason === 'throttled') expect(blocked.retryAfterSeconds).toBe(15 * 60 - 6 * 60);
      // The stranger's address is refused; the owner at another address is not locked out.
      expect((await signIn(handle.db, { email, password, ip: '198.51.100.1', userAgent: null }, later(0.2))).ok).toBe(true);
      const afterPause = await signIn(handle.db, { email, password, ...meta }, later(0.26));
      expect(afterPause.ok).toBe(true);
      // A success wipes the slate for that address: five new attempts are allowed again.
      for (let i = 0; i < 4; i += 1) await signIn(handle.db, { email, password: 'forkert igen her', ...meta }, later(0.3));
      expect((await signIn(handle.db, { email, password, ...meta }, later(0.3))).ok).toBe(true);
    });

    it('refuses an account from every address for 5 minutes after 20 attempts in an hour, then lets the owner in', async () => {
      const email = 'mange.adresser@familiecentret.dk';
      const password = 'grøn bil ved skoven';
      await staffMember(email, password);
      for (let i = 0; i < 20; i += 1) {
        await signIn(handle.db, { email, password: 'gæt gæt gæt gæt', ip: `203.0.113.${i + 1}`, userAgent: null }, NOW);
      }
      const refused = await signIn(handle.db, { email, password, ip: '198.51.100.77', userAgent: null }, later(0.01));
      expect(refused).toMatchObject({ ok: false, reason: 'throttled' });
      if (!refused.ok && refused.reason === 'throttled') expect(refused.retryAfterSeconds).toBeLessThanOrEqual(5 * 60);
      expect((await signIn(handle.db, { email, password, ip: '198.51.100.77', userAgent: null }, later(5 / 60 + 0.01))).ok).toBe(true);
    });

    it('refuses one address after 30 failures across many accounts', async () => {
      const ip = '203.0.113.99';
      for (let i = 0; i < 30; i += 1) {
        await signIn(handle.db, { email: `gaet${i}@example.com`, password: 'gæt gæt gæt gæt', ip, userAgent: null }, NOW);
      }
      expect(await signIn(handle.db, { email: COORDINATOR_EMAIL, password: COORDINATOR_PASSWORD, ip, userAgent: null }, NOW)).toMatchObject({ reason: 'throttled' });
      expect((await signIn(handle.db, { email: COORDINATOR_EMAIL, password: COORDINATOR_PASSWORD, ...meta }, NOW)).ok).toBe(true);
    });

    it('records sign-ins, failures on real accounts and sign-outs in the audit log', async () => {
      const rows = await handle.db.selectFrom('audit_log').select(['action', 'entity_id', 'detail', 'ip']).where('entity_id', '=', coordinator.id).execute();
      expect(rows).toContainEqual({ action: 'sign_in', entity_id: coordinator.id, detail: null, ip: meta.ip });
      expect(rows).toContainEqual({ action: 'sign_in', entity_id: coordinator.id, detail: 'mislykket: forkert adgangskode', ip: '192.0.2.20' });
      const unknown = await handle.db.selectFrom('audit_log').select('id').where('actor', '=', 'ingen@familiecentret.dk').execute();
      expect(unknown).toEqual([]);
    });
  });

  describe('sessions', () => {
    it('cost one SELECT on a normal page view', async () => {
      const { token } = await createAuthSession(handle.db, coordinator.id, meta, NOW);
      const before = statementCount();
      const result = await validateSessionToken(handle.db, token, later(1));
      expect(statementCount() - before).toBe(1);
      expect(result).toMatchObject({ refreshed: false, expiresAt: later(8) });
    });

    it('end after 8 hours without use, and the row is removed', async () => {
      const { token, session } = await createAuthSession(handle.db, coordinator.id, meta, NOW);
      expect(await validateSessionToken(handle.db, token, later(3))).toMatchObject({ refreshed: false });
      expect(await validateSessionToken(handle.db, token, later(8))).toBeNull();
      const row = await handle.db.selectFrom('auth_sessions').select('id').where('id', '=', session.id).executeTakeFirst();
      expect(row).toBeUndefined();
    });

    it('slide forward when used in the second half of the window, and stop after 7 days', async () => {
      const { token } = await createAuthSession(handle.db, coordinator.id, meta, NOW);
      const refreshed = await validateSessionToken(handle.db, token, later(5));
      expect(refreshed).toMatchObject({ refreshed: true, expiresAt: later(13) });
      expect(await validateSessionToken(handle.db, token, later(12))).toMatchObject({ refreshed: true, expiresAt: later(20) });
      // Someone who keeps working is kept signed in, up to the absolute limit.
      let hours = 12;
      while (hours + 5 < 7 * 24) {
        hours += 5;
        expect(await validateSessionToken(handle.db, token, later(hours))).not.toBeNull();
      }
      expect(await validateSessionToken(handle.db, token, later(7 * 24))).toBeNull();
    });

    it('that nobody came back to are cleared by the housekeeping', async () => {
      const { session } = await createAuthSession(handle.db, coordinator.id, meta, later(100));
      await pruneExpiredSessions(handle.db, later(108));
      const left = await handle.db.selectFrom('auth_sessions').select('id').where('expires_at', '<=', later(108).toISOString()).execute();
      expect(left).toEqual([]);
      expect(await handle.db.selectFrom('auth_sessions').select('id').where('id', '=', session.id).executeTakeFirst()).toBeUndefined();
    });

    it('refuse a token whose secret is wrong, without ending the real session', async () => {
      const { token } = await createAuthSession(handle.db, coordinator.id, meta, NOW);
      const [id, secret] = token.split('.') as [string, string];
      const forged = `${id}.${secret.slice(0, -1)}${secret.endsWith('a') ? 'b' : 'a'}`;
      expect(await validateSessionToken(handle.db, forged, NOW)).toBeNull();
      expect(await validateSessionToken(handle.db, `${id}`, NOW)).toBeNull();
      expect(await validateSessionToken(handle.db, token, NOW)).not.toBeNull();
    });

    it('keep only a hash of the secret in the database', async () => {
      const { token, session } = await createAuthSession(handle.db, coordinator.id, meta, NOW);
      const secret = token.split('.')[1]!;
      const row = await handle.db.selectFrom('auth_sessions').selectAll().where('id', '=', session.id).executeTakeFirstOrThrow();
      expect(row.secret_hash).toBe(sha256Hex(secret));
      expect(JSON.stringify(row)).not.toContain(secret);
      const user = await handle.db.selectFrom('users').select('password_hash').where('id', '=', coordinator.id).executeTakeFirstOrThrow();
      expect(user.password_hash).toMatch(/^\$argon2id\$/);
      expect(user.password_hash).not.toContain(COORDINATOR_PASSWORD);
    });

    it('end on sign-out: this device only, or every device with "log ud overalt"', async () => {
      const email = 'signe.ud@familiecentret.dk';
      const user = await staffMember(email, 'tre både i havnen');
      const actor = { user, ip: meta.ip };
      const phone = await createAuthSession(handle.db, user.id, meta, NOW);
      const laptop = await createAuthSession(handle.db, user.id, meta, NOW);
      const tablet = await createAuthSession(handle.db, user.id, meta, NOW);

      await signOut(handle.db, actor, phone.session.id, { everywhere: false }, NOW);
      expect(await validateSessionToken(handle.db, phone.token, NOW)).toBeNull();
      expect(await validateSessionToken(handle.db, laptop.token, NOW)).not.toBeNull();

      await signOut(handle.db, actor, laptop.session.id, { everywhere: true }, NOW);
      expect(await validateSessionToken(handle.db, laptop.token, NOW)).toBeNull();
      expect(await validateSessionToken(handle.db, tablet.token, NOW)).toBeNull();
      expect(await validateSessionToken(handle.db, (await createAuthSession(handle.db, coordinator.id, meta, NOW)).token, NOW)).not.toBeNull();

      const trail = await handle.db.selectFrom('audit_log').select(['action', 'detail']).where('user_id', '=', user.id).where('action', '=', 'sign_out').execute();
      expect(trail).toEqual(expect.arrayContaining([{ action: 'sign_out', detail: null }, { action: 'sign_out', detail: 'overalt' }]));
      expect(await invalidateAllSessionsOfUser(handle.db, user.id)).toBe(0);
    });
  });

  describe('staff accounts', () => {
    it('only the coordinator creates accounts, manages links and sees the list', async () => {
      const leader = await staffMember('kun.leder@familiecentret.dk', 'grøn te om aftenen');
      const leaderActor = { user: leader, ip: null };
      expect(await errorOf(createStaffUser(handle.db, leaderActor, { name: 'X', email: 'x@example.com', role: 'coordinator', municipality: null }, NOW)))
        .toBeInstanceOf(ForbiddenError);
      expect(await errorOf(issueSetupLink(handle.db, leaderActor, leader.id, NOW))).toBeInstanceOf(ForbiddenError);
      expect(await errorOf(listStaffUsers(handle.db, leaderActor))).toBeInstanceOf(ForbiddenError);
      expect(await errorOf(setUserDisabled(handle.db, leaderActor, coordinator.id, true, NOW))).toBeInstanceOf(ForbiddenError);
    });

    it('a new account has a 7-day link that sets the password once and signs the person in', async () => {
      const email = 'sara.raadgiver@vallensbaek.dk';
      const { user, setupUrlPath } = await createStaffUser(
        handle.db, coordinatorActor, { name: 'Sara Rådgiver', email, role: 'caseworker', municipality: 'vallensbaek' }, NOW,
      );
      expect(user).toMatchObject({ status: 'invited', municipality: 'vallensbaek' });
      const token = tokenFromPath(setupUrlPath);
      expect(await findSetupToken(handle.db, token, later(24 * 7 - 1))).toMatchObject({ kind: 'setup', email, displayName: 'Sara Rådgiver' });
      expect(await findSetupToken(handle.db, token, later(24 * 7))).toBeNull();

      // The link is stored only as a hash.
      const stored = await handle.db.selectFrom('user_setup_tokens').select('token_hash').where('user_id', '=', user.id).execute();
      expect(stored).toEqual([{ token_hash: sha256Hex(token) }]);

      // Nobody can sign in before choosing a password.
      expect(await signIn(handle.db, { email, password: '', ...meta, ip: '192.0.2.30' }, NOW)).toEqual({ ok: false, reason: 'invalid' });

      const mistake = await errorOf(completeSetup(handle.db, token, { password: email }, meta, NOW));
      expect((mistake as ValidationError).fields['password']).toBe('Adgangskoden må ikke være din e-mailadresse.');
      const signedIn = await completeSetup(handle.db, token, { password: 'vi ses i gruppen' }, meta, later(1));
      expect(signedIn.user).toMatchObject({ email, role: 'caseworker' });
      expect(await validateSessionToken(handle.db, signedIn.token, later(1))).not.toBeNull();

      expect(await findSetupToken(handle.db, token, later(1))).toBeNull();
      expect(await errorOf(completeSetup(handle.db, token, { password: 'en helt anden kode' }, meta, later(1)))).toBeInstanceOf(NotFoundError);
      expect((await signIn(handle.db, { email, password: 'vi ses i gruppen', ...meta }, later(2))).ok).toBe(true);
    });

    it('an expired link cannot be used', async () => {
      const { setupUrlPath } = await createStaffUser(handle.db, coordinatorActor, { name: 'Sen', email: 'sen@familiecentret.dk', role: 'leader', municipality: null }, NOW);
      expect(await errorOf(completeSetup(handle.db, tokenFromPath(setupUrlPath), { password: 'for sent på den' }, meta, later(24 * 8))))
        .toBeInstanceOf(NotFoundError);
    });

    it('refuses a second account with the same e-mail', async () => {
      const error = await errorOf(createStaffUser(handle.db, coordinatorActor, { name: 'Igen', email: COORDINATOR_EMAIL, role: 'leader', municipality: null }, NOW));
      expect((error as ValidationError).fields).toEqual({ email: 'Der findes allerede en medarbejder med denne e-mail.' });
    });

    it('a new link replaces the old one and, once used, ends the old password and its sessions', async () => {
      const email = 'glemsom@familiecentret.dk';
      const user = await staffMember(email, 'første kode er god');
      const old = await signIn(handle.db, { email, password: 'første kode er god', ...meta }, NOW);
      const first = await issueSetupLink(handle.db, coordinatorActor, user.id, NOW);
      const second = await issueSetupLink(handle.db, coordinatorActor, user.id, NOW);
      expect(await findSetupToken(handle.db, tokenFromPath(first.setupUrlPath), NOW)).toBeNull();
      expect(await findSetupToken(handle.db, tokenFromPath(second.setupUrlPath), NOW)).toMatchObject({ kind: 'reset' });

      await completeSetup(handle.db, tokenFromPath(second.setupUrlPath), { password: 'anden kode er bedre' }, meta, NOW);
      expect(old.ok && (await validateSessionToken(handle.db, old.token, NOW))).toBeNull();
      expect(await signIn(handle.db, { email, password: 'første kode er god', ...meta, ip: '192.0.2.40' }, NOW)).toEqual({ ok: false, reason: 'invalid' });
      expect((await signIn(handle.db, { email, password: 'anden kode er bedre', ...meta }, NOW)).ok).toBe(true);
    });

    it('a closed account is signed out at once and cannot sign in; reopened, it can', async () => {
      const email = 'lukket@familiecentret.dk';
      const password = 'snart er det sommer';
      const user = await staffMember(email, password);
      const before = await signIn(handle.db, { email, password, ...meta }, NOW);
      if (!before.ok) throw new Error('sign-in failed');
      const feedPath = await issueStaffFeedToken(handle.db, user.id, NOW);
      const feedToken = feedPath.split('/').pop()!.replace(/\.ics$/, '');
      expect(await staffFeed(handle.db, feedToken, NOW)).not.toBeNull();

      const closed = await setUserDisabled(handle.db, coordinatorActor, user.id, true, later(1));
      expect(closed.status).toBe('disabled');
      expect(await validateSessionToken(handle.db, before.token, later(1))).toBeNull();
      expect(await signIn(handle.db, { email, password, ...meta, ip: '192.0.2.50' }, later(1))).toEqual({ ok: false, reason: 'invalid' });
      const link = await errorOf(issueSetupLink(handle.db, coordinatorActor, user.id, later(1)));
      expect(link).toBeInstanceOf(ConflictError);

      // A session that somehow survived (made before the close) is refused too.
      const stray = await createAuthSession(handle.db, user.id, meta, later(1));
      expect(await validateSessionToken(handle.db, stray.token, later(1))).toBeNull();

      await setUserDisabled(handle.db, coordinatorActor, user.id, false, later(2));
      expect((await signIn(handle.db, { email, password, ...meta }, later(2))).ok).toBe(true);
      // Reopening revives neither the old calendar link nor the sessions from before the close.
      expect(await staffFeed(handle.db, feedToken, later(2))).toBeNull();
      expect(await validateSessionToken(handle.db, before.token, later(2))).toBeNull();
      expect(await validateSessionToken(handle.db, stray.token, later(2))).toBeNull();

      const trail = await handle.db.selectFrom('audit_log').select('detail').where('entity_id', '=', user.id).where('action', '=', 'update').execute();
      expect(trail.map((r) => r.detail)).toEqual(expect.arrayContaining(['konto lukket', 'konto åbnet igen']));
    });

    it('the coordinator cannot close their own account', async () => {
      expect(await errorOf(setUserDisabled(handle.db, coordinatorActor, coordinator.id, true, NOW))).toBeInstanceOf(ConflictError);
    });

    it('lists everyone with role, municipality and status', async () => {
      const list = await listStaffUsers(handle.db, coordinatorActor);
      expect(list.find((u) => u.email === COORDINATOR_EMAIL)).toMatchObject({ role: 'coordinator', status: 'active', municipality: null });
      expect(list.find((u) => u.email === 'sen@familiecentret.dk')).toMatchObject({ status: 'invited' });
      expect(list.find((u) => u.email === 'sara.raadgiver@vallensbaek.dk')).toMatchObject({ role: 'caseworker', municipality: 'vallensbaek' });
      const created = await handle.db.selectFrom('audit_log').select('entity_id').where('action', '=', 'create').where('entity_type', '=', 'user').execute();
      expect(created.length).toBe(list.length);
    });
  });

  describe('rate limits shared by every process', () => {
    it('count every one of many simultaneous attempts', async () => {
      const key = 'test:concurrent';
      const policy = { max: 1000, windowSeconds: 60, blockSeconds: 60 };
      await Promise.all(Array.from({ length: 20 }, () => hitRateLimit(handle.db, key, policy, NOW)));
      const row = await handle.db.selectFrom('rate_limits').select('attempts').where('key', '=', key).executeTakeFirstOrThrow();
      expect(Number(row.attempts)).toBe(20);
    });

    it('let exactly `max` simultaneous attempts through', async () => {
      const key = 'test:race-to-the-limit';
      const policy = { max: 5, windowSeconds: 60, blockSeconds: 60 };
      const decisions = await Promise.all(Array.from({ length: 12 }, () => hitRateLimit(handle.db, key, policy, NOW)));
      expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
      await resetRateLimit(handle.db, key);
      expect((await hitRateLimit(handle.db, key, policy, NOW)).allowed).toBe(true);
    });
  });
});
