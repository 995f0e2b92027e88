import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { getAttendanceSheet } from '../../src/features/attendance/attendance.service';
import { FAMILY_RATE_LIMIT } from '../../src/features/families/families';
import {
  familyCalendar, getChildPage, issueFamilyLink, openFamilyPage, revokeFamilyLink, submitFamilyAction, qrCodeDataUrl,
} from '../../src/features/families/families.service';
import { ConflictError, ForbiddenError } from '../../src/lib/errors';
import { sha256Hex } from '../../src/lib/server/tokens';
import { addChild, addConversation, addEnrollment, addGroup, addMeetings } from '../support/builders';
import { useStaff } from '../support/staff';
import { databaseKind, useTestDatabase } from '../support/database';
import { errorOf } from '../support/errors';
import { NOW, DAY } from '../support/clock';

describe(`family link on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  const { coordinator, leader, otherLeader } = useStaff(handle, {}, { at: NOW });
  let ipCounter = 0;
  /** A fresh address per call, so the per-address rate limit only bites in its own test. */
  const ip = () => `10.0.0.${++ipCounter}`;

  /** A group with a child in an active course and meetings at +2, +30 and -30 days (16.00-18.00 Copenhagen). */
  async function arrange(): Promise<{ groupId: string; childId: string; enrollmentId: string; soon: string; later: string; past: string }> {
    const at = NOW.toISOString();
    const groupId = await addGroup(handle.db, { name: 'Pigegruppen', girls_only: 1, created_at: at, updated_at: at, leaderIds: [leader.user.id] });
    const starts = [2, 30, -30].map((d) => new Date(Date.parse('2026-11-23T15:00:00Z') + d * DAY));
    const [soon = '', later = '', past = ''] = await addMeetings(handle.db, groupId, starts, { place: 'Familiecentret, lokale 2', created_at: at, updated_at: at });
    const { childId } = await addChild(handle.db, { first_name: 'Ida', last_name: 'Hemmeligsen', created_at: at, updated_at: at });
    const enrollmentId = await addEnrollment(handle.db, { child_id: childId, group_id: groupId, start_date: '2026-09-01', created_at: at, updated_at: at });
    await addConversation(handle.db, {
      kind: 'parent', child_id: childId, group_id: groupId, enrollment_id: enrollmentId, leader_id: leader.user.id,
      starts_at: new Date(NOW.getTime() + 5 * DAY).toISOString(), place: 'Familiecentret, mødelokalet', note: 'Privat note',
      created_at: at, updated_at: at,
    });
    return { groupId, childId, enrollmentId, soon, later, past };
  }

  it('stores only the hash; the page shows the first name, the group, the next meetings and the booked conversation', async () => {
    const a = await arrange();
    const link = await issueFamilyLink(handle.db, leader, a.childId, NOW);
    expect(link.path).toBe(`/familie/${link.token}`);
    const stored = await handle.db.selectFrom('family_links').selectAll().where('child_id', '=', a.childId).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.token_hash).toBe(sha256Hex(link.token));
    const audit = await handle.db.selectFrom('audit_log').selectAll().where('child_id', '=', a.childId).execute();
    expect(audit.some((r) => r.entity_type === 'family_link' && r.action === 'create')).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(link.token);

    const page = await openFamilyPage(handle.db, link.token, ip(), NOW);
    expect(page.kind).toBe('ok');
    if (page.kind !== 'ok') return;
    expect(page.value.firstName).toBe('Ida');
    expect(JSON.stringify(page.value)).not.toContain('Hemmeligsen');
    expect(JSON.stringify(page.value)).not.toContain('Privat note');
    expect(page.value.courses).toEqual([{ groupName: 'Pigegruppen', started: true }]);
    expect(page.value.meetings.map((s) => s.id)).toEqual([a.soon, a.later]);
    expect(page.value.meetings[0]).toMatchObject({ place: 'Familiecentret, lokale 2', mayReportAbsence: true, afbud: null });
    expect(page.value.conversations).toHaveLength(1);
    expect(page.value.conversations[0]?.kind).toBe('parent');

    const qr = await qrCodeDataUrl(`http://localhost${link.path}`);
    expect(qr.startsWith('data:image/svg+xml;base64,')).toBe(true);
    expect(Buffer.from(qr.split(',')[1] ?? '', 'base64').toString('utf8')).toContain('<svg');
  });

  it('an afbud is stored as excused from the family, shows on the leader\'s list, and can be taken back until the start', async () => {
    const a = await arrange();
    const { token } = await issueFamilyLink(handle.db, coordinator, a.childId, NOW);
    const done = await submitFamilyAction(handle.db, token, ip(), { action: 'absence', values: { meetingId: a.soon, message: '  Ida er syg  ' } }, NOW);
    expect(done).toEqual({ kind: 'ok', value: { done: 'absence' } });
    const row = await handle.db.selectFrom('attendance').selectAll().where('meeting_id', '=', a.soon).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'excused', source: 'family', reason: 'Ida er syg', enrollment_id: a.enrollmentId });

    const sheet = await getAttendanceSheet(handle.db, leader, a.soon, NOW);
    expect(sheet.rows[0]).toMatchObject({ firstName: 'Ida', mark: 'excused', source: 'family', reason: 'Ida er syg' });

    let page = await openFamilyPage(handle.db, token, ip(), NOW);
    if (page.kind !== 'ok') throw new Error('no page');
    expect(page.value.meetings[0]).toMatchObject({ mayReportAbsence: false, afbud: { message: 'Ida er syg', byFamily: true, mayWithdraw: true } });

    // After the start it can no longer be taken back.
    const started = new Date(Date.parse('2026-11-25T15:00:00Z') + 60_000);
    expect(await errorOf(submitFamilyAction(handle.db, token, ip(), { action: 'withdraw', values: { meetingId: a.soon } }, started))).toBeInstanceOf(ConflictError);
    await submitFamilyAction(handle.db, token, ip(), { action: 'withdraw', values: { meetingId: a.soon } }, NOW);
    expect(await handle.db.selectFrom('attendance').selectAll().where('meeting_id', '=', a.soon).execute()).toHaveLength(0);
    page = await openFamilyPage(handle.db, token, ip(), NOW);
    if (page.kind !== 'ok') throw new Error('no page');
    expect(page.value.meetings[0]?.afbud).toBeNull();

    // A meeting of another group, or one before the child started, is not the family's to touch.
    expect(await errorOf(submitFamilyAction(handle.db, token, ip(), { action: 'absence', values: { meetingId: a.past } }, NOW))).toBeInstanceOf(ConflictError);
    const other = await arrange();
    expect((await errorOf(submitFamilyAction(handle.db, token, ip(), { action: 'absence', values: { meetingId: other.soon } }, NOW)))).toBeTruthy();
    expect(await handle.db.selectFrom('attendance').selectAll().where('meeting_id', '=', other.soon).execute()).toHaveLength(0);
  });

  it('a moved or cancelled meeting shows at once', async () => {
    const a = await arrange();
    const { token } = await issueFamilyLink(handle.db, leader, a.childId, NOW);
    await handle.db.updateTable('meetings').set({ status: 'cancelled' }).where('id', '=', a.soon).execute();
    await handle.db.updateTable('meetings').set({ status: 'moved', place: 'Ishøj Bibliotek' }).where('id', '=', a.later).execute();
    const page = await openFamilyPage(handle.db, token, ip(), NOW);
    if (page.kind !== 'ok') throw new Error('no page');
    expect(page.value.meetings.map((s) => [s.status, s.place, s.mayReportAbsence])).toEqual([
      ['cancelled', 'Familiecentret, lokale 2', false],
      ['moved', 'Ishøj Bibliotek', true],
    ]);
  });

  it('a new link closes the old one; a closed link shows nothing, its calendar too', async () => {
    const a = await arrange();
    const first = await issueFamilyLink(handle.db, leader, a.childId, NOW);
    expect((await familyCalendar(handle.db, first.token, ip(), NOW)).kind).toBe('ok');
    const second = await issueFamilyLink(handle.db, leader, a.childId, new Date(NOW.getTime() + 1000));
    expect([first.replaced, second.replaced]).toEqual([false, true]);
    expect((await openFamilyPage(handle.db, first.token, ip(), NOW)).kind).toBe('gone');
    expect((await familyCalendar(handle.db, first.token, ip(), NOW)).kind).toBe('gone');
    expect((await openFamilyPage(handle.db, second.token, ip(), NOW)).kind).toBe('ok');

    const child = await getChildPage(handle.db, leader, a.childId, NOW);
    expect(child.link?.createdAt).toEqual(new Date(NOW.getTime() + 1000));
    await revokeFamilyLink(handle.db, leader, a.childId, NOW);
    expect((await openFamilyPage(handle.db, second.token, ip(), NOW)).kind).toBe('gone');
    expect((await familyCalendar(handle.db, second.token, ip(), NOW)).kind).toBe('gone');
    expect((await getChildPage(handle.db, leader, a.childId, NOW)).link).toBeNull();
    expect((await openFamilyPage(handle.db, 'not-a-token', ip(), NOW)).kind).toBe('gone');
  });

  it('only the coordinator and the child\'s own leaders see the child and its link', async () => {
    const a = await arrange();
    expect(await errorOf(getChildPage(handle.db, otherLeader, a.childId, NOW))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(issueFamilyLink(handle.db, otherLeader, a.childId, NOW))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(revokeFamilyLink(handle.db, otherLeader, a.childId, NOW))).toBeInstanceOf(ForbiddenError);
    expect((await getChildPage(handle.db, coordinator, a.childId, NOW)).child.lastName).toBe('Hemmeligsen');
    const reads = await handle.db.selectFrom('audit_log').selectAll().where('child_id', '=', a.childId).where('action', '=', 'read').execute();
    expect(reads).toHaveLength(1);
  });

  it('the calendar holds the group\'s meetings and the conversation, the first name only in a description', async () => {
    const a = await arrange();
    const { token } = await issueFamilyLink(handle.db, leader, a.childId, NOW);
    const feed = await familyCalendar(handle.db, token, ip(), NOW);
    if (feed.kind !== 'ok') throw new Error('no feed');
    expect(feed.value.body).not.toContain('Hemmeligsen');
    const events = new ICAL.Component(ICAL.parse(feed.value.body)).getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
    expect(events).toHaveLength(4); // three meetings (one a month back) and the conversation
    for (const e of events) expect(e.summary).not.toContain('Ida');
    expect(events.filter((e) => (e.description ?? '').includes('Ida'))).toHaveLength(1);
  });

  it('counts every page view per address and says no once the limit is reached', async () => {
    const a = await arrange();
    const { token } = await issueFamilyLink(handle.db, leader, a.childId, NOW);
    const address = '192.0.2.77';
    for (let i = 0; i < FAMILY_RATE_LIMIT.max - 1; i++) await openFamilyPage(handle.db, 'wrong', address, NOW);
    const last = await openFamilyPage(handle.db, token, address, NOW);
    expect(['ok', 'limited']).toContain(last.kind);
    const refused = await openFamilyPage(handle.db, token, address, NOW);
    expect(refused.kind).toBe('limited');
    expect((await openFamilyPage(handle.db, token, '192.0.2.78', NOW)).kind).toBe('ok');
  });
});
