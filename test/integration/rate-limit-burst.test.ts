// Rate limits under a real concurrent burst: every attempt is counted atomically before it is checked, so of a
// thousand simultaneous attempts no more than the limit reach the password or code check (counted by their audit
// rows: each check of a real account that fails writes one).
import { beforeAll, describe, expect, it } from 'vitest';
import { completeBootstrap, ensureBootstrapLink, signIn, validateSessionToken } from '../../src/features/auth/auth.service';
import { decodeTotpKey, totpCodeAt } from '../../src/features/twofactor/twofactor';
import { confirmTotpSetup, totpSetupView, verifyTotp } from '../../src/features/twofactor/twofactor.service';
import { databaseKind, useTestDatabase } from '../support/database';

const NOW = new Date('2026-05-06T09:00:00Z');
const BURST = 1000;
/** A thousand real transactions at once: seconds on a quiet machine, longer on a loaded one. No timing is asserted. */
const BURST_TIMEOUT_MS = 90_000;
const EMAIL = 'burst@familiecentret.dk';
const PASSWORD = 'en lang og god adgangskode';

describe(`rate limits under a burst of ${BURST} on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  let userId: string;
  let key: Uint8Array;

  async function failedChecks(detail: string): Promise<number> {
    const rows = await handle.db.selectFrom('audit_log').select('id').where('entity_id', '=', userId).where('detail', '=', detail).execute();
    return rows.length;
  }

  beforeAll(async () => {
    const token = (await ensureBootstrapLink(handle.db, NOW))!.replace('/adgang/', '');
    const signedIn = await completeBootstrap(handle.db, token, { name: 'Bo Burst', email: EMAIL, password: PASSWORD, confirm: PASSWORD }, { ip: '192.0.2.1', userAgent: null }, NOW);
    userId = signedIn.user.id;
    const view = await totpSetupView(signedIn.user);
    key = decodeTotpKey(view.key)!;
    const session = await validateSessionToken(handle.db, signedIn.token, NOW);
    const done = await confirmTotpSetup(handle.db, { user: session!.user, sessionId: session!.sessionId }, { key: view.key, code: totpCodeAt(key, NOW) }, null, NOW);
    expect(done.ok).toBe(true);
  });

  it('checks no more than 5 of 1,000 simultaneous wrong passwords from one address', async () => {
    const results = await Promise.all(Array.from({ length: BURST }, (_, i) =>
      signIn(handle.db, { email: EMAIL, password: `forkert ${i}`, ip: '203.0.113.50', userAgent: null }, NOW)));
    const checked = await failedChecks('mislykket: forkert adgangskode');
    console.log(`${databaseKind()}: ${BURST} simultaneous wrong passwords → ${checked} checked, ${results.filter((r) => !r.ok && r.reason === 'throttled').length} refused unchecked`);
    expect(checked).toBeLessThanOrEqual(5);
    expect(results.filter((r) => !r.ok && r.reason === 'invalid')).toHaveLength(checked);
  }, BURST_TIMEOUT_MS);

  it('checks no more than 5 of 1,000 simultaneous second-factor codes, and the right one among them does not get in after those', async () => {
    // The password burst above paused its address for 15 minutes; the owner signs in from another address.
    const at = new Date(NOW.getTime() + 60_000);
    const signedIn = await signIn(handle.db, { email: EMAIL, password: PASSWORD, ip: '192.0.2.9', userAgent: null }, at);
    if (!signedIn.ok) throw new Error('sign-in failed');
    const session = await validateSessionToken(handle.db, signedIn.token, at);
    const pending = { user: session!.user, sessionId: session!.sessionId };
    const right = totpCodeAt(key, at);
    const codes = Array.from({ length: BURST }, (_, i) => String((Number(right) + 1 + i * 997) % 1_000_000).padStart(6, '0'))
      .filter((c) => c !== right);
    codes.splice(500, 0, right); // the right code, in the middle of the burst
    const results = await Promise.all(codes.map((code) => verifyTotp(handle.db, pending, code, '203.0.113.50', at)));
    const checked = await failedChecks('mislykket: forkert kode');
    const accepted = results.filter((r) => r.ok).length;
    console.log(`${databaseKind()}: ${codes.length} simultaneous second-factor codes → ${checked} wrong ones checked, ${accepted} accepted, ${results.filter((r) => !r.ok && r.reason === 'throttled').length} refused unchecked`);
    expect(checked + accepted).toBeLessThanOrEqual(5);
  }, BURST_TIMEOUT_MS);
});
