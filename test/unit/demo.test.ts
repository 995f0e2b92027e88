import { describe, expect, it } from 'vitest';
import type { DemoData, DemoGroup, DemoInput } from '../../src/features/demo/demo';
import {
  demoClosedPeriodRows,
  demoGroupRows,
  generateDemoData,
} from '../../src/features/demo/demo';
import type { EnrollmentState } from '../../src/features/lifecycle/lifecycle';
import { ENROLLMENT_STATES, REFERRAL_STATUSES, referralStatusFor } from '../../src/features/lifecycle/lifecycle';
import type { MeetingRule } from '../../src/features/schedule/schedule';
import { addMonths, ageOn, todayInZone } from '../../src/lib/time';

const NOW = new Date('2026-11-23T10:00:00Z');
const TODAY = todayInZone(NOW);

function groupsFor(count: number, years: number, seed = 1): DemoGroup[] {
  const closed = demoClosedPeriodRows({ seed, now: NOW, years }).map((p) => ({
    name: p.name,
    startDate: p.start_date,
    endDate: p.end_date,
  }));
  return demoGroupRows({ seed, now: NOW, existingCount: 0, count, takenSlugs: [] }).map(({ group, rule }, i) => ({
    id: group.id,
    kind: group.kind,
    minAge: group.min_age,
    maxAge: group.max_age,
    capacity: group.capacity,
    intakeRule: group.intake_rule,
    maxCourseMonths: group.max_course_months,
    rule: { weekday: rule.weekday, nth: rule.nth, startTime: rule.start_time, endTime: rule.end_time, onClosed: rule.on_closed } as MeetingRule,
    place: group.place,
    leaderIds: [`leader-${i % 2}`],
    closedPeriods: closed,
    existingMeetings: [],
    existingIntakeWindows: [],
  }));
}

function demoInput(overrides: Partial<DemoInput> & { groupCount?: number } = {}): DemoInput {
  const years = overrides.years ?? 1;
  return {
    seed: 42,
    now: NOW,
    years,
    childrenPerGroup: 10,
    groups: groupsFor(overrides.groupCount ?? 3, years),
    caseworkers: [
      { id: 'cw-ishoj', municipality: 'ishoj' },
      { id: 'cw-vallensbaek', municipality: 'vallensbaek' },
    ],
    takenReferences: [],
    ...overrides,
  };
}

const demo = generateDemoData(demoInput());
const big = generateDemoData(demoInput({ years: 3, groupCount: 9, childrenPerGroup: 40, seed: 7 }));

function byId<T extends { id: string }>(rows: T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.id, r]));
}

describe('calendar helpers', () => {
  it('has guardians who chose e-mail and SMS (with when and by whom), so a newcomer sees the messages', () => {
    const guardians = demo.guardians;
    const chose = (channel: string) => guardians.filter((g) => g.message_channel === channel);
    expect(chose('email').length).toBeGreaterThan(0);
    expect(chose('sms').length).toBeGreaterThan(0);
    expect([...chose('email'), ...chose('sms')].every((g) => g.consent_by === 'demo' && g.consent_at !== null && /^[a-z2-7]{39}$/.test(g.unsubscribe_key ?? ''))).toBe(true);
    expect(new Set(guardians.map((g) => g.unsubscribe_key)).size).toBe(guardians.length);
  });
});

