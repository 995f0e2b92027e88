import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, todayInZone, zonedToInstant } from '../../src/lib/time';
import { COORDINATOR, addAccount, type Account } from './support/accounts';
import { expectAccessible, visit, useBrowser, signedInPage } from './support/browser';
import { useServerDatabase } from './support/database';
import { addChild, addEnrollment, addMark, addReferral } from '../support/builders';

// The coordinator's yearly figures in the browser, on a small group of this file's own (archived, so it shows on
// no other page): two children, one from each municipality, two meetings held in January and one cancelled.

const SUFFIX = randomUUID().slice(0, 6);
const GROUP = `Figurgruppen ${SUFFIX}`;
const CHILD_A = { first: 'Asta', last: `Tallesen${SUFFIX}` };
const CHILD_B = { first: 'Bodil', last: `Tællersen${SUFFIX}` };
const SECOND_COORDINATOR: Account = { email: `tal-${SUFFIX}@e2e.test`, password: 'anden-koordinator-adgangskode-3', name: 'Tove Talsen' };

describe('yearly figures in the browser', () => {
  const browser = useBrowser();
  const server = useServerDatabase();
  // A year whose January is safely past: the year of the day 60 days ago.
  const year = Number(addDays(todayInZone(new Date()), -60).slice(0, 4));
  const heldId = randomUUID();
  const secondId = randomUUID();

  beforeAll(async () => {
    addAccount(inject('databaseUrl'), SECOND_COORDINATOR, 'coordinator');
    const db = server.db;
    const at = new Date().toISOString();
    const groupId = randomUUID();
    await db.insertInto('groups').values({
      id: groupId, slug: `figurgruppen-${SUFFIX}`, name: GROUP, kind: 'siblings', min_age: 9, max_age: 12, girls_only: 0,
      capacity: 6, place: 'Familiecentret', intake_rule: 'quarterly', max_course_months: 12, public_description: '',
      archived_at: at, created_at: at, updated_at: at,
    }).execute();
    const meeting = (id: string, date: string, status: 'planned' | 'cancelled') => ({
      id, group_id: groupId, occurrence_key: date.slice(0, 7) + (status === 'cancelled' ? '-x' : date.slice(7)),
      starts_at: zonedToInstant(date, '16:00').toISOString(), ends_at: zonedToInstant(date, '18:00').toISOString(),
      place: 'Familiecentret', status, created_at: at, updated_at: at,
    });
    await db.insertInto('meetings').values([
      meeting(heldId, `${year}-01-14`, 'planned'),
      meeting(secondId, `${year}-01-21`, 'planned'),
      meeting(randomUUID(), `${year}-01-28`, 'cancelled'),
    ]).execute();
    await db.insertInto('intake_windows').values({ id: randomUUID(), group_id: groupId, quarter_start: `${year}-01-01`, meeting_id: heldId, places: null, created_at: at }).execute();
    const enrollments: string[] = [];
    for (const [child, municipality] of [[CHILD_A, 'ishoj'], [CHILD_B, 'vallensbaek']] as const) {
      const { childId } = await addChild(db, {
        first_name: child.first, last_name: child.last, birth_date: `${year - 10}-03-01`, municipality, has_sibling_with_disability: 1, created_at: at, updated_at: at,
      });
      const referralId = randomUUID();
      await addReferral(db, {
        id: referralId, reference: `FIG-${referralId.slice(0, 8)}`, group_id: groupId, child_id: childId, status: 'started', reason: '', custody_consent: 1,
        received_at: zonedToInstant(`${year - 1}-12-15`, '10:00').toISOString(), updated_at: at,
      });
      enrollments.push(await addEnrollment(db, { child_id: childId, group_id: groupId, referral_id: referralId, start_date: `${year}-01-14`, created_at: at, updated_at: at }));
    }
    await addMark(db, { meeting_id: heldId, enrollment_id: enrollments[0] ?? '', recorded_at: at });
    await addMark(db, { meeting_id: heldId, enrollment_id: enrollments[1] ?? '', status: 'absent', recorded_at: at });
    await addMark(db, { meeting_id: secondId, enrollment_id: enrollments[0] ?? '', recorded_at: at });
  });

  /** The cells of the table row whose first two cells are the group and the label. */
  async function row(page: import('playwright-core').Page, caption: string, label: string): Promise<string[]> {
    const table = page.locator('table', { has: page.locator('caption', { hasText: caption }) }).first();
    const tr = table.locator('tbody tr', { has: page.locator('th', { hasText: GROUP }) }).filter({ has: page.locator('td', { hasText: new RegExp(`^${label}$`) }) });
    return (await tr.first().locator('td').allInnerTexts()).map((t) => t.trim());
  }

  it('shows the year’s tables and charts, accessible, and hands out CSV files Excel reads', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: '/personale' });
    await page.getByRole('link', { name: 'Tal og statistik' }).click();
    await page.waitForURL('**/personale/tal');
    await expectAccessible(page);
    await page.locator('#aar').selectOption(String(year));
    await page.getByRole('button', { name: 'Vis året' }).click();
    await page.waitForURL(`**/personale/tal?aar=${year}`);
    await expectAccessible(page);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Tal og statistik ${year}`);

    // Forløb: Kommune, Forløb, Børn, Nye, Afsluttede, gns. ventetid, længste ventetid (30 days from 15 December).
    expect(await row(page, 'Forløb og børn', 'Ishøj')).toEqual(['Ishøj', '1', '1', '1', '0', '30', '30']);
    expect(await row(page, 'Forløb og børn', 'Vallensbæk')).toEqual(['Vallensbæk', '1', '1', '1', '0', '30', '30']);
    expect(await row(page, 'Forløb og børn', 'I alt')).toEqual(['I alt', '2', '2', '2', '0', '30', '30']);
    // Fremmøde: 2 present, 1 absent of 3 marks; Bodil has no mark at the second meeting.
    expect(await row(page, 'Fremmøde ', 'I alt')).toEqual(['I alt', '2', '0', '1', '66,7', '1']);
    const meetings = page.locator('table', { has: page.locator('caption', { hasText: 'Møder' }) }).first();
    expect((await meetings.locator('tbody tr', { has: page.locator('th', { hasText: GROUP }) }).locator('td').allInnerTexts())).toEqual(['2', '1', '0']);

    // Three charts as images with a name, each with its numbers.
    expect(await page.getByRole('img', { name: new RegExp(`Fremmøde pr. måned ${year}`) }).count()).toBe(1);
    expect(await page.getByRole('img', { name: new RegExp(`Gennemsnitlig ventetid pr. kvartal ${year}`) }).count()).toBe(1);
    expect(await page.getByRole('img', { name: new RegExp(`Børn i ${GROUP} ved optag`) }).count()).toBe(1);
    expect(await page.locator('svg style, svg [style]').count()).toBe(0);
    await page.getByText('Se tallene: ledige pladser ved optag').click();
    expect(await row(page, 'Ledige pladser ved optag', `14. jan. ${year}`)).toEqual([`14. jan. ${year}`, '6', '2', '4']);

    // The CSV: byte order mark, semicolons, decimal comma, Danish date.
    const csv = await page.request.get(`/personale/tal/fremmoede.csv?aar=${year}`);
    expect(csv.status()).toBe(200);
    expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers()['content-disposition']).toContain(`tal-fremmoede-${year}.csv`);
    const bytes = await csv.body();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).toBe('Gruppe;Kommune;Mødt;Afbud;Udeblevet;Fremmøde (%);Ikke registreret');
    expect(text).toContain(`${GROUP};I alt;2;0;1;66,7;1\r\n`);
    const windows = (await (await page.request.get(`/personale/tal/optag.csv?aar=${year}`)).body()).toString('utf8');
    expect(windows).toContain(`${GROUP};14.01.${year};6;2;4\r\n`);
    expect((await page.request.get(`/personale/tal/findes-ikke.csv?aar=${year}`)).status()).toBe(404);
    await context.close();
  });

  it('shows the memo’s figures split by municipality, in tables, charts and CSV files, small counts as "under 5"', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/tal?aar=${year}` });
    // Families and runs: one child (one family) in each municipality, both started on 14 January: one run.
    expect(await row(page, 'Familier og hold', 'Ishøj')).toEqual(['Ishøj', 'under 5', '1']);
    expect(await row(page, 'Familier og hold', 'Vallensbæk')).toEqual(['Vallensbæk', 'under 5', '1']);
    expect(await row(page, 'Familier og hold', 'I alt')).toEqual(['I alt', 'under 5', '1']);
    // The waiting list: both children waited from 15 December to 14 January (30 days); under five on average.
    await page.getByText('Se tallene: ventelisten pr. måned og længste ventetid').click();
    const waiting = await row(page, 'Venteliste', 'I alt');
    expect(waiting[0]).toBe('I alt');
    expect(waiting[1]).toBe('under 5');
    expect(waiting.at(-1)).toBe('30');
    expect((await row(page, 'Venteliste', 'Vallensbæk')).at(-1)).toBe('30');
    // The charts, each an image with a name; the progress counts as a chart per municipality.
    for (const name of [`Familier pr. kommune ${year}`, `Hold startet pr. gruppe ${year}`, `Børn på ventelisten i gennemsnit pr. måned ${year}`,
      `Fremgang ${year}, Ishøj`, `Fremgang ${year}, Vallensbæk`, `Fremgang ${year}, I alt`]) {
      expect(await page.getByRole('img', { name: new RegExp(name) }).count(), name).toBe(1);
    }
    await expectAccessible(page);
    // The same figures in the CSV files.
    const families = (await (await page.request.get(`/personale/tal/familier.csv?aar=${year}`)).body()).toString('utf8');
    expect(families).toContain('Gruppe;Kommune;Familier;Hold startet\r\n');
    expect(families).toContain(`${GROUP};Ishøj;under 5;1\r\n`);
    expect(families).toContain(`${GROUP};Vallensbæk;under 5;1\r\n`);
    const list = await page.request.get(`/personale/tal/venteliste.csv?aar=${year}`);
    expect(list.headers()['content-disposition']).toContain(`tal-venteliste-${year}.csv`);
    const listText = (await list.body()).toString('utf8');
    expect(listText).toMatch(new RegExp(`${GROUP};I alt;under 5;[^\r\n]*;30\r\n`));
    await context.close();
  });

  it('prints an attendance list with the members’ names and empty boxes', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/moeder/${heldId}/liste` });
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(`Fremmødeliste: ${GROUP}`);
    expect(await page.getByRole('rowheader').allInnerTexts()).toEqual([`${CHILD_A.first} ${CHILD_A.last}`, `${CHILD_B.first} ${CHILD_B.last}`]);
    expect(await page.locator('table.sheet .box').count()).toBe(6);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.staff-header').isVisible()).toBe(false);
    await visit(page, `/personale/moeder/${randomUUID()}/liste`, 404);
    await context.close();
  });

  it('takes three smiley answers without JavaScript, says thank you, and the trend shows on the figures page', async () => {
    // axe needs JavaScript in the page, so every state of the page is checked in a second, scripted tab.
    const checker = await signedInPage(browser, COORDINATOR);
    const { page, context } = await signedInPage(browser, COORDINATOR, { javaScript: false });
    await page.goto(`/personale/feedback/${secondId}`);
    await visit(checker.page, `/personale/feedback/${secondId}`);
    expect(await page.getByText('Spørgsmål 1 af 3').count()).toBe(1);
    expect(await page.getByText('De voksne hørte efter, hvad jeg sagde').count()).toBe(1);
    await page.getByRole('button', { name: 'Ja', exact: true }).click({ timeout: 5000 });
    await page.waitForURL(/spm=good/, { timeout: 10_000 });
    await visit(checker.page, new URL(page.url()).pathname + new URL(page.url()).search);
    await page.getByRole('button', { name: 'Lidt', exact: true }).click({ timeout: 5000 });
    await page.waitForURL(/spm=again/, { timeout: 10_000 });
    await page.getByRole('button', { name: 'Nej', exact: true }).click({ timeout: 5000 });
    await page.waitForURL(/tak=1/, { timeout: 10_000 });
    await visit(checker.page, new URL(page.url()).pathname + new URL(page.url()).search);
    expect(await page.getByRole('status').innerText()).toContain('Tak!');
    expect(await page.getByText('Spørgsmål 1 af 3').count()).toBe(1);

    const figures = checker.page;
    await visit(figures, `/personale/tal?aar=${year}`);
    const feedback = figures.locator('table', { has: figures.locator('caption', { hasText: 'Børnenes svar' }) }).first();
    const cells = await feedback.locator('tbody tr', { has: figures.locator('th', { hasText: GROUP }) }).locator('td').allInnerTexts();
    expect(cells).toEqual(['januar', '3', '2', '1', '1']);
    await checker.context.close();
    await context.close();
  });

  it('shows a kept page only to the coordinator it was made for, and a corrected mark at once', async () => {
    const path = `/personale/tal?aar=${year}`;
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: path });
    expect(await row(page, 'Fremmøde ', 'I alt')).toEqual(['I alt', '2', '0', '1', '66,7', '1']);
    // Shown again as it was rendered (kept), with the same headers as any staff page.
    const again = await page.request.get(path);
    expect(again.status()).toBe(200);
    expect(again.headers()['content-type']).toContain('text/html');
    expect(again.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await again.text()).toContain('Karin Koordinator');

    // Another coordinator gets a page with her own name on it, never the first one's.
    const other = await signedInPage(browser, SECOND_COORDINATOR, { at: path });
    expect(await other.page.locator('.who').innerText()).toContain(SECOND_COORDINATOR.name);
    expect(await other.page.content()).not.toContain('Karin Koordinator');
    await other.context.close();

    // Bodil did come to the first meeting after all: the coordinator corrects the mark on the sheet (no JavaScript).
    const plain = await signedInPage(browser, COORDINATOR, { javaScript: false });
    await plain.page.goto(`/personale/fremmoede/${heldId}`);
    await plain.page.getByRole('group', { name: new RegExp(CHILD_B.first) }).getByLabel('Mødt').check();
    await plain.page.getByRole('button', { name: 'Gem fremmøde' }).click();
    await plain.page.waitForURL(/gemt=fremmoede/);
    await plain.context.close();

    await visit(page, path);
    expect(await row(page, 'Fremmøde ', 'I alt')).toEqual(['I alt', '3', '0', '0', '100', '1']);
    await context.close();
  });
});
