import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/auth/auth';
import { submitFamilyAction, issueFamilyLink, resealFamilyLinks } from '../../src/features/families/families.service';
import { forgetSecretKeys } from '../../src/lib/server/secret-box';
import { LEASE_MS, MAX_ATTEMPTS, smsSegments } from '../../src/features/messages/messages';
import { claimDueMessages } from '../../src/features/messages/messages.repository';
import {
  deliverDueMessages, enqueueMeetingChange, listOutbox, resendMessage, scheduleReminders, unsubscribe, type Senders,
} from '../../src/features/messages/messages.service';
import { deleteChild } from '../../src/features/retention/retention.repository';
import { cancelMeeting, moveMeeting, restoreMeeting } from '../../src/features/schedule/schedule.service';
import { createMailSender } from '../../src/lib/server/mail';
import { createSmsSender } from '../../src/lib/server/sms';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { addChild, addGroup, addMeetings, addStaff } from '../support/child-records';
import { createTestDatabase, databaseKind, useTestDatabase } from '../support/database';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { NOW, MINUTE } from '../support/clock';

describe(`messages through the outbox on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  let mailbox: Mailbox;
  let senders: Senders;
  const log: string[] = [];
  let coordinator: Actor;
  let leader: Actor;
  let groupId: string;
  let meetingId: string;
  let laterMeetingId: string;
  let childId: string;
  let guardianId: string;
  let smsGuardianId: string;

  beforeAll(async () => {
    process.env['MAIL_FROM'] = 'Familiecentret <beskeder@familiecentret.test>';
    mailbox = await startMailbox();
    senders = {
      mail: createMailSender(mailbox.smtpUrl, 'Familiecentret <beskeder@familiecentret.test>'),
      sms: createSmsSender(mailbox.smsUrl, 'hemmelig-token'),
      log: (line) => log.push(line),
    };
    const db = handle.db;
    coordinator = await addStaff(db, 'coordinator', 'Karin Koordinator');
    leader = await addStaff(db, 'leader', 'Lars Leder');
    groupId = await addGroup(db, 'Pigegruppen');
    await db.insertInto('group_leaders').values({ group_id: groupId, user_id: leader.user.id }).execute();
    await db.insertInto('meeting_rules').values({ id: `rule-${groupId}`, group_id: groupId, weekday: 3, nth: 2, start_time: '16:00', end_time: '18:00', on_closed: 'next_week', updated_at: NOW.toISOString() }).execute();
    [meetingId = '', laterMeetingId = ''] = await addMeetings(db, groupId, ['2026-11-25T15:00:00.000Z', '2026-12-09T15:00:00.000Z']);
    const child = await addChild(db, { groupId, firstName: 'Sofie', lastName: 'Skjultnavn', enrollmentState: 'active', startDate: '2026-09-01', endedOn: null, referralStatus: 'active' });
    childId = child.childId;
    guardianId = child.guardianId;
    await db.updateTable('guardians').set({ message_channel: 'email', message_reminders: 1, consent_at: NOW.toISOString(), consent_by: 'test', unsubscribe_key: 'a'.repeat(39) }).where('id', '=', guardianId).execute();
    smsGuardianId = 'sms-guardian';
    await db.insertInto('guardians').values({
      id: smsGuardianId, child_id: childId, name: 'Ali Hansen', phone: '22 33 44 55', email: null, created_at: NOW.toISOString(),
      message_channel: 'sms', message_reminders: 0, message_language: 'en', consent_at: NOW.toISOString(), consent_by: 'test',
    }).execute();
  });
  afterEach(async () => {
    mailbox.failNext(0);
    await handle.db.deleteFrom('outbox_messages').execute();
    mailbox.received.length = 0;
    log.length = 0;
  });
  afterAll(async () => {
    delete process.env['MAIL_FROM'];
    senders.mail?.close();
    await mailbox.close();
  });

  /** A meeting of its own for one test (16.00 Copenhagen on a December Wednesday). */
  let month = 0;
  async function newMeeting(): Promise<string> {
    month += 1;
    const key = `2027-${String(month).padStart(2, '0')}`;
    const id = `meeting-${key}`;
    const start = `${key}-13T15:00:00.000Z`;
    await handle.db.insertInto('meetings').values({
      id, group_id: groupId, occurrence_key: key, starts_at: start, ends_at: `${key}-13T17:00:00.000Z`, place: 'Familiecentret',
      status: 'planned', created_at: NOW.toISOString(), updated_at: NOW.toISOString(),
    }).execute();
    return id;
  }

  async function deliverAll(at: Date, workerId = 'w1'): Promise<void> {
    for (;;) {
      const result = await deliverDueMessages(handle.db, senders, workerId, at);
      if (result.claimed === 0) return;
    }
  }

  it('a moved meeting reaches the guardian by e-mail and SMS and the leader, with a stable Message-ID and an unsubscribe link', async () => {
    await moveMeeting(handle.db, leader, meetingId, { date: '2026-11-26', startTime: '16:30', endTime: '18:30', place: 'Lokale 3', reason: 'Vi har lånt en større sal' }, NOW);
    // It waits a few minutes so a correction can replace it.
    await deliverAll(NOW);
    expect(mailbox.received).toHaveLength(0);
    await deliverAll(new Date(NOW.getTime() + 4 * MINUTE));
    expect(mailbox.received).toHaveLength(3);

    const family = mailbox.received.find((m) => m.to.endsWith('@familie.dk'));
    expect(family?.subject).toBe('Ny tid: Pigegruppen torsdag 26. november 2026');
    expect(family?.text).toContain('Ny tid: torsdag 26. november 2026 kl. 16.30-18.30.');
    expect(family?.text).toContain('Sted: Lokale 3.');
    expect(family?.text).toContain('Grunden: Vi har lånt en større sal');
    expect(family?.html).toContain('<p>Mødet i Pigegruppen er flyttet.</p>');
    expect(family?.listUnsubscribe).toBe(`<http://localhost:4321/beskeder/afmeld/${'a'.repeat(39)}>`);
    expect(family?.contentLanguage).toBe('da');
    expect(family?.messageId).toMatch(/^<[0-9a-f-]{36}@familiecentret\.test>$/);
    expect(`${family?.subject} ${family?.text}`).not.toContain('Skjultnavn');
    // No family link has been made yet: the message says to use the one they got.
    expect(family?.text).toContain('Brug linket, du har fået fra os.');

    const sms = mailbox.received.find((m) => m.channel === 'sms');
    expect(sms?.to).toBe('+4522334455');
    expect(sms?.authorization).toBe('Token hemmelig-token');
    expect(sms?.text).toContain('The meeting in Pigegruppen has moved.');
    expect(smsSegments(sms?.text ?? '')).toBeLessThanOrEqual(2);

    const toLeader = mailbox.received.find((m) => m.to === leader.user.email);
    expect(toLeader?.listUnsubscribe).toBeNull();
    const stored = await handle.db.selectFrom('outbox_messages').select(['message_id', 'status']).execute();
    expect(stored.map((s) => s.status)).toEqual(['sent', 'sent', 'sent']);
    // The Message-ID that arrived is the one stored with the row, so a resend after a crash carries the same one.
    for (const mail of mailbox.received.filter((m) => m.channel === 'email')) {
      expect(stored.map((s) => s.message_id)).toContain(mail.messageId);
    }
  });

  it("a moved meeting's message carries the child's current family link, put in as it is sent: never stored, never logged", async () => {
    const moved = await newMeeting();
    await moveMeeting(handle.db, leader, moved, { date: '2027-01-14', startTime: '16:00', endTime: '18:00', place: 'Lokale 2', reason: '' }, NOW);
    // The link is replaced after the message was written and before it goes: the new one is sent.
    const first = await issueFamilyLink(handle.db, leader, childId, NOW);
    const second = await issueFamilyLink(handle.db, leader, childId, new Date(NOW.getTime() + MINUTE));
    const stored = await handle.db.selectFrom('outbox_messages').select(['body_text', 'body_html', 'payload']).execute();
    expect(stored.length).toBeGreaterThan(0);
    for (const row of stored) expect(JSON.stringify(row)).not.toMatch(new RegExp(`${first.token}|${second.token}`));
    const sealed = await handle.db.selectFrom('family_links').select('token_sealed').where('child_id', '=', childId).where('revoked_at', 'is', null).executeTakeFirstOrThrow();
    expect(sealed.token_sealed).toMatch(/^v1\./);
    expect(sealed.token_sealed).not.toContain(second.token);

    await deliverAll(new Date(NOW.getTime() + 4 * MINUTE));
    const url = `http://localhost:4321/familie/${second.token}`;
    const family = mailbox.received.find((m) => m.to.endsWith('@familie.dk'));
    expect(family?.text).toContain(`Du kan se alle møder på din side:\n\n${url}`);
    expect(family?.html).toContain(`<a href="${url}">`);
    expect(family?.text).not.toContain(first.token);
    const sms = mailbox.received.find((m) => m.channel === 'sms');
    expect(sms?.text).toContain(url);
    expect(smsSegments(sms?.text ?? '')).toBeLessThanOrEqual(2);
    const toLeader = mailbox.received.find((m) => m.to === leader.user.email);
    expect(toLeader?.text).not.toContain('/familie/');

    // What staff read of the outbox, and the log, never hold it.
    const page = await listOutbox(handle.db, coordinator, null, NOW);
    expect(JSON.stringify(page)).not.toContain(second.token);
    expect(log.join('\n')).not.toContain(second.token);
  });

  it('after APP_SECRET is changed, `cli reencrypt` seals the open family links again, and messages still carry them', async () => {
    const keep = { current: process.env['APP_SECRET'], previous: process.env['APP_SECRET_PREVIOUS'] };
    const secrets = (current: string | undefined, previous: string | undefined) => {
      for (const [name, value] of [['APP_SECRET', current], ['APP_SECRET_PREVIOUS', previous]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      forgetSecretKeys();
    };
    try {
      secrets('den-gamle-hemmelighed-til-testen', undefined);
      const link = await issueFamilyLink(handle.db, leader, childId, NOW);
      secrets('den-nye-hemmelighed-til-testen', 'den-gamle-hemmelighed-til-testen');
      expect(await resealFamilyLinks(handle.db)).toBe(1);
      secrets('den-nye-hemmelighed-til-testen', undefined);
      const moved = await newMeeting();
      await moveMeeting(handle.db, leader, moved, { date: '2027-02-15', startTime: '16:00', endTime: '18:00', place: 'Lokale 2', reason: '' }, NOW);
      await deliverAll(new Date(NOW.getTime() + 4 * MINUTE));
      const family = mailbox.received.find((m) => m.to.endsWith('@familie.dk'));
      expect(family?.text).toContain(`http://localhost:4321/familie/${link.token}`);
    } finally {
      secrets(keep.current, keep.previous);
    }
  });

  it('a change that rolls back leaves nothing in the outbox and sends nothing', async () => {
    await expect(handle.db.transaction().execute(async (trx) => {
      expect(await enqueueMeetingChange(trx, laterMeetingId, 'cancelled', 'Sygdom', NOW)).toBe(3);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    await deliverAll(new Date(NOW.getTime() + 10 * MINUTE));
    expect(mailbox.received).toHaveLength(0);
    expect(await handle.db.selectFrom('outbox_messages').select('id').execute()).toEqual([]);
  });

  it('a correction within minutes replaces the unsent message: one message per recipient, with the last change', async () => {
    const laterMeetingId = await newMeeting();
    await moveMeeting(handle.db, leader, laterMeetingId, { date: '2026-12-10', startTime: '16:00', endTime: '18:00', place: 'Lokale 1' }, NOW);
    await moveMeeting(handle.db, leader, laterMeetingId, { date: '2026-12-11', startTime: '16:00', endTime: '18:00', place: 'Lokale 1' }, new Date(NOW.getTime() + MINUTE));
    await deliverAll(new Date(NOW.getTime() + 10 * MINUTE));
    const family = mailbox.received.filter((m) => m.to.endsWith('@familie.dk'));
    expect(family).toHaveLength(1);
    expect(family[0]?.text).toContain('fredag 11. december 2026');
    expect(mailbox.received).toHaveLength(3);
  });

  it('a cancellation undone before it went sends nothing to anyone', async () => {
    const laterMeetingId = await newMeeting();
    await cancelMeeting(handle.db, leader, laterMeetingId, { reason: 'Fejl', confirm: 'ja' }, NOW);
    await restoreMeeting(handle.db, leader, laterMeetingId, new Date(NOW.getTime() + MINUTE));
    await deliverAll(new Date(NOW.getTime() + 10 * MINUTE));
    expect(mailbox.received).toHaveLength(0);
  });

  it('afbud close together reach the leader as one e-mail with the first names', async () => {
    const link = await issueFamilyLink(handle.db, leader, childId, NOW);
    const token = link.path.split('/').pop();
    const other = await addChild(handle.db, { groupId, firstName: 'Maja', lastName: 'Efternavnsen', enrollmentState: 'active', startDate: '2026-09-01', endedOn: null });
    const otherLink = await issueFamilyLink(handle.db, leader, other.childId, NOW);
    await submitFamilyAction(handle.db, token, '10.9.0.1', { action: 'absence', values: { meetingId: laterMeetingId, message: 'Syg' } }, NOW);
    await submitFamilyAction(handle.db, otherLink.path.split('/').pop(), '10.9.0.2', { action: 'absence', values: { meetingId: laterMeetingId, message: '' } }, new Date(NOW.getTime() + 2 * MINUTE));
    await deliverAll(new Date(NOW.getTime() + 20 * MINUTE));
    const toLeader = mailbox.received.filter((m) => m.to === leader.user.email);
    expect(toLeader).toHaveLength(1);
    expect(toLeader[0]?.subject).toBe('Afbud: 2 børn, Pigegruppen');
    expect(toLeader[0]?.text).toContain('Sofie, onsdag 9. december 2026 kl. 16.00 (»Syg«)');
    expect(toLeader[0]?.text).toContain('Maja, onsdag 9. december 2026 kl. 16.00');
    expect(toLeader[0]?.text).not.toContain('Efternavnsen');
  });

  it('a temporary SMTP error is tried again later; after the last try the message is failed, listed, and "send igen" sends it', async () => {
    const laterMeetingId = await newMeeting();
    mailbox.failNext(1);
    await cancelMeeting(handle.db, leader, laterMeetingId, { reason: 'Sygdom', confirm: 'ja' }, NOW);
    const due = new Date(NOW.getTime() + 4 * MINUTE);
    await deliverAll(due);
    const retried = await handle.db.selectFrom('outbox_messages').select(['status', 'attempts', 'send_after', 'last_error']).where('status', '=', 'pending').execute();
    expect(retried).toHaveLength(1);
    expect(retried[0]?.attempts).toBe(1);
    expect(new Date(retried[0]?.send_after ?? 0).getTime()).toBe(due.getTime() + 30_000);
    await deliverAll(new Date(due.getTime() + 31_000));
    expect(mailbox.received.filter((m) => m.channel === 'email')).toHaveLength(2);

    // Now one that never gets through.
    await handle.db.deleteFrom('outbox_messages').execute();
    mailbox.received.length = 0;
    mailbox.failNext(1000);
    await restoreMeeting(handle.db, leader, laterMeetingId, new Date(NOW.getTime() + 30 * MINUTE));
    let at = new Date(NOW.getTime() + 40 * MINUTE);
    for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
      await deliverAll(at);
      at = new Date(at.getTime() + 2 * 60 * MINUTE);
    }
    mailbox.failNext(0);
    const failed = await handle.db.selectFrom('outbox_messages').select(['id', 'status', 'attempts']).where('channel', '=', 'email').execute();
    expect(failed.map((f) => [f.status, f.attempts])).toEqual([['failed', MAX_ATTEMPTS], ['failed', MAX_ATTEMPTS]]);
    expect(log.some((l) => l.includes('opgivet efter 6 forsøg'))).toBe(true);
    const page = await listOutbox(handle.db, coordinator, 'failed', at);
    expect(page.messages).toHaveLength(2);
    await resendMessage(handle.db, coordinator, failed[0]?.id ?? '', at);
    await deliverAll(at);
    expect(mailbox.received.filter((m) => m.channel === 'email')).toHaveLength(1);
    await expect(resendMessage(handle.db, leader, failed[1]?.id ?? '', at)).rejects.toThrow();
  });

  it('a worker that dies mid-send loses nothing: after its lease another sends it, with the same Message-ID', async () => {
    const laterMeetingId = await newMeeting();
    await cancelMeeting(handle.db, leader, laterMeetingId, { reason: 'Sygdom', confirm: 'ja' }, NOW);
    const at = new Date(NOW.getTime() + 70 * MINUTE);
    // Worker A claims the batch and sends the first e-mail, then is killed before it can mark anything.
    const claimed = await claimDueMessages(handle.db, 'worker-a', at, new Date(at.getTime() + LEASE_MS), 20);
    expect(claimed.length).toBeGreaterThan(0);
    const first = claimed.find((m) => m.channel === 'email');
    await senders.mail?.send({ to: first?.recipient ?? '', subject: first?.subject ?? '', text: first?.bodyText ?? '', html: null, messageId: first?.messageId ?? '', language: 'da', unsubscribeUrl: null });
    // Within the lease nobody else takes them.
    expect((await deliverDueMessages(handle.db, senders, 'worker-b', new Date(at.getTime() + MINUTE))).claimed).toBe(0);
    // After it, worker B sends every one.
    await deliverAll(new Date(at.getTime() + LEASE_MS + 1000), 'worker-b');
    const rows = await handle.db.selectFrom('outbox_messages').select(['status']).execute();
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const copies = mailbox.received.filter((m) => m.messageId === first?.messageId);
    expect(copies).toHaveLength(2);
    expect(mailbox.received).toHaveLength(claimed.length + 1);
  });

  it('reminders go once, at the group\'s time, only to guardians who chose them', async () => {
    const laterMeetingId = await newMeeting();
    const meeting = await handle.db.selectFrom('meetings').select(['starts_at']).where('id', '=', laterMeetingId).executeTakeFirstOrThrow();
    const startsAt = new Date(meeting.starts_at);
    const dayBefore = new Date(startsAt.getTime() - 24 * 60 * MINUTE);
    const { instantToZoned, zonedToInstant } = await import('../../src/lib/time');
    const reminderAt = zonedToInstant(instantToZoned(dayBefore).date, '16:00');
    expect(await scheduleReminders(handle.db, new Date(reminderAt.getTime() - MINUTE))).toBe(0);
    expect(await scheduleReminders(handle.db, new Date(reminderAt.getTime() + MINUTE))).toBe(1);
    expect(await scheduleReminders(handle.db, new Date(reminderAt.getTime() + 2 * MINUTE))).toBe(0);
    await deliverAll(new Date(reminderAt.getTime() + 2 * MINUTE));
    expect(mailbox.received).toHaveLength(1);
    expect(mailbox.received[0]?.subject).toMatch(/^Husk: Pigegruppen /);
    expect(mailbox.received[0]?.text).toContain('Husk mødet i Pigegruppen for Sofie.');
    expect(mailbox.received[0]?.text).toMatch(/Meld afbud på din side:\n\nhttp:\/\/localhost:4321\/familie\/[a-z2-7]+/);
  });

  it('the unsubscribe link turns the optional messages off, recorded with when and how', async () => {
    expect(await unsubscribe(handle.db, 'a'.repeat(39), NOW)).toBe(true);
    const g = await handle.db.selectFrom('guardians').select(['message_channel', 'message_reminders', 'consent_by', 'consent_at']).where('id', '=', guardianId).executeTakeFirstOrThrow();
    expect(g).toEqual({ message_channel: 'none', message_reminders: 0, consent_by: 'afmeldingslink', consent_at: NOW.toISOString() });
    expect(await unsubscribe(handle.db, 'b'.repeat(39), NOW)).toBe(false);
    await handle.db.updateTable('guardians').set({ message_channel: 'email', message_reminders: 1 }).where('id', '=', guardianId).execute();
  });

  it('without SMTP_URL and SMS_GATEWAY_URL messages stay in the outbox, marked unsent, and the log says where they would have gone', async () => {
    await cancelMeeting(handle.db, leader, await newMeeting(), { reason: 'Sygdom', confirm: 'ja' }, NOW);
    const rows = await handle.db.selectFrom('outbox_messages').select('id').execute();
    expect(rows.length).toBeGreaterThan(0);
    const silent: Senders = { mail: null, sms: null, log: (line) => log.push(line) };
    await deliverDueMessages(handle.db, silent, 'w-none', new Date(NOW.getTime() + 10 * MINUTE));
    const statuses = await handle.db.selectFrom('outbox_messages').select('status').execute();
    expect(statuses.every((s) => s.status === 'unsent')).toBe(true);
    expect(log.some((l) => /SMTP_URL er ikke sat\. Den skulle som e-mail til \S+…@familie\.dk/.test(l))).toBe(true);
    expect(log.some((l) => l.includes('SMS_GATEWAY_URL er ikke sat. Den skulle som SMS til +4522…55'))).toBe(true);
    expect(mailbox.received).toHaveLength(0);
  });

  it('messages about a child are deleted with the child (retention)', async () => {
    const other = await addChild(handle.db, { groupId, firstName: 'Ida', lastName: 'Slettes', enrollmentState: 'active', startDate: '2026-09-01', endedOn: null });
    await handle.db.updateTable('guardians').set({ message_channel: 'email' }).where('id', '=', other.guardianId).execute();
    const laterMeetingId = await newMeeting();
    await handle.db.transaction().execute((trx) => enqueueMeetingChange(trx, laterMeetingId, 'moved', null, NOW));
    const before = await handle.db.selectFrom('outbox_messages').select('id').where('child_id', '=', other.childId).execute();
    expect(before).toHaveLength(1);
    await deleteChild(handle.db, other.childId);
    expect(await handle.db.selectFrom('outbox_messages').select('id').where('child_id', '=', other.childId).execute()).toEqual([]);
  });
});

describe(`two workers on one ${databaseKind()} database`, () => {
  let dir: string | null = null;
  let a: DatabaseHandle;
  let b: DatabaseHandle;
  let mailbox: Mailbox;

  beforeAll(async () => {
    // Each e-mail takes 30 ms to be accepted, so the two workers' batches overlap in time, as two busy servers' would.
    mailbox = await startMailbox({ slowMs: 30 });
    if (databaseKind() === 'postgres') {
      a = await createTestDatabase();
      b = openDatabase(process.env['DATABASE_URL']);
    } else {
      dir = mkdtempSync(join(tmpdir(), 'outbox-'));
      a = openDatabase(join(dir, 'two.sqlite'));
      await migrateToLatest(a.db);
      b = openDatabase(join(dir, 'two.sqlite'));
    }
  });
  afterAll(async () => {
    await mailbox.close();
    await a.close();
    await b.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('send every message exactly once between them', async () => {
    const at = NOW.toISOString();
    const total = 300;
    await a.db.insertInto('outbox_messages').values(Array.from({ length: total }, (_, i) => ({
      id: `m-${String(i).padStart(4, '0')}`, kind: 'staff_link', channel: 'email' as const, recipient: `person${i}@test.dk`, language: 'da' as const,
      subject: `Besked ${i}`, body_text: 'Tekst', body_html: null, unsubscribe_url: null, payload: '{}', status: 'pending' as const,
      send_after: at, message_id: `<m-${i}@test.dk>`, created_at: at, updated_at: at,
    }))).execute();
    const sendersA: Senders = { mail: createMailSender(mailbox.smtpUrl, undefined), sms: null, log: () => undefined };
    const sendersB: Senders = { mail: createMailSender(mailbox.smtpUrl, undefined), sms: null, log: () => undefined };
    const run = async (handle: DatabaseHandle, senders: Senders, id: string): Promise<number> => {
      let sent = 0;
      for (;;) {
        const result = await deliverDueMessages(handle.db, senders, id, new Date(NOW.getTime() + MINUTE));
        sent += result.sent;
        if (result.claimed === 0) return sent;
      }
    };
    // Both connections open before the race starts.
    await Promise.all([a.db.selectFrom('outbox_messages').select('id').limit(1).execute(), b.db.selectFrom('outbox_messages').select('id').limit(1).execute()]);
    const [fromA, fromB] = await Promise.all([run(a, sendersA, 'a'), run(b, sendersB, 'b')]);
    sendersA.mail?.close();
    sendersB.mail?.close();
    expect(fromA + fromB).toBe(total);
    expect(fromA).toBeGreaterThan(0);
    expect(fromB).toBeGreaterThan(0);
    const ids = mailbox.received.map((m) => m.messageId);
    expect(ids).toHaveLength(total);
    expect(new Set(ids).size).toBe(total);
  });
});
