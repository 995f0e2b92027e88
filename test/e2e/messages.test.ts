// Messages end to end: each kind is caused through the pages, and read as it arrived at the real SMTP server or the
// local SMS gateway that global setup started (test/support/mailbox.ts).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { addDays, instantToZoned, todayInZone } from '../../src/lib/time';
import { arrangeGroup, type ArrangedGroup } from './support/arrange';
import { readMailboxDir, waitForMessage, type Received } from '../support/mailbox';
import { COORDINATOR, addAccount, type Account } from './support/accounts';
import { expectAccessible, newPage, visit, useBrowser, signedInPage, fillForm } from './support/browser';
import { useServerDatabase } from './support/database';

const LEADER_M: Account = { email: 'beskeder-leder@e2e.test', password: 'beskeder-adgangskode-1', name: 'Bente Beskedleder' };
const PARENT_EMAIL = 'mor.beskeder@familie.e2e';
const PARENT_PHONE = '31 41 59 26';
const HUMAN_PAUSE_MS = 3_300;

function mail(): Received[] {
  return readMailboxDir(inject('mailDir'));
}

function lix(text: string): number {
  const sentences = text.split(/[.!?:]+/).filter((s) => s.trim().length > 0).length;
  const words = text.split(/\s+/).map((w) => w.replace(/[^\p{L}]/gu, '')).filter((w) => w.length > 0);
  const long = words.filter((w) => w.length > 6).length;
  return words.length / sentences + (100 * long) / words.length;
}

