import { createHash, randomUUID } from 'node:crypto';
import ICAL from 'ical.js';
import nodeIcal from 'node-ical';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  issueStaffFeedToken,
  publicGroupFeed,
  publicGroupPage,
  staffFeed,
  staffFeedLinkCreatedAt,
} from '../../src/features/feeds/feeds.service';
import { seedDefaultGroups } from '../../src/features/groups/groups.service';
import { cancelMeeting, moveMeeting } from '../../src/features/schedule/schedule.service';
import { instantToZoned } from '../../src/lib/time';
import { addChild, addConversation, addEnrollment, addLeaders, meetingByKey } from '../support/builders';
import { addStaffMember, useStaff } from '../support/staff';
import { databaseKind, useTestDatabase } from '../support/database';
import { NOW, DAY } from '../support/clock';

// NOW is in winter time. The girls' group meets the 2nd Wednesday at 16.00; its January meeting is in winter time
// (UTC+1) and its April meeting in summer time (UTC+2).

interface ParsedEvent {
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  description: string | null;
  status: string | null;
}

/** Parses a feed with ical.js, as Thunderbird and many web calendars do. */
function parseWithIcalJs(body: string): { name: string | null; refresh: string | null; events: ParsedEvent[] } {
  const calendar = new ICAL.Component(ICAL.parse(body));
  const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const description = vevent.getFirstPropertyValue('description');
    const status = vevent.getFirstPropertyValue('status');
    return {
      uid: event.uid,
      sequence: event.sequence,
      start: event.startDate.toJSDate(),
      end: event.endDate.toJSDate(),
      summary: event.summary,
      description: typeof description === 'string' ? description : null,
      status: typeof status === 'string' ? status : null,
    };
  });
  const name = calendar.getFirstPropertyValue('x-wr-calname');
  const refresh = calendar.getFirstProperty('refresh-interval')?.toICALString() ?? null;
  return { name: typeof name === 'string' ? name : null, refresh, events };
}

/** Parses a feed with node-ical, a second, independent parser. */
function parseWithNodeIcal(body: string): ParsedEvent[] {
  const data = nodeIcal.sync.parseICS(body);
  const events: ParsedEvent[] = [];
  for (const item of Object.values(data)) {
    if (!item || item.type !== 'VEVENT') continue;
    if (!item.end) throw new Error(`node-ical read an event without an end: ${item.uid}`);
    const text = (v: unknown): string | null =>
      typeof v === 'string' ? v : v && typeof v === 'object' && 'val' in v ? String((v as { val: unknown }).val) : null;
    events.push({
      uid: item.uid,
      sequence: Number(item.sequence ?? 0),
      start: new Date(item.start),
      end: new Date(item.end),
      summary: text(item.summary) ?? '',
      description: text(item.description),
      status: item.status ?? null,
    });
  }
  return events;
}

function byUid(events: ParsedEvent[], uid: string): ParsedEvent | undefined {
  return events.find((e) => e.uid === uid);
}

