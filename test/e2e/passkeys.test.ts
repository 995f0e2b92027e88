// Passkeys for local accounts, in Chromium with its virtual authenticator (DevTools protocol WebAuthn domain).
// WebAuthn needs a host name for the relying party, so these pages are opened as http://localhost, not 127.0.0.1.
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { addAccount, COORDINATOR, signIn, type Account } from './support/accounts';
import { baseURL, expectAccessible, useBrowser } from './support/browser';
import { newPageAt } from './support/chromium';
import { useServerDatabase } from './support/database';

const LEADER: Account = { email: 'noegle.leder@passkeys.e2e', password: 'noegle-leder-adgangskode-1', name: 'Nina Nøgle' };

describe('passkeys', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  const localhost = () => baseURL().replace('127.0.0.1', 'localhost');

  beforeAll(async () => {
    addAccount(inject('databaseUrl'), LEADER, 'leader');
  });

  async function withAuthenticator(context: BrowserContext, page: Page): Promise<void> {
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable', {});
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
    });
  }
  async function userId(email: string): Promise<string> {
    return (await handle.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  }

  it('is added after signing in, then signs in instead of password and code; password and code still work', async () => {
    const { context, page } = await newPageAt(browser, localhost());
    await withAuthenticator(context, page);
    await signIn(page, LEADER);
    await page.getByRole('link', { name: 'Adgangsnøgler' }).click();
    await expectAccessible(page);
    await page.getByLabel('Navn på adgangsnøglen').fill('Min telefon');
    await page.getByRole('button', { name: 'Tilføj adgangsnøgle' }).click();
    await page.waitForURL((url) => url.searchParams.get('gemt') === 'tilfoejet');
    await expect(page.getByRole('row', { name: /Min telefon/ }).innerText()).resolves.toContain('Ikke brugt endnu');
    const id = await userId(LEADER.email);
    expect(await handle.db.selectFrom('passkeys').select('name').where('user_id', '=', id).execute()).toEqual([{ name: 'Min telefon' }]);

    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.waitForURL((url) => url.pathname === '/logind');
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Brug en adgangsnøgle i stedet' }).click();
    await page.waitForURL((url) => url.pathname === '/personale');
    const trail = await handle.db.selectFrom('audit_log').select('detail').where('user_id', '=', id).where('action', '=', 'sign_in').orderBy('at', 'desc').limit(1).execute();
    expect(trail[0]?.detail).toBe('adgangsnøgle');
    await page.goto('/personale/adgangsnoegler');
    await expect(page.getByRole('row', { name: /Min telefon/ }).innerText()).resolves.not.toContain('Ikke brugt endnu');
    await context.close();

    // The fallback: password and the code from the app, in a browser with no passkey.
    const other = await newPageAt(browser, localhost());
    await signIn(other.page, LEADER);
    expect(new URL(other.page.url()).pathname).toBe('/personale');
    await other.context.close();
  });

  it('shows no passkey button without JavaScript; the password form is the way in', async () => {
    const { context, page } = await newPageAt(browser, localhost(), { javaScript: false });
    await page.goto('/logind');
    await expect(page.getByRole('button', { name: 'Brug en adgangsnøgle i stedet' }).isVisible()).resolves.toBe(false);
    await expect(page.locator('#f-password').isVisible()).resolves.toBe(true);
    await context.close();
  });

  it('does not let a closed account in with its passkey', async () => {
    const account: Account = { email: 'lukket.noegle@passkeys.e2e', password: 'lukket-noegle-adgangskode-1', name: 'Lars Lukketnøgle' };
    addAccount(inject('databaseUrl'), account, 'leader');
    const { context, page } = await newPageAt(browser, localhost());
    await withAuthenticator(context, page);
    await signIn(page, account);
    await page.goto('/personale/adgangsnoegler');
    await page.getByRole('button', { name: 'Tilføj adgangsnøgle' }).click();
    await page.waitForURL((url) => url.searchParams.get('gemt') === 'tilfoejet');

    const coordinator = await newPageAt(browser, localhost());
    await signIn(coordinator.page, COORDINATOR);
    await coordinator.page.goto('/personale/brugere');
    await coordinator.page.getByRole('row', { name: /Lars Lukketnøgle/ }).getByRole('button', { name: 'Luk konto' }).click();
    await coordinator.context.close();

    await page.goto('/logind');
    await page.getByRole('button', { name: 'Brug en adgangsnøgle i stedet' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'lukket' }).innerText()).resolves.toContain('Din konto er lukket');
    expect(new URL(page.url()).pathname).toBe('/logind');
    expect((await context.cookies()).find((c) => c.name === 'session')).toBeUndefined();
    await context.close();
  });
});
