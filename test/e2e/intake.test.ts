import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DatabaseHandle } from '../../src/lib/server/db';
import { addDays, todayInZone } from '../../src/lib/time';
import { ADMIN, addAccount, signIn, type Account } from './support/accounts';
import { expectAccessible, launchBrowser, newPage, visit } from './support/browser';
import { openServerDatabase } from './support/database';

// The coordinator's path from a received referral to an active member, in the browser.
// Arranged as the referral forms leave it: child, guardian, referral 'received', enrollment 'referred'.

const FIRST = 'Liva';
const LAST = `Optagsen${randomUUID().slice(0, 6)}`;
const OTHER_LEADER: Account = { email: 'optag-anden-leder@e2e.test', password: 'en-anden-leders-kode-77', name: 'Ole Andengruppe' };

describe('intake in the browser', () => {
  let browser: Browser;
  let server: DatabaseHandle;
  let enrollmentId: string;

  /** A referral as the referral forms leave it: child, guardian, referral 'received', enrollment 'referred'. */
  async function addReferral(firstName: string, lastName: string): Promise<string> {
    const db = server.db;
    const group = await db.selectFrom('groups').select(['id']).where('slug', '=', 'soeskendegruppen-boern').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const childId = randomUUID();
    const referralId = randomUUID();
    const id = randomUUID();
    // Ten years old today: inside the 9-12 band at the next window and through a year's course.
    const birthDate = `${Number(todayInZone(new Date()).slice(0, 4)) - 10}-06-15`;
    await db.insertInto('children').values({ id: childId, first_name: firstName, last_name: lastName, birth_date: birthDate, gender: 'girl', municipality: 'vallensbaek', has_sibling_with_disability: 1, created_at: now, updated_at: now }).execute();
    await db.insertInto('guardians').values({ id: randomUUID(), child_id: childId, name: 'Hanne Optagsen', phone: '20304050', email: 'hanne@example.dk', has_custody: 1, needs_interpreter: 0, interpreter_language: null, created_at: now }).execute();
    await db.insertInto('referrals').values({ id: referralId, reference: `E2E-${referralId.slice(0, 6)}`, group_id: group.id, child_id: childId, source: 'caseworker', caseworker_id: null, status: 'received', reason: 'Storebror har autisme', custody_consent: 1, queue_rank: null, status_reason: null, idempotency_key: null, received_at: now, updated_at: now }).execute();
    await db.insertInto('enrollments').values({ id, child_id: childId, group_id: group.id, referral_id: referralId, state: 'referred', intake_window_id: null, start_date: null, planned_end_date: null, ended_on: null, end_reason: null, created_at: now, updated_at: now }).execute();
    return id;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
    server = openServerDatabase();
    enrollmentId = await addReferral(FIRST, LAST);
  });
  afterAll(async () => {
    await browser.close();
    await server.close();
  });

  it('inbox → case → book intake (a past date first) → "passer" with the child\'s words → waiting list → started at the window', async () => {
    const { page, context } = await newPage(browser);
    await signIn(page, ADMIN);
    await visit(page, '/personale/optag');
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
    await page.locator('#f-intake-leaderId').selectOption({ label: ADMIN.name });
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
    expect(await state.textContent()).toBe('Går i gruppen');
    await expectAccessible(page);

    const row = await server.db.selectFrom('enrollments').innerJoin('referrals', 'referrals.id', 'enrollments.referral_id').select(['enrollments.state', 'enrollments.start_date', 'referrals.status']).where('enrollments.id', '=', enrollmentId).executeTakeFirstOrThrow();
    expect(row.state).toBe('active');
    expect(row.status).toBe('started');
    expect(row.start_date).not.toBeNull();
    await context.close();
  });

  it('the course ends: closing conversation booked, the end refused without the confirmation (reason kept), then ended', async () => {
    // A year passes: the course started at the window above; let it have started a year ago.
    const yearAgo = addDays(todayInZone(new Date()), -365);
    await server.db.updateTable('enrollments').set({ start_date: yearAgo, planned_end_date: addDays(yearAgo, 365) }).where('id', '=', enrollmentId).execute();
    const { page, context } = await newPage(browser);
    await signIn(page, ADMIN);
    await visit(page, `/personale/optag/${enrollmentId}`);
    const state = page.locator('.case-state .tag');
    expect(await page.getByText('Forløbet har varet 12 måneder. Det er over tiden: aftal den afsluttende samtale nu.').count()).toBe(1);
    // Booked for earlier today, so it counts as held when the course is ended.
    await page.locator('#f-closing-date').fill(todayInZone(new Date()));
    await page.locator('#f-closing-time').fill('00:00');
    await page.locator('#f-closing-leaderId').selectOption({ label: ADMIN.name });
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

    await page.getByLabel('Ja, samtalen er holdt, og forløbet er slut').check();
    await page.getByRole('button', { name: 'Afslut forløbet' }).click();
    await expect.poll(() => page.getByText('Forløbet er afsluttet.').count()).toBe(1);
    expect(await state.textContent()).toBe('Afsluttet');
    expect(await page.getByRole('button', { name: 'Stop forløbet' }).count()).toBe(0);
    await expectAccessible(page);
    await context.close();
  });

  it('a leader of another group cannot open the case', async () => {
    addAccount(inject('databaseUrl'), OTHER_LEADER, 'leader');
    const { page, context } = await newPage(browser);
    await signIn(page, OTHER_LEADER);
    await visit(page, `/personale/optag/${enrollmentId}`, 403);
    expect(await page.getByText(FIRST).count()).toBe(0);
    await visit(page, '/personale/optag');
    expect(await page.getByRole('link', { name: `${FIRST} ${LAST}` }).count()).toBe(0);
    await context.close();
  });

  it('a referral that never started is closed as a referral, not "stopped" as a course', async () => {
    const id = await addReferral('Noa', `Afbrudsen${randomUUID().slice(0, 6)}`);
    const { page, context } = await newPage(browser);
    await signIn(page, ADMIN);
    await visit(page, `/personale/optag/${id}`);
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
});