describe(`calendar feeds on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  const { coordinator, leader, caseworker } = useStaff(handle, {}, { at: NOW });
  let girlsId: string;

  async function feedBody(at: Date): Promise<string> {
    const feed = await publicGroupFeed(handle.db, 'pigegruppen', at);
    if (!feed) throw new Error('no feed');
    return feed.body;
  }

  beforeAll(async () => {
    await seedDefaultGroups(handle.db, NOW);
    const groups = await handle.db.selectFrom('groups').select(['id', 'slug']).execute();
    girlsId = groups.find((g) => g.slug === 'pigegruppen')!.id;
    await addLeaders(handle.db, girlsId, [leader.user.id]);

    // A girl in the group, with an intake conversation the leader holds. Her name must never reach a public
    // page or feed; in the leader's feed only her first name, in the description.
    const at = NOW.toISOString();
    const { childId } = await addChild(handle.db, { first_name: 'Ingrid', last_name: 'Hemmeligsen', created_at: at, updated_at: at });
    const enrollment = { child_id: childId, group_id: girlsId, start_date: '2026-10-01', created_at: at, updated_at: at };
    await addEnrollment(handle.db, { ...enrollment, state: 'active' });
    await addEnrollment(handle.db, { ...enrollment, state: 'ended', ended_on: '2026-10-30' });
    await addConversation(handle.db, {
      id: 'conversation-1',
      child_id: childId,
      group_id: girlsId,
      leader_id: leader.user.id,
      starts_at: '2026-12-01T13:00:00.000Z',
      ends_at: '2026-12-01T14:00:00.000Z',
      place: 'Familiecentret, Ishøj',
      child_words: 'Ingrid Hemmeligsen siger hun glæder sig',
      note: 'Ingrid Hemmeligsen: note',
      created_at: at,
      updated_at: at,
    });
  });

  it('parses in ical.js and node-ical, with the 16.00 meeting at 15:00Z in winter and 14:00Z in summer', async () => {
    const body = await feedBody(NOW);
    const january = (await meetingByKey(handle.db, girlsId, '2027-01'))!;
    const april = (await meetingByKey(handle.db, girlsId, '2027-04'))!;

    const viaIcalJs = parseWithIcalJs(body);
    const viaNodeIcal = parseWithNodeIcal(body);
    expect(viaIcalJs.name).toBe('Pigegruppen');
    expect(viaIcalJs.refresh).toBe('REFRESH-INTERVAL;VALUE=DURATION:PT6H');
    expect(viaIcalJs.events.length).toBeGreaterThanOrEqual(11);
    expect(viaNodeIcal.map((e) => e.uid).sort()).toEqual(viaIcalJs.events.map((e) => e.uid).sort());

    for (const events of [viaIcalJs.events, viaNodeIcal]) {
      const jan = byUid(events, `${january.id}@gruppeforloeb`);
      const apr = byUid(events, `${april.id}@gruppeforloeb`);
      expect(jan?.start.getUTCHours()).toBe(15);
      expect(apr?.start.getUTCHours()).toBe(14);
      expect(instantToZoned(jan!.start).time).toBe('16:00');
      expect(instantToZoned(apr!.start).time).toBe('16:00');
      expect(instantToZoned(apr!.end).time).toBe('18:00');
      expect(jan?.summary).toBe('Pigegruppen – Gruppemøde');
    }
    expect(body).toMatch(/^DTSTART:\d{8}T\d{6}Z\r$/m);
    expect(body).not.toContain('TZID');
  });

  it('gives identical bytes for two renders without a change, and the ETag and Last-Modified from stored data', async () => {
    const first = await publicGroupFeed(handle.db, 'pigegruppen', NOW);
    const second = await publicGroupFeed(handle.db, 'pigegruppen', new Date(NOW.getTime() + 60 * 60 * 1000));
    expect(second?.body).toBe(first?.body);
    expect(second?.etag).toBe(first?.etag);
    expect(first?.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    expect(first?.lastModified).toEqual(NOW);
  });

  it('keeps the UID and raises SEQUENCE when a meeting is moved, so calendars show the new time', async () => {
    const before = await publicGroupFeed(handle.db, 'pigegruppen', NOW);
    const january = (await meetingByKey(handle.db, girlsId, '2027-01'))!;
    const uid = `${january.id}@gruppeforloeb`;
    const oldSequence = byUid(parseWithIcalJs(before!.body).events, uid)!.sequence;

    const later = new Date(NOW.getTime() + DAY);
    await moveMeeting(handle.db, coordinator, january.id, { date: '2027-01-20', startTime: '17:00', endTime: '19:00', place: 'Familiecentret, Ishøj' }, later);

    const after = await publicGroupFeed(handle.db, 'pigegruppen', later);
    expect(after!.etag).not.toBe(before!.etag);
    expect(after!.lastModified).toEqual(later);
    for (const events of [parseWithIcalJs(after!.body).events, parseWithNodeIcal(after!.body)]) {
      const moved = byUid(events, uid);
      expect(moved?.sequence).toBeGreaterThan(oldSequence);
      expect(moved?.start.toISOString()).toBe('2027-01-20T16:00:00.000Z');
      expect(moved?.end.toISOString()).toBe('2027-01-20T18:00:00.000Z');
    }
  });

  it('shows a cancelled meeting as CANCELLED with AFLYST, and drops it two weeks after its date', async () => {
    const april = (await meetingByKey(handle.db, girlsId, '2027-04'))!;
    const uid = `${april.id}@gruppeforloeb`;
    const at = new Date(NOW.getTime() + 2 * DAY);
    await cancelMeeting(handle.db, coordinator, april.id, { reason: 'Sygdom hos Ingrid Hemmeligsen', confirm: 'ja' }, at);

    const body = await feedBody(at);
    const viaIcalJs = byUid(parseWithIcalJs(body).events, uid);
    const viaNodeIcal = byUid(parseWithNodeIcal(body), uid);
    expect(viaIcalJs?.status).toBe('CANCELLED');
    expect(viaNodeIcal?.status).toBe('CANCELLED');
    expect(viaIcalJs?.summary).toBe('AFLYST: Pigegruppen – Gruppemøde');
    expect(viaIcalJs?.sequence).toBeGreaterThan(april.sequence);
    // The reason is free text a leader typed: it stays out of the public feed.
    expect(body).not.toContain('Sygdom');

    const start = new Date(april.starts_at).getTime();
    expect(await feedBody(new Date(start + 13 * DAY))).toContain(`UID:${uid}`);
    expect(await feedBody(new Date(start + 15 * DAY))).not.toContain(`UID:${uid}`);
  });

  it("never puts a child's name in the public feed or on the public page", async () => {
    const body = await feedBody(NOW);
    expect(body).not.toMatch(/Ingrid|Hemmeligsen/);
    const page = await publicGroupPage(handle.db, 'pigegruppen', NOW);
    expect(JSON.stringify(page)).not.toMatch(/Ingrid|Hemmeligsen/);
  });

  it("shows the girls' group's free places as capacity minus active members", async () => {
    const page = await publicGroupPage(handle.db, 'pigegruppen', NOW);
    expect(page?.freePlaces).toBe(9);
    expect(page?.nextMeetings.length).toBeGreaterThan(0);
    expect(page!.nextMeetings.every((s) => s.endsAt.getTime() > NOW.getTime())).toBe(true);
    const siblings = await publicGroupPage(handle.db, 'soeskendegruppen-boern', NOW);
    expect(siblings?.freePlaces).toBeNull();
  });

  it('answers null for a group that does not exist or is archived', async () => {
    expect(await publicGroupFeed(handle.db, 'findes-ikke', NOW)).toBeNull();
    expect(await publicGroupPage(handle.db, 'findes-ikke', NOW)).toBeNull();
    await handle.db.updateTable('groups').set({ archived_at: NOW.toISOString() }).where('slug', '=', 'soeskendegruppen-unge').execute();
    expect(await publicGroupFeed(handle.db, 'soeskendegruppen-unge', NOW)).toBeNull();
  });

  describe('staff feeds', () => {
    function tokenOf(path: string): string {
      const match = /^\/kalender\/personale\/([a-z2-7]+)\.ics$/.exec(path);
      if (!match?.[1]) throw new Error(`not a staff feed path: ${path}`);
      return match[1];
    }

    it("holds a leader's own groups and the conversations they lead, with the child's first name only", async () => {
      const token = tokenOf(await issueStaffFeedToken(handle.db, leader.user.id, NOW));
      const feed = await staffFeed(handle.db, token, NOW);
      expect(feed).not.toBeNull();
      const events = parseWithNodeIcal(feed!.body);
      const conversation = byUid(events, 'samtale-conversation-1@gruppeforloeb');
      expect(conversation?.summary).toBe('Indledende samtale – Pigegruppen');
      expect(conversation?.description).toBe('Barnets fornavn: Ingrid');
      expect(feed!.body).not.toContain('Hemmeligsen');
      const meetings = events.filter((e) => e.uid !== 'samtale-conversation-1@gruppeforloeb');
      expect(meetings.length).toBeGreaterThan(0);
      expect(meetings.every((e) => e.summary.endsWith('Pigegruppen – Gruppemøde'))).toBe(true);
      expect(parseWithIcalJs(feed!.body).events).toHaveLength(events.length);
    });

    it("gives a coordinator every group's meetings", async () => {
      const token = tokenOf(await issueStaffFeedToken(handle.db, coordinator.user.id, NOW));
      const feed = await staffFeed(handle.db, token, NOW);
      const summaries = new Set(parseWithIcalJs(feed!.body).events.map((e) => e.summary.replace(/^AFLYST: /, '')));
      expect(summaries).toEqual(new Set(['Pigegruppen – Gruppemøde', 'Søskendegruppen børn – Gruppemøde']));
      expect(feed!.body).not.toMatch(/Ingrid|Hemmeligsen/); // she is in a conversation the coordinator does not lead
    });

    it('stores only the hash of the token, and a new link turns the old one off', async () => {
      const first = tokenOf(await issueStaffFeedToken(handle.db, leader.user.id, NOW));
      const rows = await handle.db.selectFrom('feed_tokens').selectAll().where('user_id', '=', leader.user.id).execute();
      expect(first).toHaveLength(39);
      expect(JSON.stringify(rows)).not.toContain(first);
      expect(rows.some((r) => r.token_hash === createHash('sha256').update(first).digest('hex') && r.revoked_at === null)).toBe(true);

      const later = new Date(NOW.getTime() + DAY);
      const second = tokenOf(await issueStaffFeedToken(handle.db, leader.user.id, later));
      expect(second).not.toBe(first);
      expect(await staffFeed(handle.db, first, later)).toBeNull();
      expect(await staffFeed(handle.db, second, later)).not.toBeNull();
      expect(await staffFeedLinkCreatedAt(handle.db, leader.user.id)).toEqual(later);
      const live = await handle.db.selectFrom('feed_tokens').select('id').where('user_id', '=', leader.user.id).where('revoked_at', 'is', null).execute();
      expect(live).toHaveLength(1);
    });

    it('answers null for unknown or malformed tokens and for a disabled account', async () => {
      expect(await staffFeed(handle.db, 'a'.repeat(39), NOW)).toBeNull();
      expect(await staffFeed(handle.db, '../../etc/passwd', NOW)).toBeNull();
      const other = await addStaffMember(handle.db, 'leader', 'Ole Orlov', { at: NOW });
      const token = tokenOf(await issueStaffFeedToken(handle.db, other.user.id, NOW));
      expect(await staffFeed(handle.db, token, NOW)).not.toBeNull();
      await handle.db.updateTable('users').set({ disabled_at: NOW.toISOString() }).where('id', '=', other.user.id).execute();
      expect(await staffFeed(handle.db, token, NOW)).toBeNull();
    });

    it('gives a caseworker a feed of only the conversations they are invited to, for their own referrals', async () => {
      const at = NOW.toISOString();
      const childId = randomUUID();
      const referralId = randomUUID();
      await handle.db.insertInto('children').values({ id: childId, first_name: 'Vera', last_name: 'Inviteretsen', birth_date: '2016-02-01', gender: 'girl', municipality: 'ishoj', created_at: at, updated_at: at }).execute();
      await handle.db.insertInto('referrals').values({ id: referralId, reference: `F-${referralId.slice(0, 6)}`, group_id: girlsId, child_id: childId, source: 'caseworker', caseworker_id: caseworker.user.id, status: 'intake_booked', reason: 'x', custody_consent: 1, queue_rank: null, status_reason: null, idempotency_key: null, received_at: at, updated_at: at }).execute();
      const conversation = (id: string, invites: number) => ({
        id, kind: 'intake' as const, child_id: childId, group_id: girlsId, referral_id: referralId, enrollment_id: null, leader_id: leader.user.id,
        starts_at: '2026-12-03T13:00:00.000Z', ends_at: '2026-12-03T14:00:00.000Z', place: 'Familiecentret', status: 'booked' as const,
        outcome: null, outcome_reason: null, child_words: null, note: null, created_at: at, updated_at: at, invites_caseworker: invites,
      });
      await handle.db.insertInto('conversations').values([conversation('invited-1', 1), conversation('not-invited-1', 0)]).execute();
      const token = tokenOf(await issueStaffFeedToken(handle.db, caseworker.user.id, NOW));
      const feed = await staffFeed(handle.db, token, NOW);
      const events = parseWithIcalJs(feed!.body).events;
      expect(events.map((e) => e.uid)).toEqual([expect.stringContaining('invited-1')]);
      expect(feed!.body).toContain('Vera');
      expect(feed!.body).not.toContain('Inviteretsen');
      expect(feed!.body).not.toContain('Hemmeligsen');
    });
  });

  it('renders a 12-month group feed quickly (size and time printed)', async () => {
    const runs = 50;
    const started = performance.now();
    let feed = await publicGroupFeed(handle.db, 'soeskendegruppen-boern', NOW);
    for (let i = 1; i < runs; i++) feed = await publicGroupFeed(handle.db, 'soeskendegruppen-boern', NOW);
    const ms = (performance.now() - started) / runs;
    const bytes = Buffer.byteLength(feed!.body, 'utf8');
    const events = parseWithIcalJs(feed!.body).events.length;
    console.info(`12-month group feed on ${databaseKind()}: ${events} events, ${bytes} bytes, ${ms.toFixed(2)} ms per render (query + render + hash)`);
    expect(events).toBeGreaterThanOrEqual(11);
    expect(ms).toBeLessThan(250);
  });

});
