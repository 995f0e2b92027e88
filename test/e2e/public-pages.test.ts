import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addAccount, type Account } from './support/accounts';
import { baseURL, expectAccessible, newPage, visit, useBrowser, signedInPage } from './support/browser';
import { addChild, addConversation, addLeaders } from '../support/builders';
import { useServerDatabase } from './support/database';

// The public pages as parents and children meet them: every page is checked with axe (in visit), carries no
// JavaScript, reads plainly, works on a phone, and the calendar feed behind the button answers like a feed.

const GROUPS = ['pigegruppen', 'soeskendegruppen-boern', 'soeskendegruppen-unge'] as const;
// A child the test adds, with a conversation in the girls' group: the name must show up nowhere public.
const CHILD = { first: 'Zelmira', last: 'Testesen-Hemmelig' };
// A group leader of the girls' group who holds that conversation, for the personal staff feed.
const FEED_LEADER: Account = { email: 'kalender-leder@e2e.test', password: 'kalender-adgangskode-7', name: 'Kalle Kalender' };

/** LIX = words per sentence + 100 × share of words over six letters. Lines (headings, list items) end a sentence. */
function lix(text: string): number {
  const words = text.match(/[\p{L}\p{N}]+(?:-[\p{L}]+)*/gu) ?? [];
  const sentences = text.split(/[.!?:]+(?:\s|$)|\n+/).filter((s) => /[\p{L}\p{N}]/u.test(s)).length;
  const long = words.filter((w) => w.length > 6).length;
  return words.length / Math.max(1, sentences) + (100 * long) / Math.max(1, words.length);
}

async function rawHtml(path: string): Promise<string> {
  const res = await fetch(`${baseURL()}${path}`);
  expect(res.status, path).toBe(200);
  expect(res.headers.get('cache-control'), path).toMatch(/max-age=\d+, must-revalidate/);
  return res.text();
}

async function expectNoScript(page: Page, path: string): Promise<void> {
  expect(await page.locator('script').count(), `<script> on ${path}`).toBe(0);
  expect(await rawHtml(path), `<script> in ${path}`).not.toMatch(/<script/i);
}

async function mainText(page: Page): Promise<string> {
  return page.locator('main').innerText();
}

