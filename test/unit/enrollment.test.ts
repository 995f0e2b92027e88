import { describe, expect, it } from 'vitest';
import type { EligibilityGroup, QueueItem } from '../../src/features/enrollment/enrollment';
import {
  ageExceptionSchema,
  blockingFlag,
  bookConversationSchema,
  checkEligibility,
  courseLength,
  declineSchema,
  duplicateIds,
  freePlaces,
  intakeOutcomeSchema,
  orderWaitingList,
  outsideAgeBand,
  plannedEndDate,
  rankForPosition,
} from '../../src/features/enrollment/enrollment';
import type { EnrollmentEvent, EnrollmentEventType, EnrollmentState } from '../../src/features/lifecycle/lifecycle';
import {
  CLOSED_REFERRAL_STATUSES, ENROLLMENT_STATES, FINAL_STATES, INBOX_STATES, legalEvents, MEMBER_STATES, OPEN_STATES, REFERRAL_STATUSES,
  referralStatusFor, STARTED_STATES, stopWording, transition,
} from '../../src/features/lifecycle/lifecycle';

const EVENTS: Record<EnrollmentEventType, EnrollmentEvent> = {
  book_intake: { type: 'book_intake' },
  rebook_intake: { type: 'rebook_intake' },
  hold_intake: { type: 'hold_intake', outcome: 'fits' },
  place_on_waiting_list: { type: 'place_on_waiting_list', intakeOutcome: 'fits' },
  start: { type: 'start', startDate: '2027-01-13' },
  book_closing: { type: 'book_closing' },
  end: { type: 'end' },
  end_without_closing: { type: 'end_without_closing', reason: 'Familien er flyttet', closing: 'offered' },
  move_band: { type: 'move_band' },
  decline: { type: 'decline', reason: 'Passer ikke' },
  withdraw: { type: 'withdraw', reason: 'Familien er flyttet' },
};

// The whole table: every state × every event. null = refused.
const EXPECTED: Record<EnrollmentState, Partial<Record<EnrollmentEventType, EnrollmentState>>> = {
  referred: { book_intake: 'intake_booked', decline: 'declined', withdraw: 'withdrawn' },
  intake_booked: { rebook_intake: 'intake_booked', hold_intake: 'intake_held', decline: 'declined', withdraw: 'withdrawn' },
  intake_held: { place_on_waiting_list: 'waiting', decline: 'declined', withdraw: 'withdrawn' },
  waiting: { start: 'active', move_band: 'ended', decline: 'declined', withdraw: 'withdrawn' },
  active: { book_closing: 'closing_booked', end_without_closing: 'ended', move_band: 'ended', decline: 'declined', withdraw: 'withdrawn' },
  closing_booked: { end: 'ended', end_without_closing: 'ended', decline: 'declined', withdraw: 'withdrawn' },
  ended: {},
  declined: {},
  withdrawn: {},
};

describe('state machine', () => {
  const pairs = ENROLLMENT_STATES.flatMap((state) =>
    (Object.keys(EVENTS) as EnrollmentEventType[]).map((event) => [state, event, EXPECTED[state][event] ?? null] as const),
  );
  it.each(pairs)('%s + %s → %s', (state, event, expected) => {
    const result = transition(state, EVENTS[event]);
    if (expected === null) {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
    } else {
      expect(result).toEqual({ ok: true, state: expected });
    }
  });

  it('offers exactly the legal steps from each state', () => {
    for (const state of ENROLLMENT_STATES) {
      expect(legalEvents(state).sort()).toEqual(Object.keys(EXPECTED[state]).sort());
    }
  });

  it('refuses decline and withdraw without a reason', () => {
    expect(transition('waiting', { type: 'decline', reason: '  ' })).toEqual({ ok: false, message: 'Skriv en begrundelse.' });
    expect(transition('active', { type: 'withdraw', reason: '' }).ok).toBe(false);
  });

  it('does not put a child on the waiting list when the conversation said the group does not fit', () => {
    const result = transition('intake_held', { type: 'place_on_waiting_list', intakeOutcome: 'does_not_fit' });
    expect(result.ok).toBe(false);
  });

  it('refuses a start without a real date', () => {
    expect(transition('waiting', { type: 'start', startDate: '2027-02-30' }).ok).toBe(false);
  });

  it('keeps the referral status in step with every state', () => {
    expect(referralStatusFor('referred')).toBe('received');
    expect(referralStatusFor('intake_held')).toBe('waiting');
    expect(referralStatusFor('closing_booked')).toBe('started');
    // Every status a caseworker can see is reached by some course state.
    expect(new Set(ENROLLMENT_STATES.map(referralStatusFor))).toEqual(new Set(REFERRAL_STATUSES));
  });

  it('derives the state lists the other features use from the one table', () => {
    expect(MEMBER_STATES).toEqual(['active', 'closing_booked']);
    expect(INBOX_STATES).toEqual(['referred', 'intake_booked', 'intake_held']);
    expect(STARTED_STATES).toEqual(['active', 'closing_booked', 'ended']);
    expect(FINAL_STATES).toEqual(['ended', 'declined', 'withdrawn']);
    expect([...CLOSED_REFERRAL_STATUSES].sort()).toEqual(['declined', 'ended', 'withdrawn']);
    expect(OPEN_STATES.length + FINAL_STATES.length).toBe(ENROLLMENT_STATES.length);
  });

  it('says "stop" for a course and "afslut henvisningen" for a referral that never started', () => {
    expect(stopWording(false).done).toBe('Henvisningen er afsluttet.');
    expect(stopWording(false).button).toBe('Afslut henvisningen');
    expect(stopWording(true).done).toBe('Forløbet er stoppet.');
  });
});

