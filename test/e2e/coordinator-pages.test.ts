// The coordinator's own pages, acted on as a coordinator would: what a slip or a double click does.
import { afterAll, describe, expect, it } from 'vitest';
import { addChild, addEnrollment, addGroup, addMeetingRule, addReferral } from '../support/builders';
import { COORDINATOR } from './support/accounts';
import { expectAccessible, visit, useBrowser, signedInPage, fillByLabel } from './support/browser';
import { useServerDatabase } from './support/database';

describe('the coordinator’s pages', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  afterAll(async () => {
  });

  it('closed periods: a wrong period is named at its field with the rest kept; a right one is saved; deleting it twice is no error', async () => {
    // For a group of this test's own, meeting on Wednesdays: no other test's meetings move.
    const groupName = `Lukkegruppen ${Date.now().toString(36)}`;
    await addMeetingRule(handle.db, await addGroup(handle.db, { name: groupName }), { weekday: 3 });
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: '/personale/lukkede-perioder' });
    await fillByLabel(page, { 'Navn': 'Personaledag søndag', 'Første lukkede dag': '2027-10-17', 'Sidste lukkede dag': '2027-10-16' });
    await page.getByLabel('Gælder for').selectOption({ label: groupName });
    await page.getByRole('button', { name: 'Tilføj perioden' }).click();
    await expect.poll(() => page.getByText('Perioden er ikke gemt. Ret det, der står ved felterne.').count()).toBe(1);
    expect(await page.getByLabel('Navn').inputValue()).toBe('Personaledag søndag');
    expect(await page.getByLabel('Første lukkede dag').inputValue()).toBe('2027-10-17');
    expect(await page.getByLabel('Gælder for').locator('option:checked').innerText()).toBe(groupName);
    expect(await page.locator('#f-endDate').getAttribute('aria-describedby')).toContain('f-endDate-error');
    expect(await page.locator('#f-endDate-error').innerText()).not.toBe('');
    await expectAccessible(page);

    await page.getByLabel('Sidste lukkede dag').fill('2027-10-17');
    await page.getByRole('button', { name: 'Tilføj perioden' }).click();
    await expect.poll(() => page.getByText(/^Perioden er gemt\./).count()).toBe(1);
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

  it('waiting list: a move without a reason is named at the field, a move with one is saved and can be undone in one click', async () => {
    const groupName = `Ventegruppen ${Date.now().toString(36)}`;
    const groupId = await addGroup(handle.db, { name: groupName });
    await addMeetingRule(handle.db, groupId);
    const names = ['Alma', 'Bodil'];
    for (const [i, first] of names.entries()) {
      const { childId } = await addChild(handle.db, { first_name: first, last_name: 'Ventesen', birth_date: '2016-05-01' });
      const referralId = await addReferral(handle.db, { child_id: childId, group_id: groupId, status: 'waiting', received_at: `2026-0${i + 1}-01T10:00:00.000Z` });
      await addEnrollment(handle.db, { child_id: childId, group_id: groupId, referral_id: referralId, state: 'waiting', start_date: null });
    }
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: '/personale/optag' });
    const section = page.locator('section', { has: page.getByRole('heading', { name: groupName }) });
    const order = () => section.locator('.waiting-list .waiting-name a').allInnerTexts();
    expect(await order()).toEqual(['Alma Ventesen', 'Bodil Ventesen']);

    const bodil = section.locator('li', { hasText: 'Bodil Ventesen' });
    await bodil.getByText('Flyt på listen').click();
    await bodil.getByLabel(/Ny plads/).fill('1');
    await bodil.getByRole('button', { name: 'Flyt' }).click();
    const again = page.locator('section', { has: page.getByRole('heading', { name: groupName }) }).locator('li', { hasText: 'Bodil Ventesen' });
    await expect.poll(() => again.locator('.error').count()).toBe(1);
    expect(await again.getByLabel(/Ny plads/).inputValue()).toBe('1');
    expect(await again.getByLabel('Hvorfor?').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);

    await again.getByLabel('Hvorfor?').fill('Søster starter samtidig');
    await again.getByRole('button', { name: 'Flyt' }).click();
    await expect.poll(() => page.getByText('Barnet er flyttet til plads 1 på ventelisten.').count()).toBe(1);
    expect(await order()).toEqual(['Bodil Ventesen', 'Alma Ventesen']);

    await page.getByRole('button', { name: 'Fortryd: flyt tilbage til plads 2' }).click();
    await expect.poll(() => page.getByText('Barnet er flyttet til plads 2 på ventelisten.').count()).toBe(1);
    expect(await order()).toEqual(['Alma Ventesen', 'Bodil Ventesen']);
    await context.close();
  });
});