describe('generateDemoData', () => {
  it('gives the same rows for the same seed, and other rows for another seed', () => {
    expect(generateDemoData(demoInput())).toEqual(demo);
    const other = generateDemoData(demoInput({ seed: 43 }));
    expect(other.children.map((c) => c.first_name)).not.toEqual(demo.children.map((c) => c.first_name));
  });

  it('has about 30 children in the three groups, with one referral and one course each', () => {
    expect(demo.children).toHaveLength(30);
    expect(demo.referrals).toHaveLength(30);
    expect(demo.enrollments).toHaveLength(30);
    expect(new Set(demo.enrollments.map((e) => e.child_id)).size).toBe(30);
    const perGroup = new Map<string, number>();
    for (const c of demo.enrollments) perGroup.set(c.group_id, (perGroup.get(c.group_id) ?? 0) + 1);
    expect([...perGroup.values()]).toEqual([10, 10, 10]);
  });

  it('has a referral in every status and a course in every state, and they agree', () => {
    expect(new Set(demo.referrals.map((r) => r.status))).toEqual(new Set(REFERRAL_STATUSES));
    expect(new Set(demo.enrollments.map((e) => e.state))).toEqual(new Set(ENROLLMENT_STATES));
    const referrals = byId(demo.referrals);
    for (const e of demo.enrollments) {
      const referral = referrals.get(e.referral_id ?? '');
      expect(referral?.status).toBe(referralStatusFor(e.state as EnrollmentState));
    }
  });

  it('gives unique references like H-2026-0042, numbered by the year received, skipping taken ones', () => {
    const references = demo.referrals.map((r) => r.reference);
    expect(new Set(references).size).toBe(references.length);
    for (const r of demo.referrals) {
      expect(r.reference).toMatch(/^H-\d{4}-\d{4}$/);
      expect(r.reference.slice(2, 6)).toBe(todayInZone(new Date(r.received_at)).slice(0, 4));
    }
    const again = generateDemoData(demoInput({ takenReferences: ['H-2026-0001', 'H-2026-0002'] }));
    const refs = again.referrals.map((r) => r.reference);
    expect(refs).not.toContain('H-2026-0001');
    expect(refs).not.toContain('H-2026-0002');
    expect(refs).toContain('H-2026-0003');
  });

  it('spreads referrals over the last 14 months or so, none in the future', () => {
    const received = demo.referrals.map((r) => r.received_at).sort();
    expect(new Date(received[0] ?? '').getTime()).toBeGreaterThan(new Date(addMonths(TODAY, -15)).getTime());
    expect(new Date(received[0] ?? '').getTime()).toBeLessThan(new Date(addMonths(TODAY, -9)).getTime());
    expect(new Date(received.at(-1) ?? '').getTime()).toBeLessThanOrEqual(NOW.getTime());
  });

  it.each([
    ['the demo', demo],
    ['a three-year run', big],
  ])('fits each child in the age band on the start date (%s)', (_name, data: DemoData) => {
    const children = byId(data.children);
    const groups = byId(groupsFor(9, 3).concat(groupsFor(3, 1)));
    let checked = 0;
    for (const e of data.enrollments) {
      if (e.start_date === null) continue;
      const child = children.get(e.child_id);
      const group = groups.get(e.group_id);
      if (!child || !group) throw new Error('dangling enrollment');
      const age = ageOn(child.birth_date, e.start_date);
      expect(age).toBeGreaterThanOrEqual(group.minAge);
      expect(age).toBeLessThanOrEqual(group.maxAge);
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it('puts only girls in the girls’ group, and marks the siblings groups’ children', () => {
    const groups = byId(demoInput().groups);
    const children = byId(demo.children);
    const boysOrOther = new Set<string>();
    for (const e of demo.enrollments) {
      const child = children.get(e.child_id);
      const kind = groups.get(e.group_id)?.kind;
      if (kind === 'girls') {
        expect(child?.gender).toBe('girl');
        expect(child?.has_sibling_with_disability).toBe(0);
      } else {
        expect(child?.has_sibling_with_disability).toBe(1);
        if (child?.gender !== 'girl') boysOrOther.add(child?.id ?? '');
      }
    }
    expect(boysOrOther.size).toBeGreaterThan(0);
  });

  it('has children from both municipalities, about 60/40 Ishøj/Vallensbæk', () => {
    const ishoj = demo.children.filter((c) => c.municipality === 'ishoj').length;
    expect(ishoj).toBeGreaterThan(0);
    expect(ishoj).toBeLessThan(demo.children.length);
    const share = big.children.filter((c) => c.municipality === 'ishoj').length / big.children.length;
    expect(share).toBeGreaterThan(0.5);
    expect(share).toBeLessThan(0.7);
  });

  it('lets caseworkers refer to the siblings groups and parents ask for the girls’ group', () => {
    const groups = byId(demoInput().groups);
    const children = byId(demo.children);
    for (const r of demo.referrals) {
      if (groups.get(r.group_id)?.kind === 'siblings') expect(r.source).toBe('caseworker');
      if (r.source === 'caseworker') {
        const municipality = children.get(r.child_id)?.municipality;
        expect(r.caseworker_id).toBe(municipality === 'ishoj' ? 'cw-ishoj' : 'cw-vallensbaek');
      } else {
        expect(r.caseworker_id).toBeNull();
      }
      expect(r.reason.length).toBeGreaterThan(20);
    }
    expect(big.referrals.some((r) => r.source === 'parent')).toBe(true);
  });

  it.each([
    ['the demo', demo],
    ['a three-year run', big],
  ])('records attendance only from the start, before the end, on meetings held (%s)', (_name, data: DemoData) => {
    const meetings = byId(data.meetings);
    const enrollments = byId(data.enrollments);
    const seen = new Set<string>();
    for (const a of data.attendance) {
      const meeting = meetings.get(a.meeting_id);
      const enrollment = enrollments.get(a.enrollment_id);
      if (!meeting || !enrollment) throw new Error('dangling attendance');
      const date = todayInZone(new Date(meeting.starts_at));
      expect(meeting.status).not.toBe('cancelled');
      expect(meeting.group_id).toBe(enrollment.group_id);
      expect(['active', 'closing_booked', 'ended']).toContain(enrollment.state);
      expect(date >= (enrollment.start_date ?? '9999')).toBe(true);
      if (enrollment.ended_on) expect(date < enrollment.ended_on).toBe(true);
      expect(new Date(meeting.ends_at).getTime()).toBeLessThanOrEqual(NOW.getTime());
      seen.add(`${a.meeting_id}/${a.enrollment_id}`);
    }
    expect(seen.size).toBe(data.attendance.length);
    const statuses = new Set(data.attendance.map((a) => a.status));
    expect(statuses).toEqual(new Set(['present', 'excused', 'absent']));
    const present = data.attendance.filter((a) => a.status === 'present').length / data.attendance.length;
    expect(present).toBeGreaterThan(0.75);
    expect(data.attendance.some((a) => a.source === 'family')).toBe(true);
    for (const a of data.attendance) {
      if (a.status === 'excused') expect(a.reason).toBeTruthy();
      if (a.source === 'family') expect(a.status).toBe('excused');
    }
  });

  it('gives each started child attendance on every meeting held since the start', () => {
    const held = demo.meetings.filter((s) => s.status !== 'cancelled');
    for (const e of demo.enrollments.filter((x) => x.state === 'active')) {
      const expected = held.filter(
        (s) => s.group_id === e.group_id && todayInZone(new Date(s.starts_at)) >= (e.start_date ?? ''),
      ).length;
      expect(demo.attendance.filter((a) => a.enrollment_id === e.id)).toHaveLength(expected);
    }
  });

  it('starts quarterly courses on an intake window meeting and open ones on any meeting held', () => {
    const groups = byId(demoInput().groups);
    const windows = byId(demo.intakeWindows);
    const meetings = byId(demo.meetings);
    for (const e of demo.enrollments.filter((x) => x.start_date !== null)) {
      const group = groups.get(e.group_id);
      const meeting = demo.meetings.find(
        (s) => s.group_id === e.group_id && s.status !== 'cancelled' && todayInZone(new Date(s.starts_at)) === e.start_date,
      );
      expect(meeting).toBeDefined();
      if (group?.intakeRule === 'quarterly') {
        const window = windows.get(e.intake_window_id ?? '');
        expect(window?.meeting_id).toBe(meeting?.id);
        expect(meetings.get(window?.meeting_id ?? '')).toBeDefined();
        expect(e.planned_end_date).toBe(addMonths(e.start_date ?? '', 12));
      } else {
        expect(e.planned_end_date).toBeNull();
      }
    }
  });

  it('never has more children in a group than its capacity', () => {
    const groups = byId(groupsFor(9, 3));
    for (const s of big.meetings) {
      const date = todayInZone(new Date(s.starts_at));
      const inGroup = big.enrollments.filter(
        (e) => e.group_id === s.group_id && e.start_date !== null && e.start_date <= date && (e.ended_on === null || date < e.ended_on),
      ).length;
      expect(inGroup).toBeLessThanOrEqual(groups.get(s.group_id)?.capacity ?? 0);
    }
  });

  it('ends courses with a held closing conversation, a date and a reason', () => {
    const ended = demo.enrollments.filter((e) => e.state === 'ended');
    expect(ended.length).toBeGreaterThan(0);
    for (const e of ended) {
      expect(e.ended_on && e.ended_on < TODAY).toBe(true);
      expect(e.end_reason).toBeTruthy();
      const closing = demo.conversations.filter((c) => c.enrollment_id === e.id && c.kind === 'closing');
      expect(closing).toHaveLength(1);
      expect(closing[0]?.status).toBe('held');
    }
    for (const e of demo.enrollments.filter((x) => x.state === 'closing_booked')) {
      const closing = demo.conversations.find((c) => c.enrollment_id === e.id && c.kind === 'closing');
      expect(closing?.status).toBe('booked');
      expect(new Date(closing?.starts_at ?? '').getTime()).toBeGreaterThan(NOW.getTime());
    }
  });

  it('books intake conversations ahead and holds them in the past, with an outcome', () => {
    const intakes = demo.conversations.filter((c) => c.kind === 'intake');
    for (const c of intakes) {
      const starts = new Date(c.starts_at).getTime();
      if (c.status === 'booked') expect(starts).toBeGreaterThan(NOW.getTime());
      if (c.status === 'held') {
        expect(starts).toBeLessThan(NOW.getTime());
        expect(c.outcome).not.toBeNull();
      }
      expect(new Date(c.created_at).getTime()).toBeLessThanOrEqual(Math.min(starts, NOW.getTime()));
    }
    expect(intakes.some((c) => c.status === 'booked')).toBe(true);
    expect(intakes.some((c) => c.outcome === 'does_not_fit' && c.outcome_reason)).toBe(true);
    expect(demo.conversations.filter((c) => c.kind === 'parent').length).toBeGreaterThanOrEqual(1);
  });

  it('makes a year of meetings per group, a few cancelled with a reason, some with a theme, all in the past', () => {
    for (const group of demoInput().groups) {
      const own = demo.meetings.filter((s) => s.group_id === group.id);
      expect(own.length).toBeGreaterThanOrEqual(9);
      expect(own.length).toBeLessThanOrEqual(13);
    }
    const cancelled = big.meetings.filter((s) => s.status === 'cancelled');
    expect(cancelled.length).toBeGreaterThan(0);
    for (const s of cancelled) expect(s.cancel_reason).toBeTruthy();
    expect(demo.meetings.some((s) => s.theme !== null)).toBe(true);
    for (const s of demo.meetings) expect(new Date(s.ends_at).getTime()).toBeLessThanOrEqual(NOW.getTime());
  });

  it('leaves months the app already scheduled alone and uses those meetings', () => {
    const input = demoInput();
    const first = input.groups[0] as DemoGroup;
    const existing = demo.meetings.filter((s) => s.group_id === first.id).slice(-2);
    first.existingMeetings = existing.map((s) => ({
      id: `app-${s.occurrence_key}`,
      occurrenceKey: s.occurrence_key,
      startsAt: new Date(s.starts_at),
      endsAt: new Date(s.ends_at),
      status: 'planned' as const,
    }));
    const data = generateDemoData(input);
    const keys = data.meetings.filter((s) => s.group_id === first.id).map((s) => s.occurrence_key);
    for (const s of existing) expect(keys).not.toContain(s.occurrence_key);
    expect(data.attendance.some((a) => a.meeting_id.startsWith('app-'))).toBe(true);
  });

  it('gives every child one or two guardians with a Danish mobile number, some needing an interpreter', () => {
    const perChild = new Map<string, number>();
    for (const g of big.guardians) perChild.set(g.child_id, (perChild.get(g.child_id) ?? 0) + 1);
    expect(perChild.size).toBe(big.children.length);
    for (const n of perChild.values()) expect([1, 2]).toContain(n);
    for (const g of big.guardians) {
      expect(g.phone).toMatch(/^\+45\d{8}$/);
      if (g.email !== null) expect(g.email).toMatch(/^[a-z0-9.-]+@example\.(org|net|com)$/);
      if (g.needs_interpreter) expect(['arabisk', 'tyrkisk', 'somali', 'urdu']).toContain(g.interpreter_language);
    }
    expect(big.guardians.some((g) => g.needs_interpreter === 1)).toBe(true);
  });

  it('writes no history after now, whatever the day the demo is loaded', () => {
    const days = [...Array.from({ length: 24 }, (_, i) => new Date(Date.UTC(2025, 0, 3) + i * 16 * 86_400_000 + i * 3_600_000)),
      new Date('2026-11-20T12:00:00Z')];
    days.forEach((now, i) => {
      const input = demoInput({ seed: i === 24 ? 285 : i });
      const data = generateDemoData({ ...input, now });
      const past = [
        ...data.meetings.flatMap((s) => [s.ends_at, s.created_at, s.updated_at]),
        ...data.referrals.flatMap((r) => [r.received_at, r.updated_at]),
        ...data.enrollments.map((e) => e.updated_at),
        ...data.children.map((c) => c.updated_at),
        ...data.attendance.map((a) => a.recorded_at),
        ...data.conversations.flatMap((c) => [c.created_at, c.updated_at]),
      ];
      for (const t of past) expect(new Date(t).getTime(), `${now.toISOString()}: ${t}`).toBeLessThanOrEqual(now.getTime());
      for (const c of data.conversations) {
        if (c.status === 'booked') expect(new Date(c.starts_at).getTime()).toBeGreaterThan(now.getTime());
        if (c.status === 'held') expect(new Date(c.ends_at).getTime()).toBeLessThanOrEqual(now.getTime());
      }
    });
  });

  it('has children who fit but have not started had their intake after the last meeting they could start on', () => {
    const groups = demoInput().groups;
    for (const e of demo.enrollments.filter((x) => x.state === 'waiting' || x.state === 'intake_held')) {
      const group = groups.find((g) => g.id === e.group_id);
      const starts = demo.meetings
        .filter((s) => s.group_id === e.group_id && s.status !== 'cancelled')
        .map((s) => todayInZone(new Date(s.starts_at)))
        .filter((d) => group?.intakeRule === 'open' || demo.intakeWindows.some((w) => w.group_id === e.group_id && todayInZone(new Date(demo.meetings.find((s) => s.id === w.meeting_id)?.starts_at ?? 0)) === d));
      const intake = demo.conversations.find((c) => c.enrollment_id === e.id && c.kind === 'intake');
      expect(intake?.status).toBe('held');
      expect(todayInZone(new Date(intake?.starts_at ?? 0)) > (starts.sort().at(-1) ?? '')).toBe(true);
    }
  });

  it('scales: ten years of fifty groups stay within capacity and take seconds, not minutes', () => {
    const started = performance.now();
    const data = generateDemoData(demoInput({ years: 10, groupCount: 50, childrenPerGroup: 100 }));
    const ms = performance.now() - started;
    console.log(
      `generateDemoData 10 years × 50 groups: ${ms.toFixed(0)} ms; ${data.meetings.length} meetings, ${data.children.length} children, ${data.attendance.length} attendance rows`,
    );
    expect(data.children).toHaveLength(5000);
    expect(data.meetings.length).toBeGreaterThan(5000);
    expect(data.attendance.length).toBeGreaterThan(35_000);
    expect(ms).toBeLessThan(10_000);
  });
});
