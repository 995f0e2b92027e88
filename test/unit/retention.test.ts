import { describe, expect, it } from 'vitest';
import {
  addMonthsClamped, childContribution, isDueForPurge, parseRetentionMonths, purgeDueOn, retentionClosedOn,
  retentionSettingsSchema, type ChildFigures, type RetentionCandidate,
} from '../../src/features/retention/retention';
import { parseForm } from '../../src/lib/forms';

function candidate(overrides: Partial<RetentionCandidate> = {}): RetentionCandidate {
  return {
    childId: 'c1',
    childUpdatedAt: '2024-01-01T10:00:00.000Z',
    enrollments: [{ state: 'ended', endedOn: '2025-03-31', updatedAt: '2025-03-31T12:00:00.000Z' }],
    referrals: [{ status: 'ended', updatedAt: '2025-03-31T12:00:00.000Z' }],
    ...overrides,
  };
}

describe('months after an end date', () => {
  // The calendar's addMonths (lib/time); every case of it is in test/unit/time.test.ts.
  it('stays inside short months and leap years, for the ten years a setting allows', () => {
    expect(addMonthsClamped('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonthsClamped('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonthsClamped('2025-11-30', 120)).toBe('2035-11-30');
  });
});

describe('when a child is due for deletion', () => {
  it('is due on the day N months after the course ended, not the day before', () => {
    const c = candidate();
    expect(purgeDueOn(c, 12)).toBe('2026-03-31');
    expect(isDueForPurge(c, 12, '2026-03-30')).toBe(false);
    expect(isDueForPurge(c, 12, '2026-03-31')).toBe(true);
    expect(isDueForPurge(c, 1, '2025-04-30')).toBe(true);
    expect(isDueForPurge(c, 1, '2025-04-29')).toBe(false);
  });

  it('a course ended on 29 February is due on 28 February a year later', () => {
    const c = candidate({
      enrollments: [{ state: 'ended', endedOn: '2024-02-29', updatedAt: '2024-02-29T12:00:00.000Z' }],
      referrals: [{ status: 'ended', updatedAt: '2024-02-29T12:00:00.000Z' }],
    });
    expect(isDueForPurge(c, 12, '2025-02-27')).toBe(false);
    expect(isDueForPurge(c, 12, '2025-02-28')).toBe(true);
  });

  it('counts from the latest of several courses', () => {
    const c = candidate({
      enrollments: [
        { state: 'ended', endedOn: '2024-06-30', updatedAt: '2024-06-30T12:00:00.000Z' },
        { state: 'ended', endedOn: '2025-01-31', updatedAt: '2025-02-01T12:00:00.000Z' },
      ],
      referrals: [],
    });
    expect(retentionClosedOn(c)).toBe('2025-01-31');
    expect(isDueForPurge(c, 12, '2026-01-30')).toBe(false);
    expect(isDueForPurge(c, 12, '2026-01-31')).toBe(true);
  });

  it('a declined or withdrawn course counts from the Copenhagen day it was last changed', () => {
    // 23.30 UTC on 31 December is already 1 January in Copenhagen.
    const c = candidate({
      enrollments: [{ state: 'declined', endedOn: null, updatedAt: '2024-12-31T23:30:00.000Z' }],
      referrals: [{ status: 'declined', updatedAt: '2024-12-31T23:30:00.000Z' }],
    });
    expect(retentionClosedOn(c)).toBe('2025-01-01');
    expect(isDueForPurge(c, 12, '2025-12-31')).toBe(false);
    expect(isDueForPurge(c, 12, '2026-01-01')).toBe(true);
  });

  it('is never due while a course or a referral is open', () => {
    for (const state of ['referred', 'intake_booked', 'intake_held', 'waiting', 'active', 'closing_booked']) {
      const c = candidate({ enrollments: [{ state, endedOn: null, updatedAt: '2015-01-01T00:00:00.000Z' }], referrals: [] });
      expect(isDueForPurge(c, 1, '2030-01-01'), state).toBe(false);
    }
    const waitingReferral = candidate({ referrals: [{ status: 'waiting', updatedAt: '2015-01-01T00:00:00.000Z' }] });
    expect(isDueForPurge(waitingReferral, 1, '2030-01-01')).toBe(false);
    // A new referral after an old ended course keeps the child.
    const newReferral = candidate({ referrals: [{ status: 'received', updatedAt: '2025-04-01T00:00:00.000Z' }] });
    expect(isDueForPurge(newReferral, 12, '2030-01-01')).toBe(false);
  });

  it('a referral closed later than the course moves the date', () => {
    const c = candidate({ referrals: [{ status: 'withdrawn', updatedAt: '2025-06-10T10:00:00.000Z' }] });
    expect(retentionClosedOn(c)).toBe('2025-06-10');
  });

  it('a child with no course and no referral counts from the last change to the record', () => {
    const c = candidate({ enrollments: [], referrals: [], childUpdatedAt: '2024-05-31T10:00:00.000Z' });
    expect(purgeDueOn(c, 12)).toBe('2025-05-31');
  });
});

describe('the retention setting', () => {
  it('accepts 1-120 whole months and says so in Danish otherwise', () => {
    for (const ok of ['1', '12', ' 120 ']) expect(parseForm(retentionSettingsSchema, { retentionMonths: ok }).ok, ok).toBe(true);
    for (const bad of ['0', '121', '1.5', '-3', 'tolv', '', '1e2']) {
      const parsed = parseForm(retentionSettingsSchema, { retentionMonths: bad });
      expect(parsed.ok, bad).toBe(false);
      if (!parsed.ok) expect(parsed.errors['retentionMonths']).toBe('Skriv et helt antal måneder fra 1 til 120.');
    }
    const missing = parseForm(retentionSettingsSchema, {});
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors['retentionMonths']).toBe('Skriv et helt antal måneder fra 1 til 120.');
  });

  it('falls back to 12 months when the stored value is missing or broken', () => {
    expect(parseRetentionMonths(null)).toBe(12);
    expect(parseRetentionMonths('abc')).toBe(12);
    expect(parseRetentionMonths('0')).toBe(12);
    expect(parseRetentionMonths('24')).toBe(24);
  });
});

