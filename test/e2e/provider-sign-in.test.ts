// Staff sign in with their own municipality's login: two real OpenID Connect providers (support/oidc-provider.ts)
// stand for Ishøj and Vallensbæk; everything goes through the browser as a person would do it.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { addAccount, COORDINATOR, type Account } from './support/accounts';
import { expectAccessible, newPage, visit, useBrowser, signedInPage } from './support/browser';
import { useServerDatabase } from './support/database';
import { signInAtProvider } from './support/provider-sign-in';

describe('sign-in with the municipality’s login', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();

  afterAll(async () => {
  });

  async function account(email: string) {
    return handle.db.selectFrom('users').select(['id', 'role', 'municipality', 'password_hash', 'disabled_at']).where('email', '=', email).executeTakeFirst();
  }
  async function signInAudit(userId: string) {
    return handle.db.selectFrom('audit_log').select(['detail']).where('user_id', '=', userId).where('action', '=', 'sign_in').orderBy('at', 'desc').execute();
  }
  async function sessionCookie(context: import('playwright-core').BrowserContext) {
    return (await context.cookies()).find((c) => c.name === 'session') ?? null;
  }
  /** A return from the provider that was refused: no session, no account made, and the reason in the login's log. */
  async function expectRefused(context: import('playwright-core').BrowserContext, email: string, reason: RegExp) {
    expect(await sessionCookie(context)).toBeNull();
    expect(await account(email)).toBeUndefined();
    const trail = await handle.db.selectFrom('audit_log').select('detail').where('actor', '=', 'login:ishoj').execute();
    expect(trail.map((r) => r.detail).join('\n')).toMatch(reason);
  }

  it('shows a button per configured municipality beside the password form', async () => {
    const { context, page } = await newPage(browser);
    await visit(page, '/logind');
    await expect(page.getByRole('link', { name: 'Log ind med Ishøj Kommune' }).count()).resolves.toBe(1);
    await expect(page.getByRole('link', { name: 'Log ind med Vallensbæk Kommune' }).count()).resolves.toBe(1);
    await expect(page.locator('#f-password').count()).resolves.toBe(1);
    await context.close();
  });

  it('signs a caseworker from Ishøj in without a code of our own, makes the account with Ishøj as municipality and records amr/acr', async () => {
    const { context, page } = await newPage(browser);
    expect(await signInAtProvider(page, 'Ishøj Kommune', 'ida.ishoej')).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/personale');
    await expectAccessible(page);
    const user = await account('ida.raadgiver@ishoj.e2e');
    expect(user).toMatchObject({ role: 'caseworker', municipality: 'ishoj', password_hash: null });
    const audit = await signInAudit(user?.id ?? '');
    expect(audit[0]?.detail).toBe('Ishøj Kommune; amr=pwd mfa; acr=urn:e2e:mfa');
    // A caseworker's page, not a leader's.
    await visit(page, '/personale/henvisninger/ny');
    await visit(page, '/personale/grupper', 403);
    await context.close();
  });

  it('signs a caseworker from Vallensbæk in with Vallensbæk as municipality', async () => {
    const { context, page } = await newPage(browser);
    expect(await signInAtProvider(page, 'Vallensbæk Kommune', 'vera.vallensbaek')).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/personale');
    expect(await account('vera.raadgiver@vallensbaek.e2e')).toMatchObject({ role: 'caseworker', municipality: 'vallensbaek' });
    await context.close();
  });

  it('makes a group leader from the group claim the operator mapped to the leader role', async () => {
    const { context, page } = await newPage(browser);
    expect(await signInAtProvider(page, 'Ishøj Kommune', 'lis.leder')).toBe(303);
    expect(await account('lis.leder@ishoj.e2e')).toMatchObject({ role: 'leader', municipality: null });
    await visit(page, '/personale/grupper');
    await context.close();
  });

  it('links an existing local account by e-mail, after which its password no longer opens it', async () => {
    const local: Account = { email: 'lone.lokal@vallensbaek.e2e', password: 'lone-lokal-adgangskode-1', name: 'Lone Lokal' };
    addAccount(inject('databaseUrl'), local, 'caseworker', 'vallensbaek');
    const before = await account(local.email);
    const { context, page } = await newPage(browser);
    expect(await signInAtProvider(page, 'Vallensbæk Kommune', 'lone.lokal')).toBe(303);
    expect(new URL(page.url()).pathname).toBe('/personale');
    const after = await account(local.email);
    expect(after).toMatchObject({ id: before?.id, role: 'caseworker', municipality: 'vallensbaek', password_hash: null });
    await context.close();
    // The municipality's login is now the only way in.
    const other = await newPage(browser);
    await other.page.goto('/logind');
    await other.page.locator('#f-email').fill(local.email);
    await other.page.locator('#f-password').fill(local.password);
    await other.page.getByRole('button', { name: 'Log ind', exact: true }).click();
    await expect(other.page.getByRole('alert').innerText()).resolves.toContain('E-mail eller adgangskode er forkert');
    await other.context.close();
  });

  it('refuses a person with no mapped group kindly, and the coordinator sees the request', async () => {
    const { context, page } = await newPage(browser);
    expect(await signInAtProvider(page, 'Ishøj Kommune', 'uffe.uden')).toBe(403);
    await expect(page.getByRole('alert').innerText()).resolves.toContain('du har ikke adgang til Gruppeforløb endnu');
    await expectAccessible(page);
    expect(await sessionCookie(context)).toBeNull();
    expect(await account('uffe.uden@ishoj.e2e')).toBeUndefined();
    await context.close();

    const coordinator = await signedInPage(browser, COORDINATOR, { at: '/personale/brugere' });
    await coordinator.page.getByRole('link', { name: 'Anmodninger om adgang fra kommunernes login' }).click();
    const row = coordinator.page.getByRole('row', { name: /Uffe Udengruppe/ });
    await expect(row.innerText()).resolves.toMatch(/uffe\.uden@ishoj\.e2e\s+Ishøj Kommune\s+grp-alle-ansatte/);
    await expectAccessible(coordinator.page);
    await row.getByRole('button', { name: 'Fjern fra listen' }).click();
    await expect(coordinator.page.getByRole('status').innerText()).resolves.toContain('Anmodningen er fjernet');
    await expect(coordinator.page.getByRole('row', { name: /Uffe Udengruppe/ }).count()).resolves.toBe(0);
    await coordinator.context.close();
  });

  it('refuses a closed account at the provider’s return too', async () => {
    const first = await newPage(browser);
    expect(await signInAtProvider(first.page, 'Vallensbæk Kommune', 'lukas.lukket')).toBe(303);
    const user = await account('lukas.lukket@vallensbaek.e2e');
    // The coordinator closes the account on the staff page.
    const coordinator = await signedInPage(browser, COORDINATOR);
    await coordinator.page.goto('/personale/brugere');
    await coordinator.page.getByRole('row', { name: /Lukas Lukket/ }).getByRole('button', { name: 'Luk konto' }).click();
    await coordinator.context.close();
    expect((await account('lukas.lukket@vallensbaek.e2e'))?.disabled_at).not.toBeNull();
    // Signed out at once ...
    const staff = await first.page.goto('/personale');
    expect(new URL(staff?.url() ?? '').pathname).toBe('/logind');
    await first.context.close();
    // ... and the municipality's login no longer lets the person in.
    const again = await newPage(browser);
    expect(await signInAtProvider(again.page, 'Vallensbæk Kommune', 'lukas.lukket')).toBe(403);
    await expect(again.page.getByRole('alert').innerText()).resolves.toContain('Din konto i Gruppeforløb er lukket');
    expect(await sessionCookie(again.context)).toBeNull();
    expect((await signInAudit(user?.id ?? ''))[0]?.detail).toMatch(/^afvist: closed/);
    await again.context.close();
  });

  it('refuses a return whose state was changed on the way', async () => {
    const { context, page } = await newPage(browser);
    const issuer = inject('oidcIssuers')['ishoj'] ?? '';
    // The provider's answer is caught on its way back and sent on with another state, as an attacker would.
    await page.route((url) => url.origin === issuer && url.pathname.startsWith('/laas/'), async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      const toResume = await route.fetch({ maxRedirects: 0 });
      const resume = new URL(toResume.headers()['location'] ?? '', issuer);
      const toSite = await page.request.get(resume.href, { maxRedirects: 0 });
      const back = new URL(toSite.headers()['location'] ?? '');
      expect(back.searchParams.get('code')).toBeTruthy();
      back.searchParams.set('state', 'en-anden-tilstand');
      return route.fulfill({ status: 303, headers: { location: back.href } });
    });
    expect(await signInAtProvider(page, 'Ishøj Kommune', 'tampered.state')).toBe(400);
    await expect(page.getByRole('alert').innerText()).resolves.toContain('Log ind mislykkedes');
    await expectRefused(context, 'state@ishoj.e2e', /state/);
    await context.close();
  });

  it('refuses an ID token whose nonce is not the one this browser was given', async () => {
    const { context, page } = await newPage(browser);
    // The way to the provider is caught and sent on with another nonce: the provider signs that one into the token.
    await page.route((url) => url.pathname === '/logind/kommune/ishoj', async (route) => {
      const started = await route.fetch({ maxRedirects: 0 });
      const toProvider = new URL(started.headers()['location'] ?? '');
      expect(toProvider.searchParams.get('nonce')).toBeTruthy();
      toProvider.searchParams.set('nonce', 'en-anden-nonce-som-angriberen-valgte');
      const headers: Record<string, string> = { location: toProvider.href };
      const cookie = started.headers()['set-cookie'];
      if (cookie) headers['set-cookie'] = cookie;
      return route.fulfill({ status: 303, headers });
    });
    expect(await signInAtProvider(page, 'Ishøj Kommune', 'tampered.nonce')).toBe(400);
    await expectRefused(context, 'nonce@ishoj.e2e', /nonce/);
    await context.close();
  });

  it('refuses an ID token that has expired by the time it arrives', async () => {
    const { context, page } = await newPage(browser);
    expect(await signInAtProvider(page, 'Ishøj Kommune', 'udloebet')).toBe(400);
    await expectRefused(context, 'udloebet@ishoj.e2e', /TIMESTAMP_CHECK/);
    await context.close();
  });

  it('a burst of starts from one address: exactly the limit goes to the provider, the rest get a plain page asking them to wait', async () => {
    const limitKeys = () => handle.db.deleteFrom('rate_limits').where('key', 'like', 'oidc-start:%').execute();
    await limitKeys();
    const attempts = async () => Number((await handle.db.selectFrom('oidc_sign_in_attempts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    const before = await attempts();
    const issuer = inject('oidcIssuers')['ishoj'] ?? '';
    try {
      const answers = await Promise.all(Array.from({ length: 60 }, () => fetch(`${inject('baseURL')}/logind/kommune/ishoj`, { redirect: 'manual' })));
      const toProvider = answers.filter((r) => r.status === 303 && (r.headers.get('location') ?? '').startsWith(issuer));
      const waiting = answers.filter((r) => r.status === 429);
      expect(toProvider).toHaveLength(30);
      expect(waiting).toHaveLength(30);
      expect(Number(waiting[0]?.headers.get('retry-after'))).toBeGreaterThan(0);
      // Only the starts that went ahead left a sign-in attempt behind (expired ones may have been cleared meanwhile).
      expect(await attempts() - before).toBeLessThanOrEqual(30);

      const { context, page } = await newPage(browser);
      await visit(page, '/logind/kommune/ishoj', 429);
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Vent lidt, før du prøver igen');
      await expect(page.getByRole('alert').innerText()).resolves.toMatch(/Vent 5 minutter, og prøv så igen/);
      await context.close();
    } finally {
      await limitKeys();
    }
    const after = await fetch(`${inject('baseURL')}/logind/kommune/ishoj`, { redirect: 'manual' });
    expect(after.status).toBe(303);
  });

  it('refuses a return that this browser never started', async () => {
    const { context, page } = await newPage(browser);
    await visit(page, '/logind/kommune/ishoj/retur?code=abc&state=def', 400);
    await expect(page.getByRole('alert').innerText()).resolves.toContain('Log ind mislykkedes');
    await context.close();
  });

  it('signs out here and at the municipality’s login', async () => {
    const { context, page } = await newPage(browser);
    expect(await signInAtProvider(page, 'Ishøj Kommune', 'ida.ishoej')).toBe(303);
    const before = await handle.db.selectFrom('auth_sessions as s').innerJoin('users as u', 'u.id', 's.user_id').select('s.id').where('u.email', '=', 'ida.raadgiver@ishoj.e2e').execute();
    expect(before.length).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Log ud' }).first().click();
    // The provider asks to confirm its own sign-out, then sends the browser back.
    const issuer = inject('oidcIssuers')['ishoj'] ?? '';
    await page.waitForURL((url) => url.origin === issuer);
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.waitForURL((url) => url.pathname === '/logind');
    await expect(page.getByRole('status').innerText()).resolves.toContain('Du er logget ud');
    const after = await handle.db.selectFrom('auth_sessions').select('id').where('id', 'in', before.map((s) => s.id)).execute();
    expect(after.length).toBeLessThan(before.length);
    expect(await sessionCookie(context)).toBeNull();
    await context.close();
  });
});
