import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueFamilyLink } from '../../src/features/families/families.service';
import { instantToZoned } from '../../src/lib/time';
import { type Account } from './support/accounts';
import { expectAccessible, newPage, visit, useBrowser, signedInPage } from './support/browser';
import { useServerDatabase } from './support/database';
import { arrangeGroup, type ArrangedGroup } from './support/arrange';

const LEADER_A: Account = { email: 'fremmoede-leder@e2e.test', password: 'fremmoede-adgangskode-1', name: 'Frida Fremmøde' };
const NAMES = ['Alma', 'Bella', 'Cecilie', 'Dina', 'Emma', 'Freja', 'Gry', 'Hanna', 'Ida', 'Julie'];

describe('attendance on a phone', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  /** The group's meetings, made in beforeAll. */
  const meeting = {
    /** Began an hour ago. */
    now: '',
    /** Twenty days ago, for the sheet without JavaScript. */
    noJs: '',
    /** Today (Copenhagen), starting a few minutes from now: families may still send afbud, leaders may mark. */
    soon: '',
    /** In ten days: no marks yet. */
    future: '',
    /** Three days ago, for the phone checks. */
    undo: '',
  };
  let fixture: ArrangedGroup;
  const enrollments = new Map<string, string>();
  const childIds = new Map<string, string>();

  async function rows(meetingId: string): Promise<Map<string, string>> {
    const found = await handle.db
      .selectFrom('attendance')
      .innerJoin('enrollments', 'enrollments.id', 'attendance.enrollment_id')
      .innerJoin('children', 'children.id', 'enrollments.child_id')
      .select(['children.first_name', 'attendance.status'])
      .where('attendance.meeting_id', '=', meetingId)
      .execute();
    return new Map(found.map((r) => [r.first_name, r.status]));
  }

  /** The staff pages' service worker has kept this page on the phone (it works beside the page, so tests wait for it). */
  function keptOnPhone(page: Page, path: string): Promise<boolean> {
    return page.evaluate(async (p) => {
      for (const name of await caches.keys()) if (name.startsWith('fremmoede-sider-') && (await (await caches.open(name)).match(p))) return true;
      return false;
    }, path);
  }

  function row(page: Page, name: string) {
    return page.locator('[data-row]').filter({ has: page.locator('.att-name', { hasText: name }) });
  }

  beforeAll(async () => {
    // The "soon" meeting must be today in Copenhagen: right before midnight, wait for the new day.
    const soonStart = () => Date.now() + 15 * 60_000;
    while (instantToZoned(new Date(soonStart() + 2 * 60_000)).date !== instantToZoned(new Date()).date) await new Promise((r) => setTimeout(r, 10_000));
    const now = Date.now();
    const starts = [now - 60 * 60 * 1000, now - 20 * 24 * 60 * 60 * 1000, soonStart(), now + 10 * 24 * 60 * 60 * 1000, now - 3 * 24 * 60 * 60 * 1000];
    fixture = await arrangeGroup(handle.db, {
      leader: LEADER_A, name: 'Fremmødegruppen', group: { capacity: 12 }, rule: true, meetings: starts.map((ms) => new Date(ms)),
      children: NAMES.map((name) => ({ first_name: name })),
    });
    [meeting.now = '', meeting.noJs = '', meeting.soon = '', meeting.future = '', meeting.undo = ''] = fixture.meetingIds;
    NAMES.forEach((name, i) => {
      enrollments.set(name, fixture.children[i]!.enrollmentId);
      childIds.set(name, fixture.children[i]!.childId);
    });
  });

  it('marks ten children with "Alle mødt" and one correction, a mis-tap undone in one tap; saved at once, a reload shows the same', async () => {
    const { page, context } = await signedInPage(browser, LEADER_A, { at: '/personale/fremmoede', phone: true });
    await page.locator(`a[href="/personale/fremmoede/${meeting.now}"]`).click();
    await page.waitForURL(`**/personale/fremmoede/${meeting.now}`);
    await expectAccessible(page);
    expect(await page.locator('[data-row]').count()).toBe(10);

    let taps = 0;
    await page.getByRole('button', { name: 'Alle mødt' }).tap();
    taps += 1;
    await expect.poll(async () => [...(await rows(meeting.now)).values()].filter((s) => s === 'present').length).toBe(10);
    // One correction: Cecilie did not come (1 tap: mødt → udeblevet).
    await row(page, 'Cecilie').locator('[data-tap]').tap();
    taps += 1;
    await expect.poll(async () => Object.fromEntries(await rows(meeting.now))).toMatchObject({ Cecilie: 'absent', Alma: 'present' });
    await expect.poll(() => row(page, 'Cecilie').locator('[data-state]').textContent()).toBe('Gemt');
    console.log(`taps for ten children with one correction: ${taps} ("Alle mødt" = 1 tap for ten present, + 1 for an udeblevet)`);
    expect(taps).toBe(2);
    // A mis-tap on Emma is taken back with one tap on "Fortryd".
    await row(page, 'Emma').locator('[data-tap]').tap();
    await expect.poll(async () => (await rows(meeting.now)).get('Emma')).toBe('absent');
    await page.getByRole('button', { name: 'Fortryd' }).tap();
    await expect.poll(async () => (await rows(meeting.now)).get('Emma')).toBe('present');
    expect(await row(page, 'Emma').getAttribute('data-mark')).toBe('present');
    // Emma sent afbud by phone: two taps from mødt.
    await row(page, 'Emma').locator('[data-tap]').tap();
    await row(page, 'Emma').locator('[data-tap]').tap();
    await expect.poll(async () => (await rows(meeting.now)).get('Emma')).toBe('excused');
    await expect.poll(() => row(page, 'Emma').locator('[data-state]').textContent()).toBe('Gemt');
    await expectAccessible(page);

    await page.reload();
    expect(await row(page, 'Cecilie').getAttribute('data-mark')).toBe('absent');
    expect(await row(page, 'Emma').getAttribute('data-mark')).toBe('excused');
    expect(await row(page, 'Alma').getAttribute('data-mark')).toBe('present');
    expect(await page.locator('[data-count="present"]').textContent()).toBe('8');
    await expectAccessible(page);

    // The page's JavaScript, gzipped, against the 30 KB budget for a staff page.
    // The page's scripts and the chunks they import (scripts shared by two pages are split into chunks).
    const pending = await page.locator('script[src]').evaluateAll((els) => els.map((e) => (e as HTMLScriptElement).src));
    const sources = new Set<string>();
    let gzipped = 0;
    for (let src = pending.pop(); src !== undefined; src = pending.pop()) {
      if (sources.has(src)) continue;
      sources.add(src);
      const body = await (await page.request.get(src)).body();
      gzipped += gzipSync(body, { level: 9 }).length;
      for (const m of body.toString('utf8').matchAll(/(?:import|from)\s*["'](\.\/[^"']+\.m?js)["']/g)) pending.push(new URL(m[1] ?? '', src).href);
    }
    console.log(`attendance page JavaScript: ${sources.size} file(s), ${gzipped} bytes gzipped`);
    expect(sources.size).toBeGreaterThan(1);
    expect(gzipped).toBeLessThanOrEqual(30 * 1024);
    expect(await page.locator('script:not([src]):not([type="application/json"])').count()).toBe(0);
    await context.close();
  });

  it('offline: a mark waits on the phone as "Ikke gemt endnu" and is saved once when the connection is back', async () => {
    const { page, context } = await signedInPage(browser, LEADER_A, { at: `/personale/fremmoede/${meeting.now}`, phone: true });
    const audits = async () => (await handle.db.selectFrom('audit_log').select('id').where('entity_id', '=', meeting.now).where('action', '=', 'update').execute()).length;
    const auditsBefore = await audits();

    await context.setOffline(true);
    await row(page, 'Gry').locator('[data-tap]').tap(); // mødt → udeblevet
    await expect.poll(() => row(page, 'Gry').locator('[data-state]').textContent()).toBe('Ikke gemt endnu');
    await expect.poll(() => page.locator('[data-offline]').isVisible()).toBe(true);
    await expectAccessible(page);
    expect((await rows(meeting.now)).get('Gry')).toBe('present');

    await context.setOffline(false);
    await expect.poll(() => row(page, 'Gry').locator('[data-state]').textContent(), { timeout: 10_000 }).toBe('Gemt');
    expect((await rows(meeting.now)).get('Gry')).toBe('absent');
    expect((await rows(meeting.now)).size).toBe(10);
    expect(await audits()).toBe(auditsBefore + 1);
    expect(await page.evaluate((key) => localStorage.getItem(key), `fremmoede:${meeting.now}`)).toBe('[]');

    // Nothing is sent twice: a reload finds an empty queue and the same marks.
    await page.reload();
    expect(await row(page, 'Gry').getAttribute('data-mark')).toBe('absent');
    expect(await audits()).toBe(auditsBefore + 1);
    await context.close();
  });

  it('opened once, the sheet opens and works with no network (a service worker); the marks reach the server when it is back', async () => {
    const { page, context } = await signedInPage(browser, LEADER_A, { at: '/personale/fremmoede', phone: true });
    await page.locator(`a[href="/personale/fremmoede/${meeting.now}"]`).click();
    await page.waitForURL(`**/personale/fremmoede/${meeting.now}`);
    const sheetPath = `/personale/fremmoede/${meeting.now}`;
    await expect.poll(() => keptOnPhone(page, sheetPath), { timeout: 20_000 }).toBe(true);
    const idaBefore = await row(page, 'Ida').getAttribute('data-mark');

    await context.setOffline(true);
    // Changed on the server meanwhile: the sheet that opens now is the one kept on the phone, not the server's.
    const idaEnrollment = enrollments.get('Ida') ?? '';
    await handle.db.deleteFrom('attendance').where('meeting_id', '=', meeting.now).where('enrollment_id', '=', idaEnrollment).execute();
    await page.reload();
    expect(await page.evaluate(() => fetch('/healthz').then(() => 'net', () => 'no net'))).toBe('no net');
    expect(await page.locator('[data-row]').count()).toBe(10);
    expect(await row(page, 'Ida').getAttribute('data-mark')).toBe(idaBefore);
    // It works: Hanna is tapped (one step on from her mark) and waits on the phone.
    const hannaBefore = (await rows(meeting.now)).get('Hanna') ?? 'unregistered';
    const next: Record<string, string> = { unregistered: 'present', present: 'absent', absent: 'excused', excused: 'unregistered' };
    await row(page, 'Hanna').locator('[data-tap]').tap();
    await expect.poll(() => row(page, 'Hanna').locator('[data-state]').textContent()).toBe('Ikke gemt endnu');
    await expect.poll(() => page.locator('[data-offline]').isVisible()).toBe(true);

    await context.setOffline(false);
    await expect.poll(() => row(page, 'Hanna').locator('[data-state]').textContent(), { timeout: 15_000 }).toBe('Gemt');
    expect((await rows(meeting.now)).get('Hanna')).toBe(next[hannaBefore]);
    // Read back through the page, from the server.
    await page.reload();
    expect(await row(page, 'Hanna').getAttribute('data-mark')).toBe(next[hannaBefore]);
    expect(await row(page, 'Ida').getAttribute('data-mark')).toBe('unregistered');
    await context.close();
  });

  it('after signing out, the sheet does not open with no network', async () => {
    const { page, context } = await signedInPage(browser, LEADER_A, { at: `/personale/fremmoede/${meeting.now}`, phone: true });
    const sheetPath = `/personale/fremmoede/${meeting.now}`;
    await expect.poll(() => keptOnPhone(page, sheetPath), { timeout: 20_000 }).toBe(true);

    await page.getByRole('button', { name: 'Log ud' }).click();
    await page.waitForURL('**/logind**');
    await context.setOffline(true);
    await page.goto(sheetPath).catch(() => null);
    expect(await page.locator('[data-row]').count()).toBe(0);
    expect(await page.getByText('Hanna').count()).toBe(0);
    // Nothing of it is left on the phone: no worker, no kept pages.
    await context.setOffline(false);
    await visit(page, '/logind');
    expect(await page.evaluate(async () => [(await navigator.serviceWorker.getRegistrations()).length, (await caches.keys()).length])).toEqual([0, 0]);
    await context.close();
  });

  it('without JavaScript the sheet is a form with radio buttons and one save button', async () => {
    const { page, context } = await signedInPage(browser, LEADER_A, { phone: true, javaScript: false });
    // axe needs JavaScript in the page, so this context is checked below with the page's own script blocked instead.
    const response = await page.goto(`/personale/fremmoede/${meeting.noJs}`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('[data-tap]').first().isVisible()).toBe(false);
    await page.getByRole('group', { name: /Hanna/ }).getByLabel('Mødt').check();
    await page.getByRole('group', { name: /Ida/ }).getByLabel('Afbud').check();
    await page.getByLabel('Grund til afbud (frivilligt) for Ida').fill('Fødselsdag');
    await page.getByRole('button', { name: 'Gem fremmøde' }).click();
    await page.waitForURL(/gemt=fremmoede/);
    expect(await page.getByText('Fremmødet er gemt.').count()).toBe(1);
    expect(Object.fromEntries(await rows(meeting.noJs))).toEqual({ Hanna: 'present', Ida: 'excused' });
    expect(await page.getByRole('group', { name: /Hanna/ }).getByLabel('Mødt').isChecked()).toBe(true);
    expect(enrollments.size).toBe(10);
    await context.close();

    // The same page as a browser without JavaScript renders it (the page's script never arrives), checked with axe.
    const plain = await signedInPage(browser, LEADER_A, { phone: true });
    await plain.context.route('**/_astro/*.js', (route) => route.abort());
    await visit(plain.page, `/personale/fremmoede/${meeting.noJs}?gemt=fremmoede`);
    expect(await plain.page.getByRole('button', { name: 'Gem fremmøde' }).isVisible()).toBe(true);
    await plain.context.close();
  });

  it('refuses a JSON post from another origin', async () => {
    const { page, context } = await signedInPage(browser, LEADER_A);
    const response = await page.request.post(`/personale/fremmoede/${meeting.now}/marks.json`, {
      headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example' },
      data: { marks: [{ enrollmentId: enrollments.get('Julie'), mark: 'absent', mutationId: 'evil-0000001', clientTime: new Date().toISOString() }] },
    });
    expect(response.status()).toBe(403);
    expect((await rows(meeting.now)).get('Julie')).toBe('present');
    await context.close();
  });

  it('on a 390×844 phone: eight children in view at once, tap targets of 44 px, no sideways scroll; "Alle mødt" undone at once', async () => {
    const { page, context } = await signedInPage(browser, LEADER_A, { at: `/personale/fremmoede/${meeting.undo}`, phone: true });
    const inView = await page.locator('[data-tap]').evaluateAll((els) => els.filter((e) => {
      const r = e.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    }).length);
    console.log(`children fully in view on a 390×844 screen when the sheet opens: ${inView}`);
    expect(inView).toBeGreaterThanOrEqual(8);
    const heights = await page.locator('[data-tap], [data-all-present]').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().height));
    expect(Math.min(...heights)).toBeGreaterThanOrEqual(44);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    await page.getByRole('button', { name: 'Alle mødt' }).tap();
    await expect.poll(async () => (await rows(meeting.undo)).size).toBe(10);
    const undo = page.getByRole('button', { name: 'Fortryd' });
    expect((await undo.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
    await undo.tap();
    await expect.poll(async () => (await rows(meeting.undo)).size).toBe(0);
    expect(await page.locator('[data-count="unregistered"]').textContent()).toBe('10');
    await context.close();
  });

  it('a parent\'s afbud stands: the open sheet shows it, "Alle mødt" and a tap made before it showed leave it, both sides see it', async () => {
    const actor = fixture.leader;
    const leader = await signedInPage(browser, LEADER_A, { at: `/personale/fremmoede/${meeting.soon}`, phone: true });
    expect(await leader.page.locator('[data-count="unregistered"]').textContent()).toBe('10');

    async function parentSendsAfbud(name: string): Promise<{ close: () => Promise<void>; reload: () => Promise<string> }> {
      const { path } = await issueFamilyLink(handle.db, actor, childIds.get(name) ?? '', new Date());
      const parent = await newPage(browser, { phone: true });
      await parent.page.goto(path);
      await parent.page.locator('summary', { hasText: 'Meld afbud' }).first().click();
      await parent.page.getByRole('button', { name: 'Meld afbud' }).first().click();
      await parent.page.waitForURL(/gemt=absence/);
      expect(await parent.page.getByText('Tak. Vi har fået dit afbud.').count()).toBe(1);
      return {
        close: () => parent.context.close(),
        reload: async () => {
          await parent.page.goto(path);
          return parent.page.locator('main').innerText();
        },
      };
    }

    // Alma's afbud arrives while the sheet is open: it shows up without a reload.
    const alma = await parentSendsAfbud('Alma');
    await leader.page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect.poll(() => row(leader.page, 'Alma').getAttribute('data-mark')).toBe('excused');
    // Bella's and Cecilie's arrive after the sheet last asked: "Alle mødt" and a tap on Cecilie must not overwrite them.
    const bella = await parentSendsAfbud('Bella');
    const cecilie = await parentSendsAfbud('Cecilie');
    await row(leader.page, 'Cecilie').locator('[data-tap]').tap();
    await leader.page.getByRole('button', { name: 'Alle mødt' }).tap();
    await expect.poll(async () => [...(await rows(meeting.soon)).values()].filter((s) => s === 'present').length).toBe(7);
    expect(Object.fromEntries(await rows(meeting.soon))).toMatchObject({ Alma: 'excused', Bella: 'excused', Cecilie: 'excused', Dina: 'present' });
    await expect.poll(() => row(leader.page, 'Bella').getAttribute('data-mark')).toBe('excused');
    await expect.poll(() => row(leader.page, 'Cecilie').getAttribute('data-mark')).toBe('excused');
    expect(await leader.page.locator('[data-count="excused"]').textContent()).toBe('3');
    await leader.page.reload();
    expect(await row(leader.page, 'Bella').getAttribute('data-mark')).toBe('excused');
    for (const parent of [alma, bella, cecilie]) {
      const text = await parent.reload();
      expect(text).toContain('Du har meldt afbud.');
      await parent.close();
    }
    await leader.context.close();
  });

  it('without JavaScript, a sheet opened before an afbud arrived does not overwrite it', async () => {
    const actor = fixture.leader;
    const { page, context } = await signedInPage(browser, LEADER_A, { phone: true, javaScript: false });
    // Dina has no mark yet when the leader opens the sheet; meanwhile her parent sends afbud; the leader, not knowing,
    // sets Dina to udeblevet.
    await handle.db.deleteFrom('attendance').where('meeting_id', '=', meeting.soon).where('enrollment_id', '=', enrollments.get('Dina') ?? '').execute();
    await page.goto(`/personale/fremmoede/${meeting.soon}`);
    const { path } = await issueFamilyLink(handle.db, actor, childIds.get('Dina') ?? '', new Date());
    const parent = await newPage(browser, { phone: true });
    await parent.page.goto(path);
    await parent.page.locator('summary', { hasText: 'Meld afbud' }).first().click();
    await parent.page.getByRole('button', { name: 'Meld afbud' }).first().click();
    await parent.page.waitForURL(/gemt=absence/);
    await parent.context.close();
    await page.getByRole('group', { name: /Dina/ }).getByLabel('Udeblevet').check();
    await page.getByRole('button', { name: 'Gem fremmøde' }).click();
    await page.waitForURL(/gemt=afbud/);
    expect(await page.getByText('Afbuddet står stadig.').count()).toBe(1);
    expect((await rows(meeting.soon)).get('Dina')).toBe('excused');
    await context.close();
  });

  it('no marks for a meeting that has not come: the sheet says so, and a post is refused', async () => {
    const { page, context } = await signedInPage(browser, LEADER_A, { at: `/personale/fremmoede/${meeting.future}`, phone: true });
    expect(await page.getByText('Mødet er ikke holdt endnu. Fremmøde kan tages fra mødets dag').count()).toBe(1);
    expect(await page.locator('[data-tap]').count()).toBe(0);
    const json = await page.request.post(`/personale/fremmoede/${meeting.future}/marks.json`, {
      headers: { 'Content-Type': 'application/json', Origin: new URL(page.url()).origin },
      data: { marks: [{ enrollmentId: enrollments.get('Julie'), mark: 'present', mutationId: 'future-0000001', clientTime: new Date().toISOString() }] },
    });
    expect(json.status()).toBe(409);
    const form = await page.request.post(`/personale/fremmoede/${meeting.future}`, {
      headers: { Origin: new URL(page.url()).origin },
      form: { intent: 'all-present' },
    });
    expect(form.status()).toBe(200);
    expect(await form.text()).toContain('Fremmøde kan tages fra mødets dag');
    expect((await rows(meeting.future)).size).toBe(0);
    await context.close();
  });

  it('no staff page a leader uses scrolls sideways on a 390 px phone', async () => {
    const { page, context } = await signedInPage(browser, LEADER_A, { phone: true });
    const paths = [
      '/personale', '/personale/fremmoede', `/personale/fremmoede/${meeting.now}`, `/personale/fremmoede/${meeting.future}`,
      '/personale/grupper', `/personale/grupper/${fixture.groupId}`, `/personale/grupper/${fixture.groupId}/moeder`, `/personale/moeder/${meeting.future}`,
      `/personale/moeder/${meeting.now}/liste`, `/personale/feedback/${meeting.now}`, '/personale/optag',
      `/personale/boern/${childIds.get('Alma')}`, '/personale/kalender',
    ];
    const wide: string[] = [];
    for (const path of paths) {
      await visit(page, path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      if (width > 390) wide.push(`${path}: ${width} px`);
    }
    expect(wide).toEqual([]);
    await context.close();
  }, 180_000);

  it('each group has a member list (first name, age, start, planned end, rate, next step) leading to the course; the child page links to it too', async () => {
    // A held meeting of its own where Alma came, so her rate is a number whichever tests ran before.
    const held = randomUUID();
    const start = Date.now() - 40 * 24 * 3600_000;
    const at = new Date().toISOString();
    await handle.db.insertInto('meetings').values({
      id: held, group_id: fixture.groupId, occurrence_key: 'e2e-members', starts_at: new Date(start).toISOString(), ends_at: new Date(start + 2 * 3600_000).toISOString(),
      place: 'Familiecentret', status: 'planned', created_at: at, updated_at: at,
    }).execute();
    await handle.db.insertInto('attendance').values({
      meeting_id: held, enrollment_id: enrollments.get('Alma') ?? '', status: 'present', reason: null, source: 'leader', recorded_by: fixture.leaderId, recorded_at: at,
    }).execute();
    const { page, context } = await signedInPage(browser, LEADER_A, { at: `/personale/grupper/${fixture.groupId}`, phone: true });
    const list = page.locator('table.members tbody tr');
    expect(await list.count()).toBe(10);
    const alma = list.filter({ hasText: 'Alma' });
    const text = await alma.innerText();
    expect(text).toMatch(/\d+ år/);
    expect(text).toContain('1. januar 2026');
    expect(text).toMatch(/\d+ %/);
    expect(text).toContain('Går i gruppen');
    await alma.getByRole('link', { name: /Alma/ }).click();
    await page.waitForURL(`**/personale/optag/${enrollments.get('Alma')}`);
    await visit(page, `/personale/boern/${childIds.get('Alma')}`);
    await page.getByRole('link', { name: /Fremmødegruppen/ }).click();
    await page.waitForURL(`**/personale/optag/${enrollments.get('Alma')}`);
    await context.close();
  }, 120_000);
});
