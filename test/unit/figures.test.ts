import { describe, expect, it } from 'vitest';
import type { FigureEnrollmentRow, FigureInput, FigureMeetingRow } from '../../src/features/figures/figures';
import {
  END_CATEGORY_LABELS,
  endCategory,
  figuresStaleAt,
  computeYearlyFigures,
  figureTables,
  formatFigure,
  pickYear,
  waitDays,
  yearsWithData,
} from '../../src/features/figures/figures';
import { csvDate } from '../../src/lib/csv';
import { zonedToInstant } from '../../src/lib/time';
import { NOW } from '../support/clock';

const GIRLS = { id: 'g1', name: 'Pigegruppen', capacity: 10 };
const SIBLINGS = { id: 'g2', name: 'Søskendegruppen børn', capacity: 8 };

function course(over: Partial<FigureEnrollmentRow> & { id: string }): FigureEnrollmentRow {
  return {
    childId: `child-${over.id}`,
    groupId: GIRLS.id,
    municipality: 'ishoj',
    startDate: '2026-02-11',
    endedOn: null,
    plannedEndDate: null,
    receivedAt: null,
    ...over,
  };
}

function meeting(id: string, date: string, status: FigureMeetingRow['status'] = 'planned', groupId = GIRLS.id): FigureMeetingRow {
  return { id, groupId, startsAt: zonedToInstant(date, '16:00'), status };
}

function input(over: Partial<FigureInput>): FigureInput {
  return { year: 2026, now: NOW, groups: [GIRLS, SIBLINGS], enrollments: [], meetings: [], attendance: [], intakeWindows: [], feedback: [], ...over };
}

describe('how a course ended, in fixed categories', () => {
  it('reads the category from dates, never from the leader\'s words', () => {
    const early = course({ id: 'e', startDate: '2026-01-14', endedOn: '2026-04-08', plannedEndDate: '2026-12-31' });
    const onTime = course({ id: 't', startDate: '2026-01-14', endedOn: '2026-12-20', plannedEndDate: '2026-12-31' });
    const open = course({ id: 'o', startDate: '2026-01-14', endedOn: '2026-06-10' });
    const young = course({ id: 'y', childId: 'child-m', groupId: SIBLINGS.id, startDate: '2026-01-06', endedOn: '2026-05-05', plannedEndDate: '2026-12-31' });
    const moved = course({ id: 'm2', childId: 'child-m', groupId: 'g3', startDate: '2026-05-05' });
    expect(endCategory(early, [early])).toBe('early');
    expect(endCategory(onTime, [onTime])).toBe('as_planned');
    expect(endCategory(open, [open])).toBe('open_ended');
    expect(endCategory(young, [young, moved])).toBe('moved');
    const figures = computeYearlyFigures(input({ enrollments: [early, onTime, open, young, moved] }));
    expect(figures.totals.endReasons.map((r) => r.reason).sort()).toEqual(Object.values(END_CATEGORY_LABELS).sort());
  });
});