describe('messages by e-mail and SMS', () => {
  const browser = useBrowser();
  const handle = useServerDatabase();
  const groupName = 'Beskedgruppen';
  let fixture: ArrangedGroup;
  let familyPath = '';

  beforeAll(async () => {
    const starts = [10, 20, 30].map((days) => {
      const start = new Date(Date.now() + days * 24 * 3600_000);
      start.setUTCMinutes(0, 0, 0);
      return start;
    });
    fixture = await arrangeGroup(handle.db, {
      leader: LEADER_M, name: groupName, rule: true, meetings: starts, meetingSpec: { place: 'Familiecentret, lokale 2' },
      children: [{
        first_name: 'Naja', last_name: 'Hemmeligsen', birth_date: '2015-08-01',
        guardians: [
          { name: 'Mona Hemmeligsen', phone: null, email: PARENT_EMAIL },
          { name: 'Omar Hemmeligsen', phone: PARENT_PHONE, email: null },
        ],
      }],
    });
  });

  it('staff send the family link from the child page; it arrives by e-mail, works, and never shows in the staff log', async () => {
    const staff = await signedInPage(browser, LEADER_M, { at: `/personale/boern/${fixture.childId}` });
    await staff.page.getByLabel('Mona Hemmeligsen: e-mail').check();
    await staff.page.getByRole('button', { name: 'Send linket' }).click();
    await staff.page.waitForURL(/gemt=sendt/);
    expect(await staff.page.getByText('Linket er sendt.').count()).toBe(1);
    await expectAccessible(staff.page);
    await staff.context.close();

    const arrived = await waitForMessage(mail, (m) => m.to === PARENT_EMAIL && m.subject === 'Dit link til Familiecentret');
    expect(arrived.text).toContain('Her er linket til Najas side hos os.');
    expect(arrived.text).not.toContain('Hemmeligsen');
    expect(arrived.html).toContain('<a href="http://127.0.0.1:');
    expect(arrived.listUnsubscribe).toBeNull();
    expect(arrived.from).toContain('beskeder@familiecentret.test');
    const link = /http:\/\/127\.0\.0\.1:\d+(\/familie\/[a-z2-7]{39})/.exec(arrived.text);
    familyPath = link?.[1] ?? '';
    expect(familyPath).not.toBe('');

    // The link is nowhere a coordinator can read it: not on the Beskeder page, not in the audit log.
    const coordinator = await signedInPage(browser, COORDINATOR, { at: '/personale/beskeder' });
    const row = coordinator.page.locator('tr', { hasText: 'Dit link til Familiecentret' }).first();
    expect(await row.innerText()).toContain('Teksten har et hemmeligt link og vises ikke.');
    expect(await coordinator.page.content()).not.toContain(familyPath);
    await coordinator.context.close();
    const token = familyPath.split('/').pop() ?? '';
    const audit = await handle.db.selectFrom('audit_log').select('detail').execute();
    expect(audit.filter((a) => a.detail?.includes(token))).toEqual([]);
    const stored = await handle.db.selectFrom('outbox_messages').select(['body_text']).where('kind', '=', 'family_link').where('recipient', '=', PARENT_EMAIL).executeTakeFirstOrThrow();
    expect(stored.body_text).toBe('');

    // The parent opens it and chooses e-mail with reminders; the other guardian chooses SMS.
    const parent = await newPage(browser, { phone: true });
    await visit(parent.page, familyPath);
    expect(await parent.page.locator('main').innerText()).toContain('Beskeder fra os');
    const mona = parent.page.locator('form', { has: parent.page.locator('legend', { hasText: 'Mona' }) });
    await mona.getByLabel('E-mail').check();
    await mona.getByLabel('Send også en påmindelse før hvert møde').check();
    await mona.getByRole('button', { name: 'Gem' }).click();
    await parent.page.waitForURL(/gemt=messages/);
    expect(await parent.page.getByText('Tak. Dit valg er gemt.').count()).toBe(1);
    const omar = parent.page.locator('form', { has: parent.page.locator('legend', { hasText: 'Omar' }) });
    expect(await omar.getByLabel('E-mail').isDisabled()).toBe(true);
    await omar.getByLabel('SMS').check();
    await omar.getByRole('button', { name: 'Gem' }).click();
    await parent.page.waitForURL(/gemt=messages/);
    await expectAccessible(parent.page);
    expect(lix((await parent.page.locator('#beskeder').locator('xpath=..').innerText()).replace(/\n/g, '. '))).toBeLessThanOrEqual(35);
    await parent.context.close();
    const choices = await handle.db.selectFrom('guardians').select(['id', 'message_channel', 'message_reminders', 'consent_by', 'consent_at']).where('child_id', '=', fixture.childId).orderBy('name').execute();
    expect(choices.map((c) => [c.message_channel, c.message_reminders])).toEqual([['email', 1], ['sms', 0]]);
    expect(choices.every((c) => c.consent_by?.startsWith('familielink:') && c.consent_at !== null)).toBe(true);
  }, 120_000); // two sign-ins with a second factor and six pages checked with axe: over a minute on a loaded machine

  it('a moved meeting reaches the parent by e-mail with an unsubscribe link that works without signing in, by SMS, and the leader', async () => {
    const staff = await signedInPage(browser, LEADER_M, { at: `/personale/moeder/${fixture.meetingIds[0]}` });
    const target = new Date(Date.now() + 11 * 24 * 3600_000);
    const date = instantToZoned(target).date;
    const move = staff.page.locator('form', { has: staff.page.locator('input[name="intent"][value="move"]') });
    await move.locator('input[name="date"]').fill(date);
    await move.locator('input[name="startTime"]').fill('17:00');
    await move.locator('input[name="endTime"]').fill('19:00');
    await move.locator('input[name="place"]').fill('Familiecentret, salen');
    await move.locator('input[name="reason"]').fill('Vi skal bruge en større sal');
    await staff.page.getByRole('button', { name: 'Flyt mødet' }).click();
    await staff.page.waitForLoadState();
    await staff.context.close();

    const email = await waitForMessage(mail, (m) => m.to === PARENT_EMAIL && m.subject.startsWith('Ny tid: Beskedgruppen'));
    expect(email.text).toContain('Mødet i Beskedgruppen er flyttet.');
    expect(email.text).toContain('kl. 17.00-19.00');
    expect(email.text).toContain('Sted: Familiecentret, salen.');
    expect(email.text).toContain('Grunden: Vi skal bruge en større sal');
    expect(email.html).toContain('<p>Mødet i Beskedgruppen er flyttet.</p>');
    expect(email.contentLanguage).toBe('da');
    expect(email.messageId).toMatch(/@familiecentret\.test>$/);
    expect(email.listUnsubscribe).toMatch(/^<http:\/\/127\.0\.0\.1:\d+\/beskeder\/afmeld\/[a-z2-7]{39}>$/);
    // The family link the parent was sent is in the message, and it opens the family page.
    const linkInMail = /http:\/\/127\.0\.0\.1:\d+(\/familie\/[a-z2-7]{39})/.exec(email.text)?.[1];
    expect(linkInMail).toBe(familyPath);
    const family = await newPage(browser);
    await visit(family.page, linkInMail ?? '/');
    expect(await family.page.getByRole('heading', { level: 1 }).innerText()).toBe('Dit barns gruppe');
    expect(await family.page.locator('.lead').first().innerText()).toContain('Naja');
    await family.context.close();
    const sms = await waitForMessage(mail, (m) => m.channel === 'sms' && m.to === '+4531415926' && m.text.includes('flyttet'));
    expect(sms.authorization).toBe('Token e2e-token');
    expect(sms.text).not.toContain('Naja');
    const toLeader = await waitForMessage(mail, (m) => m.to === LEADER_M.email && m.subject.startsWith('Ny tid: Beskedgruppen'));
    expect(toLeader.listUnsubscribe).toBeNull();
    expect(mail().filter((m) => m.to === PARENT_EMAIL && m.subject.startsWith('Ny tid: Beskedgruppen'))).toHaveLength(1);

    // The unsubscribe link, in a browser with no sign-in: opening it changes nothing, the button does.
    const unsubscribePath = new URL((email.listUnsubscribe ?? '').slice(1, -1)).pathname;
    const stranger = await newPage(browser);
    await visit(stranger.page, unsubscribePath);
    expect((await handle.db.selectFrom('guardians').select('message_channel').where('id', '=', fixture.children[0]!.guardianIds[0]!).executeTakeFirstOrThrow()).message_channel).toBe('email');
    await stranger.page.getByRole('button', { name: 'Afmeld beskeder' }).click();
    await stranger.page.waitForLoadState();
    expect(await stranger.page.getByText('Du får ikke flere beskeder fra os.').count()).toBe(1);
    await expectAccessible(stranger.page);
    await stranger.context.close();
    const after = await handle.db.selectFrom('guardians').select(['message_channel', 'consent_by']).where('id', '=', fixture.children[0]!.guardianIds[0]!).executeTakeFirstOrThrow();
    expect(after).toEqual({ message_channel: 'none', consent_by: 'afmeldingslink' });
  });

  it('a cancelled meeting goes by SMS to the guardian who chose SMS, and not to the one who unsubscribed', async () => {
    const staff = await signedInPage(browser, LEADER_M, { at: `/personale/moeder/${fixture.meetingIds[1]}` });
    const cancel = staff.page.locator('form', { has: staff.page.locator('input[name="intent"][value="cancel"]') });
    await cancel.locator('textarea[name="reason"]').fill('Lederen er syg');
    await cancel.locator('input[name="confirm"]').check();
    await cancel.getByRole('button', { name: 'Aflys mødet' }).click();
    await staff.page.waitForLoadState();
    await staff.context.close();
    const sms = await waitForMessage(mail, (m) => m.channel === 'sms' && m.to === '+4531415926' && m.text.includes('aflyst'));
    expect(sms.text).toContain('Grunden: Lederen er syg');
    await waitForMessage(mail, (m) => m.to === LEADER_M.email && m.subject.startsWith('Aflyst: Beskedgruppen'));
    expect(mail().filter((m) => m.to === PARENT_EMAIL && m.subject.startsWith('Aflyst'))).toEqual([]);
  });

  it('a parent\'s afbud reaches the group\'s leaders by e-mail with the first name and the meeting', async () => {
    const parent = await newPage(browser, { phone: true });
    await visit(parent.page, familyPath);
    await parent.page.getByText('Meld afbud').first().click();
    await parent.page.getByLabel('Besked til os (hvis du vil)').first().fill('Tandlæge');
    await parent.page.getByRole('button', { name: 'Meld afbud' }).first().click();
    await parent.page.waitForURL(/gemt=absence/);
    await parent.context.close();
    const toLeader = await waitForMessage(mail, (m) => m.to === LEADER_M.email && m.subject === 'Afbud: 1 barn, Beskedgruppen');
    expect(toLeader.text).toMatch(/Naja, \S+ \d+\. \S+ \d{4} kl\. \d{2}\.\d{2} \(»Tandlæge«\)/);
    expect(toLeader.text).not.toContain('Hemmeligsen');
  });

  it('a staff invitation and a new password link arrive by e-mail, and the link works', async () => {
    const coordinator = await signedInPage(browser, COORDINATOR, { at: '/personale/brugere' });
    await fillForm(coordinator.page, { name: 'Nina Nyansat', email: 'nina.nyansat@e2e.test', role: 'leader' });
    await coordinator.page.getByRole('button', { name: 'Opret og lav link' }).click();
    await coordinator.page.waitForLoadState();
    const invite = await waitForMessage(mail, (m) => m.to === 'nina.nyansat@e2e.test' && m.subject === 'Din adgang til Gruppeforløb');
    expect(invite.text).toContain('Hej Nina Nyansat');
    const path = /http:\/\/127\.0\.0\.1:\d+(\/adgang\/[a-z2-7]+)/.exec(invite.text)?.[1] ?? '';
    const response = await fetch(`${inject('baseURL')}${path}`);
    expect(response.status).toBe(200);

    // A leader who has a password gets "Ny adgangskode" from "Nyt link".
    await visit(coordinator.page, '/personale/brugere');
    await coordinator.page.getByRole('button', { name: `Nyt link til ${LEADER_M.name}` }).click();
    await coordinator.page.waitForLoadState();
    const reset = await waitForMessage(mail, (m) => m.to === LEADER_M.email && m.subject === 'Ny adgangskode til Gruppeforløb');
    expect(reset.text).toContain('/adgang/');
    await coordinator.context.close();
  });

  it('a parent\'s own request for a place gets a receipt that says when we call', async () => {
    const slug = (await handle.db.selectFrom('groups').select('slug').where('id', '=', fixture.groupId).executeTakeFirstOrThrow()).slug;
    const { page, context } = await newPage(browser);
    await visit(page, `/grupper/${slug}/oensker-plads`);
    await fillForm(page, {
      parentName: 'Sara Spørger', email: 'sara.spoerger@familie.e2e', firstName: 'Ella', birthDate: '2016-02-28', municipality: 'ishoj',
      custody: true,
    });
    await page.waitForTimeout(HUMAN_PAUSE_MS);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForURL('**/tak');
    await context.close();
    const receipt = await waitForMessage(mail, (m) => m.to === 'sara.spoerger@familie.e2e');
    expect(receipt.subject).toBe('Tak for dit ønske: Beskedgruppen');
    expect(receipt.text).toContain('Vi ringer til dig inden for 14 dage.');
    expect(receipt.text).toContain('Ella');
  });

  it('a reminder goes before the meeting at the time the coordinator set for the group', async () => {
    const coordinator = await signedInPage(browser, COORDINATOR);
    // The next whole minute at least 15 s away: the reminder must not arrive before it.
    const next = new Date(Math.ceil((Date.now() + 15_000) / 60_000) * 60_000);
    const { date, time } = instantToZoned(next);
    const hour = Number(time.slice(0, 2));
    if (hour >= 21 || hour < 8 || time === '20:59') {
      console.log(`Reminder test skipped: it is ${time} in Copenhagen, inside the quiet hours 21.00-08.00 when no reminder may be set or sent.`);
      await coordinator.context.close();
      return;
    }
    // A meeting later today, a reminder 0 days before at the next whole minute.
    const meetingId = randomUUID();
    const starts = new Date(next.getTime() + 2 * 3600_000);
    if (instantToZoned(starts).date !== date) {
      console.log('Reminder test skipped: a meeting two hours from now falls on tomorrow in Copenhagen.');
      await coordinator.context.close();
      return;
    }
    await visit(coordinator.page, '/personale/beskeder');
    const form = coordinator.page.locator('form.reminder-form', { has: coordinator.page.locator('legend', { hasText: groupName }) });
    await form.getByLabel('Antal dage før mødet').fill('0');
    await form.getByLabel('Klokkeslæt').fill('21:30');
    await form.getByRole('button', { name: /Gem/ }).click();
    await coordinator.page.waitForLoadState();
    expect(await coordinator.page.getByText('Vi sender ikke beskeder mellem kl. 21 og 8.').count()).toBe(1);
    await expectAccessible(coordinator.page);
    const again = coordinator.page.locator('form.reminder-form', { has: coordinator.page.locator('legend', { hasText: groupName }) });
    await again.getByLabel('Klokkeslæt').fill(time);
    await again.getByRole('button', { name: /Gem/ }).click();
    await coordinator.page.waitForURL(/gemt=paamindelse/);
    await coordinator.context.close();
    // Only now the meeting and a guardian who wants reminders (the group's old setting would have sent one at once).
    const at = new Date().toISOString();
    await handle.db.insertInto('meetings').values({
      id: meetingId, group_id: fixture.groupId, occurrence_key: 'e2e-beskeder-paamindelse', starts_at: starts.toISOString(), ends_at: new Date(starts.getTime() + 3600_000).toISOString(),
      place: 'Familiecentret', status: 'planned', created_at: at, updated_at: at,
    }).execute();
    await handle.db.updateTable('guardians').set({ message_reminders: 1 }).where('id', '=', fixture.children[0]!.guardianIds[1]!).execute();

    const reminder = await waitForMessage(mail, (m) => m.channel === 'sms' && m.to === '+4531415926' && m.text.startsWith('Husk mødet i Beskedgruppen for Naja.'), 90_000);
    expect(reminder.at).toBeGreaterThanOrEqual(next.getTime());
    await new Promise((r) => setTimeout(r, 2_500));
    expect(mail().filter((m) => m.to === '+4531415926' && m.text.startsWith('Husk mødet'))).toHaveLength(1);
  }, 120_000);

  it('a failed message is shown to the coordinator on "Beskeder" and "Send igen" sends it', async () => {
    const at = new Date().toISOString();
    const id = randomUUID();
    await handle.db.insertInto('outbox_messages').values({
      id, kind: 'staff_link', channel: 'email', recipient: 'fejlet.modtager@e2e.test', language: 'da', subject: 'Fejlet besked til test', body_text: 'Hej igen',
      body_html: null, unsubscribe_url: null, payload: '{}', status: 'failed', attempts: 6, send_after: at, last_error: '451 prøv igen senere',
      message_id: `<${id}@familiecentret.test>`, created_at: at, updated_at: at,
    }).execute();
    const coordinator = await signedInPage(browser, COORDINATOR, { at: '/personale/beskeder?status=failed' });
    expect(await coordinator.page.locator('main').innerText()).toMatch(/\d+ besked(er)? er ikke sendt\./);
    const row = coordinator.page.locator('tr', { hasText: 'Fejlet besked til test' });
    expect(await row.innerText()).toContain('451 prøv igen senere');
    expect(await row.innerText()).toContain('fe…@e2e.test');
    await row.getByRole('button', { name: /Send igen/ }).click();
    await coordinator.page.waitForURL(/gemt=igen/);
    await coordinator.context.close();
    const arrived = await waitForMessage(mail, (m) => m.to === 'fejlet.modtager@e2e.test');
    expect(arrived.messageId).toBe(`<${id}@familiecentret.test>`);
  });
});