const CHILDREN_BAND: EligibilityGroup = { id: 'kids', name: 'Søskendegruppen (børn)', kind: 'siblings', minAge: 9, maxAge: 12, girlsOnly: false, maxCourseMonths: 12 };
const YOUNG_BAND: EligibilityGroup = { id: 'young', name: 'Søskendegruppen (unge)', kind: 'siblings', minAge: 13, maxAge: 18, girlsOnly: false, maxCourseMonths: 12 };
const GIRLS: EligibilityGroup = { id: 'girls', name: 'Pigegruppen', kind: 'girls', minAge: 7, maxAge: 15, girlsOnly: true, maxCourseMonths: null };
const TODAY = '2026-11-23';

describe('course length', () => {
  it('plans the end the course\'s months after the start (ages and months: test/unit/time.test.ts)', () => {
    expect(plannedEndDate('2026-01-14', 12)).toBe('2027-01-14');
    expect(plannedEndDate('2026-01-14', null)).toBeNull();
  });
});

describe('eligibility on the next intake date', () => {
  it('a child who turns 9 on the intake date fits; the day after the window she would have been too young the day before', () => {
    const child = { birthDate: '2018-01-13', gender: 'boy' as const };
    expect(checkEligibility(child, CHILDREN_BAND, '2027-01-13', TODAY).inBand).toBe(true);
    const dayBefore = checkEligibility(child, CHILDREN_BAND, '2027-01-12', TODAY);
    expect(dayBefore.inBand).toBe(false);
    expect(dayBefore.flags.map((f) => f.code)).toContain('too_young');
  });

  it('checks the age on the intake date, not today (8 today, 9 at the window)', () => {
    const e = checkEligibility({ birthDate: '2017-12-01', gender: 'girl' }, CHILDREN_BAND, '2027-01-13', TODAY);
    expect(e.age).toBe(9);
    expect(e.checkedOn).toBe('2027-01-13');
    expect(e.inBand).toBe(true);
  });

  it('leap-day child: 9 until 28 February 2026, 10 from 1 March', () => {
    const child = { birthDate: '2016-02-29', gender: 'boy' as const };
    expect(checkEligibility(child, { ...CHILDREN_BAND, minAge: 10 }, '2026-02-28', '2026-01-01').inBand).toBe(false);
    expect(checkEligibility(child, { ...CHILDREN_BAND, minAge: 10 }, '2026-03-01', '2026-01-01').inBand).toBe(true);
  });

  it('flags a child who passes the top age during a 12-month course, and not one who stays in the band', () => {
    const passes = checkEligibility({ birthDate: '2014-06-01', gender: 'boy' }, CHILDREN_BAND, '2027-01-13', TODAY);
    expect(passes.age).toBe(12);
    expect(passes.flags.map((f) => f.code)).toEqual(['passes_top_age']);
    // Turns 13 exactly on the planned end date: still flagged (the birthday counts).
    const onEnd = checkEligibility({ birthDate: '2015-01-13', gender: 'boy' }, CHILDREN_BAND, '2027-01-13', TODAY);
    expect(onEnd.flags.map((f) => f.code)).toEqual(['passes_top_age']);
    const dayAfter = checkEligibility({ birthDate: '2015-01-14', gender: 'boy' }, CHILDREN_BAND, '2027-01-13', TODAY);
    expect(dayAfter.flags).toEqual([]);
  });

  it('girls only: a boy or an unknown gender is flagged; the flag horizon is 12 months for the open group too', () => {
    expect(checkEligibility({ birthDate: '2016-05-01', gender: 'boy' }, GIRLS, '2026-12-09', TODAY).flags.map((f) => f.code)).toEqual(['not_girl']);
    expect(checkEligibility({ birthDate: '2016-05-01', gender: null }, GIRLS, '2026-12-09', TODAY).flags[0]?.message).toMatch(/køn er ikke oplyst/);
    expect(checkEligibility({ birthDate: '2011-06-01', gender: 'girl' }, GIRLS, '2026-12-09', TODAY).flags.map((f) => f.code)).toEqual(['passes_top_age']);
  });

  it('offers the young people\'s band to a 9-12 child who is 13 on the next window', () => {
    const e = checkEligibility({ birthDate: '2014-01-13', gender: 'boy' }, CHILDREN_BAND, '2027-01-13', TODAY, [CHILDREN_BAND, YOUNG_BAND, GIRLS]);
    expect(e.flags.map((f) => f.code)).toContain('too_old');
    expect(e.moveTo).toEqual({ groupId: 'young', name: 'Søskendegruppen (unge)' });
    const dayLater = checkEligibility({ birthDate: '2014-01-14', gender: 'boy' }, CHILDREN_BAND, '2027-01-13', TODAY, [CHILDREN_BAND, YOUNG_BAND]);
    expect(dayLater.moveTo).toBeNull();
  });

  it('without an intake date the age is taken today and that is said', () => {
    const e = checkEligibility({ birthDate: '2016-05-01', gender: 'girl' }, GIRLS, null, TODAY);
    expect(e.checkedOn).toBe(TODAY);
    expect(e.flags.map((f) => f.code)).toEqual(['no_intake_date']);
  });
});

