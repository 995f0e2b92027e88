import { beforeAll, describe, expect, it } from 'vitest';
import { statementCount } from '../../src/lib/server/db';
import { ConflictError, ForbiddenError, ValidationError } from '../../src/lib/errors';
import type { Actor } from '../../src/features/auth/auth';
import type { Group } from '../../src/features/groups/groups';
import { listGroups, seedDefaultGroups } from '../../src/features/groups/groups.service';
import type { EnrollmentState } from '../../src/features/lifecycle/lifecycle';
import { addMonths } from '../../src/lib/time';
import {
  bookClosingConversation,
  bookIntakeConversation,
  declineOrWithdraw,
  endCourse,
  getCase,
  listInbox,
  moveToBand,
  recordIntakeOutcome,
  recordParentConversation,
  reorderWaitingList,
  startCourse,
  windowOverview,
} from '../../src/features/enrollment/enrollment.service';
import { addDays, todayInZone } from '../../src/lib/time';
import { addChild, addEnrollment, addLeaders, addReferral, insertUser } from '../support/builders';
import { addStaffMember, useStaff } from '../support/staff';
import { createTestDatabase, databaseKind, useTestDatabase } from '../support/database';
import { errorOf } from '../support/errors';
import { NOW } from '../support/clock';

const TODAY = todayInZone(NOW);

