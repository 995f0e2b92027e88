import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COORDINATOR, LEADER } from './support/accounts';
import { expectAccessible, visit, useBrowser, signedInPage } from './support/browser';
import { useServerDatabase } from './support/database';
import { addChild, addGroup } from '../support/child-records';

describe('privacy pages for the coordinator', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  let childId: string;

  beforeAll(async () => {
    const groupId = await addGroup(handle.db, 'Privatlivsgruppen');
    childId = (await addChild(handle.db, { groupId, firstName: 'Privatina', lastName: 'Logsen', guardianName: 'Petra Logsen', enrollmentState: 'active', endedOn: null, referralStatus: 'started' })).childId;
  });

  it('insight page and JSON for one child; the log finds the export by the child’s name and downloads it for Excel', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR);

    await visit(page, `/personale/boern/${childId}/indsigt`);
    expect(await page.getByRole('heading', { level: 1, name: 'Indsigt: Privatina Logsen' }).count()).toBe(1);
    expect(await page.getByText('Petra Logsen').count()).toBeGreaterThan(0);
    const json = await page.request.get(`/personale/boern/${childId}/indsigt.json`);
    expect(json.status()).toBe(200);
    expect(json.headers()['content-disposition']).toContain('attachment');
    const report = (await json.json()) as { child: { firstName: string }; guardians: { name: string }[] };
    expect(report.child.firstName).toBe('Privatina');
    expect(report.guardians.map((g) => g.name)).toEqual(['Petra Logsen']);

    await visit(page, '/personale/log');
    await page.locator('#f-barn').fill('privatina');
    await page.getByRole('button', { name: 'Vis' }).click();
    await page.waitForURL(/barn=privatina/);
    await expectAccessible(page);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(2);
    expect(await rows.first().innerText()).toContain('Eksporteret');
    expect(await rows.first().innerText()).toContain('Privatina Logsen');
    expect(await page.locator('#f-barn').inputValue()).toBe('privatina');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Hent som regneark (CSV)' }).click(),
    ]);
    const bytes = readFileSync(await download.path());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).split('\r\n');
    expect(lines[0]?.split(';')).toContain('Barn');
    expect(lines.filter((l) => l.includes(`;Privatina Logsen;${childId};`))).toHaveLength(2);

    // A wrong date is named at the field and kept.
    await page.locator('#f-fra').fill('2026-11-23');
    await page.locator('#f-til').fill('2026-11-01');
    await page.getByRole('button', { name: 'Vis' }).click();
    await expect.poll(() => page.getByText('Til-datoen skal være samme dag som fra-datoen eller senere.').count()).toBe(1);
    expect(await page.locator('#f-til').inputValue()).toBe('2026-11-01');
    await expectAccessible(page);
    await context.close();
  });

  it('retention setting: a wrong number is explained and kept, a right one is saved', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: '/personale/indstillinger' });
    await page.locator('#f-retentionMonths').fill('130');
    await page.getByRole('button', { name: 'Gem' }).click();
    await expect.poll(() => page.getByText('Skriv et helt antal måneder fra 1 til 120.').count()).toBe(1);
    expect(await page.locator('#f-retentionMonths').inputValue()).toBe('130');
    await expectAccessible(page);

    await page.locator('#f-retentionMonths').fill('24');
    await page.getByRole('button', { name: 'Gem' }).click();
    await page.waitForURL(/gemt=1/);
    expect(await page.getByText('Indstillingen er gemt.').count()).toBe(1);
    expect(await page.locator('#f-retentionMonths').inputValue()).toBe('24');
    await expectAccessible(page);
    // Back to the default, so other files see the usual setting.
    await page.locator('#f-retentionMonths').fill('12');
    await page.getByRole('button', { name: 'Gem' }).click();
    await page.waitForURL(/gemt=1/);
    await context.close();
  });

  it('a group leader is turned away from the log, the settings and the insight export', async () => {
    const { page, context } = await signedInPage(browser, LEADER);
    await visit(page, '/personale/log', 403);
    await visit(page, '/personale/indstillinger', 403);
    await visit(page, `/personale/boern/${childId}/indsigt`, 403);
    expect(await page.getByText('Privatina').count()).toBe(0);
    expect((await page.request.get(`/personale/boern/${childId}/indsigt.json`)).status()).toBe(403);
    await context.close();
  });
});