describe('capacity', () => {
  const members = (ends: (string | null)[]) => ends.map((d, i) => ({ enrollmentId: `m${i}`, plannedEndDate: d }));

  it('exactly full gives no free place; one leaving before the window frees one', () => {
    expect(freePlaces(3, members([null, null, null]), '2027-01-13')).toBe(0);
    expect(freePlaces(3, members([null, null, '2027-01-12']), '2027-01-13')).toBe(1);
    expect(freePlaces(3, members([null, null, '2027-01-13']), '2027-01-13')).toBe(1);
    expect(freePlaces(3, members([null, null, '2027-01-14']), '2027-01-13')).toBe(0);
    expect(freePlaces(3, members([null, null]), '2027-01-13')).toBe(1);
    expect(freePlaces(2, members([null, null, null]), '2027-01-13')).toBe(0);
  });
});

describe('waiting list', () => {
  const items: QueueItem[] = [
    { enrollmentId: 'c', receivedAt: '2026-10-03T08:00:00.000Z', queueRank: null },
    { enrollmentId: 'a', receivedAt: '2026-10-01T08:00:00.000Z', queueRank: null },
    { enrollmentId: 'b', receivedAt: '2026-10-02T08:00:00.000Z', queueRank: null },
  ];
  const order = (list: QueueItem[]) => orderWaitingList(list).map((i) => i.enrollmentId);
  const moved = (id: string, position: number) =>
    items.map((i) => (i.enrollmentId === id ? { ...i, queueRank: rankForPosition(items, id, position) } : i));

  it('is in referral order', () => {
    expect(order(items)).toEqual(['a', 'b', 'c']);
  });

  it('the coordinator moves a child to any place; positions outside the list are clamped', () => {
    expect(order(moved('c', 1))).toEqual(['c', 'a', 'b']);
    expect(order(moved('c', 2))).toEqual(['a', 'c', 'b']);
    expect(order(moved('a', 3))).toEqual(['b', 'c', 'a']);
    expect(order(moved('a', 99))).toEqual(['b', 'c', 'a']);
    expect(order(moved('b', 0))).toEqual(['b', 'a', 'c']);
  });

  it('a later referral still falls in by its arrival after a reorder', () => {
    const list = [...moved('c', 1), { enrollmentId: 'd', receivedAt: '2026-10-01T12:00:00.000Z', queueRank: null }];
    expect(order(list)).toEqual(['c', 'a', 'd', 'b']);
  });

  it('flags two referrals for the same child (names and birth date, case and spaces ignored)', () => {
    const ids = duplicateIds([
      { id: '1', firstName: 'Ali', lastName: 'Hansen', birthDate: '2016-02-29' },
      { id: '2', firstName: ' ali ', lastName: 'HANSEN', birthDate: '2016-02-29' },
      { id: '3', firstName: 'Ali', lastName: 'Hansen', birthDate: '2016-03-01' },
      { id: '4', firstName: 'Åse', lastName: 'Ørum', birthDate: '2015-01-01' },
      { id: '5', firstName: 'åse', lastName: 'ørum', birthDate: '2015-01-01' },
    ]);
    expect([...ids].sort()).toEqual(['1', '2', '4', '5']);
  });
});

