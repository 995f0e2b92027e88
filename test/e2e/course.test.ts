import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { issueFamilyLink } from '../../src/features/families/families.service';
import { addDays, todayInZone } from '../../src/lib/time';
import { COORDINATOR, addAccount, type Account } from './support/accounts';
import { expectAccessible, newPage, visit, useBrowser, signedInPage, fillForm } from './support/browser';
import { useServerDatabase } from './support/database';
import { readMailboxDir, waitForMessage } from '../support/mailbox';
import { addChild, addConversation, addEnrollment, addGroup, addMark, addMeetingRule, addMeetings, addReferral } from '../support/builders';

// A course from the intake conversation to the closing summary, as the leaders, the family and the caseworker meet
// it in the browser (issue 15). Arranged as the referral form leaves it; every step after that through the pages.

const FIRST = 'Nanna';
const LAST = `Forloebsen${randomUUID().slice(0, 6)}`;
const CASEWORKER: Account = { email: 'forloeb-raadgiver@e2e.test', password: 'raadgiver-forloeb-kode-31', name: 'Rikke Rådgiver' };

async function state(page: Page): Promise<string | null> {
  return page.locator('.case-state .tag').textContent();
}

describe('a course followed and closed, in the browser', () => {
  const browser = useBrowser();
  const server = useServerDatabase();
  let enrollmentId: string;
  let referralId: string;
  let childId: string;
  let familyPath: string;

  beforeAll(async () => {
    addAccount(inject('databaseUrl'), CASEWORKER, 'caseworker', 'ishoj');
    const db = server.db;
    const group = await db.selectFrom('groups').select(['id']).where('slug', '=', 'soeskendegruppen-boern').executeTakeFirstOrThrow();
    const caseworker = await db.selectFrom('users').select(['id']).where('email', '=', CASEWORKER.email).executeTakeFirstOrThrow();
    const coordinator = await db.selectFrom('users').select(['id']).where('email', '=', COORDINATOR.email).executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const birthDate = `${Number(todayInZone(new Date()).slice(0, 4)) - 10}-03-15`;
    ({ childId } = await addChild(db, {
      first_name: FIRST, last_name: LAST, birth_date: birthDate, has_sibling_with_disability: 1, created_at: now, updated_at: now,
      guardians: [{ name: 'Mona Forløbsen', phone: '20304051', has_custody: 1, needs_interpreter: 0 }],
    }));
    referralId = randomUUID();
    await addReferral(db, {
      id: referralId, reference: `E2E-${referralId.slice(0, 6)}`, group_id: group.id, child_id: childId, caseworker_id: caseworker.id, status: 'intake_booked',
      reason: 'Lillebror har cerebral parese', custody_consent: 1, received_at: now, updated_at: now,
    });
    enrollmentId = await addEnrollment(db, {
      child_id: childId, group_id: group.id, referral_id: referralId, state: 'intake_booked', start_date: null, created_at: now, updated_at: now,
    });
    // The intake conversation was this morning at 00.00 (its time has come).
    const startsAt = new Date(`${todayInZone(new Date())}T00:00:00+01:00`);
    await addConversation(db, {
      child_id: childId, group_id: group.id, referral_id: referralId, enrollment_id: enrollmentId, leader_id: coordinator.id, starts_at: startsAt.toISOString(),
      created_at: now, updated_at: now,
    });
    const coordinatorActor = { user: { id: coordinator.id, email: COORDINATOR.email, displayName: COORDINATOR.name, role: 'coordinator' as const, municipality: null }, ip: null };
    familyPath = (await issueFamilyLink(db, coordinatorActor, childId, new Date())).path;
  });

  it('the intake conversation invites the referring caseworker: it shows in their list and their calendar feed', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${enrollmentId}` });
    // Moved to the first minute of today (so it has begun whenever the test runs), with the caseworker invited.
    await page.locator('#f-intake-date').fill(todayInZone(new Date()));
    await page.locator('#f-intake-time').fill('00:00');
    await page.locator('#f-intake-leaderId').selectOption({ label: COORDINATOR.name });
    await page.getByLabel(`Invitér rådgiveren (${CASEWORKER.name}) til samtalen`).check();
    await page.getByRole('button', { name: 'Flyt samtalen' }).click();
    await expect.poll(() => page.getByText('Den indledende samtale er aftalt.').count()).toBe(1);
    expect(await page.getByText('Rådgiveren er inviteret').count()).toBe(1);
    await context.close();

    const caseworker = await signedInPage(browser, CASEWORKER, { at: '/personale/henvisninger' });
    const row = caseworker.page.locator('tr', { hasText: `${FIRST} ${LAST}` });
    expect(await row.innerText()).toContain('Samtale aftalt');
    expect(await row.innerText()).toContain('Du er inviteret');
    await visit(caseworker.page, '/personale/kalender');
    await caseworker.page.getByRole('button', { name: 'Lav et link' }).click();
    await caseworker.page.waitForLoadState();
    await expectAccessible(caseworker.page);
    const feed = await fetch((await caseworker.page.locator('.onetime').innerText()).trim());
    const body = await feed.text();
    expect(body).toContain('SUMMARY:Indledende samtale – Søskendegruppen børn');
    expect(body).toContain(`DESCRIPTION:Barnets fornavn: ${FIRST}`);
    expect(body).not.toContain(LAST);
    await caseworker.context.close();
  });

  it('the intake conversation records the child\'s and the parent\'s answers on the scales', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${enrollmentId}` });
    await fillForm(page, { 'outcome-outcome': 'fits', 'outcome-child_talk': '2', 'outcome-child_friends': '2', 'outcome-parent_talk': '1' });
    await expectAccessible(page);
    await page.getByRole('button', { name: 'Gem udfaldet' }).click();
    await expect.poll(() => page.getByText('Udfaldet af samtalen er gemt.').count()).toBe(1);
    expect(await state(page)).toBe('Venter på optag');
    const table = page.locator('table.progress');
    expect(await table.locator('tr', { hasText: 'Jeg har nogen at tale med' }).innerText()).toContain('2 – Passer lidt');
    expect(await table.locator('tr', { hasText: 'Mit barn har nogen at tale med' }).innerText()).toContain('1 – Passer slet ikke');
    await expectAccessible(page);
    await context.close();
  });

  it('a follow-up is suggested 6-8 weeks after the start, shown as due until it is held', async () => {
    // The child started 45 days ago.
    const started = addDays(todayInZone(new Date()), -45);
    await server.db.updateTable('enrollments').set({ state: 'active', start_date: started, planned_end_date: addDays(started, 365) }).where('id', '=', enrollmentId).execute();
    await server.db.updateTable('referrals').set({ status: 'started' }).where('id', '=', referralId).execute();
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: '/personale/optag' });
    const due = page.locator('ul.follow-ups-due li', { hasText: `${FIRST} ${LAST}` });
    expect(await due.count()).toBe(1);
    await due.getByRole('link').click();
    await page.waitForURL(`**/personale/optag/${enrollmentId}`);
    expect(await page.locator('.follow-up-status .tag').textContent()).toBe('Skal holdes nu');
    // The siblings group ends with a closing conversation: ending without one is not offered.
    expect(await page.getByRole('heading', { name: 'Afslut uden afsluttende samtale' }).count()).toBe(0);
    expect(await page.locator('.follow-up-status').innerText()).toContain(`Foreslået mellem`);
    await expectAccessible(page);

    // Held yesterday; the time is left out first and the error is shown at the field, the note kept.
    await page.locator('#f-followUp-date').fill(addDays(todayInZone(new Date()), -1));
    await page.locator('#f-followUp-note').fill('Mor fortæller, at Nanna glæder sig til møderne.');
    await page.getByRole('button', { name: 'Gem opfølgningen' }).click();
    await expect.poll(() => page.locator('#f-followUp-time-error').count()).toBe(1);
    expect(await page.locator('#f-followUp-note').inputValue()).toBe('Mor fortæller, at Nanna glæder sig til møderne.');
    await page.locator('#f-followUp-time').fill('16:00');
    await page.getByRole('button', { name: 'Gem opfølgningen' }).click();
    await expect.poll(() => page.getByText('Opfølgningssamtalen er gemt.').count()).toBe(1);
    expect(await page.locator('.follow-up-status .tag').textContent()).toBe('Holdt');
    expect(await page.getByRole('button', { name: 'Gem opfølgningen' }).count()).toBe(0);
    await visit(page, '/personale/optag');
    expect(await page.locator('ul.follow-ups-due li', { hasText: `${FIRST} ${LAST}` }).count()).toBe(0);
    await context.close();
  });

  it('a parent asks for a conversation on the family page; it shows on the case page until answered', async () => {
    const parent = await newPage(browser, { phone: true });
    await parent.page.goto(familyPath);
    await parent.page.getByLabel('Hvad vil du tale om? (hvis du vil)').fill('Nanna er ked af det efter møderne.');
    await parent.page.getByRole('button', { name: 'Bed om en samtale' }).click();
    await expect.poll(() => parent.page.getByText('Tak. Vi ringer til dig snart.').count()).toBe(1);
    expect(await parent.page.getByText('Du har bedt om en samtale. Vi ringer til dig snart.').count()).toBe(1);
    expect(await parent.page.getByRole('button', { name: 'Bed om en samtale' }).count()).toBe(0);
    expect(await parent.page.locator('script').count()).toBe(0);
    await expectAccessible(parent.page);

    const { page, context } = await signedInPage(browser, COORDINATOR, { at: '/personale/optag' });
    expect(await page.locator('ul.requests-open li', { hasText: `${FIRST} ${LAST}` }).count()).toBe(1);
    await visit(page, `/personale/optag/${enrollmentId}`);
    const requests = page.locator('section', { has: page.getByRole('heading', { name: 'Forældrene beder om en samtale' }) });
    expect(await requests.innerText()).toContain('Nanna er ked af det efter møderne.');
    await page.locator('#f-answerRequest-answerNote').fill('Ringet til mor. Samtale aftalt i næste uge.');
    await page.getByRole('button', { name: 'Marker som besvaret' }).click();
    await expect.poll(() => page.getByText('Ønsket om en samtale er besvaret.').count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'Forældrene beder om en samtale' }).count()).toBe(0);
    await parent.page.goto(familyPath);
    expect(await parent.page.getByRole('button', { name: 'Bed om en samtale' }).count()).toBe(1);
    await context.close();
    await parent.context.close();
  });

  it('the leaders ask the same questions at a meeting in between; the case page shows it between the start and now', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { javaScript: false });
    await page.goto(`/personale/optag/${enrollmentId}`);
    await page.getByText('Spørg undervejs: de samme spørgsmål ved et møde').click();
    // Nothing chosen and a day ahead: both refused at their fields, the day kept as typed.
    const tomorrow = addDays(todayInZone(new Date()), 1);
    await page.locator('#f-check-answeredOn').fill(tomorrow);
    await page.getByRole('button', { name: 'Gem svarene' }).click();
    await expect.poll(() => page.locator('#f-check-child_talk-error').count()).toBe(1);
    expect(await page.locator('#f-check-answeredOn-error').innerText()).toContain('frem i tiden');
    expect(await page.locator('#f-check-answeredOn').inputValue()).toBe(tomorrow);
    await page.locator('#f-check-answeredOn').fill(addDays(todayInZone(new Date()), -7));
    await page.locator('#f-check-child_talk').selectOption('3');
    await page.locator('#f-check-parent_talk').selectOption('2');
    await page.getByRole('button', { name: 'Gem svarene' }).click();
    await expect.poll(() => page.getByText('Svarene er gemt.').count()).toBe(1);
    const table = page.locator('table.progress');
    expect(await table.locator('thead').innerText()).toMatch(/Ved start.*Undervejs/s);
    expect(await table.locator('tr', { hasText: 'Jeg har nogen at tale med' }).innerText()).toMatch(/2 – Passer lidt\s+3 – Passer nogenlunde/);
    await context.close();
    // The same page, checked by axe in a scripted tab.
    const checker = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${enrollmentId}` });
    await checker.page.getByText('Spørg undervejs: de samme spørgsmål ved et møde').click();
    await expectAccessible(checker.page);
    await checker.context.close();
  });

  it('the closing conversation records an evaluation and the scales; the case page shows start against now', async () => {
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${enrollmentId}` });
    await page.locator('#f-closing-date').fill(todayInZone(new Date()));
    await page.locator('#f-closing-time').fill('00:00');
    await page.locator('#f-closing-leaderId').selectOption({ label: COORDINATOR.name });
    await page.getByRole('button', { name: 'Aftal samtalen' }).click();
    await expect.poll(() => page.getByText('Den afsluttende samtale er aftalt.').count()).toBe(1);

    await fillForm(page, {
      'end-goalsReached': 'Nanna taler nu om sin bror med en veninde.', 'end-childView': 'Det var rart at møde nogen, der forstår.',
      'end-parentView': 'Hun er gladere, når hun kommer hjem.', 'end-child_talk': '4', 'end-child_friends': '4', 'end-parent_talk': '3',
    });
    await page.getByLabel('Ja, samtalen er holdt, og forløbet er slut').check();
    // What happens next is not chosen: refused at the field, everything else kept.
    await page.getByRole('button', { name: 'Afslut forløbet' }).click();
    await expect.poll(() => page.locator('#f-end-nextStep-error').count()).toBe(1);
    expect(await page.locator('#f-end-goalsReached').inputValue()).toBe('Nanna taler nu om sin bror med en veninde.');
    expect(await page.locator('#f-end-child_talk').inputValue()).toBe('4');
    await expectAccessible(page);
    await page.locator('#f-end-nextStep').selectOption('back_to_caseworker');
    await page.getByLabel('Ja, samtalen er holdt, og forløbet er slut').check();
    await page.getByRole('button', { name: 'Afslut forløbet' }).click();
    await expect.poll(() => page.getByText('Forløbet er afsluttet.').count()).toBe(1);
    expect(await state(page)).toBe('Afsluttet');

    const evaluation = await page.locator('section', { has: page.getByRole('heading', { name: 'Evaluering' }) }).innerText();
    expect(evaluation).toContain('Nanna taler nu om sin bror med en veninde.');
    expect(evaluation).toContain('Tilbage til rådgiveren');
    const table = page.locator('table.progress');
    // Start, the check in between, and now.
    expect(await table.locator('thead').innerText()).toMatch(/Ved start.*Undervejs.*Ved afslutning/s);
    expect(await table.locator('tr', { hasText: 'Jeg har nogen at tale med' }).innerText()).toMatch(/2 – Passer lidt\s+3 – Passer nogenlunde\s+4 – Passer godt/);
    expect(await page.locator('.progress-movement').innerText()).toContain('Barnets svar: Rykket op.');
    expect(await page.locator('.progress-movement').innerText()).toContain('Forælders svar: Rykket op.');
    await expectAccessible(page);
    await context.close();
  });

  it('the summary is drafted, edited, shown to the family, accepted, and only then seen by the caseworker', async () => {
    const caseworker = await signedInPage(browser, CASEWORKER, { at: `/personale/henvisninger/kvittering/${referralId}` });
    expect(await caseworker.page.getByRole('heading', { name: 'Opsummering fra forløbet' }).count()).toBe(0);

    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${enrollmentId}/opsummering` });
    const body = page.locator('#f-save-body');
    const draft = await body.inputValue();
    expect(draft).toContain(`${FIRST} gik i Søskendegruppen`);
    expect(draft).toContain('Det nåede vi: Nanna taler nu om sin bror med en veninde.');
    expect(await page.locator('.summary-state').innerText()).toContain('Kladde');
    await expectAccessible(page);
    // The family does not see a draft.
    const parent = await newPage(browser, { phone: true });
    await parent.page.goto(familyPath);
    expect(await parent.page.getByRole('heading', { name: 'Det skrev vi om forløbet' }).count()).toBe(0);

    await body.fill(`${draft}\n\nTak for et godt år, Nanna.`);
    await page.getByRole('button', { name: 'Gem ændringerne' }).click();
    await expect.poll(() => page.getByText('Opsummeringen er gemt som en ny udgave.').count()).toBe(1);
    await page.getByRole('button', { name: 'Vis opsummeringen for familien' }).click();
    await expect.poll(() => page.getByText('Familien kan nu læse opsummeringen på familiesiden.').count()).toBe(1);
    expect(await page.locator('.summary-state').innerText()).toContain('Hos familien');

    // Not yet for the caseworker: the family has not answered.
    await caseworker.page.reload();
    expect(await caseworker.page.getByRole('heading', { name: 'Opsummering fra forløbet' }).count()).toBe(0);
    const summaryMessages = () => server.db.selectFrom('outbox_messages').select('id').where('kind', '=', 'summary_ready').where('child_id', '=', childId).execute();
    expect(await summaryMessages()).toHaveLength(0);

    await parent.page.goto(familyPath);
    const summary = parent.page.locator('section.family-summary');
    expect(await summary.innerText()).toContain('Tak for et godt år, Nanna.');
    expect(await parent.page.locator('script').count()).toBe(0);
    await expectAccessible(parent.page);
    await parent.page.getByRole('button', { name: 'Ja, det er rigtigt' }).click();
    await expect.poll(() => parent.page.getByText('Tak for dit svar. Nu får rådgiveren det.').count()).toBe(1);
    expect(await parent.page.getByRole('button', { name: 'Ja, det er rigtigt' }).count()).toBe(0);

    // The caseworker gets an e-mail: first name and reference, a link to the referral page, not the summary itself.
    expect(await summaryMessages()).toHaveLength(1);
    const reference = `E2E-${referralId.slice(0, 6)}`;
    const arrived = await waitForMessage(() => readMailboxDir(inject('mailDir')), (m) => m.to === CASEWORKER.email && m.subject === `Opsummering klar: ${reference}`);
    expect(arrived.text).toContain(`Forløbet for ${FIRST} (${reference})`);
    expect(arrived.text).toContain('siger god for den');
    expect(arrived.text).not.toContain(LAST);
    expect(arrived.text).not.toContain('Tak for et godt år');
    expect(arrived.html).not.toContain('Tak for et godt år');
    const link = /https?:\/\/\S+(\/personale\/henvisninger\/kvittering\/\S+)/.exec(arrived.text)?.[1];
    expect(link).toBe(`/personale/henvisninger/kvittering/${referralId}`);
    await caseworker.page.goto(link ?? '/');
    const seen = caseworker.page.locator('section.referral-summary');
    expect(await seen.innerText()).toContain('Tak for et godt år, Nanna.');
    expect(await seen.innerText()).toContain('sagt god for den');
    await expectAccessible(caseworker.page);

    // Every version is kept: the draft, the edit, the sharing and the family's answer.
    await page.reload();
    expect(await page.locator('ol.versions > li').count()).toBe(4);
    expect(await page.getByRole('button', { name: 'Gem ændringerne' }).count()).toBe(0);
    const versions = await server.db.selectFrom('closing_summaries').select(['version', 'state']).where('enrollment_id', '=', enrollmentId).orderBy('version').execute();
    expect(versions.map((v) => v.state)).toEqual(['draft', 'draft', 'with_family', 'accepted']);
    const audited = await server.db.selectFrom('audit_log').select('id').where('entity_type', '=', 'closing_summary').where('child_id', '=', childId).where('action', '=', 'create').execute();
    expect(audited).toHaveLength(4);
    await context.close();
    await parent.context.close();
    await caseworker.context.close();
  });

  it('in the girls\' group a course may end without a closing conversation, with a reason (never in the siblings group)', async () => {
    const db = server.db;
    const girls = await db.selectFrom('groups').select(['id']).where('slug', '=', 'pigegruppen').executeTakeFirstOrThrow();
    const now = new Date().toISOString();
    const birthDate = `${Number(todayInZone(new Date()).slice(0, 4)) - 11}-05-01`;
    const { childId: girlId } = await addChild(db, {
      first_name: 'Selma', last_name: `Udensamtale${randomUUID().slice(0, 4)}`, birth_date: birthDate, municipality: 'vallensbaek', created_at: now, updated_at: now,
    });
    const girlEnrollment = await addEnrollment(db, {
      child_id: girlId, group_id: girls.id, start_date: addDays(todayInZone(new Date()), -200), created_at: now, updated_at: now,
    });

    const { page, context } = await signedInPage(browser, COORDINATOR);
    // The siblings course above never offered it.
    await visit(page, `/personale/optag/${girlEnrollment}`);
    await page.getByText('Afslut uden samtale', { exact: true }).first().click();
    await page.locator('#f-endWithout-nextStep').selectOption('nothing');
    await page.getByRole('button', { name: 'Afslut uden samtale' }).click();
    await expect.poll(() => page.locator('#f-endWithout-reason-error').count()).toBe(1);
    expect(await page.locator('#f-endWithout-nextStep').inputValue()).toBe('nothing');
    await expectAccessible(page);
    await page.locator('#f-endWithout-reason').fill('Selma vil ikke mere, og familien ønsker ingen samtale.');
    await page.getByRole('button', { name: 'Afslut uden samtale' }).click();
    await expect.poll(() => page.getByText('Forløbet er afsluttet.').count()).toBe(1);
    expect(await state(page)).toBe('Afsluttet');
    const evaluation = await page.locator('section', { has: page.getByRole('heading', { name: 'Evaluering' }) }).innerText();
    expect(evaluation).toContain('Selma vil ikke mere, og familien ønsker ingen samtale.');
    const row = await db.selectFrom('enrollments').select(['state', 'end_reason']).where('id', '=', girlEnrollment).executeTakeFirstOrThrow();
    expect(row).toEqual({ state: 'ended', end_reason: 'Selma vil ikke mere, og familien ønsker ingen samtale.' });
    expect(await db.selectFrom('conversations').select('id').where('enrollment_id', '=', girlEnrollment).execute()).toHaveLength(0);
    await context.close();
  });

  it('marks left on meetings still to come (from before the fix) are not counted in the closing summary', async () => {
    const db = server.db;
    // A group of the girls' kind of its own (a course there may end without a closing conversation), so the meetings
    // added here show in no other test's group.
    const groupId = await addGroup(db, { slug: `fremtid-${randomUUID().slice(0, 6)}`, name: 'Fremtidsgruppen' });
    await addMeetingRule(db, groupId);
    const today = todayInZone(new Date());
    const start = addDays(today, -20);
    const { childId } = await addChild(db, { first_name: 'Tilde', last_name: `Fremtidsen${randomUUID().slice(0, 4)}`, birth_date: `${Number(today.slice(0, 4)) - 11}-05-01`, gender: 'girl' });
    const enrollmentId = await addEnrollment(db, { child_id: childId, group_id: groupId, state: 'active', start_date: start });
    // One meeting held since the start (marked present), two still to come with old marks saved on them ahead of time.
    const day = 24 * 3600_000;
    const [held = '', ...coming] = await addMeetings(db, groupId, [new Date(Date.now() - 2 * day), new Date(Date.now() + 10 * day), new Date(Date.now() + 40 * day)]);
    await addMark(db, { meeting_id: held, enrollment_id: enrollmentId });
    for (const id of coming) await addMark(db, { meeting_id: id, enrollment_id: enrollmentId });

    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${enrollmentId}` });
    await page.getByText('Afslut uden samtale', { exact: true }).first().click();
    await page.locator('#f-endWithout-reason').fill('Familien flytter.');
    await page.locator('#f-endWithout-nextStep').selectOption('nothing');
    await page.getByRole('button', { name: 'Afslut uden samtale' }).click();
    await expect.poll(() => page.getByText('Forløbet er afsluttet.').count()).toBe(1);
    await visit(page, `/personale/optag/${enrollmentId}/opsummering`);
    const draft = await page.getByLabel('Tekst til familien og rådgiveren').inputValue();
    expect(draft).toContain('Tilde var med 1 gang.');
    await context.close();
  });
});