describe('public pages', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  let childId: string;

  beforeAll(async () => {
    const girls = await handle.db.selectFrom('groups').select('id').where('slug', '=', 'pigegruppen').executeTakeFirstOrThrow();
    addAccount(inject('databaseUrl'), FEED_LEADER, 'leader');
    const leader = await handle.db.selectFrom('users').select('id').where('email', '=', FEED_LEADER.email).executeTakeFirstOrThrow();
    await addLeaders(handle.db, girls.id, [leader.id]);
    const at = new Date().toISOString();
    ({ childId } = await addChild(handle.db, { first_name: CHILD.first, last_name: CHILD.last, created_at: at, updated_at: at }));
    await addConversation(handle.db, {
      child_id: childId, group_id: girls.id, leader_id: leader.id, starts_at: new Date(Date.now() + 7 * 24 * 3600_000).toISOString(),
      place: 'Familiecentret, Ishøj', note: `${CHILD.first} ${CHILD.last}`, created_at: at, updated_at: at,
    });
  });

  afterAll(async () => {
    await handle.db.deleteFrom('children').where('id', '=', childId).execute();
  });

  it('front page: the centre, its groups as cards, how to contact it, and a small staff sign-in link', async () => {
    const { context, page } = await newPage(browser);
    await visit(page, '/');
    await expectNoScript(page, '/');
    expect(await page.locator('h1').count()).toBe(1);
    for (const slug of GROUPS) {
      expect(await page.locator(`.cards a[href="/grupper/${slug}"]`).count(), slug).toBe(1);
    }
    expect(await page.getByRole('heading', { name: 'Kontakt os' }).count()).toBe(1);
    expect(await page.locator('main a[href^="tel:"]').count()).toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: 'Log ind for medarbejdere' }).count()).toBe(1);
    expect(await page.locator('footer a[href="/was"]').innerText()).toBe('Tilgængelighedserklæring');
    expect(await page.locator('footer a[href="/privatliv"]').innerText()).toBe('Sådan behandler vi dine oplysninger');
    expect(lix(await mainText(page))).toBeLessThanOrEqual(35);
    await context.close();
  });

  it('English front page links to the English group pages', async () => {
    const { context, page } = await newPage(browser);
    await visit(page, '/en');
    await expectNoScript(page, '/en');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    for (const slug of GROUPS) {
      expect(await page.locator(`.cards a[href="/en/grupper/${slug}"]`).count(), slug).toBe(1);
    }
    await context.close();
  });

  for (const slug of GROUPS) {
    for (const locale of ['da', 'en'] as const) {
      const path = `${locale === 'en' ? '/en' : ''}/grupper/${slug}`;

      it(`${path}: who, when, where, price, next dates and a calendar button that subscribes`, async () => {
        const { context, page } = await newPage(browser, { phone: true });
        await visit(page, path);
        await expectNoScript(page, path);
        const text = await mainText(page);
        expect(text).toContain(locale === 'da' ? 'Gratis' : 'Free');
        expect(text).toMatch(locale === 'da' ? /kl\. \d{2}\.\d{2}-\d{2}\.\d{2}/ : /\d{2}:\d{2}-\d{2}:\d{2}/);
        expect(text).not.toContain(CHILD.first);
        expect(text).not.toContain(CHILD.last);
        if (locale === 'da') expect(lix(text)).toBeLessThanOrEqual(35);
        if (slug === 'pigegruppen') {
          expect(text).toMatch(locale === 'da' ? /\d+ ledige? plads(er)?|Ingen ledige pladser/ : /\d+ free places?|No free places/);
        }

        // Good on a phone: nothing wider than the screen.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow).toBeLessThanOrEqual(0);

        // The button is a webcal:// link; the https link beside it is the same feed.
        const webcal = await page.getByRole('link', { name: locale === 'da' ? 'Abonnér i kalender' : 'Subscribe in calendar' }).getAttribute('href');
        const https = await page.locator('a.feed-url').getAttribute('href');
        expect(webcal).toMatch(new RegExp(`^webcal://[^/]+/grupper/${slug}\\.ics$`));
        expect(https?.replace(/^https?:/, 'webcal:')).toBe(webcal);

        const feedPath = `/grupper/${slug}.ics`;
        const feed = await fetch(`${baseURL()}${feedPath}`);
        expect(feed.status).toBe(200);
        expect(feed.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
        expect(feed.headers.get('cache-control')).toBe('public, max-age=0, must-revalidate');
        const etag = feed.headers.get('etag');
        expect(etag).toMatch(/^"[^"]+"$/);
        const body = await feed.text();
        expect(body).toMatch(/^BEGIN:VCALENDAR\r\n/);
        expect(body).toContain('X-WR-CALNAME:');
        expect(body).not.toContain(CHILD.first);
        expect(body).not.toContain(CHILD.last);

        const again = await fetch(`${baseURL()}${feedPath}`, { headers: { 'If-None-Match': etag ?? '' } });
        expect(again.status).toBe(304);
        expect(await again.text()).toBe('');
        const head = await fetch(`${baseURL()}${feedPath}`, { method: 'HEAD' });
        expect(head.status).toBe(200);
        expect(head.headers.get('etag')).toBe(etag);
        const lastModified = feed.headers.get('last-modified');
        if (lastModified) {
          const since = await fetch(`${baseURL()}${feedPath}`, { headers: { 'If-Modified-Since': lastModified } });
          expect(since.status).toBe(304);
        }
        await context.close();
      });
    }
  }

  it('a group page prints without the buttons', async () => {
    const { context, page } = await newPage(browser);
    await visit(page, '/grupper/pigegruppen');
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.subscribe a.button').isVisible()).toBe(false);
    expect(await page.locator('.public-header').isVisible()).toBe(false);
    expect(await page.locator('.in-short').isVisible()).toBe(true);
    expect(await page.locator('.dates, #naeste-moeder').first().isVisible()).toBe(true);
    await context.close();
  });

  it('an unknown group answers 404, and so does its feed', async () => {
    const { context, page } = await newPage(browser);
    await visit(page, '/grupper/findes-ikke', 404);
    expect((await fetch(`${baseURL()}/grupper/findes-ikke.ics`)).status).toBe(404);
    await context.close();
  });

  for (const path of ['/was', '/privatliv', '/en/was', '/en/privatliv']) {
    it(`${path} is reachable, plain and script-free`, async () => {
      const { context, page } = await newPage(browser);
      await visit(page, path);
      await expectNoScript(page, path);
      const text = await mainText(page);
      if (!path.startsWith('/en')) expect(lix(text)).toBeLessThanOrEqual(35);
      expect(await page.locator('h1').count()).toBe(1);
      await context.close();
    });
  }

  for (const [path, front, heading] of [['/fagfolk', '/', 'For fagfolk: sådan henviser du'], ['/en/fagfolk', '/en', 'For professionals: how to refer']] as const) {
    it(`${path}: the page for professionals is linked from the front page, plain, script-free and without names`, async () => {
      const { context, page } = await newPage(browser);
      await visit(page, front);
      await page.getByRole('link', { name: heading }).click();
      await page.waitForURL(`**${path}`);
      await expectAccessible(page);
      await expectNoScript(page, path);
      expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(heading);
      const text = await mainText(page);
      if (!path.startsWith('/en')) expect(lix(text)).toBeLessThanOrEqual(35);
      expect(text).not.toContain(CHILD.first);
      expect(text).not.toContain(CHILD.last);
      // The facts: the two groups with their ages, how to refer, a quarterly start, about a year, the closing talk.
      expect(text).toMatch(path === '/fagfolk' ? /fra 7 til 15 år/ : /aged 7 to 15/);
      expect(text).toMatch(path === '/fagfolk' ? /én gang i kvartalet/ : /once a quarter/);
      expect(text).toMatch(path === '/fagfolk' ? /højst omkring et år/ : /at most about a year/);
      expect(await page.locator('main a[href="/logind"]').count()).toBe(1);
      expect(await page.locator('main a[href^="tel:"]').count()).toBe(1);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await context.close();
    });
  }

  it('the caseworker\'s home links to the page for professionals', async () => {
    const caseworker: Account = { email: 'fagfolk-raadgiver@e2e.test', password: 'fagfolk-raadgiver-kode-9', name: 'Frida Fagfolk' };
    addAccount(inject('databaseUrl'), caseworker, 'caseworker', 'vallensbaek');
    const { context, page } = await signedInPage(browser, caseworker, { at: '/personale' });
    await page.getByRole('link', { name: 'For fagfolk: grupperne, og hvad der sker efter en henvisning' }).click();
    await page.waitForURL('**/fagfolk');
    await context.close();
  });

  it("a leader makes a personal calendar link, it shows only the child's first name, and a new link turns the old one off", async () => {
    const { context, page } = await signedInPage(browser, FEED_LEADER, { at: '/personale/kalender' });
    await page.getByRole('button', { name: 'Lav et link' }).click();
    await page.waitForLoadState();
    await expectAccessible(page);
    const first = (await page.locator('.onetime').innerText()).trim();
    expect(first).toMatch(/^https?:\/\/[^/]+\/kalender\/personale\/[a-z2-7]{39}\.ics$/);
    expect(await page.getByRole('link', { name: 'Abonnér i kalender' }).getAttribute('href')).toBe(first.replace(/^https?:/, 'webcal:'));

    const feed = await fetch(first);
    expect(feed.status).toBe(200);
    expect(feed.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    expect(feed.headers.get('cache-control')).toBe('private, no-store');
    const body = await feed.text();
    expect(body).toContain('SUMMARY:Pigegruppen – Gruppemøde');
    expect(body).toContain('SUMMARY:Indledende samtale – Pigegruppen');
    expect(body).toContain(`DESCRIPTION:Barnets fornavn: ${CHILD.first}`);
    expect(body).not.toContain(CHILD.last);

    // Only the hash is kept, so the page cannot show the link again; a new one replaces it.
    await visit(page, '/personale/kalender');
    expect(await page.locator('.onetime').count()).toBe(0);
    await page.getByRole('button', { name: 'Lav et nyt link' }).click();
    await page.waitForLoadState();
    const second = (await page.locator('.onetime').innerText()).trim();
    expect(second).not.toBe(first);
    expect((await fetch(first)).status).toBe(404);
    expect((await fetch(second)).status).toBe(200);
    await context.close();
  });

  it('a staff feed link that does not exist answers 404 and is never cached', async () => {
    const res = await fetch(`${baseURL()}/kalender/personale/${'a'.repeat(39)}.ics`);
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
  });
});