describe('yearly figures', () => {
  it('counts a course that spans the new year in both years, but as a new start and an ending only once each', () => {
    const spanning = course({ id: 'a', startDate: '2025-10-08', endedOn: '2026-03-11', plannedEndDate: '2026-03-15' });
    const y2025 = computeYearlyFigures(input({ year: 2025, enrollments: [spanning] }));
    const y2026 = computeYearlyFigures(input({ year: 2026, enrollments: [spanning] }));
    expect(y2025.totals.total).toMatchObject({ courses: 1, children: 1, newStarts: 1, ended: 0 });
    expect(y2026.totals.total).toMatchObject({ courses: 1, children: 1, newStarts: 0, ended: 1 });
    expect(y2026.totals.endReasons).toEqual([{ reason: 'Sluttede til planlagt tid', count: 1 }]);
    // Ended on 1 January: not running in the old year's last day? It was: the end date is the first day outside.
    const endsNewYear = course({ id: 'b', startDate: '2025-06-01', endedOn: '2026-01-01' });
    expect(computeYearlyFigures(input({ year: 2026, enrollments: [endsNewYear] })).totals.total.courses).toBe(1);
    expect(computeYearlyFigures(input({ year: 2027, enrollments: [endsNewYear] })).totals.total.courses).toBe(0);
  });

  it('counts a child in two groups once in the total, once in each group', () => {
    const set = computeYearlyFigures(input({
      enrollments: [
        course({ id: 'a', childId: 'same', groupId: GIRLS.id }),
        course({ id: 'b', childId: 'same', groupId: SIBLINGS.id, startDate: '2026-04-01' }),
      ],
    }));
    expect(set.groups.map((g) => [g.name, g.total.courses, g.total.children])).toEqual([
      ['Pigegruppen', 1, 1],
      ['Søskendegruppen børn', 1, 1],
    ]);
    expect(set.totals.total).toMatchObject({ courses: 2, children: 1 });
  });

  it('splits by municipality and the parts add up to the total', () => {
    const set = computeYearlyFigures(input({
      enrollments: [
        course({ id: 'a', municipality: 'ishoj' }),
        course({ id: 'b', municipality: 'ishoj' }),
        course({ id: 'c', municipality: 'vallensbaek' }),
      ],
    }));
    const girls = set.groups[0];
    expect(girls?.byMunicipality.ishoj.courses).toBe(2);
    expect(girls?.byMunicipality.vallensbaek.courses).toBe(1);
    expect(girls?.total.courses).toBe(3);
    expect(set.groups[1]?.total.courses).toBe(0);
  });

  it('measures the wait in calendar days in Copenhagen, across a leap day', () => {
    // Received 23.30 UTC on 31 January = 1 February in Copenhagen; 29 days to 1 March in a leap year.
    expect(waitDays(new Date('2024-01-31T23:30:00Z'), '2024-03-01')).toBe(29);
    expect(waitDays(new Date('2023-01-31T23:30:00Z'), '2023-03-01')).toBe(28);
    const set = computeYearlyFigures(input({
      year: 2024,
      now: new Date('2024-12-31T12:00:00Z'),
      enrollments: [
        course({ id: 'a', startDate: '2024-03-01', receivedAt: new Date('2024-01-31T23:30:00Z') }),
        course({ id: 'b', startDate: '2024-10-02', receivedAt: new Date('2024-09-01T10:00:00Z') }),
        course({ id: 'c', startDate: '2024-05-01', receivedAt: null }),
      ],
    }));
    expect(set.totals.total.waits).toBe(2);
    expect(set.totals.total.averageWaitDays).toBe((29 + 31) / 2);
    expect(set.totals.total.longestWaitDays).toBe(31);
    expect(set.quarterlyWait.map((q) => q.starts)).toEqual([1, 0, 0, 1]);
    expect(set.quarterlyWait[0]).toMatchObject({ averageDays: 29, longestDays: 29 });
    expect(set.quarterlyWait[1]).toMatchObject({ averageDays: null, longestDays: null });
  });

  it('gives zeros and empty lists for a year without data', () => {
    const set = computeYearlyFigures(input({ year: 2019 }));
    expect(set.totals.total).toMatchObject({ courses: 0, children: 0, attendanceRate: null, averageWaitDays: null, longestWaitDays: null });
    expect(set.totals.meetings).toEqual({ held: 0, cancelled: 0, upcoming: 0 });
    expect(set.intakeWindows).toEqual([]);
    expect(set.monthlyAttendance[0]?.months.every((m) => m.rate === null)).toBe(true);
    const tables = figureTables(set);
    expect(tables.find((t) => t.key === 'afslutninger')?.rows).toEqual([]);
    expect(tables.find((t) => t.key === 'forloeb')?.rows).toHaveLength(9); // 2 groups + all, × Ishøj, Vallensbæk, I alt
  });

  it('counts held, cancelled and coming meetings; attendance rate over marks, missing marks apart', () => {
    const a = course({ id: 'a', municipality: 'ishoj', startDate: '2026-01-01' });
    const b = course({ id: 'b', municipality: 'vallensbaek', startDate: '2026-01-01' });
    const late = course({ id: 'c', startDate: '2026-03-01' });
    const set = computeYearlyFigures(input({
      enrollments: [a, b, late],
      meetings: [
        meeting('jan', '2026-01-14'),
        meeting('feb', '2026-02-11'),
        meeting('mar', '2026-03-11', 'cancelled'),
        meeting('apr', '2026-04-08', 'moved'),
        meeting('dec', '2026-12-09'),
        meeting('old', '2025-12-10'),
      ],
      attendance: [
        { meetingId: 'jan', enrollmentId: 'a', municipality: 'ishoj', status: 'present' },
        { meetingId: 'jan', enrollmentId: 'b', municipality: 'vallensbaek', status: 'absent' },
        { meetingId: 'feb', enrollmentId: 'a', municipality: 'ishoj', status: 'present' },
        { meetingId: 'apr', enrollmentId: 'a', municipality: 'ishoj', status: 'excused' },
        { meetingId: 'apr', enrollmentId: 'c', municipality: 'ishoj', status: 'present' },
        { meetingId: 'old', enrollmentId: 'a', municipality: 'ishoj', status: 'absent' },
      ],
    }));
    expect(set.totals.meetings).toEqual({ held: 3, cancelled: 1, upcoming: 1 });
    expect(set.totals.total).toMatchObject({ present: 3, excused: 1, absent: 1, attendanceRate: 3 / 5 });
    // b has no mark in February and April: not registered, not counted as absent.
    expect(set.totals.total.notRegistered).toBe(2);
    expect(set.totals.byMunicipality.vallensbaek).toMatchObject({ absent: 1, notRegistered: 2, attendanceRate: 0 });
    const months = set.monthlyAttendance[0]?.months ?? [];
    expect(months[0]).toMatchObject({ present: 1, registered: 2, rate: 0.5 });
    expect(months[2]?.rate).toBeNull();
    expect(months[3]).toMatchObject({ present: 1, registered: 2 });
  });

  it('free places per intake window are the capacity less the members on that day', () => {
    const set = computeYearlyFigures(input({
      enrollments: [
        course({ id: 'a', startDate: '2026-01-14' }),
        course({ id: 'b', startDate: '2026-04-08' }),
        course({ id: 'c', startDate: '2026-01-14', endedOn: '2026-04-08' }),
      ],
      intakeWindows: [
        { groupId: GIRLS.id, quarterStart: '2026-04-01', meetingDate: '2026-04-08' },
        { groupId: GIRLS.id, quarterStart: '2026-10-01', meetingDate: null },
        { groupId: GIRLS.id, quarterStart: '2025-10-01', meetingDate: '2025-10-08' },
      ],
    }));
    expect(set.intakeWindows.map((w) => [w.date, w.active, w.free])).toEqual([
      ['2026-04-08', 2, 8],
      ['2026-10-01', 2, 8],
    ]);
  });

  it('adds the kept counts of deleted children to courses and children', () => {
    const set = computeYearlyFigures(input({
      enrollments: [course({ id: 'a' })],
      retained: [
        { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'courses', value: 3 },
        { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'children', value: 2 },
        { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'new_starts', value: 1 },
        { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'wait_count', value: 2 },
        { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'wait_days_total', value: 50 },
        { groupId: GIRLS.id, municipality: 'vallensbaek', metric: 'meetings_attended', value: 7 },
      ],
    }));
    expect(set.groups[0]?.byMunicipality.vallensbaek).toMatchObject({ courses: 3, children: 2, newStarts: 1, waits: 2, averageWaitDays: 25, present: 0 });
    expect(set.totals.total).toMatchObject({ courses: 4, children: 3, newStarts: 2 });
    expect(set.includesRetained).toBe(true);
  });

  it('feedback: the average per question per month, only months with answers', () => {
    const at = zonedToInstant('2026-03-11', '16:00');
    const set = computeYearlyFigures(input({
      feedback: [
        { groupId: GIRLS.id, startsAt: at, question: 'heard', score: 3 },
        { groupId: GIRLS.id, startsAt: at, question: 'heard', score: 2 },
        { groupId: GIRLS.id, startsAt: at, question: 'good', score: 1 },
      ],
    }));
    expect(set.feedbackTrend[0]?.months).toEqual([{ month: 3, answers: 2, averages: { heard: 2.5, good: 1, again: null } }]);
    expect(set.feedbackTrend[1]?.months).toEqual([]);
  });

  it('year picker: from the first year with data to this year; anything else falls back to this year', () => {
    expect(yearsWithData(['2017-02-08', null], NOW)).toEqual([2026, 2025, 2024, 2023, 2022, 2021, 2020, 2019, 2018, 2017]);
    expect(yearsWithData([null, null], NOW)).toEqual([2026]);
    expect(yearsWithData(['2027-01-13'], NOW)).toEqual([2026]);
    const years = [2026, 2025];
    expect(pickYear('2025', years, NOW)).toBe(2025);
    expect(pickYear('1999', years, NOW)).toBe(2026);
    expect(pickYear('20x5', years, NOW)).toBe(2026);
    expect(pickYear(null, years, NOW)).toBe(2026);
  });

  it('formats cells the Danish way', () => {
    expect(formatFigure(87.5)).toBe('87,5');
    expect(formatFigure(null)).toBe('–');
    expect(formatFigure(csvDate('2026-04-08'))).toBe('8. apr. 2026');
  });
});

