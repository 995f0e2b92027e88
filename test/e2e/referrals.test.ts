import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/lib/server/db';
import { FORM_TIME_MIN_MS, signFormTime } from '../../src/features/referrals/referrals';
import { FORM_SECRET_KEY } from '../../src/features/referrals/referrals.repository';
import { COORDINATOR, addAccount, type Account } from './support/accounts';
import { addLeaders } from '../support/builders';
import { addDays, todayInZone } from '../../src/lib/time';
import { baseURL, expectAccessible, newPage, visit, useBrowser, signedInPage, fillForm } from './support/browser';
import { useServerDatabase } from './support/database';

// A caseworker refers a child (errors at the fields, input kept, receipt, a double submit makes one referral, the
// list); a parent asks for a place in the girls' group (no JavaScript, the time check, thank-you page).

const CASEWORKER: Account = { email: 'raadgiver@referrals.e2e', password: 'raadgiver-adgangskode-3', name: 'Rikke Rådgiver' };
const OTHER_CASEWORKER: Account = { email: 'anden@referrals.e2e', password: 'anden-raadgiver-kode-4', name: 'Ove Anden' };
/** Leads the girls' group in the withdrawal test only (the shared leader's groups are other tests' business). */
const GIRLS_LEADER: Account = { email: 'pigeleder@referrals.e2e', password: 'pigeleder-adgangskode-5', name: 'Pia Pigeleder' };
// Names that appear nowhere else in the browser tests.
const CHILD = { first: 'Quinella', last: 'Henvisesen' };
const TWICE = { first: 'Dobbeltine', last: 'Klikkesen' };
const GIRL = 'Pernilleanna';

/**
 * The form's signed time stamp refuses anything sent within 3 seconds of showing the page. The tests do not wait on
 * the wall clock for it (on a loaded machine filling the form may itself take longer than that): they set the stamp
 * the page carries, signed with the server's secret, to the moment they choose.
 */
async function stampForm(page: Page, db: DatabaseHandle, shownMsAgo: number): Promise<void> {
  const secret = (await db.db.selectFrom('app_settings').select('value').where('key', '=', FORM_SECRET_KEY).executeTakeFirstOrThrow()).value;
  const stamp = signFormTime(secret, new Date(Date.now() - shownMsAgo));
  await page.locator('input[name="formTime"]').evaluate((input, value) => ((input as HTMLInputElement).value = value), stamp);
}

function lix(text: string): number {
  const words = text.match(/[\p{L}\p{N}]+(?:-[\p{L}]+)*/gu) ?? [];
  const sentences = text.split(/[.!?:]+(?:\s|$)|\n+/).filter((s) => /[\p{L}\p{N}]/u.test(s)).length;
  const long = words.filter((w) => w.length > 6).length;
  return words.length / Math.max(1, sentences) + (100 * long) / Math.max(1, words.length);
}

async function fillValidReferral(page: Page, child: { first: string; last: string }): Promise<void> {
  await page.locator('#f-groupId').selectOption({ label: 'Pigegruppen (7-15 år)' });
  await fillForm(page, {
    firstName: child.first, lastName: child.last, birthDate: '2016-02-29', gender: 'girl', g1Name: 'Mette Henvisesen',
    g1Phone: '20 30 40 50', reason: 'Har brug for at møde andre piger.', consent: true,
  });
}

