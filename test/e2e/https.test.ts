// The site where a municipality runs it: the built server behind a real Caddy that terminates TLS
// (PUBLIC_ORIGIN=https://…, TRUST_PROXY=1), driven by Chromium over https.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { issueFamilyLink } from '../../src/features/families/families.service';
import { signIn, type Account } from './support/accounts';
import { baseURL, useBrowser, fillForm } from './support/browser';
import { axeViolations } from './support/chromium';
import { useServerDatabase } from './support/database';
import { insecureGet, startAppServer, startCaddy, type Running } from './support/servers';
import { arrangeGroup, type ArrangedGroup } from './support/arrange';
import { freePort } from '../support/ports';

const LEADER_HTTPS: Account = { email: 'https-leder@e2e.test', password: 'https-adgangskode-123', name: 'Hanne Https' };
const CHILDREN = ['Asta', 'Bodil'];
const HUMAN_PAUSE_MS = 3_300;

describe('behind a TLS-terminating proxy (Caddy)', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  let app: Running;
  let caddy: Running;
  let origin: string;
  let appPort: number;
  let fixture: ArrangedGroup;

  beforeAll(async () => {
    fixture = await arrangeGroup(handle.db, {
      leader: LEADER_HTTPS, name: 'Httpsgruppen', group: { capacity: 12 },
      meetings: [new Date(Date.now() - 30 * 60 * 1000), new Date(Date.now() + 2 * 24 * 3600_000)],
      children: CHILDREN.map((name) => ({ first_name: name, last_name: 'Httpsen' })),
    });

    appPort = await freePort();
    const httpsPort = await freePort();
    origin = `https://localhost:${httpsPort}`;
    app = await startAppServer(appPort, { DATABASE_URL: inject('databaseUrl'), PUBLIC_ORIGIN: origin, TRUST_PROXY: '1' });
    caddy = await startCaddy(httpsPort, [appPort]);
  });

  afterAll(async () => {
    await caddy?.stop();
    await app?.stop();
  });

  it('signs in with password and second factor, takes attendance, sends a parent request and an afbud, all over https', async () => {
    const context = await browser.newContext({ baseURL: origin, ignoreHTTPSErrors: true, locale: 'da-DK', timezoneId: 'Europe/Copenhagen' });
    const page = await context.newPage();

    const front = await page.goto('/');
    expect(front?.status()).toBe(200);
    expect(front?.headers()['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');

    await signIn(page, LEADER_HTTPS);
    expect(new URL(page.url()).origin).toBe(origin);
    const cookie = (await context.cookies()).find((c) => c.name === 'session');
    expect(cookie?.secure).toBe(true);
    expect(cookie?.httpOnly).toBe(true);

    // Attendance: the sheet's script posts JSON to the same origin; "Alle mødt" saves both children at once.
    await page.goto(`/personale/fremmoede/${fixture.meetingIds[0]}`);
    expect(await page.locator('[data-row]').count()).toBe(CHILDREN.length);
    await page.getByRole('button', { name: 'Alle mødt' }).click();
    await expect.poll(async () => (await handle.db.selectFrom('attendance').select('status').where('meeting_id', '=', fixture.meetingIds[0]!).execute())
      .filter((r) => r.status === 'present').length).toBe(CHILDREN.length);
    expect(await axeViolations(page)).toEqual([]);

    // A parent's request for a place, a plain form post over https.
    const parent = await browser.newContext({ baseURL: origin, ignoreHTTPSErrors: true, locale: 'da-DK', javaScriptEnabled: false });
    const form = await parent.newPage();
    await form.goto('/grupper/pigegruppen/oensker-plads');
    await fillForm(form, {
      parentName: 'Pia Https', firstName: 'Httpsina', birthDate: '2016-02-29', email: 'pia.https@e2e.test', municipality: 'ishoj',
      custody: true,
    });
    await form.waitForTimeout(HUMAN_PAUSE_MS);
    await form.getByRole('button', { name: 'Send' }).click();
    await form.waitForURL('**/grupper/pigegruppen/oensker-plads/tak');
    const stored = await handle.db.selectFrom('referrals').innerJoin('children', 'children.id', 'referrals.child_id')
      .select('referrals.source').where('children.first_name', '=', 'Httpsina').execute();
    expect(stored).toEqual([{ source: 'parent' }]);

    // The family page's afbud, over https; its calendar link is the public origin.
    const { path } = await issueFamilyLink(handle.db, fixture.leader, fixture.childId, new Date());
    await form.goto(path);
    expect(await form.locator('a[href^="webcal://"]').getAttribute('href')).toContain(`webcal://localhost:${new URL(origin).port}/`);
    await form.getByText('Meld afbud').first().click();
    await form.getByRole('button', { name: 'Meld afbud' }).click();
    await form.waitForURL(/gemt=absence/);
    expect(await form.getByText('Tak. Vi har fået dit afbud.').count()).toBe(1);

    // The calendar link on the public group page is the public https origin.
    await form.goto('/grupper/pigegruppen');
    expect(await form.content()).toContain(`localhost:${new URL(origin).port}/grupper/pigegruppen.ics`);
    await parent.close();
    await context.close();
  });

  it('believes X-Forwarded-Proto only from the trusted proxy', async () => {
    // Straight to the app, not through Caddy, from an address TRUST_PROXY does not name: the test server has none.
    const direct = await fetch(`${baseURL()}/`, { headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '6.6.6.6' } });
    expect(direct.headers.get('strict-transport-security')).toBeNull();
    // A client's own X-Forwarded-Proto through Caddy changes nothing either: Caddy sets it from the connection.
    const viaCaddy = await insecureGet(`${origin}/`, { 'x-forwarded-proto': 'http' });
    expect(viaCaddy.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
    // The app's plain-http port behind the proxy sends no HSTS to a request that did not come over https.
    const plain = await fetch(`http://127.0.0.1:${appPort}/`);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });
});