describe('figuresStaleAt', () => {
  it('is the next Copenhagen midnight when no meeting begins before it, also on the night clocks go back', () => {
    // Saturday 24 October 2026, 23.30 summer time: midnight is half an hour away.
    expect(figuresStaleAt([], new Date('2026-10-24T21:30:00Z')).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    // Sunday 25 October, 00.30 summer time: Sunday has 25 hours, so the next midnight (winter time) is 24.5 hours away.
    expect(figuresStaleAt([], new Date('2026-10-24T22:30:00Z')).toISOString()).toBe('2026-10-25T23:00:00.000Z');
    // Sunday 29 March 2026, 00.30 winter time: the next midnight (summer time) is 22.5 hours away.
    expect(figuresStaleAt([], new Date('2026-03-28T23:30:00Z')).toISOString()).toBe('2026-03-29T22:00:00.000Z');
    // 31 December in Copenhagen while it is still the 30th in St. John's: the page changes at New Year in Copenhagen.
    expect(figuresStaleAt([], new Date('2026-12-31T12:00:00Z')).toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });

  it('is the start of the next meeting when one begins before midnight; a meeting beginning right now is already held', () => {
    const now = new Date('2026-11-23T13:00:00Z');
    const meetings = [new Date('2026-11-23T13:00:00Z'), new Date('2026-11-23T15:00:00Z'), new Date('2026-11-23T14:00:00Z'), new Date('2026-11-24T14:00:00Z')];
    expect(figuresStaleAt(meetings, now).toISOString()).toBe('2026-11-23T14:00:00.000Z');
    expect(figuresStaleAt([new Date('2026-11-22T14:00:00Z')], now).toISOString()).toBe('2026-11-23T23:00:00.000Z');
  });
});