describe('referrals in the browser', () => {
  const browser = useBrowser();
  const db = useServerDatabase();

  beforeAll(async () => {
    addAccount(inject('databaseUrl'), CASEWORKER, 'caseworker', 'ishoj');
    addAccount(inject('databaseUrl'), OTHER_CASEWORKER, 'caseworker', 'vallensbaek');
  });

  it('a caseworker gets errors at the fields with the input kept, then a receipt with a reference number', async () => {
    const { page, context } = await signedInPage(browser, CASEWORKER);
    // The caseworker's home has the button.
    expect(new URL(page.url()).pathname).toBe('/personale');
    await page.getByRole('link', { name: 'Ny henvisning' }).click();
    await page.waitForURL('**/personale/henvisninger/ny');
    await expectAccessible(page);
    // Her own municipality is chosen for her.
    expect(await page.locator('#f-municipality').inputValue()).toBe('ishoj');

    await fillValidReferral(page, CHILD);
    await page.locator('#f-gender').selectOption('boy');
    await page.locator('#f-g1Interpreter').check();
    await page.locator('#f-consent').uncheck();
    await page.getByRole('button', { name: 'Send henvisning' }).click();

    await expect.poll(() => page.getByText('Pigegruppen er kun for piger. Vælg en anden gruppe.').count()).toBe(1);
    expect(await page.locator('#f-g1Language-error').innerText()).toBe('Skriv hvilket sprog tolken skal tale.');
    expect(await page.locator('#f-consent-error').innerText()).toMatch(/enige/);
    expect(await page.locator('#f-firstName').inputValue()).toBe(CHILD.first);
    expect(await page.locator('#f-birthDate').inputValue()).toBe('2016-02-29');
    expect(await page.locator('#f-g1Phone').inputValue()).toBe('20 30 40 50');
    expect(await page.locator('#f-reason').inputValue()).toBe('Har brug for at møde andre piger.');
    expect(await page.locator('#f-g1Interpreter').isChecked()).toBe(true);
    expect(await page.locator('#f-gender').getAttribute('aria-invalid')).toBe('true');
    await expectAccessible(page);

    await fillForm(page, { gender: 'girl', g1Language: 'arabisk', consent: true });
    await page.getByRole('button', { name: 'Send henvisning' }).click();
    await page.waitForURL(/\/personale\/henvisninger\/kvittering\/[0-9a-f-]{36}$/);
    await expectAccessible(page);
    const reference = (await page.locator('.reference').innerText()).trim();
    expect(reference).toMatch(/^H-\d{4}-\d{4}$/);
    expect(await page.locator('main').innerText()).toContain(`${CHILD.first} ${CHILD.last}`);
    const receiptPath = new URL(page.url()).pathname;

    // Sent again (a new form with the same child): the form warns before a second referral is made.
    await visit(page, '/personale/henvisninger/ny');
    await fillValidReferral(page, CHILD);
    await page.locator('#f-g1Interpreter').check();
    await page.locator('#f-g1Language').fill('arabisk');
    await page.getByRole('button', { name: 'Send henvisning' }).click();
    await expect.poll(() => page.locator('#f-confirmDuplicate-error').count()).toBe(1);
    expect(await page.locator('#f-confirmDuplicate-error').innerText()).toContain(`(${reference})`);
    await expectAccessible(page);
    const sameChild = await db.db.selectFrom('children').select('id').where('first_name', '=', CHILD.first).execute();
    expect(sameChild).toHaveLength(1);
    await visit(page, receiptPath);

    await page.getByRole('link', { name: 'Se mine henvisninger' }).click();
    await page.waitForURL('**/personale/henvisninger');
    await expectAccessible(page);
    const row = page.getByRole('row').filter({ hasText: CHILD.first });
    expect(await row.count()).toBe(1);
    expect(await row.innerText()).toContain(reference);
    expect(await row.innerText()).toContain('Modtaget');
    await context.close();

    // Another caseworker sees neither the row nor the receipt.
    const other = await signedInPage(browser, OTHER_CASEWORKER, { at: '/personale/henvisninger' });
    expect(await other.page.getByText(CHILD.first).count()).toBe(0);
    await visit(other.page, receiptPath, 404);
    await other.context.close();
  });

  it('the form names each group\'s ages, says the child\'s age as it is typed, and refuses a birth date outside the band at the field', async () => {
    const { page, context } = await signedInPage(browser, CASEWORKER, { at: '/personale/henvisninger/ny' });
    // The interpreter's language is asked for only when an interpreter is needed.
    expect(await page.locator('#f-g1Language').isVisible()).toBe(false);
    await page.locator('#f-g1Interpreter').check();
    expect(await page.locator('#f-g1Language').isVisible()).toBe(true);
    await page.locator('#f-g1Interpreter').uncheck();
    expect(await page.locator('#f-g1Language').isVisible()).toBe(false);

    await fillValidReferral(page, { first: 'Aldersine', last: 'Forlille' });
    await page.locator('#f-groupId').selectOption({ label: 'Søskendegruppen børn (9-12 år)' });
    await page.locator('#f-siblingDisability').check();
    const threeYearsAgo = `${Number(todayInZone(new Date()).slice(0, 4)) - 3}-01-15`;
    await page.locator('#f-birthDate').fill(threeYearsAgo);
    await expect.poll(() => page.locator('.age-hint').innerText()).toMatch(/^Barnet er [23] år\. Søskendegruppen børn er for 9-12 år\./);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Send henvisning' }).click();
    await expect.poll(() => page.locator('#f-birthDate-error').count()).toBe(1);
    expect(await page.locator('#f-birthDate-error').innerText()).toMatch(/Søskendegruppen børn er for 9-12 år/);
    expect(await page.locator('#f-firstName').inputValue()).toBe('Aldersine');
    expect(await db.db.selectFrom('children').select('id').where('first_name', '=', 'Aldersine').execute()).toHaveLength(0);
    // 25 was the old limit for any group: 20 is refused for the girls' group as well.
    await page.locator('#f-groupId').selectOption({ label: 'Pigegruppen (7-15 år)' });
    await page.locator('#f-birthDate').fill(`${Number(todayInZone(new Date()).slice(0, 4)) - 20}-01-15`);
    await page.getByRole('button', { name: 'Send henvisning' }).click();
    await expect.poll(async () => (await page.locator('#f-birthDate-error').innerText().catch(() => '')).includes('Pigegruppen er for 7-15 år')).toBe(true);
    await context.close();
  });

  it('the same form sent several times at once (a double click) makes one referral', async () => {
    const { page, context } = await signedInPage(browser, CASEWORKER, { at: '/personale/henvisninger/ny' });
    await fillValidReferral(page, TWICE);
    // Two posts of this very form race each other, then the button is clicked as well: one key, three submits.
    const statuses = await page.evaluate(async () => {
      const form = document.querySelector<HTMLFormElement>('form.referral-form');
      if (!form) throw new Error('no form');
      const post = () => fetch(form.action || location.href, { method: 'POST', body: new FormData(form), redirect: 'manual' });
      const answers = await Promise.all([post(), post()]);
      return answers.map((a) => a.status);
    });
    expect(statuses.every((s) => s === 303 || s === 0)).toBe(true);
    await page.getByRole('button', { name: 'Send henvisning' }).click();
    await page.waitForURL(/\/kvittering\//);

    const rows = await db.db
      .selectFrom('referrals')
      .innerJoin('children', 'children.id', 'referrals.child_id')
      .select('referrals.id')
      .where('children.first_name', '=', TWICE.first)
      .execute();
    expect(rows).toHaveLength(1);
    expect(new URL(page.url()).pathname).toBe(`/personale/henvisninger/kvittering/${rows[0]?.id}`);

    await visit(page, '/personale/henvisninger');
    expect(await page.getByRole('row').filter({ hasText: TWICE.first }).count()).toBe(1);
    await context.close();
  });

  it('a caseworker opens their referral and withdraws it (a reason, then a confirmation); the group\'s leaders see it on the case', async () => {
    const { page, context } = await signedInPage(browser, CASEWORKER, { at: '/personale/henvisninger' });
    await page.getByRole('link', { name: new RegExp(TWICE.first) }).click();
    await page.waitForURL(/\/personale\/henvisninger\/[0-9a-f-]{36}$/);
    const path = new URL(page.url()).pathname;
    await expectAccessible(page);
    expect(await page.locator('.referral-status .tag').innerText()).toBe('Modtaget');
    expect(await page.getByText('Har brug for at møde andre piger.').count()).toBe(1);

    // Another caseworker is told it does not exist.
    const other = await signedInPage(browser, OTHER_CASEWORKER);
    await visit(other.page, path, 404);
    expect(await other.page.getByText(TWICE.first).count()).toBe(0);
    await other.context.close();

    // No reason: refused at the field. Then the reason: a confirmation that repeats it, and nothing changed yet.
    await page.getByRole('button', { name: 'Træk henvisningen tilbage' }).click();
    await expect.poll(() => page.locator('#f-withdraw-reason-error').count()).toBe(1);
    await expectAccessible(page);
    const reason = 'Familien er flyttet til Aarhus.';
    await page.locator('#f-withdraw-reason').fill(reason);
    await page.getByRole('button', { name: 'Træk henvisningen tilbage' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Ja, træk henvisningen tilbage' }).count()).toBe(1);
    expect(await page.getByText(`»${reason}«`).count()).toBe(1);
    await expectAccessible(page);
    const enrollmentOf = () => db.db.selectFrom('enrollments').innerJoin('children', 'children.id', 'enrollments.child_id')
      .select(['enrollments.id', 'enrollments.state', 'enrollments.group_id']).where('children.first_name', '=', TWICE.first).executeTakeFirstOrThrow();
    expect((await enrollmentOf()).state).toBe('referred');
    await page.getByRole('button', { name: 'Ja, træk henvisningen tilbage' }).click();
    await expect.poll(() => page.getByText('Henvisningen er trukket tilbage.').count()).toBe(1);
    expect(await page.locator('.referral-status .tag').innerText()).toBe('Trukket tilbage');
    expect(await page.getByRole('button', { name: 'Træk henvisningen tilbage' }).count()).toBe(0);
    expect(await page.locator('dd', { hasText: reason }).count()).toBeGreaterThan(0);
    await expectAccessible(page);
    const course = await enrollmentOf();
    expect(course.state).toBe('withdrawn');
    await context.close();

    // The group's leader sees the withdrawal and its reason on the case.
    addAccount(inject('databaseUrl'), GIRLS_LEADER, 'leader');
    const leader = await db.db.selectFrom('users').select('id').where('email', '=', GIRLS_LEADER.email).executeTakeFirstOrThrow();
    await addLeaders(db.db, course.group_id, [leader.id]);
    const asLeader = await signedInPage(browser, GIRLS_LEADER, { at: `/personale/optag/${course.id}` });
    expect(await asLeader.page.locator('.case-state .tag').innerText()).toBe('Trukket tilbage');
    expect(await asLeader.page.locator('dd', { hasText: reason }).count()).toBeGreaterThan(0);
    await asLeader.context.close();
  });

  it('a referral whose child has started cannot be withdrawn by the caseworker', async () => {
    const course = await db.db.selectFrom('enrollments').innerJoin('children', 'children.id', 'enrollments.child_id')
      .select(['enrollments.id', 'enrollments.referral_id']).where('children.first_name', '=', CHILD.first).executeTakeFirstOrThrow();
    const started = addDays(todayInZone(new Date()), -1);
    await db.db.updateTable('enrollments').set({ state: 'active', start_date: started }).where('id', '=', course.id).execute();
    await db.db.updateTable('referrals').set({ status: 'started' }).where('id', '=', course.referral_id ?? '').execute();
    const { page, context } = await signedInPage(browser, CASEWORKER, { at: `/personale/henvisninger/${course.referral_id}` });
    expect(await page.locator('.referral-status .tag').innerText()).toBe('Startet');
    expect(await page.getByRole('button', { name: 'Træk henvisningen tilbage' }).count()).toBe(0);
    const late = await page.request.post(`/personale/henvisninger/${course.referral_id}`, {
      headers: { Origin: new URL(page.url()).origin }, form: { intent: 'withdraw', reason: 'For sent', confirm: 'ja' },
    });
    expect(await late.text()).toContain('Barnet er startet i gruppen.');
    expect((await db.db.selectFrom('enrollments').select('state').where('id', '=', course.id).executeTakeFirstOrThrow()).state).toBe('active');
    await context.close();
  });

  it('the coordinator is sent from the list to the inbox', async () => {
    const { context } = await signedInPage(browser, COORDINATOR);
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const response = await fetch(`${baseURL()}/personale/henvisninger`, { headers: { cookie }, redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/personale/optag');
    await context.close();
  });

  describe('a parent asks for a place', () => {
    const path = '/grupper/pigegruppen/oensker-plads';

    it('is plain, script-free Danish; errors at the fields with the input kept; then a thank-you that shows nothing stored', async () => {
      const { page, context } = await newPage(browser);
      await visit(page, '/grupper/pigegruppen');
      await page.getByRole('link', { name: /Spørg om en plads/ }).click();
      await page.waitForURL(`**${path}`);
      await expectAccessible(page);
      expect(await page.locator('script').count()).toBe(0);
      const raw = await (await fetch(`${baseURL()}${path}`)).text();
      expect(raw).not.toMatch(/<script/i);
      expect(await page.locator('h1').innerText()).toBe('Ønsker du en plads?');
      expect(lix(await page.locator('main').innerText())).toBeLessThanOrEqual(35);
      // The honeypot is in the page but not in anyone's way.
      const honeypot = page.locator('#f-website');
      expect(await honeypot.getAttribute('tabindex')).toBe('-1');
      const box = await honeypot.boundingBox();
      expect(box === null || box.x + box.width <= 0).toBe(true);

      await fillForm(page, { parentName: 'Mette Forælder', firstName: GIRL, birthDate: '2016-02-29', message: 'Hun er lidt genert.' });
      await stampForm(page, db, FORM_TIME_MIN_MS + 60_000);
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => page.locator('#f-phone-error').count()).toBe(1);
      expect(await page.locator('#f-phone-error').innerText()).toBe('Skriv dit telefonnummer eller din e-mail.');
      expect(await page.locator('#f-municipality-error').innerText()).toBe('Vælg Ishøj eller Vallensbæk.');
      expect(await page.locator('#f-custody-error').innerText()).toMatch(/forældremyndigheden/);
      expect(await page.locator('#f-parentName').inputValue()).toBe('Mette Forælder');
      expect(await page.locator('#f-firstName').inputValue()).toBe(GIRL);
      expect(await page.locator('#f-message').inputValue()).toBe('Hun er lidt genert.');
      await expectAccessible(page);

      await fillForm(page, { email: 'mette.foraelder@referrals.e2e', municipality: 'vallensbaek', custody: true });
      await stampForm(page, db, FORM_TIME_MIN_MS + 60_000);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(`**${path}/tak`);
      await expectAccessible(page);
      const thanks = await page.locator('main').innerText();
      expect(thanks).toContain('Tak');
      expect(lix(thanks)).toBeLessThanOrEqual(35);
      expect(thanks).not.toContain(GIRL);
      expect(thanks).not.toContain('Mette');
      expect(thanks).not.toMatch(/H-\d{4}-\d{4}/);
      expect(await page.locator('script').count()).toBe(0);

      const stored = await db.db
        .selectFrom('referrals')
        .innerJoin('children', 'children.id', 'referrals.child_id')
        .select(['referrals.source', 'referrals.caseworker_id', 'referrals.status', 'children.gender'])
        .where('children.first_name', '=', GIRL)
        .execute();
      expect(stored).toEqual([{ source: 'parent', caseworker_id: null, status: 'received', gender: 'girl' }]);
      await context.close();
    });

    it('a parent\'s form refuses a 3-year-old for the girls\' group (7-15), at the birth date', async () => {
      const { page, context } = await newPage(browser);
      await visit(page, path);
      expect(await page.locator('#f-birthDate-hint').innerText()).toBe('Gruppen er for piger fra 7 til 15 år.');
      await fillForm(page, {
        parentName: 'Mette Småbørn', email: 'smaaboern@referrals.e2e', firstName: 'Lillemus',
        birthDate: `${Number(todayInZone(new Date()).slice(0, 4)) - 3}-01-15`, municipality: 'ishoj', custody: true,
      });
      await stampForm(page, db, FORM_TIME_MIN_MS + 60_000);
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => page.locator('#f-birthDate-error').count()).toBe(1);
      expect(await page.locator('#f-birthDate-error').innerText()).toMatch(/^Din datter er [23] år\. Pigegruppen er for 7-15 år\./);
      expect(await page.locator('#f-firstName').inputValue()).toBe('Lillemus');
      expect(await db.db.selectFrom('children').select('id').where('first_name', '=', 'Lillemus').execute()).toHaveLength(0);
      await context.close();
    });

    it('a form sent faster than a person can is refused with a friendly message', async () => {
      const { page, context } = await newPage(browser);
      await visit(page, path);
      await page.locator('#f-parentName').fill('Hurtig Robot');
      // Shown "now" by the test's clock: however slow the machine, the post comes well within three seconds of it
      // as the server sees it (a stamp up to a minute ahead is taken as clock skew between processes, not a forgery).
      await stampForm(page, db, -50_000);
      await page.getByRole('button', { name: 'Send' }).click();
      await expect.poll(() => page.getByText('Formularen blev sendt meget hurtigt.', { exact: false }).count()).toBe(1);
      expect(await page.locator('#f-parentName').inputValue()).toBe('Hurtig Robot');
      await expectAccessible(page);
      await context.close();
    });

    it('a filled honeypot gets the same thank-you, and nothing is stored', async () => {
      const { page, context } = await newPage(browser);
      await visit(page, path);
      await fillForm(page, { parentName: 'Bot', firstName: 'Honningkrukke', website: 'http://spam.example' });
      await page.getByRole('button', { name: 'Send' }).click();
      await page.waitForURL(`**${path}/tak`);
      const stored = await db.db.selectFrom('children').select('id').where('first_name', '=', 'Honningkrukke').execute();
      expect(stored).toHaveLength(0);
      await context.close();
    });

    it('the siblings groups take no requests from parents; the English form exists', async () => {
      const { page, context } = await newPage(browser);
      await visit(page, '/grupper/soeskendegruppen-boern/oensker-plads', 404);
      await visit(page, '/en/grupper/pigegruppen/oensker-plads');
      expect(await page.locator('h1').innerText()).toBe('Would you like a place?');
      expect(await page.locator('script').count()).toBe(0);
      await context.close();
    });
  });
});
