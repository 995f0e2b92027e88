import { afterAll, describe, expect, inject, it } from 'vitest';
import { COORDINATOR, LEADER, addAccount, completeSecondFactor, type Account } from './support/accounts';
import { baseURL, expectAccessible, newPage, visit, useBrowser, signedInPage, fillByLabel } from './support/browser';

describe('staff in the browser', () => {
  const browser = useBrowser();
  afterAll(async () => {
  });

  it('a wrong password is refused with the e-mail kept; the right one opens the overview', async () => {
    const { page, context } = await newPage(browser);
    await visit(page, '/logind');
    await page.locator('#f-email').fill(COORDINATOR.email);
    await page.locator('#f-password').fill('forkert-adgangskode');
    await page.getByRole('button', { name: 'Log ind' }).click();
    await expect.poll(() => page.getByText('E-mail eller adgangskode er forkert.').count()).toBeGreaterThan(0);
    expect(await page.locator('#f-email').inputValue()).toBe(COORDINATOR.email);
    await expectAccessible(page);

    await page.locator('#f-password').fill(COORDINATOR.password);
    await page.getByRole('button', { name: 'Log ind' }).click();
    await completeSecondFactor(page, COORDINATOR);
    await page.waitForURL('**/personale');
    await expect.poll(() => page.getByRole('heading', { level: 2, name: 'Pigegruppen' }).count()).toBe(1);
    await expectAccessible(page);

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === 'session');
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe('Lax');
    await context.close();
  });

  it('an anonymous visitor to a staff page is sent to sign in', async () => {
    const { page, context } = await newPage(browser);
    await page.goto('/personale/grupper');
    expect(new URL(page.url()).pathname).toBe('/logind');
    await context.close();
  });

  it('an coordinator creates a group: wrong values are named at their fields and the rest is kept; then a year of meetings with week numbers', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: '/personale/grupper/ny' });
    await page.locator('#f-name').fill('Testgruppen');
    await fillByLabel(page, {
      'Adressenavn': 'testgruppen', 'Slags gruppe': 'siblings', 'Laveste alder (år)': '12', 'Højeste alder (år)': '9', 'Pladser': '0',
    });
    await page.locator('#f-place').fill('Familiecentret, lokale 2');
    await fillByLabel(page, {
      'Hvornår kan nye starte?': 'quarterly', 'Hvilken uge i måneden': '2', 'Ugedag': '3', 'Starter kl.': '16:00', 'Slutter kl.': '18:00',
      'Lars Leder': true,
    });
    await page.getByRole('button', { name: 'Opret gruppe' }).click();

    await expect.poll(() => page.getByText('Den højeste alder skal være mindst den laveste.').count()).toBe(1);
    expect(await page.getByText('Der skal være mindst én plads.').count()).toBe(1);
    expect(await page.locator('#f-name').inputValue()).toBe('Testgruppen');
    expect(await page.locator('#f-place').inputValue()).toBe('Familiecentret, lokale 2');
    expect(await page.getByLabel('Lars Leder').isChecked()).toBe(true);
    await expectAccessible(page);

    await fillByLabel(page, { 'Laveste alder (år)': '9', 'Højeste alder (år)': '12', 'Pladser': '8' });
    await page.getByRole('button', { name: 'Opret gruppe' }).click();
    await page.waitForURL(/\/personale\/grupper\/[^/]+\?gemt=oprettet/);
    await expectAccessible(page);

    await page.goto('/personale/grupper');
    await page.getByRole('link', { name: 'Se møder for Testgruppen' }).click();
    await page.waitForURL(/\/moeder$/);
    await expectAccessible(page);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThanOrEqual(11);
    expect(await rows.count()).toBeLessThanOrEqual(13);
    const firstWeek = (await rows.first().locator('td').first().innerText()).trim();
    expect(await page.locator('thead th').first().innerText()).toBe('Uge');
    expect(firstWeek).toMatch(/^\d{1,2}$/);
    // A second-Wednesday rule: every listed date is a Wednesday.
    const dates = await rows.locator('td:nth-child(2)').allInnerTexts();
    expect(dates.every((d) => d.startsWith('onsdag'))).toBe(true);
    await context.close();
  });

  it('one meeting is moved without touching the others', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR);
    await page.goto('/personale/grupper');
    await page.getByRole('link', { name: 'Se møder for Testgruppen' }).click();
    await page.waitForURL(/\/moeder$/);
    const before = await page.locator('tbody tr td:nth-child(2)').allInnerTexts();

    await page.locator('tbody tr').nth(1).getByRole('link', { name: /Flyt eller aflys/ }).click();
    await expectAccessible(page);
    const dateField = page.getByLabel('Ny dato');
    const oldDate = await dateField.inputValue();
    const newDate = new Date(`${oldDate}T12:00:00Z`);
    newDate.setUTCDate(newDate.getUTCDate() + 1);
    await dateField.fill(newDate.toISOString().slice(0, 10));
    await page.getByLabel('Starter kl.').fill('17:00');
    await page.getByLabel('Slutter kl.').fill('19:00');
    await page.getByRole('button', { name: 'Flyt mødet' }).click();
    await page.waitForURL(/\/moeder\?gemt=/);
    await expectAccessible(page);

    const after = await page.locator('tbody tr td:nth-child(2)').allInnerTexts();
    expect(after).toHaveLength(before.length);
    expect(after[1]).toMatch(/^torsdag/);
    expect(after.filter((d, i) => d !== before[i])).toHaveLength(1);
    expect(await page.locator('tbody tr').nth(1).locator('.tag.moved').count()).toBe(1);
    expect(await page.locator('tbody tr').nth(1).innerText()).toContain('17.00-19.00');
    expect(await page.locator('.tag.moved').count()).toBe(1);
    await context.close();
  });

  it('a leader sees the groups they lead and is kept out of staff accounts', async () => {
    const { page, context } = await signedInPage(browser, LEADER, { at: '/personale' });
    expect(await page.getByRole('heading', { level: 2, name: 'Testgruppen' }).count()).toBe(1);
    expect(await page.getByRole('heading', { level: 2, name: 'Pigegruppen' }).count()).toBe(0);
    const res = await page.goto('/personale/brugere');
    expect(res?.status()).toBe(403);
    await expectAccessible(page);
    await context.close();
  });

  it('the coordinator changes a role: a demoted coordinator is out of the coordinator pages on the next click; a role that cannot be given is named at that account', async () => {
    const second: Account = { email: 'anden.koordinator@e2e.test', password: 'anden-koordinator-adgangskode-7', name: 'Cecilie Anden' };
    addAccount(inject('databaseUrl'), second, 'coordinator');
    const demoted = await signedInPage(browser, second, { at: '/personale/brugere' });

    const { page, context } = await signedInPage(browser, COORDINATOR, { at: '/personale/brugere' });
    await page.getByLabel(`Rolle for ${second.name}`).selectOption('leader');
    await page.getByRole('button', { name: `Skift rolle for ${second.name}` }).click();
    await page.waitForURL('**/personale/brugere?gemt=rolle');
    expect(await page.getByText('Rollen er skiftet.').count()).toBe(1);
    expect(await page.getByLabel(`Rolle for ${second.name}`).inputValue()).toBe('leader');
    await expectAccessible(page);

    // Still signed in, but a leader from the very next request.
    const res = await demoted.page.goto('/personale/brugere');
    expect(res?.status()).toBe(403);
    await visit(demoted.page, '/personale');
    await demoted.context.close();

    // A leader has no municipality, so cannot be made a caseworker: the message stands at that account's role.
    await page.getByLabel(`Rolle for ${LEADER.name}`).selectOption('caseworker');
    await page.getByRole('button', { name: `Skift rolle for ${LEADER.name}` }).click();
    await page.waitForLoadState();
    const field = page.getByRole('row').filter({ hasText: LEADER.email });
    expect(await field.getByText('En familierådgiver skal høre til en kommune').count()).toBe(1);
    expect(await page.getByLabel(`Rolle for ${LEADER.name}`).inputValue()).toBe('caseworker');
    expect(await page.getByLabel(`Rolle for ${second.name}`).inputValue()).toBe('leader');
    await expectAccessible(page);
    await context.close();
  });

  it('the health check answers', async () => {
    const res = await fetch(`${baseURL()}/healthz`);
    expect(res.status).toBe(200);
  });
});
