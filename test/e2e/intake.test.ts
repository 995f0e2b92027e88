import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, todayInZone } from '../../src/lib/time';
import { startsOnLabel } from '../../src/features/lifecycle/lifecycle';
import { COORDINATOR, addAccount, type Account } from './support/accounts';
import { expectAccessible, visit, useBrowser, signedInPage } from './support/browser';
import { useServerDatabase } from './support/database';
import { addChild, addEnrollment, addLeaders, addReferral } from '../support/builders';

// The coordinator's path from a received referral to an active member, in the browser.
// Arranged as the referral forms leave it: child, guardian, referral 'received', enrollment 'referred'.

const FIRST = 'Liva';
const LAST = `Optagsen${randomUUID().slice(0, 6)}`;
const OTHER_LEADER: Account = { email: 'optag-anden-leder@e2e.test', password: 'en-anden-leders-kode-77', name: 'Ole Andengruppe' };
/** Leads the children's siblings group in the age-exception test only. */
const BAND_LEADER: Account = { email: 'optag-boerneleder@e2e.test', password: 'boernegruppens-leder-kode-78', name: 'Bo Børneleder' };

describe('intake in the browser', () => {
  const browser = useBrowser();
  const server = useServerDatabase();
  let enrollmentId: string;

  /** A referral as the referral forms leave it: child, guardian, referral 'received', enrollment 'referred'. */
  async function arrangeReferral(firstName: string, lastName: string, age = 10, state: 'referred' | 'waiting' = 'referred'): Promise<string> {
    const db = server.db;
    const group = await db.selectFrom('groups').select(['id']).where('slug', '=', 'soeskendegruppen-boern').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    // Ten years old today: inside the 9-12 band at the next window and through a year's course.
    const birthDate = `${Number(todayInZone(new Date()).slice(0, 4)) - age}-06-15`;
    const { childId } = await addChild(db, {
      first_name: firstName, last_name: lastName, birth_date: birthDate, municipality: 'vallensbaek', has_sibling_with_disability: 1, created_at: now, updated_at: now,
      guardians: [{ name: 'Hanne Optagsen', phone: '20304050', email: 'hanne@example.dk', has_custody: 1, needs_interpreter: 0 }],
    });
    const referralId = randomUUID();
    await addReferral(db, {
      id: referralId, reference: `E2E-${referralId.slice(0, 6)}`, group_id: group.id, child_id: childId, reason: 'Storebror har autisme', custody_consent: 1,
      received_at: now, updated_at: now,
    });
    return addEnrollment(db, {
      child_id: childId, group_id: group.id, referral_id: referralId, state, start_date: null, created_at: now, updated_at: now,
    });
  }

  beforeAll(async () => {
    enrollmentId = await arrangeReferral(FIRST, LAST);
  });

  it('inbox → case → book intake (a past date first) → "passer" with the child\'s words → waiting list → started at the window', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: '/personale/optag' });
    const link = page.getByRole('link', { name: `${FIRST} ${LAST}` });
    expect(await link.count()).toBe(1);
    await link.click();
    await page.waitForURL(`**/personale/optag/${enrollmentId}`);
    await expectAccessible(page);
    const state = page.locator('.case-state .tag');
    expect(await state.textContent()).toBe('Henvist');
    expect(await page.getByText('Storebror har autisme').count()).toBe(1);

    const yesterday = addDays(todayInZone(new Date()), -1);
    await page.locator('#f-intake-date').fill(yesterday);
    await page.locator('#f-intake-time').fill('15:00');
    await page.locator('#f-intake-leaderId').selectOption({ label: COORDINATOR.name });
    await page.getByRole('button', { name: 'Aftal samtalen' }).click();
    await expect.poll(() => page.locator('#f-intake-date-error').count()).toBe(1);
    expect(await page.locator('#f-intake-date-error').textContent()).toMatch(/overstået/);
    expect(await page.locator('#f-intake-date').inputValue()).toBe(yesterday);
    expect(await page.locator('#f-intake-time').inputValue()).toBe('15:00');
    await expectAccessible(page);

    await page.locator('#f-intake-date').fill(addDays(todayInZone(new Date()), 2));
    await page.getByRole('button', { name: 'Aftal samtalen' }).click();
    await expect.poll(() => page.getByText('Den indledende samtale er aftalt.').count()).toBe(1);
    expect(await state.textContent()).toBe('Indledende samtale aftalt');
    await expectAccessible(page);
    // The conversation is two days ahead: nothing can have been decided yet, so there is no outcome form.
    expect(await page.locator('#f-outcome-outcome').count()).toBe(0);
    expect(await page.getByText('Skriv udfaldet, når den er holdt.', { exact: false }).count()).toBe(1);
    // A post made anyway (a page left open from before) is refused.
    const early = await page.request.post(`/personale/optag/${enrollmentId}`, {
      headers: { Origin: new URL(page.url()).origin },
      form: { intent: 'outcome', outcome: 'fits', childWords: 'For tidligt' },
    });
    expect(await early.text()).toContain('Den indledende samtale er ikke holdt endnu');
    expect((await server.db.selectFrom('enrollments').select('state').where('id', '=', enrollmentId).executeTakeFirstOrThrow()).state).toBe('intake_booked');

    // The conversation is moved to earlier today: now it has been held and its outcome can be written.
    await page.locator('#f-intake-date').fill(todayInZone(new Date()));
    await page.locator('#f-intake-time').fill('00:00');
    await page.getByRole('button', { name: 'Flyt samtalen' }).click();
    await expect.poll(() => page.locator('#f-outcome-outcome').count()).toBe(1);

    await page.locator('#f-outcome-outcome').selectOption('fits');
    await page.locator('#f-outcome-childWords').fill('Jeg vil gerne møde nogen, der også har en bror som min.');
    await page.getByRole('button', { name: 'Gem udfaldet' }).click();
    await expect.poll(() => page.getByText('Udfaldet af samtalen er gemt.').count()).toBe(1);
    expect(await state.textContent()).toBe('Venter på optag');
    expect(await page.getByText('Jeg vil gerne møde nogen, der også har en bror som min.', { exact: false }).count()).toBe(1);
    await expectAccessible(page);

    await visit(page, '/personale/optag');
    const waiting = page.locator('ol.waiting-list li', { hasText: `${FIRST} ${LAST}` });
    expect(await waiting.count()).toBe(1);

    await page.goto(`/personale/optag/${enrollmentId}`);
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Start barnet i gruppen' }).click();
    await expect.poll(() => page.getByText('Barnet er startet i gruppen.').count()).toBe(1);
    // The start meeting is the next intake window, still ahead: until then the course reads "Starter <dag>. <måned>",
    // for the caseworker too, and the child is not counted among those in the group now.
    const startsOn = (await server.db.selectFrom('enrollments').select('start_date').where('id', '=', enrollmentId).executeTakeFirstOrThrow()).start_date ?? '';
    const today = todayInZone(new Date());
    expect(startsOn >= today).toBe(true);
    if (startsOn > today) {
      const startsLabel = startsOnLabel(startsOn);
      expect(await state.textContent()).toBe(startsLabel);
      expect(await page.getByText('Går i gruppen').count()).toBe(0);
      expect(await page.locator('dd', { hasText: startsLabel }).count()).toBe(1);
      await expectAccessible(page);
      await visit(page, '/personale/optag');
      expect(await page.locator('main').innerText()).toMatch(/Går i gruppen nu\s+\d+ \(og \d+ starter senere\)/);
    } else {
      // The window's meeting is today (the first Tuesday of a month, as 1 December 2026): the child is in the group
      // from today.
      console.log(`intake: the next window's meeting is today (${today}): the child is in the group at once`);
      expect(await state.textContent()).toBe('Går i gruppen');
    }

    const row = await server.db.selectFrom('enrollments').innerJoin('referrals', 'referrals.id', 'enrollments.referral_id').select(['enrollments.state', 'enrollments.start_date', 'referrals.status']).where('enrollments.id', '=', enrollmentId).executeTakeFirstOrThrow();
    expect(row.state).toBe('active');
    expect(row.status).toBe('started');
    expect(row.start_date).not.toBeNull();
    await context.close();
  }, 120_000);

  it('the course ends: closing conversation booked, the end refused without the confirmation (reason kept), then ended', async () => {
    // A year passes: the course started at the window above; let it have started a year ago.
    const yearAgo = addDays(todayInZone(new Date()), -365);
    await server.db.updateTable('enrollments').set({ start_date: yearAgo, planned_end_date: addDays(yearAgo, 365) }).where('id', '=', enrollmentId).execute();
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${enrollmentId}` });
    const state = page.locator('.case-state .tag');
    expect(await page.getByText('Forløbet har varet 12 måneder. Det er over tiden: aftal den afsluttende samtale nu.').count()).toBe(1);
    // Booked for earlier today, so it counts as held when the course is ended.
    await page.locator('#f-closing-date').fill(todayInZone(new Date()));
    await page.locator('#f-closing-time').fill('00:00');
    await page.locator('#f-closing-leaderId').selectOption({ label: COORDINATOR.name });
    await page.getByRole('button', { name: 'Aftal samtalen' }).click();
    await expect.poll(() => page.getByText('Den afsluttende samtale er aftalt.').count()).toBe(1);
    expect(await state.textContent()).toBe('Afsluttende samtale aftalt');
    await expectAccessible(page);

    await page.locator('#f-end-reason').fill('Liva har fået nye venner i gruppen.');
    await page.getByRole('button', { name: 'Afslut forløbet' }).click();
    await expect.poll(() => page.locator('#f-end-confirm-error').count()).toBe(1);
    expect(await page.locator('#f-end-reason').inputValue()).toBe('Liva har fået nye venner i gruppen.');
    expect(await state.textContent()).toBe('Afsluttende samtale aftalt');
    await expectAccessible(page);

    await page.locator('#f-end-nextStep').selectOption('nothing');
    await page.getByLabel('Ja, samtalen er holdt, og forløbet er slut').check();
    await page.getByRole('button', { name: 'Afslut forløbet' }).click();
    await expect.poll(() => page.getByText('Forløbet er afsluttet.').count()).toBe(1);
    expect(await state.textContent()).toBe('Afsluttet');
    expect(await page.getByRole('button', { name: 'Stop forløbet' }).count()).toBe(0);
    await expectAccessible(page);

    // The words about Liva stay on the case: the figures and their CSV show a fixed category only.
    expect(await page.getByText('Liva har fået nye venner i gruppen.').count()).toBeGreaterThan(0);
    const year = todayInZone(new Date()).slice(0, 4);
    await visit(page, `/personale/tal?aar=${year}`);
    const figures = await page.locator('main').innerText();
    expect(figures).not.toContain('nye venner');
    expect(figures).toContain('Sluttede til planlagt tid');
    const csv = await (await page.request.get(`/personale/tal/afslutninger.csv?aar=${year}`)).text();
    expect(csv).not.toContain('nye venner');
    expect(csv).toContain('Sluttede til planlagt tid');
    await context.close();
  }, 120_000);

  it('a leader of another group cannot open the case', async () => {
    addAccount(inject('databaseUrl'), OTHER_LEADER, 'leader');
    const { page, context } = await signedInPage(browser, OTHER_LEADER);
    await visit(page, `/personale/optag/${enrollmentId}`, 403);
    expect(await page.getByText(FIRST).count()).toBe(0);
    await visit(page, '/personale/optag');
    expect(await page.getByRole('link', { name: `${FIRST} ${LAST}` }).count()).toBe(0);
    await context.close();
  });

  it('a referral that never started is closed as a referral, not "stopped" as a course', async () => {
    const id = await arrangeReferral('Noa', `Afbrudsen${randomUUID().slice(0, 6)}`);
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${id}` });
    expect(await page.getByRole('heading', { name: 'Afvis eller træk henvisningen tilbage' }).count()).toBe(1);
    expect(await page.getByText('Stop forløbet').count()).toBe(0);
    await page.locator('summary', { hasText: 'Afvis eller træk tilbage' }).click();
    await page.locator('#f-decline-reason').fill('Familien er flyttet fra kommunen.');
    await page.getByRole('button', { name: 'Afslut henvisningen' }).click();
    await expect.poll(() => page.locator('#f-decline-confirm-error').count()).toBe(1);
    expect(await page.locator('#f-decline-reason').inputValue()).toBe('Familien er flyttet fra kommunen.');
    await page.getByLabel('Ja, jeg er sikker. Det kan ikke fortrydes.').check();
    await page.getByRole('button', { name: 'Afslut henvisningen' }).click();
    await expect.poll(() => page.getByText('Henvisningen er afsluttet.').count()).toBe(1);
    expect(await page.locator('.case-state .tag').textContent()).toBe('Trukket tilbage');
    expect(await page.getByText('Forløbet er stoppet').count()).toBe(0);
    await expectAccessible(page);
    await context.close();
  });

  it('a child outside the age band starts only after the coordinator\'s exception with a reason; a leader cannot make one', async () => {
    // Six years old on the list of the 9-12 band (the referral form would refuse it; a phone call put it here).
    const last = `Undtagelsen${randomUUID().slice(0, 6)}`;
    const id = await arrangeReferral('Silas', last, 6, 'waiting');
    const group = await server.db.selectFrom('groups').select(['id']).where('slug', '=', 'soeskendegruppen-boern').executeTakeFirstOrThrow();
    addAccount(inject('databaseUrl'), BAND_LEADER, 'leader');
    const leader = await server.db.selectFrom('users').select('id').where('email', '=', BAND_LEADER.email).executeTakeFirstOrThrow();
    await addLeaders(server.db, group.id, [leader.id]);
    const reason = 'Storesøster går i gruppen, og familien kan kun komme samme dag.';

    // The group's leader sees why the child does not fit, but no exception form; a post made anyway is refused.
    const asLeader = await signedInPage(browser, BAND_LEADER, { at: `/personale/optag/${id}` });
    expect(await asLeader.page.getByText('for ungt til gruppen', { exact: false }).count()).toBe(1);
    expect(await asLeader.page.getByText('Kun koordinatoren kan gøre en undtagelse for alderen.').count()).toBe(1);
    expect(await asLeader.page.locator('#f-ageException-reason').count()).toBe(0);
    const forged = await asLeader.page.request.post(`/personale/optag/${id}`, {
      headers: { Origin: new URL(asLeader.page.url()).origin }, form: { intent: 'ageException', reason: 'Lederen prøver' },
    });
    expect(forged.status()).toBe(403);
    await asLeader.page.getByRole('button', { name: 'Start barnet i gruppen' }).click();
    await expect.poll(() => asLeader.page.getByText('Barnet kan ikke starte', { exact: false }).count()).toBe(1);
    await asLeader.context.close();

    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${id}` });
    await expectAccessible(page);
    // Without an exception the start is refused, for the coordinator too.
    await page.getByRole('button', { name: 'Start barnet i gruppen' }).click();
    await expect.poll(() => page.getByText('Kun koordinatoren kan gøre en undtagelse for alderen, med en begrundelse.', { exact: false }).count()).toBe(1);
    expect(await page.locator('.case-state .tag').textContent()).toBe('Venter på optag');

    // The reason is required.
    await page.locator('summary', { hasText: 'Gør en undtagelse for alderen' }).click();
    await page.getByRole('button', { name: 'Gem undtagelsen' }).click();
    await expect.poll(() => page.locator('#f-ageException-reason-error').count()).toBe(1);
    await expectAccessible(page);
    await page.locator('#f-ageException-reason').fill(reason);
    await page.getByRole('button', { name: 'Gem undtagelsen' }).click();
    await expect.poll(() => page.getByText('Undtagelsen for alderen er gemt.').count()).toBe(1);
    expect(await page.locator('dd', { hasText: reason }).count()).toBe(1);
    await expectAccessible(page);

    await page.getByRole('button', { name: 'Start barnet i gruppen' }).click();
    await expect.poll(() => page.getByText('Barnet er startet i gruppen.').count()).toBe(1);
    expect((await server.db.selectFrom('enrollments').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('active');
    // The reason stays on the case, and the log says it in words.
    expect(await page.locator('dd', { hasText: reason }).count()).toBe(1);
    await visit(page, '/personale/log');
    expect(await page.getByText('Trin: undtagelse for alderen', { exact: false }).count()).toBeGreaterThan(0);
    await context.close();
  }, 120_000);
});