describe("a deleted child's share of the yearly figures", () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const figures: ChildFigures = {
    municipality: 'ishoj',
    enrollments: [
      // Ran from March 2024 into 2025: a course in both years.
      { groupId: 'g1', state: 'ended', startDate: '2024-03-13', endedOn: '2025-02-12', referralReceivedAt: '2024-01-02T23:30:00.000Z' },
      // Declined before starting: no course.
      { groupId: 'g2', state: 'declined', startDate: null, endedOn: null, referralReceivedAt: '2023-05-01T10:00:00.000Z' },
    ],
    attendance: [
      { groupId: 'g1', meetingStartsAt: '2024-03-13T15:00:00.000Z', meetingStatus: 'planned', status: 'present' },
      { groupId: 'g1', meetingStartsAt: '2024-04-10T14:00:00.000Z', meetingStatus: 'moved', status: 'excused' },
      // New Year's Eve 23.30 UTC is 2025 in Copenhagen.
      { groupId: 'g1', meetingStartsAt: '2024-12-31T23:30:00.000Z', meetingStatus: 'planned', status: 'present' },
      { groupId: 'g1', meetingStartsAt: '2025-01-08T15:00:00.000Z', meetingStatus: 'cancelled', status: 'absent' },
    ],
  };

  it('counts courses and children in every year the course ran, starts, ends, waits and marks in their own year', () => {
    const counts = childContribution(figures, now);
    const get = (year: number, metric: string) =>
      counts.filter((c) => c.year === year && c.metric === metric).reduce((sum, c) => sum + c.value, 0);
    expect(get(2024, 'courses')).toBe(1);
    expect(get(2025, 'courses')).toBe(1);
    expect(get(2024, 'children')).toBe(1);
    expect(get(2025, 'children')).toBe(1);
    expect(get(2024, 'new_starts')).toBe(1);
    expect(get(2025, 'new_starts')).toBe(0);
    expect(get(2025, 'ended')).toBe(1);
    expect(get(2024, 'wait_count')).toBe(1);
    // Received 3 January (Copenhagen), started 13 March 2024: 70 days.
    expect(get(2024, 'wait_days_total')).toBe(70);
    expect(get(2024, 'meetings_registered')).toBe(2);
    expect(get(2024, 'meetings_attended')).toBe(1);
    expect(get(2025, 'meetings_registered')).toBe(1);
    expect(get(2025, 'meetings_attended')).toBe(1);
    expect(get(2024, 'wait_longest')).toBe(70);
    // The memo's figures: the run the course began, a family per group and once for all groups (group ''), the
    // days on the waiting list per month and the longest wait in the year.
    expect(get(2024, 'run:2024-03-13')).toBe(1);
    expect(counts.filter((c) => c.year === 2025 && c.metric === 'families').map((c) => c.groupId).sort()).toEqual(['', 'g1']);
    expect(counts.every((c) => c.municipality === 'ishoj' && (c.groupId === 'g1' || (c.groupId === '' && c.metric === 'families')))).toBe(true);
  });

  it('counts a child once per year and group even with two courses in it', () => {
    const counts = childContribution(
      {
        municipality: 'vallensbaek',
        enrollments: [
          { groupId: 'g1', state: 'ended', startDate: '2025-01-08', endedOn: '2025-03-01', referralReceivedAt: null },
          { groupId: 'g1', state: 'ended', startDate: '2025-09-10', endedOn: '2025-12-10', referralReceivedAt: null },
        ],
        attendance: [],
      },
      now,
    );
    expect(counts.find((c) => c.metric === 'children')?.value).toBe(1);
    expect(counts.find((c) => c.metric === 'courses')?.value).toBe(2);
    expect(counts.some((c) => c.metric === 'wait_count')).toBe(false);
  });

  it('keeps a family only when no sibling is left to count it, and the waiting days and progress of the course', () => {
    const base = {
      municipality: 'ishoj' as const,
      enrollments: [{ groupId: 'g1', state: 'ended', startDate: '2025-03-01', endedOn: '2025-09-01', referralReceivedAt: '2025-01-31T12:00:00.000Z' }],
      attendance: [],
      waits: [{
        enrollmentId: 'e1', groupId: 'g1', state: 'ended', receivedAt: new Date('2025-01-31T12:00:00.000Z'), createdAt: new Date('2025-01-31T12:00:00.000Z'),
        startDate: '2025-03-01' as const, endedOn: '2025-09-01' as const, updatedAt: new Date('2025-09-01T12:00:00.000Z'),
      }],
      progress: [
        { enrollmentId: 'e1', groupId: 'g1', endedOn: '2025-09-01' as const, occasion: 'intake' as const, respondent: 'child' as const, question: 'talk' as const, score: 2 },
        { enrollmentId: 'e1', groupId: 'g1', endedOn: '2025-09-01' as const, occasion: 'closing' as const, respondent: 'child' as const, question: 'talk' as const, score: 4 },
      ],
    };
    const alone = childContribution(base, now);
    const value = (counts: typeof alone, metric: string, groupId = 'g1') => counts.find((c) => c.year === 2025 && c.metric === metric && c.groupId === groupId)?.value;
    expect(value(alone, 'families')).toBe(1);
    expect(value(alone, 'families', '')).toBe(1);
    expect(value(alone, 'waitlist_days_01')).toBe(1);
    expect(value(alone, 'waitlist_days_02')).toBe(28);
    expect(value(alone, 'waitlist_longest')).toBe(29);
    expect(value(alone, 'progress_up')).toBe(1);
    // A brother still stored, in the same group that year: the family is counted through him, not kept twice.
    const withBrother = childContribution({ ...base, family: [{ groupId: 'g1', municipality: 'ishoj', state: 'active', startDate: '2025-06-01', endedOn: null }] }, now);
    expect(value(withBrother, 'families')).toBeUndefined();
    expect(value(withBrother, 'families', '')).toBeUndefined();
    // In another group: the family still counts once in this group, and through him in the all-groups total.
    const brotherElsewhere = childContribution({ ...base, family: [{ groupId: 'g2', municipality: 'ishoj', state: 'ended', startDate: '2025-06-01', endedOn: '2025-12-01' }] }, now);
    expect(value(brotherElsewhere, 'families')).toBe(1);
    expect(value(brotherElsewhere, 'families', '')).toBeUndefined();
  });
});