describe('course length', () => {
  it('warns from 11 months and is overdue from 12 (siblings); the girls\' group has no maximum', () => {
    expect(courseLength('2026-01-14', 12, '2026-12-13')).toEqual({ months: 10, status: 'ok' });
    expect(courseLength('2026-01-14', 12, '2026-12-14')).toEqual({ months: 11, status: 'warning' });
    expect(courseLength('2026-01-14', 12, '2027-01-13')).toEqual({ months: 11, status: 'warning' });
    expect(courseLength('2026-01-14', 12, '2027-01-14')).toEqual({ months: 12, status: 'overdue' });
    expect(courseLength('2025-01-14', null, '2027-01-14')).toEqual({ months: 24, status: 'ok' });
    expect(courseLength('2027-01-14', 12, '2026-12-01')).toEqual({ months: 0, status: 'ok' });
  });
});

describe('forms', () => {
  it('booking: date and time the Danish ways, 60 minutes unless given, place and leader required', () => {
    const ok = bookConversationSchema.safeParse({ date: '2026-12-01', time: '15.30', place: 'Familiecentret', leaderId: 'u1' });
    expect(ok.success && ok.data).toMatchObject({ date: '2026-12-01', time: '15:30', durationMinutes: 60 });
    const bad = bookConversationSchema.safeParse({ date: '2026-02-30', time: '25:00', place: ' ', leaderId: '' });
    expect(bad.success).toBe(false);
    if (!bad.success) expect(bad.error.issues.map((i) => i.path[0]).sort()).toEqual(['date', 'leaderId', 'place', 'time']);
  });

  it('"does not fit" needs a reason; "fits" does not', () => {
    expect(intakeOutcomeSchema.safeParse({ outcome: 'fits', childWords: 'Jeg vil gerne' }).success).toBe(true);
    const bad = intakeOutcomeSchema.safeParse({ outcome: 'does_not_fit', reason: '' });
    expect(!bad.success && bad.error.issues[0]?.path[0]).toBe('reason');
  });

  it('decline needs the confirmation box', () => {
    const bad = declineSchema.safeParse({ kind: 'decline', reason: 'Flyttet' });
    expect(!bad.success && bad.error.issues[0]?.path[0]).toBe('confirm');
    expect(declineSchema.safeParse({ kind: 'withdraw', reason: 'Flyttet', confirm: 'ja' }).success).toBe(true);
  });
});

describe('the coordinator\'s age exception', () => {
  it('lets a child outside the age band start, never a boy in the girls\' group', () => {
    const tooYoung = checkEligibility({ birthDate: '2019-05-01', gender: 'girl' }, CHILDREN_BAND, '2027-01-13', TODAY);
    expect(outsideAgeBand(tooYoung)).toBe(true);
    expect(blockingFlag(tooYoung, false)?.code).toBe('too_young');
    expect(blockingFlag(tooYoung, true)).toBeNull();
    const boy = checkEligibility({ birthDate: '2016-05-01', gender: 'boy' }, GIRLS, '2026-12-09', TODAY);
    expect(outsideAgeBand(boy)).toBe(false);
    expect(blockingFlag(boy, true)?.code).toBe('not_girl');
  });

  it('needs a reason', () => {
    expect(ageExceptionSchema.safeParse({ reason: '  ' }).success).toBe(false);
    expect(ageExceptionSchema.safeParse({ reason: 'Storesøster går i gruppen.' }).success).toBe(true);
  });
});
