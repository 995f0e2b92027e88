import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { COORDINATOR, addAccount, forgetTotpKey, keyOnSetupPage, totpCodeNext, totpCodeNow, type Account } from './support/accounts';
import { expectAccessible, newPage, visit, useBrowser, signedInPage } from './support/browser';

const PERSON: Account = { email: 'tofaktor@two-factor.e2e', password: 'to-faktor-adgangskode-9', name: 'Tove Tofaktor' };

async function typePassword(page: Page, account: Account): Promise<void> {
  await visit(page, '/logind');
  await page.locator('#f-email').fill(account.email);
  await page.locator('#f-password').fill(account.password);
  await page.getByRole('button', { name: 'Log ind' }).click();
}

/** A 6-digit code that is not the right one now (nor a step before or after). */
function wrongCode(key: Uint8Array): string {
  const right = Number(totpCodeNow(key));
  return String((right + 500_000) % 1_000_000).padStart(6, '0');
}

describe('the second factor in the browser', () => {
  const browser = useBrowser();
  let key: Uint8Array;
  let recoveryCodes: string[] = [];

  beforeAll(async () => {
    addAccount(inject('databaseUrl'), PERSON, 'leader');
  });

  it('first sign-in: QR code and key; staff pages stay closed; a wrong code is named at the field; the right one signs in and shows ten recovery codes once', async () => {
    const { page, context } = await newPage(browser);
    await typePassword(page, PERSON);
    await page.waitForURL('**/logind/totp-opsaetning');
    const qr = page.getByRole('img', { name: 'QR-kode til appen' });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    key = await keyOnSetupPage(page);
    expect(key.byteLength).toBe(20);
    await expectAccessible(page);

    // Only the password so far: a staff page sends the person back to the second factor.
    await page.goto('/personale/grupper');
    expect(new URL(page.url()).pathname).toBe('/logind/totp-opsaetning');
    expect(new URL(page.url()).searchParams.get('naeste')).toBe('/personale/grupper');
    key = await keyOnSetupPage(page);

    await page.locator('#f-code').fill(wrongCode(key));
    await page.getByRole('button', { name: 'Bekræft' }).click();
    await expect.poll(() => page.locator('#f-code-error').textContent()).toContain('Koden passer ikke');
    await expectAccessible(page);
    // The same key is kept, so the person does not have to scan again.
    expect(await keyOnSetupPage(page)).toEqual(key);

    await page.locator('#f-code').fill(totpCodeNow(key));
    await page.getByRole('button', { name: 'Bekræft' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Gem dine gendannelseskoder' }).count()).toBe(1);
    recoveryCodes = await page.locator('ul.recovery-codes code').allInnerTexts();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    await expectAccessible(page);
    await page.getByRole('link', { name: 'Jeg har gemt koderne. Fortsæt' }).click();
    await page.waitForURL('**/personale/grupper');

    // Shown once: the setup page now just moves on.
    await page.goto('/logind/totp-opsaetning');
    expect(new URL(page.url()).pathname).toBe('/personale');
    expect(await page.getByText(recoveryCodes[0] ?? 'x').count()).toBe(0);
    await context.close();
  });

  it('the next sign-in asks for the code from the app', async () => {
    const { page, context } = await newPage(browser);
    await typePassword(page, PERSON);
    await page.waitForURL('**/logind/totp');
    await expectAccessible(page);
    await page.locator('#f-code').fill(wrongCode(key));
    await page.getByRole('button', { name: 'Log ind' }).click();
    await expect.poll(() => page.locator('#f-code-error').textContent()).toContain('Koden passer ikke');
    // Setup used this half minute's code a moment ago, and a code is accepted once: the app's next code.
    await page.locator('#f-code').fill(totpCodeNext(key));
    await page.getByRole('button', { name: 'Log ind' }).click();
    await page.waitForURL('**/personale');
    await context.close();
  });

  it('a recovery code signs in once', async () => {
    const first = await newPage(browser);
    await typePassword(first.page, PERSON);
    await first.page.waitForURL('**/logind/totp');
    await first.page.getByRole('link', { name: 'Brug en gendannelseskode' }).click();
    await first.page.waitForURL('**/logind/totp-gendannelse');
    await expectAccessible(first.page);
    await first.page.locator('#f-code').fill((recoveryCodes[0] ?? '').toUpperCase());
    await first.page.getByRole('button', { name: 'Log ind' }).click();
    await expect.poll(() => first.page.getByText('Du har 9 koder tilbage.').count()).toBe(1);
    await expectAccessible(first.page);
    await first.page.getByRole('link', { name: 'Fortsæt' }).click();
    await first.page.waitForURL('**/personale');
    await first.context.close();

    const again = await newPage(browser);
    await typePassword(again.page, PERSON);
    await again.page.waitForURL('**/logind/totp');
    await again.page.getByRole('link', { name: 'Brug en gendannelseskode' }).click();
    await again.page.locator('#f-code').fill(recoveryCodes[0] ?? '');
    await again.page.getByRole('button', { name: 'Log ind' }).click();
    await expect.poll(() => again.page.locator('#f-code-error').textContent()).toContain('brugt før');
    expect(new URL(again.page.url()).pathname).toBe('/logind/totp-gendannelse');
    await again.context.close();
  });

  it('the coordinator resets a lost factor: the person is signed out and sets it up again', async () => {
    const person = await signedInPage(browser, PERSON);

    const coordinator = await signedInPage(browser, COORDINATOR, { at: '/personale/brugere' });
    await coordinator.page.locator('#f-userId').selectOption({ label: `${PERSON.name} (${PERSON.email})` });
    await coordinator.page.getByLabel('Jeg har talt med medarbejderen og vil nulstille to-faktor').check();
    await coordinator.page.getByRole('button', { name: 'Nulstil to-faktor' }).click();
    await coordinator.page.waitForURL(/gemt=tofaktor/);
    await expect.poll(() => coordinator.page.getByText('To-faktor er nulstillet').count()).toBeGreaterThan(0);
    await expectAccessible(coordinator.page);
    await coordinator.context.close();

    await person.page.goto('/personale');
    expect(new URL(person.page.url()).pathname).toBe('/logind');
    await person.context.close();

    forgetTotpKey(PERSON.email);
    const fresh = await newPage(browser);
    await typePassword(fresh.page, PERSON);
    await fresh.page.waitForURL('**/logind/totp-opsaetning');
    expect(await keyOnSetupPage(fresh.page)).not.toEqual(key);
    await fresh.context.close();
  });
});
