// The coordinator's own pages, acted on as a coordinator would: what a slip or a double click does.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, signIn } from './support/accounts';
import { expectAccessible, launchBrowser, newPage, visit } from './support/browser';

describe('the coordinator’s pages', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it('closed periods: a wrong period is named at its field with the rest kept; a right one is saved; deleting it twice is no error', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, ADMIN);
    await visit(page, '/personale/lukkede-perioder');
    // A Sunday far ahead: no group meets then, so no other test's meetings move.
    await page.getByLabel('Navn').fill('Personaledag søndag');
    await page.getByLabel('Første lukkede dag').fill('2027-10-17');
    await page.getByLabel('Sidste lukkede dag').fill('2027-10-16');
    await page.getByRole('button', { name: 'Tilføj perioden' }).click();
    await expect.poll(() => page.getByText('Perioden er ikke gemt. Ret det, der står ved felterne.').count()).toBe(1);
    expect(await page.getByLabel('Navn').inputValue()).toBe('Personaledag søndag');
    expect(await page.getByLabel('Første lukkede dag').inputValue()).toBe('2027-10-17');
    expect(await page.locator('#f-endDate').getAttribute('aria-describedby')).toContain('f-endDate-error');
    expect(await page.locator('#f-endDate-error').innerText()).not.toBe('');
    await expectAccessible(page);

    await page.getByLabel('Sidste lukkede dag').fill('2027-10-17');
    await page.getByRole('button', { name: 'Tilføj perioden' }).click();
    await expect.poll(() => page.getByText('Perioden er gemt. Ingen møder skulle ændres.').count()).toBe(1);
    const row = page.getByRole('row', { name: /Personaledag søndag/ });
    expect(await row.count()).toBe(1);

    // The same delete sent twice (a double click on a slow line): the second finds it gone and says it is deleted.
    const remove = row.getByRole('button', { name: /Slet/ });
    const [first] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      remove.click(),
    ]);
    expect(first.status()).toBe(303);
    const again = await context.request.post('/personale/lukkede-perioder', {
      form: { intent: 'delete', id: 'allerede-slettet' },
      headers: { origin: new URL(page.url()).origin },
      maxRedirects: 0,
    });
    expect(again.status()).toBe(303);
    expect(again.headers()['location']).toBe('/personale/lukkede-perioder?gemt=slettet');
    await visit(page, '/personale/lukkede-perioder');
    expect(await page.getByRole('row', { name: /Personaledag søndag/ }).count()).toBe(0);
    await context.close();
  });
});
