import { beforeAll, describe, expect, it } from 'vitest';
import { issueFamilyLink } from '../../src/features/families/families.service';
import { COORDINATOR, type Account } from './support/accounts';
import { expectAccessible, newPage, visit, useBrowser, signedInPage } from './support/browser';
import { useServerDatabase } from './support/database';
import { arrangeGroup, type ArrangedGroup } from './support/arrange';

const LEADER_F: Account = { email: 'familie-leder@e2e.test', password: 'familie-adgangskode-1', name: 'Fie Familieleder' };

describe('the family link', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  let fixture: ArrangedGroup;

  beforeAll(async () => {
    fixture = await arrangeGroup(handle.db, {
      leader: LEADER_F, name: 'Familiegruppen', rule: true,
      meetings: [new Date(Date.now() + 2 * 24 * 3600_000)], meetingSpec: { place: 'Familiecentret, lokale 2' },
      children: [{ first_name: 'Sofie', last_name: 'Skjultnavn', birth_date: '2015-08-01', municipality: 'vallensbaek' }],
    });
  });

  it('a parent reports afbud with a message on the family page, and the leader sees it on the list', async () => {
    const { path } = await issueFamilyLink(handle.db, fixture.leader, fixture.childId, new Date());

    const parent = await newPage(browser, { phone: true });
    const response = await parent.page.goto(path);
    expect(response?.status()).toBe(200);
    const headers = response?.headers() ?? {};
    expect(headers['cache-control']).toBe('private, no-store');
    expect(headers['x-robots-tag']).toBe('noindex, nofollow');
    expect(headers['referrer-policy']).toBe('same-origin');
    expect(await parent.page.locator('meta[name="robots"]').getAttribute('content')).toContain('noindex');
    expect(await parent.page.locator('script').count()).toBe(0);
    await expectAccessible(parent.page);
    const text = await parent.page.locator('main').innerText();
    expect(text).toContain('Sofie går i Familiegruppen.');
    expect(text).not.toContain('Skjultnavn');
    expect(await parent.page.locator('a[href^="webcal://"]').count()).toBe(1);

    await parent.page.getByText('Meld afbud').first().click();
    await parent.page.getByLabel('Besked til os (hvis du vil)').fill('Sofie har feber');
    await parent.page.getByRole('button', { name: 'Meld afbud' }).click();
    await parent.page.waitForURL(/gemt=absence/);
    expect(await parent.page.getByText('Tak. Vi har fået dit afbud.').count()).toBe(1);
    expect(await parent.page.getByText('Din besked: »Sofie har feber«').count()).toBe(1);
    await expectAccessible(parent.page);

    await visit(parent.page, `${path}?lang=en`);
    expect(await parent.page.locator('html').getAttribute('lang')).toBe('en');
    expect(await parent.page.getByRole('button', { name: /Undo/ }).count()).toBe(1);
    await parent.context.close();

    const staff = await signedInPage(browser, LEADER_F, { at: `/personale/fremmoede/${fixture.meetingIds[0]}`, phone: true });
    expect(await staff.page.getByText('Afbud fra familien: »Sofie har feber«').count()).toBe(1);
    expect(await staff.page.locator('[data-row]').first().getAttribute('data-mark')).toBe('excused');
    await staff.context.close();
  });

  it('staff make a link with a QR code, make a new one (the old shows the kind page), and close it', async () => {
    const staff = await signedInPage(browser, LEADER_F, { at: `/personale/boern/${fixture.childId}`, phone: true });
    // A link exists from the test above: a new one needs the confirmation.
    await staff.page.getByRole('button', { name: 'Lav et nyt link' }).click();
    await expect.poll(() => staff.page.getByText('Sæt flueben for at lave et nyt link.', { exact: false }).count()).toBe(1);
    await staff.page.getByLabel('Ja, luk det gamle link og lav et nyt').check();
    await staff.page.getByRole('button', { name: 'Lav et nyt link' }).click();
    await expect.poll(() => staff.page.locator('#family-url').count()).toBe(1);
    await expectAccessible(staff.page);
    const first = await staff.page.locator('#family-url').inputValue();
    expect(first).toMatch(/\/familie\/[a-z2-7]{39}$/);
    expect(await staff.page.locator('img.qr').getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(await staff.page.locator('img.qr').getAttribute('alt')).toContain('QR-kode');
    // The link is shown whole, and one tap copies it.
    expect(await staff.page.locator('.link-whole').innerText()).toBe(first);
    const copy = staff.page.getByRole('button', { name: 'Kopiér linket' });
    expect(await copy.isVisible()).toBe(true);
    await copy.click();
    await expect.poll(() => staff.page.getByRole('button', { name: 'Kopieret' }).count()).toBe(1);

    await staff.page.getByRole('button', { name: 'Lav et nyt link' }).click();
    await expect.poll(async () => (await staff.page.locator('#family-url').inputValue().catch(() => first)) !== first).toBe(true);
    const second = await staff.page.locator('#family-url').inputValue();

    const parent = await newPage(browser, { phone: true });
    await visit(parent.page, new URL(first).pathname, 404);
    expect(await parent.page.getByRole('heading', { name: 'Linket virker ikke mere' }).count()).toBe(1);
    expect(await parent.page.locator('a[href^="tel:"]').count()).toBeGreaterThan(0);
    expect((await parent.page.request.get(`${new URL(first).pathname}/kalender.ics`)).status()).toBe(404);
    const feed = await parent.page.request.get(`${new URL(second).pathname}/kalender.ics`);
    expect(feed.status()).toBe(200);
    expect(feed.headers()['content-type']).toContain('text/calendar');
    expect(await feed.text()).not.toContain('Skjultnavn');
    await visit(parent.page, new URL(second).pathname);

    await visit(staff.page, `/personale/boern/${fixture.childId}`);
    await staff.page.getByLabel('Ja, luk linket').check();
    await staff.page.getByRole('button', { name: 'Luk linket' }).click();
    await staff.page.waitForURL(/gemt=lukket/);
    await expectAccessible(staff.page);
    await visit(parent.page, new URL(second).pathname, 404);
    await staff.context.close();
    await parent.context.close();
  });

  it('a cancelled meeting shows the leader\'s reason on the family page and in the family feed, never on public pages', async () => {
    const staff = await signedInPage(browser, LEADER_F, { at: `/personale/moeder/${fixture.meetingIds[0]}` });
    // Each form's reason box has its own id, and each label points at its own box.
    expect(await staff.page.locator('[id="f-reason"]').count()).toBe(0);
    expect(await staff.page.getByLabel('Hvorfor aflyses mødet?').getAttribute('id')).toBe('f-cancel-reason');
    expect(await staff.page.getByLabel('Hvorfor flyttes mødet? (frivilligt)').getAttribute('id')).toBe('f-move-reason');
    await staff.page.getByLabel('Hvorfor aflyses mødet?').fill('Lederen er syg');
    await staff.page.getByLabel('Ja, aflys mødet').check();
    await staff.page.getByRole('button', { name: 'Aflys mødet' }).click();
    await staff.page.waitForURL(/gemt=aflyst/);
    const { path } = await issueFamilyLink(handle.db, fixture.leader, fixture.childId, new Date());
    await staff.context.close();

    const parent = await newPage(browser, { phone: true });
    await visit(parent.page, path);
    expect(await parent.page.getByText('Mødet er aflyst. Grund: Lederen er syg').count()).toBe(1);
    const feed = await (await parent.page.request.get(`${path}/kalender.ics`)).text();
    expect(feed.replace(/\r\n[ \t]/g, '')).toContain('Mødet er aflyst. Grund: Lederen er syg');
    const group = await handle.db.selectFrom('meetings').innerJoin('groups', 'groups.id', 'meetings.group_id').select('groups.slug').where('meetings.id', '=', fixture.meetingIds[0]!).executeTakeFirstOrThrow();
    for (const publicPath of [`/grupper/${group.slug}`, `/grupper/${group.slug}.ics`]) {
      const answer = await parent.page.request.get(publicPath);
      expect(await answer.text()).not.toContain('Lederen er syg');
    }
    await parent.context.close();
  });

  it('the log and the insight page read as Danish sentences: no code words, no raw JSON', async () => {
    const coordinator = await signedInPage(browser, COORDINATOR);
    const codeWords = /\b(enrollment|attendance|family_link|referral|meeting_note|conversation|closed_period|feed_token|sign_in|caseworker|familielink:)\b|\{"/;
    await visit(coordinator.page, '/personale/log');
    const log = await coordinator.page.locator('main table').innerText();
    expect(log).not.toMatch(codeWords);
    expect(log).toMatch(/\b(Så|Ændrede|Oprettede|Slettede|Hentede) [a-zæøå]/);
    await visit(coordinator.page, `/personale/boern/${fixture.childId}/indsigt`);
    const insight = await coordinator.page.locator('main').innerText();
    expect(insight).not.toMatch(codeWords);
    expect(insight).toContain('Familien (via familielinket)');
    expect(insight).toContain('Oprettede fremmøde. Afbud fra familien.');
    expect(insight).toContain('Oprettede familielinket.');
    expect(insight).toContain('Så barnets oplysninger.');
    await coordinator.context.close();
  });

  it('the public group page offers the calendar as a QR code too: an SVG image, no script', async () => {
    const { page, context } = await newPage(browser, { phone: true });
    await visit(page, '/grupper/pigegruppen');
    const qr = page.getByRole('img', { name: 'QR-kode til gruppens kalender' });
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;base64,/);
    const svg = Buffer.from((await qr.getAttribute('src') ?? '').split(',')[1] ?? '', 'base64').toString('utf8');
    expect(svg).toContain('<svg');
    expect(svg).not.toMatch(/<script/i);
    expect(await page.locator('script').count()).toBe(0);
    await context.close();
  });
});