describe(`enrollment service on ${databaseKind()}`, () => {
  let handle = useTestDatabase();
  const { coordinator, leader: kidsLeader, otherLeader: girlsLeader, caseworker } = useStaff(handle, {}, { at: NOW });
  let girls: Group;
  let kids: Group;
  let young: Group;

  /** What the referral forms leave behind: child, guardian, referral 'received', enrollment 'referred' (or a later state). */
  async function refer(
    group: Group,
    child: { firstName: string; lastName?: string; birthDate: string; gender?: 'girl' | 'boy' },
    options: { receivedAt?: string; state?: EnrollmentState; startDate?: string } = {},
  ): Promise<{ enrollmentId: string; childId: string; referralId: string }> {
    const at = options.receivedAt ?? NOW.toISOString();
    const state = options.state ?? 'referred';
    const { childId } = await addChild(handle.db, {
      first_name: child.firstName, last_name: child.lastName ?? 'Jensen', birth_date: child.birthDate, gender: child.gender ?? 'boy',
      has_sibling_with_disability: group.kind === 'siblings' ? 1 : 0, created_at: at, updated_at: at,
      guardians: [{ name: 'Mor Jensen', phone: '12345678', email: 'mor@example.dk', has_custody: 1, needs_interpreter: 0 }],
    });
    const statuses: Record<string, string> = { referred: 'received', waiting: 'waiting', active: 'started' };
    const referralId = await addReferral(handle.db, {
      group_id: group.id, child_id: childId, caseworker_id: caseworker.user.id, status: statuses[state] ?? 'received',
      reason: 'Har en bror med handicap', custody_consent: 1, received_at: at, updated_at: at,
    });
    const start = options.startDate ?? null;
    const enrollmentId = await addEnrollment(handle.db, {
      child_id: childId, group_id: group.id, referral_id: referralId, state, start_date: start,
      planned_end_date: start && group.maxCourseMonths ? addMonths(start, group.maxCourseMonths) : null, created_at: at, updated_at: at,
    });
    return { enrollmentId, childId, referralId };
  }

  async function referralStatus(referralId: string) {
    return handle.db.selectFrom('referrals').select(['status', 'status_reason', 'group_id']).where('id', '=', referralId).executeTakeFirstOrThrow();
  }

  async function overviewOf(group: Group, actor: Actor = coordinator) {
    const view = (await windowOverview(handle.db, actor, NOW)).find((g) => g.group.id === group.id);
    if (!view) throw new Error('group not in overview');
    return view;
  }

  const booking = (leader: Actor) => ({ date: addDays(TODAY, 3), time: '15.00', place: 'Familiecentret, mødelokale 1', leaderId: leader.user.id });

  beforeAll(async () => {
    await seedDefaultGroups(handle.db, NOW);
    const groups = await listGroups(handle.db, coordinator);
    girls = groups.find((g) => g.slug === 'pigegruppen')!;
    kids = groups.find((g) => g.slug === 'soeskendegruppen-boern')!;
    young = groups.find((g) => g.slug === 'soeskendegruppen-unge')!;
    await addLeaders(handle.db, kids.id, [kidsLeader.user.id]);
    await addLeaders(handle.db, girls.id, [girlsLeader.user.id]);
  });

  it('walks the whole path: referred → intake booked → waiting → active → closing booked → ended, referral in step, every step audited', async () => {
    const { enrollmentId, childId, referralId } = await refer(kids, { firstName: 'Emil', birthDate: '2016-04-10' });

    const inbox = await listInbox(handle.db, kidsLeader, NOW);
    const item = inbox.find((i) => i.enrollmentId === enrollmentId);
    expect(item).toMatchObject({ firstName: 'Emil', lastName: 'Jensen', age: 10, state: 'referred', groupName: kids.name, daysWaiting: 0 });

    const opened = await getCase(handle.db, kidsLeader, enrollmentId, NOW);
    expect(opened.nextSteps.sort()).toEqual(['book_intake', 'decline', 'withdraw']);
    expect(opened.guardians.map((g) => g.name)).toEqual(['Mor Jensen']);
    const window = opened.startChances[0]!;
    expect(opened.eligibility.intakeDate).toBe(window.date);
    expect(opened.eligibility.inBand).toBe(true);

    // A date already gone is refused at the field.
    const past = await errorOf(bookIntakeConversation(handle.db, kidsLeader, enrollmentId, { ...booking(kidsLeader), date: addDays(TODAY, -1) }, NOW));
    expect(past).toBeInstanceOf(ValidationError);
    expect((past as ValidationError).fields['date']).toMatch(/overstået/);

    await bookIntakeConversation(handle.db, kidsLeader, enrollmentId, booking(kidsLeader), NOW);
    expect((await referralStatus(referralId)).status).toBe('intake_booked');
    // Moving the time cancels the first booking.
    await bookIntakeConversation(handle.db, kidsLeader, enrollmentId, { ...booking(kidsLeader), time: '16:00' }, NOW);
    const conversations = await handle.db.selectFrom('conversations').select(['status', 'kind']).where('enrollment_id', '=', enrollmentId).orderBy('created_at').execute();
    expect(conversations.map((c) => c.status).sort()).toEqual(['booked', 'cancelled']);

    const later = new Date(NOW.getTime() + 4 * 86_400_000);
    expect(await recordIntakeOutcome(handle.db, kidsLeader, enrollmentId, { outcome: 'fits', childWords: 'Jeg vil gerne møde nogen, der har det ligesom mig.', reason: '', note: '' }, later)).toBe('waiting');
    expect((await referralStatus(referralId)).status).toBe('waiting');
    const held = await handle.db.selectFrom('conversations').selectAll().where('enrollment_id', '=', enrollmentId).where('status', '=', 'held').executeTakeFirstOrThrow();
    expect(held.child_words).toBe('Jeg vil gerne møde nogen, der har det ligesom mig.');
    expect(held.outcome).toBe('fits');

    const overview = await overviewOf(kids, kidsLeader);
    expect(overview.waiting.map((w) => w.enrollmentId)).toContain(enrollmentId);

    // Siblings start only at an intake window's meeting.
    const ordinary = await handle.db.selectFrom('meetings').select('id').where('group_id', '=', kids.id).where('id', 'not in', handle.db.selectFrom('intake_windows').select('meeting_id').where('meeting_id', 'is not', null).$narrowType<{ meeting_id: string }>()).where('starts_at', '>', NOW.toISOString()).executeTakeFirstOrThrow();
    expect(await errorOf(startCourse(handle.db, kidsLeader, enrollmentId, { meetingId: ordinary.id }, later))).toBeInstanceOf(ValidationError);

    const started = await startCourse(handle.db, kidsLeader, enrollmentId, { meetingId: window.meetingId }, later);
    expect(started).toEqual({ startDate: window.date, plannedEndDate: addMonths(window.date, 12) });
    expect((await referralStatus(referralId)).status).toBe('started');
    // A second click finds the course already started.
    expect(await errorOf(startCourse(handle.db, kidsLeader, enrollmentId, { meetingId: window.meetingId }, later))).toBeInstanceOf(ConflictError);

    await recordParentConversation(handle.db, kidsLeader, enrollmentId, { date: addDays(TODAY, 2), time: '10:00', note: 'Mor ville tale om søvn.' }, later);

    const afterStart = new Date(NOW.getTime() + 60 * 86_400_000);
    await bookClosingConversation(handle.db, kidsLeader, enrollmentId, { ...booking(kidsLeader), date: todayInZone(afterStart) }, afterStart);
    expect((await getCase(handle.db, coordinator, enrollmentId, afterStart)).enrollment.state).toBe('closing_booked');
    expect((await referralStatus(referralId)).status).toBe('started');

    const noConfirm = await errorOf(endCourse(handle.db, kidsLeader, enrollmentId, { endedOn: todayInZone(afterStart), reason: '' }, afterStart));
    expect((noConfirm as ValidationError).fields['confirm']).toBeDefined();
    // The closing conversation's evaluation says what happens next.
    expect((noConfirm as ValidationError).fields['nextStep']).toBe('Vælg hvad der sker nu.');
    // Not before the closing conversation (15.00 that day; it is 10.00).
    const early = await errorOf(endCourse(handle.db, kidsLeader, enrollmentId, { endedOn: todayInZone(afterStart), reason: 'Godt forløb', confirm: 'ja', nextStep: 'nothing' }, afterStart));
    expect((early as Error).message).toMatch(/ikke holdt endnu/);
    const evening = new Date(afterStart.getTime() + 8 * 3_600_000);
    const evaluation = { goalsReached: 'Taler om sin bror derhjemme', childView: 'Sjovt', parentView: '', nextStep: 'back_to_caseworker', child_talk: '4', parent_talk: '5' };
    expect(await endCourse(handle.db, kidsLeader, enrollmentId, { endedOn: todayInZone(evening), reason: 'Godt forløb', confirm: 'ja', ...evaluation }, evening)).toBe('ended');
    expect(await handle.db.selectFrom('course_evaluations').select(['goals_reached', 'child_view', 'parent_view', 'next_step']).where('enrollment_id', '=', enrollmentId).executeTakeFirstOrThrow())
      .toEqual({ goals_reached: 'Taler om sin bror derhjemme', child_view: 'Sjovt', parent_view: null, next_step: 'back_to_caseworker' });
    expect(await handle.db.selectFrom('progress_answers').select(['occasion', 'respondent', 'question', 'score']).where('enrollment_id', '=', enrollmentId).orderBy('respondent').execute())
      .toEqual([{ occasion: 'closing', respondent: 'child', question: 'talk', score: 4 }, { occasion: 'closing', respondent: 'parent', question: 'talk', score: 5 }]);
    const draft = await handle.db.selectFrom('closing_summaries').select(['version', 'state', 'body']).where('enrollment_id', '=', enrollmentId).execute();
    expect(draft).toHaveLength(1);
    expect(draft[0]).toMatchObject({ version: 1, state: 'draft' });
    expect(draft[0]?.body).toContain('Taler om sin bror derhjemme');
    const row = await handle.db.selectFrom('enrollments').selectAll().where('id', '=', enrollmentId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ state: 'ended', ended_on: todayInZone(evening), end_reason: 'Godt forløb' });
    expect((await referralStatus(referralId)).status).toBe('ended');
    const closing = await handle.db.selectFrom('conversations').select('status').where('enrollment_id', '=', enrollmentId).where('kind', '=', 'closing').executeTakeFirstOrThrow();
    expect(closing.status).toBe('held');

    const audit = await handle.db.selectFrom('audit_log').select(['action', 'entity_type', 'detail', 'user_id']).where('child_id', '=', childId).orderBy('at').execute();
    expect(audit.filter((a) => a.action === 'read')).toHaveLength(2);
    const events = audit.filter((a) => a.entity_type === 'enrollment' && a.action === 'update').map((a) => JSON.parse(a.detail ?? '{}').event);
    expect(events).toEqual(['book_intake', 'rebook_intake', 'intake_outcome', 'start', 'book_closing', 'end']);
    expect(audit.filter((a) => a.entity_type === 'conversation' && a.action === 'create')).toHaveLength(4);
    // Besides the messages the steps put in the outbox (issue 14), written by the system, every entry is by these two.
    const byPeople = audit.filter((a) => a.entity_type !== 'message');
    expect(byPeople.every((a) => a.user_id === kidsLeader.user.id || a.user_id === coordinator.user.id)).toBe(true);
  });

  it('"does not fit" declines with the reason; the caseworker sees "afvist"', async () => {
    const { enrollmentId, referralId } = await refer(kids, { firstName: 'Oskar', birthDate: '2016-09-01' });
    await bookIntakeConversation(handle.db, coordinator, enrollmentId, booking(kidsLeader), NOW);
    // Before the conversation's time nothing can be recorded; after it, the outcome is written.
    const early = await errorOf(recordIntakeOutcome(handle.db, coordinator, enrollmentId, { outcome: 'does_not_fit', reason: 'For tidligt' }, NOW));
    expect((early as ConflictError).message).toMatch(/^Den indledende samtale er ikke holdt endnu/);
    const after = new Date('2026-12-01T09:00:00Z');
    const missing = await errorOf(recordIntakeOutcome(handle.db, coordinator, enrollmentId, { outcome: 'does_not_fit', reason: '' }, after));
    expect((missing as ValidationError).fields['reason']).toBeDefined();
    expect(await recordIntakeOutcome(handle.db, coordinator, enrollmentId, { outcome: 'does_not_fit', reason: 'Familien ønsker individuel støtte' }, after)).toBe('declined');
    expect(await referralStatus(referralId)).toMatchObject({ status: 'declined', status_reason: 'Familien ønsker individuel støtte' });
    // Nothing is legal after the end.
    expect(await errorOf(bookIntakeConversation(handle.db, coordinator, enrollmentId, booking(kidsLeader), NOW))).toBeInstanceOf(ConflictError);
  });

  it('withdraws from the waiting list with a reason and a confirmation; booked conversations are cancelled', async () => {
    const { enrollmentId, referralId } = await refer(kids, { firstName: 'Ida', birthDate: '2016-01-02', gender: 'girl' });
    await bookIntakeConversation(handle.db, coordinator, enrollmentId, booking(kidsLeader), NOW);
    const unconfirmed = await errorOf(declineOrWithdraw(handle.db, coordinator, enrollmentId, { kind: 'withdraw', reason: 'Familien er flyttet' }, NOW));
    expect((unconfirmed as ValidationError).fields['confirm']).toBeDefined();
    expect(await declineOrWithdraw(handle.db, coordinator, enrollmentId, { kind: 'withdraw', reason: 'Familien er flyttet', confirm: 'ja' }, NOW)).toBe('withdrawn');
    expect(await referralStatus(referralId)).toMatchObject({ status: 'withdrawn', status_reason: 'Familien er flyttet' });
    const c = await handle.db.selectFrom('conversations').select('status').where('enrollment_id', '=', enrollmentId).executeTakeFirstOrThrow();
    expect(c.status).toBe('cancelled');
  });

  it('refuses a start when the group is exactly full, and allows it when a member leaves before that meeting', async () => {
    await handle.db.updateTable('groups').set({ capacity: 2 }).where('id', '=', girls.id).execute();
    try {
      await refer(girls, { firstName: 'Amalie', birthDate: '2015-03-03', gender: 'girl' }, { state: 'active', startDate: '2026-03-11' });
      const second = await refer(girls, { firstName: 'Bella', birthDate: '2015-03-03', gender: 'girl' }, { state: 'active', startDate: '2026-05-13' });
      const waiting = await refer(girls, { firstName: 'Cecilie', birthDate: '2016-06-06', gender: 'girl' }, { state: 'waiting' });
      const view = await overviewOf(girls);
      expect(view.freePlaces).toBe(0);
      const meeting = view.next!.meetingId;
      const full = await errorOf(startCourse(handle.db, coordinator, waiting.enrollmentId, { meetingId: meeting }, NOW));
      expect(full).toBeInstanceOf(ConflictError);
      expect((full as Error).message).toMatch(/ingen ledig plads/);

      // Bella's course is planned to end before the next meeting: her place is free then.
      await handle.db.updateTable('enrollments').set({ planned_end_date: addDays(view.next!.date, -1) }).where('id', '=', second.enrollmentId).execute();
      const again = await overviewOf(girls);
      expect(again.freePlaces).toBe(1);
      expect(again.dueToLeave.map((m) => m.firstName)).toEqual(['Bella']);
      await startCourse(handle.db, coordinator, waiting.enrollmentId, { meetingId: meeting }, NOW);
      expect((await overviewOf(girls)).freePlaces).toBe(0);
    } finally {
      await handle.db.updateTable('groups').set({ capacity: 10 }).where('id', '=', girls.id).execute();
    }
  });

  it('two starts at once for the last place: one gets it, the other is told the group is full', async () => {
    await handle.db.updateTable('groups').set({ capacity: 1 }).where('id', '=', young.id).execute();
    try {
      const view = await overviewOf(young);
      const taken = view.members;
      await handle.db.updateTable('groups').set({ capacity: taken + 1 }).where('id', '=', young.id).execute();
      const a = await refer(young, { firstName: 'Freja', birthDate: '2012-02-02', gender: 'girl' }, { state: 'waiting' });
      const b = await refer(young, { firstName: 'Frida', birthDate: '2012-02-02', gender: 'girl' }, { state: 'waiting' });
      // Warm the connection pool so both transactions really run side by side on PostgreSQL.
      await Promise.all([1, 2, 3, 4].map(() => handle.db.selectFrom('groups').select('id').execute()));
      const results = await Promise.allSettled([
        startCourse(handle.db, coordinator, a.enrollmentId, { meetingId: view.next!.meetingId }, NOW),
        startCourse(handle.db, coordinator, b.enrollmentId, { meetingId: view.next!.meetingId }, NOW),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = results.find((r) => r.status === 'rejected');
      expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(ConflictError);
      expect((await overviewOf(young)).freePlaces).toBe(0);
      // Leave the young group's list as the other tests expect it.
      await handle.db.deleteFrom('enrollments').where('id', 'in', [a.enrollmentId, b.enrollmentId]).execute();
    } finally {
      await handle.db.updateTable('groups').set({ capacity: 10 }).where('id', '=', young.id).execute();
    }
  });

  it('a leader of another group and a caseworker are refused', async () => {
    const { enrollmentId } = await refer(kids, { firstName: 'Noah', birthDate: '2016-02-29' });
    expect(await errorOf(getCase(handle.db, girlsLeader, enrollmentId, NOW))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(bookIntakeConversation(handle.db, girlsLeader, enrollmentId, booking(girlsLeader), NOW))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(listInbox(handle.db, caseworker, NOW))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(windowOverview(handle.db, caseworker, NOW))).toBeInstanceOf(ForbiddenError);
    expect((await listInbox(handle.db, girlsLeader, NOW)).some((i) => i.enrollmentId === enrollmentId)).toBe(false);
    const audit = await handle.db.selectFrom('audit_log').select('id').where('entity_id', '=', enrollmentId).execute();
    expect(audit).toHaveLength(0);
  });

  it('the waiting list is in referral order; the coordinator moves a child with a reason that is logged', async () => {
    const first = await refer(young, { firstName: 'Anna', birthDate: '2012-01-01', gender: 'girl' }, { state: 'waiting', receivedAt: '2026-09-01T08:00:00.000Z' });
    const second = await refer(young, { firstName: 'Bo', birthDate: '2012-01-01' }, { state: 'waiting', receivedAt: '2026-09-02T08:00:00.000Z' });
    const third = await refer(young, { firstName: 'Carl', birthDate: '2012-01-01' }, { state: 'waiting', receivedAt: '2026-09-03T08:00:00.000Z' });
    expect((await overviewOf(young)).waiting.map((w) => w.firstName)).toEqual(['Anna', 'Bo', 'Carl']);
    const noReason = await errorOf(reorderWaitingList(handle.db, coordinator, third.enrollmentId, { position: '1', reason: '' }, NOW));
    expect((noReason as ValidationError).fields['reason']).toBeDefined();
    expect(await reorderWaitingList(handle.db, coordinator, third.enrollmentId, { position: '1', reason: 'Akut behov efter samtale' }, NOW)).toEqual({ from: 3, to: 1 });
    const view = await overviewOf(young);
    expect(view.waiting.map((w) => w.firstName)).toEqual(['Carl', 'Anna', 'Bo']);
    expect(view.waiting[0]?.reordered).toBe(true);
    const entry = await handle.db.selectFrom('audit_log').select(['detail', 'child_id']).where('entity_type', '=', 'waiting_list').where('entity_id', '=', third.enrollmentId).executeTakeFirstOrThrow();
    expect(JSON.parse(entry.detail ?? '{}')).toEqual({ from: 3, to: 1, reason: 'Akut behov efter samtale' });
    expect(entry.child_id).toBe(third.childId);
    void first;
    void second;
  });

  it('flags two referrals for the same child', async () => {
    const a = await refer(kids, { firstName: 'Sofus', lastName: 'Berg', birthDate: '2017-05-05' });
    await refer(young, { firstName: 'sofus', lastName: 'berg', birthDate: '2017-05-05' });
    const view = await getCase(handle.db, coordinator, a.enrollmentId, NOW);
    expect(view.duplicates).toHaveLength(1);
  });

  it('offers a 12-year-old who is 13 at the next window the young people\'s band, and moves them keeping the referral', async () => {
    const view0 = await overviewOf(kids);
    const windowDate = view0.next!.date;
    const { enrollmentId, referralId } = await refer(kids, { firstName: 'Villads', birthDate: addMonths(windowDate, -13 * 12) }, { state: 'waiting' });
    const view = await getCase(handle.db, coordinator, enrollmentId, NOW);
    expect(view.eligibility.age).toBe(13);
    expect(view.eligibility.moveTo?.groupId).toBe(young.id);
    expect(await errorOf(moveToBand(handle.db, coordinator, enrollmentId, girls.id, NOW))).toBeInstanceOf(ConflictError);
    const newId = await moveToBand(handle.db, coordinator, enrollmentId, young.id, NOW);
    const rows = await handle.db.selectFrom('enrollments').select(['id', 'state', 'group_id', 'end_reason']).where('referral_id', '=', referralId).execute();
    expect(rows.find((r) => r.id === enrollmentId)).toMatchObject({ state: 'ended', end_reason: 'Flyttet til unge-gruppen' });
    expect(rows.find((r) => r.id === newId)).toMatchObject({ state: 'waiting', group_id: young.id });
    expect(await referralStatus(referralId)).toMatchObject({ status: 'waiting', group_id: young.id });
  });

  it('quarter boundary: up to the window meeting it is the next intake; once it has begun, the next quarter\'s is', async () => {
    const first = (await overviewOf(kids)).next!;
    const justBefore = new Date(first.startsAt.getTime() - 60_000);
    const justAfter = new Date(first.startsAt.getTime() + 60_000);
    const before = (await windowOverview(handle.db, coordinator, justBefore)).find((g) => g.group.id === kids.id)!;
    const after = (await windowOverview(handle.db, coordinator, justAfter)).find((g) => g.group.id === kids.id)!;
    expect(before.next?.date).toBe(first.date);
    expect(after.next).not.toBeNull();
    expect(after.next!.date > first.date).toBe(true);
    // Quarterly: the next one is in a later quarter.
    const quarterOf = (d: string) => `${d.slice(0, 4)}-${Math.ceil(Number(d.slice(5, 7)) / 3)}`;
    expect(quarterOf(after.next!.date)).not.toBe(quarterOf(first.date));

    // A child who turns 9 on the window date is in the band for that window (the birthday counts).
    const nine = addMonths(first.date, -9 * 12);
    const { enrollmentId } = await refer(kids, { firstName: 'Karla', birthDate: nine, gender: 'girl' });
    const view = await getCase(handle.db, coordinator, enrollmentId, justBefore);
    expect(view.eligibility).toMatchObject({ intakeDate: first.date, age: 9, inBand: true });
    const dayLate = await refer(kids, { firstName: 'Kasper', birthDate: addDays(nine, 1) });
    expect((await getCase(handle.db, coordinator, dayLate.enrollmentId, justBefore)).eligibility.flags.map((f) => f.code)).toContain('too_young');
  });

  it('lists siblings courses from 11 months under "skal afsluttes"', async () => {
    const old = await refer(kids, { firstName: 'Mads', birthDate: '2015-12-01' }, { state: 'active', startDate: addMonths(TODAY, -11) });
    const fresh = await refer(kids, { firstName: 'Mikkel', birthDate: '2015-12-01' }, { state: 'active', startDate: addMonths(TODAY, -10) });
    const view = await overviewOf(kids);
    const names = view.mustEnd.map((m) => m.enrollmentId);
    expect(names).toContain(old.enrollmentId);
    expect(names).not.toContain(fresh.enrollmentId);
  });

  // Last in the file: on PostgreSQL a second test database is the same database wiped, so nothing may follow it.
  it('windowOverview costs the same number of statements with 3 and with 30 children', async () => {
    const fresh = await createTestDatabase();
    const saved = handle;
    handle = fresh;
    try {
      await seedDefaultGroups(handle.db, NOW);
      const boss = await addStaffMember(handle.db, 'coordinator', 'Bente Boss', { at: NOW });
      await insertUser(handle.db, caseworker, { at: NOW });
      const groups = await listGroups(handle.db, boss);
      const measure = async () => {
        const before = statementCount();
        await windowOverview(handle.db, boss, NOW);
        return statementCount() - before;
      };
      const add = async (n: number) => {
        for (let i = 0; i < n; i += 1) {
          const g = groups[i % groups.length]!;
          await refer(g, { firstName: `Barn${i}`, birthDate: g.kind === 'girls' ? '2016-01-01' : g.minAge >= 13 ? '2011-01-01' : '2016-01-01', gender: 'girl' }, i % 2 === 0 ? { state: 'waiting' } : { state: 'active', startDate: '2026-06-01' });
        }
      };
      await add(3);
      const small = await measure();
      await add(27);
      const large = await measure();
      expect(small).toBeGreaterThan(0);
      expect(large).toBe(small);
    } finally {
      await fresh.close();
      handle = saved;
    }
  });
});