describe('the caseworker who referred hears each step of the course', () => {
  const CASEWORKER_M: Account = { email: 'beskeder-raadgiver@e2e.test', password: 'beskeder-raadgiver-kode-5', name: 'Rasmus Rådgiver' };
  const browser = useBrowser();
  const handle = useServerDatabase();

  beforeAll(async () => {
    addAccount(inject('databaseUrl'), CASEWORKER_M, 'caseworker', 'ishoj');
  });

  const toCaseworker = (subject: string | RegExp) => waitForMessage(mail, (m) => m.to === CASEWORKER_M.email && (typeof subject === 'string' ? m.subject.startsWith(subject) : subject.test(m.subject)));

  it('receipt, intake booked, waiting list, a place with the first meeting, closing booked, ended', async () => {
    const last = `Raadgiversen${randomUUID().slice(0, 5)}`;
    const caseworker = await signedInPage(browser, CASEWORKER_M, { at: '/personale/henvisninger/ny' });
    const p = caseworker.page;
    await p.locator('#f-groupId').selectOption({ label: 'Pigegruppen (7-15 år)' });
    await fillForm(p, {
      firstName: 'Alma', lastName: last, birthDate: '2016-03-01', gender: 'girl', g1Name: 'Mette Raadgiversen', g1Phone: '20 30 40 50',
      reason: 'Har brug for at møde andre piger.', consent: true,
    });
    await p.getByRole('button', { name: 'Send henvisning' }).click();
    await p.waitForURL(/\/personale\/henvisninger\/kvittering\//);
    const reference = (await p.locator('.reference').innerText()).trim();
    await caseworker.context.close();

    const receipt = await toCaseworker(`Henvisning modtaget: ${reference}`);
    expect(receipt.text).toContain(`Tak. Vi har fået din henvisning af Alma til Pigegruppen.`);
    expect(`${receipt.subject} ${receipt.text}`).not.toContain(last);

    const enrollmentId = (await handle.db.selectFrom('enrollments').innerJoin('referrals', 'referrals.id', 'enrollments.referral_id').select('enrollments.id')
      .where('referrals.reference', '=', reference).executeTakeFirstOrThrow()).id;
    const { page, context } = await signedInPage(browser, COORDINATOR, { at: `/personale/optag/${enrollmentId}` });
    await page.locator('#f-intake-date').fill(addDays(todayInZone(new Date()), 2));
    await page.locator('#f-intake-time').fill('15:00');
    await page.locator('#f-intake-leaderId').selectOption({ label: COORDINATOR.name });
    await page.getByRole('button', { name: 'Aftal samtalen' }).click();
    await expect.poll(() => page.getByText('Den indledende samtale er aftalt.').count()).toBe(1);
    const intake = await toCaseworker(`Første samtale er aftalt: ${reference}`);
    expect(intake.text).toContain('kl. 15.00-');
    expect(intake.text).toContain('Du er velkommen til at komme med.');

    // Two days go by: the conversation's time has come, so its outcome can be written.
    const held = new Date(Date.now() - 60 * 60 * 1000);
    await handle.db.updateTable('conversations').set({ starts_at: held.toISOString(), ends_at: new Date(held.getTime() + 60 * 60 * 1000).toISOString() })
      .where('enrollment_id', '=', enrollmentId).where('kind', '=', 'intake').execute();
    await page.reload();

    await page.locator('#f-outcome-outcome').selectOption('fits');
    await page.getByRole('button', { name: 'Gem udfaldet' }).click();
    await expect.poll(() => page.getByText('Udfaldet af samtalen er gemt.').count()).toBe(1);
    const waiting = await toCaseworker(`Venteliste: ${reference}`);
    expect(waiting.text).toContain('står på venteliste til Pigegruppen');

    await page.getByRole('button', { name: 'Start barnet i gruppen' }).click();
    await expect.poll(() => page.getByText('Barnet er startet i gruppen.').count()).toBe(1);
    const admitted = await toCaseworker(`Der er en plads: ${reference}`);
    expect(admitted.text).toMatch(/Første møde: \S+ \d+\. \S+ \d{4} kl\. \d{2}\.\d{2}-\d{2}\.\d{2}/);

    // The closing conversation earlier today, so the course can end now.
    await visit(page, `/personale/optag/${enrollmentId}`);
    await page.locator('#f-closing-date').fill(todayInZone(new Date()));
    await page.locator('#f-closing-time').fill('00:00');
    await page.locator('#f-closing-leaderId').selectOption({ label: COORDINATOR.name });
    await page.getByRole('button', { name: 'Aftal samtalen' }).click();
    await expect.poll(() => page.getByText('Den afsluttende samtale er aftalt.').count()).toBe(1);
    const closing = await toCaseworker(`Sidste samtale er aftalt: ${reference}`);
    expect(closing.text).toContain('kl. 00.00-');

    await handle.db.updateTable('enrollments').set({ start_date: addDays(todayInZone(new Date()), -30) }).where('id', '=', enrollmentId).execute();
    await page.locator('#f-end-reason').fill('Alma har fået det, hun kom for.');
    await page.locator('#f-end-nextStep').selectOption('nothing');
    await page.getByLabel('Ja, samtalen er holdt, og forløbet er slut').check();
    await page.getByRole('button', { name: 'Afslut forløbet' }).click();
    await expect.poll(() => page.getByText('Forløbet er afsluttet.').count()).toBe(1);
    const ended = await toCaseworker(`Forløbet er slut: ${reference}`);
    expect(ended.text).toContain('Alma');
    expect(ended.text).toContain('Grunden: Alma har fået det, hun kom for.');
    await context.close();
    expect(mail().filter((m) => m.to === CASEWORKER_M.email).map((m) => m.subject.split(':')[0])).toEqual([
      'Henvisning modtaget', 'Første samtale er aftalt', 'Venteliste', 'Der er en plads', 'Sidste samtale er aftalt', 'Forløbet er slut',
    ]);
  }, 150_000);
});
