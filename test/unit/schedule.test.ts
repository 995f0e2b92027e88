import { describe, expect, it } from 'vitest';
import {
  danishPublicHolidays,
  describeMeetingRule,
  easterSunday,
  generateOccurrences,
  intakeWindows,
  meetingRuleSchema,
  nthWeekdayOfMonth,
  planRegeneration,
} from '../../src/features/schedule/schedule';
import type {
  ClosedPeriod,
  ExistingMeeting,
  GeneratedOccurrence,
  MeetingRule,
} from '../../src/features/schedule/schedule';
import { addDays, compareDates, instantToZoned, weekdayOf } from '../../src/lib/time';

const secondWednesday: MeetingRule = {
  weekday: 3,
  nth: 2,
  startTime: '16:00',
  endTime: '18:00',
  onClosed: 'next_week',
};

/** School summer holiday 2026 in Ishøj and Vallensbæk. */
const summer2026: ClosedPeriod = { name: 'Sommerferie', startDate: '2026-06-27', endDate: '2026-08-09' };

function dates(occurrences: GeneratedOccurrence[]): string[] {
  return occurrences.map((o) => o.date);
}

function fieldErrors(input: unknown): Record<string, string> {
  const result = meetingRuleSchema.safeParse(input);
  if (result.success) return {};
  return Object.fromEntries(result.error.issues.map((issue) => [issue.path.join('.'), issue.message]));
}

describe('meetingRuleSchema', () => {
  const form = { weekday: '3', nth: '2', startTime: '16.00', endTime: '18.00', onClosed: 'next_week' };

  it('turns the form strings into a MeetingRule', () => {
    const rule: MeetingRule = meetingRuleSchema.parse(form);
    expect(rule).toEqual(secondWednesday);
  });

  it.each([
    ['-1', -1],
    ['last', -1],
    ['sidste', -1],
    [' 4 ', 4],
  ])('reads nth %j as %i', (nth, expected) => {
    expect(meetingRuleSchema.parse({ ...form, nth }).nth).toBe(expected);
  });

  it('accepts colons, a one-digit hour and numbers as well', () => {
    expect(meetingRuleSchema.parse({ ...form, weekday: 2, nth: -1, startTime: '9:30', endTime: '11:00' })).toEqual({
      weekday: 2,
      nth: -1,
      startTime: '09:30',
      endTime: '11:00',
      onClosed: 'next_week',
    });
  });

  it('asks for a weekday when it is missing or not 1-7', () => {
    expect(fieldErrors({ ...form, weekday: undefined })).toEqual({ weekday: 'Vælg en ugedag.' });
    expect(fieldErrors({ ...form, weekday: '' })).toEqual({ weekday: 'Vælg en ugedag.' });
    expect(fieldErrors({ ...form, weekday: '8' })).toEqual({ weekday: 'Vælg en ugedag.' });
    expect(fieldErrors({ ...form, weekday: '2.5' })).toEqual({ weekday: 'Vælg en ugedag.' });
  });

  it('rejects a fifth weekday, which most months do not have', () => {
    expect(fieldErrors({ ...form, nth: '5' })).toEqual({
      nth: 'Vælg hvilken uge i måneden gruppen mødes: 1., 2., 3., 4. eller sidste.',
    });
  });

  it('explains how to write a time, on the field that is wrong', () => {
    expect(fieldErrors({ ...form, startTime: '16' })).toEqual({ startTime: 'Skriv tidspunktet som tt.mm, fx 16.00.' });
    expect(fieldErrors({ ...form, endTime: '25.00' })).toEqual({ endTime: 'Skriv tidspunktet som tt.mm, fx 16.00.' });
    expect(fieldErrors({ ...form, startTime: '' })).toEqual({ startTime: 'Skriv starttidspunktet, fx 16.00.' });
    expect(fieldErrors({ ...form, endTime: undefined })).toEqual({ endTime: 'Skriv sluttidspunktet, fx 18.00.' });
  });

  it('puts "end not after start" on the end time', () => {
    const message = 'Sluttidspunktet skal ligge efter starttidspunktet.';
    expect(fieldErrors({ ...form, startTime: '18.00', endTime: '16.00' })).toEqual({ endTime: message });
    expect(fieldErrors({ ...form, startTime: '16.00', endTime: '16:00' })).toEqual({ endTime: message });
  });

  it('allows a meeting of up to 8 hours, not longer', () => {
    expect(meetingRuleSchema.safeParse({ ...form, startTime: '09.00', endTime: '17.00' }).success).toBe(true);
    expect(fieldErrors({ ...form, startTime: '09.00', endTime: '17.01' })).toEqual({
      endTime: 'Et gruppemøde kan højst vare 8 timer. Tjek start- og sluttidspunktet.',
    });
  });

  it('asks what happens on a closed day', () => {
    expect(Object.keys(fieldErrors({ ...form, onClosed: 'maybe' }))).toEqual(['onClosed']);
    expect(fieldErrors({ ...form, onClosed: undefined }).onClosed).toMatch(/^Vælg hvad der skal ske/);
  });

  it('reports every wrong field at once', () => {
    expect(
      Object.keys(fieldErrors({ weekday: '', nth: 'x', startTime: 'nu', endTime: '18.00', onClosed: 'drop' })).sort(),
    ).toEqual(['nth', 'startTime', 'weekday']);
  });
});

describe('describeMeetingRule', () => {
  it('describes the rule in Danish', () => {
    expect(describeMeetingRule(secondWednesday, 'da')).toBe('2. onsdag i måneden kl. 16.00-18.00');
    expect(describeMeetingRule({ ...secondWednesday, weekday: 2, nth: -1 }, 'da')).toBe(
      'sidste tirsdag i måneden kl. 16.00-18.00',
    );
  });

  it('describes the rule in English', () => {
    expect(describeMeetingRule(secondWednesday, 'en')).toBe('second Wednesday of the month, 16:00-18:00');
    expect(describeMeetingRule({ ...secondWednesday, weekday: 2, nth: -1 }, 'en')).toBe(
      'last Tuesday of the month, 16:00-18:00',
    );
    expect(
      describeMeetingRule({ ...secondWednesday, weekday: 1, nth: 4, startTime: '09:30', endTime: '11:00' }, 'en'),
    ).toBe('fourth Monday of the month, 09:30-11:00');
  });
});

describe('Easter and Danish holidays', () => {
  it.each([
    [2008, '2008-03-23'],
    [2011, '2011-04-24'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    [2026, '2026-04-05'],
    [2027, '2027-03-28'],
    [2038, '2038-04-25'],
    [2285, '2285-03-22'],
  ])('Easter %i is %s', (year, date) => {
    expect(easterSunday(year)).toBe(date);
  });

  it('lists the 2026 closing days in date order, with the unofficial ones marked', () => {
    expect(danishPublicHolidays(2026)).toEqual([
      { date: '2026-01-01', name: 'Nytårsdag', official: true },
      { date: '2026-04-02', name: 'Skærtorsdag', official: true },
      { date: '2026-04-03', name: 'Langfredag', official: true },
      { date: '2026-04-05', name: 'Påskedag', official: true },
      { date: '2026-04-06', name: '2. påskedag', official: true },
      { date: '2026-05-14', name: 'Kristi himmelfartsdag', official: true },
      { date: '2026-05-24', name: 'Pinsedag', official: true },
      { date: '2026-05-25', name: '2. pinsedag', official: true },
      { date: '2026-06-05', name: 'Grundlovsdag', official: false },
      { date: '2026-12-24', name: 'Juleaftensdag', official: false },
      { date: '2026-12-25', name: 'Juledag', official: true },
      { date: '2026-12-26', name: '2. juledag', official: true },
      { date: '2026-12-31', name: 'Nytårsaftensdag', official: false },
    ]);
  });

  it('has Store bededag (4th Friday after Easter) in 2023 and not from 2024', () => {
    const bededag2023 = danishPublicHolidays(2023).find((h) => h.name === 'Store bededag');
    expect(bededag2023).toEqual({ date: '2023-05-05', name: 'Store bededag', official: true });
    expect(weekdayOf('2023-05-05')).toBe(5);
    expect(danishPublicHolidays(2023)).toHaveLength(14);
    expect(danishPublicHolidays(2024).some((h) => h.name === 'Store bededag')).toBe(false);
    expect(danishPublicHolidays(2024)).toHaveLength(13);
  });

  it('puts Easter-based days on the right weekdays every year', () => {
    for (let year = 2000; year <= 2100; year++) {
      const byName = new Map(danishPublicHolidays(year).map((h) => [h.name, h.date]));
      expect(weekdayOf(byName.get('Påskedag') ?? '')).toBe(7);
      expect(weekdayOf(byName.get('Langfredag') ?? '')).toBe(5);
      expect(weekdayOf(byName.get('Kristi himmelfartsdag') ?? '')).toBe(4);
      expect(weekdayOf(byName.get('2. pinsedag') ?? '')).toBe(1);
    }
  });
});

describe('nthWeekdayOfMonth', () => {
  it('finds the nth weekday', () => {
    expect(nthWeekdayOfMonth(2026, 1, 3, 2)).toBe('2026-01-14');
    expect(nthWeekdayOfMonth(2026, 4, 3, 1)).toBe('2026-04-01');
    expect(nthWeekdayOfMonth(2026, 5, 4, 2)).toBe('2026-05-14');
  });

  it('finds the last weekday in months with four and with five of them', () => {
    // February 2026 has four Wednesdays, April 2026 has five.
    expect(nthWeekdayOfMonth(2026, 2, 3, -1)).toBe('2026-02-25');
    expect(nthWeekdayOfMonth(2026, 2, 3, 4)).toBe('2026-02-25');
    expect(nthWeekdayOfMonth(2026, 4, 3, -1)).toBe('2026-04-29');
    expect(nthWeekdayOfMonth(2026, 4, 3, 4)).toBe('2026-04-22');
    expect(nthWeekdayOfMonth(2026, 12, 4, -1)).toBe('2026-12-31');
  });

  it('is null when there is no fifth one', () => {
    expect(nthWeekdayOfMonth(2026, 2, 3, 5)).toBeNull();
    expect(nthWeekdayOfMonth(2026, 4, 3, 5)).toBe('2026-04-29');
  });

  it('finds 29 February in a leap year', () => {
    expect(nthWeekdayOfMonth(2028, 2, 2, -1)).toBe('2028-02-29');
    expect(nthWeekdayOfMonth(2028, 2, 2, 5)).toBe('2028-02-29');
    expect(nthWeekdayOfMonth(2027, 2, 2, 5)).toBeNull();
  });
});

describe('generateOccurrences', () => {
  it('gives one occurrence a month, keyed by month, at 16.00 Copenhagen time', () => {
    const occurrences = generateOccurrences({
      rule: secondWednesday,
      from: '2026-01-01',
      to: '2026-03-31',
      closedPeriods: [],
    });
    expect(occurrences).toEqual([
      {
        occurrenceKey: '2026-01',
        date: '2026-01-14',
        startsAt: new Date('2026-01-14T15:00:00Z'),
        endsAt: new Date('2026-01-14T17:00:00Z'),
        shiftedFrom: null,
      },
      {
        occurrenceKey: '2026-02',
        date: '2026-02-11',
        startsAt: new Date('2026-02-11T15:00:00Z'),
        endsAt: new Date('2026-02-11T17:00:00Z'),
        shiftedFrom: null,
      },
      {
        occurrenceKey: '2026-03',
        date: '2026-03-11',
        startsAt: new Date('2026-03-11T15:00:00Z'),
        endsAt: new Date('2026-03-11T17:00:00Z'),
        shiftedFrom: null,
      },
    ]);
  });

  it('keeps 16.00 local on both sides of the spring change', () => {
    const lastWednesday: MeetingRule = { ...secondWednesday, nth: -1 };
    const [march, april] = generateOccurrences({
      rule: lastWednesday,
      from: '2026-03-01',
      to: '2026-04-30',
      closedPeriods: [],
    });
    expect(march?.date).toBe('2026-03-25');
    expect(march?.startsAt.toISOString()).toBe('2026-03-25T15:00:00.000Z');
    expect(april?.date).toBe('2026-04-29');
    expect(april?.startsAt.toISOString()).toBe('2026-04-29T14:00:00.000Z');

    const firstWednesday: MeetingRule = { ...secondWednesday, nth: 1 };
    const [aprilFirst] = generateOccurrences({
      rule: firstWednesday,
      from: '2026-04-01',
      to: '2026-04-30',
      closedPeriods: [],
    });
    expect(aprilFirst?.startsAt.toISOString()).toBe('2026-04-01T14:00:00.000Z');
  });

  it('handles a meeting on the autumn change day itself (2026-10-25)', () => {
    const lastSunday: MeetingRule = { weekday: 7, nth: -1, startTime: '16:00', endTime: '18:00', onClosed: 'drop' };
    const occurrences = generateOccurrences({
      rule: lastSunday,
      from: '2026-09-01',
      to: '2026-10-31',
      closedPeriods: [],
    });
    expect(occurrences.map((o) => [o.date, o.startsAt.toISOString(), o.endsAt.toISOString()])).toEqual([
      ['2026-09-27', '2026-09-27T14:00:00.000Z', '2026-09-27T16:00:00.000Z'],
      ['2026-10-25', '2026-10-25T15:00:00.000Z', '2026-10-25T17:00:00.000Z'],
    ]);
  });

  it('moves a meeting on Kristi himmelfartsdag a week on, or drops it', () => {
    const secondThursday: MeetingRule = {
      weekday: 4,
      nth: 2,
      startTime: '16:00',
      endTime: '18:00',
      onClosed: 'next_week',
    };
    const shifted = generateOccurrences({
      rule: secondThursday,
      from: '2026-04-01',
      to: '2026-06-30',
      closedPeriods: [],
    });
    expect(shifted.map((o) => [o.occurrenceKey, o.date, o.shiftedFrom])).toEqual([
      ['2026-04', '2026-04-09', null],
      ['2026-05', '2026-05-21', '2026-05-14'],
      ['2026-06', '2026-06-11', null],
    ]);
    expect(shifted[1]?.startsAt.toISOString()).toBe('2026-05-21T14:00:00.000Z');

    const dropped = generateOccurrences({
      rule: { ...secondThursday, onClosed: 'drop' },
      from: '2026-04-01',
      to: '2026-06-30',
      closedPeriods: [],
    });
    expect(dates(dropped)).toEqual(['2026-04-09', '2026-06-11']);
  });

  it('treats the unofficial closing days (Grundlovsdag) as closed too', () => {
    const firstFriday: MeetingRule = {
      weekday: 5,
      nth: 1,
      startTime: '16:00',
      endTime: '18:00',
      onClosed: 'next_week',
    };
    const [june] = generateOccurrences({ rule: firstFriday, from: '2026-06-01', to: '2026-06-30', closedPeriods: [] });
    expect(june).toMatchObject({ date: '2026-06-12', shiftedFrom: '2026-06-05' });
  });

  it('closes on Store bededag in 2023 but not in 2024', () => {
    const fourthFriday: MeetingRule = { weekday: 5, nth: 4, startTime: '16:00', endTime: '18:00', onClosed: 'drop' };
    expect(nthWeekdayOfMonth(2024, 4, 5, 4)).toBe('2024-04-26'); // Easter 2024 + 26 days
    expect(
      dates(generateOccurrences({ rule: fourthFriday, from: '2024-04-01', to: '2024-04-30', closedPeriods: [] })),
    ).toEqual(['2024-04-26']);
    const firstFriday: MeetingRule = { ...fourthFriday, nth: 1 };
    expect(
      dates(generateOccurrences({ rule: firstFriday, from: '2023-05-01', to: '2023-05-31', closedPeriods: [] })),
    ).toEqual([]);
    expect(
      dates(
        generateOccurrences({
          rule: { ...firstFriday, onClosed: 'next_week' },
          from: '2023-05-01',
          to: '2023-05-31',
          closedPeriods: [],
        }),
      ),
    ).toEqual(['2023-05-12']);
  });

  it('gives up a month inside the summer holiday after three shifts, and shifts out of its end', () => {
    const firstWednesday: MeetingRule = { ...secondWednesday, nth: 1 };
    const shifted = generateOccurrences({
      rule: firstWednesday,
      from: '2026-06-01',
      to: '2026-09-30',
      closedPeriods: [summer2026],
    });
    // July 1 → 8, 15, 22 are all in the holiday; August 5 → 12 is the first open Wednesday.
    expect(shifted.map((o) => [o.occurrenceKey, o.date, o.shiftedFrom])).toEqual([
      ['2026-06', '2026-06-03', null],
      ['2026-08', '2026-08-12', '2026-08-05'],
      ['2026-09', '2026-09-02', null],
    ]);

    const dropped = generateOccurrences({
      rule: { ...firstWednesday, onClosed: 'drop' },
      from: '2026-06-01',
      to: '2026-09-30',
      closedPeriods: [summer2026],
    });
    expect(dates(dropped)).toEqual(['2026-06-03', '2026-09-02']);
  });

  it('counts both ends of a closed period as closed', () => {
    const closed: ClosedPeriod[] = [
      { name: 'Efterårsferie', startDate: '2026-10-14', endDate: '2026-10-14' },
      { name: 'Personaledag', startDate: '2026-11-04', endDate: '2026-11-11' },
    ];
    const occurrences = generateOccurrences({
      rule: secondWednesday,
      from: '2026-10-01',
      to: '2026-11-30',
      closedPeriods: closed,
    });
    expect(dates(occurrences)).toEqual(['2026-10-21', '2026-11-18']);
  });

  it('lets a shifted meeting run into the next month, keeping its own month as key', () => {
    // Last Thursday of December 2026 is Nytårsaftensdag; the meeting moves to 7 January, January keeps its own.
    const lastThursday: MeetingRule = {
      weekday: 4,
      nth: -1,
      startTime: '16:00',
      endTime: '18:00',
      onClosed: 'next_week',
    };
    const occurrences = generateOccurrences({
      rule: lastThursday,
      from: '2026-12-01',
      to: '2027-01-31',
      closedPeriods: [],
    });
    expect(occurrences.map((o) => [o.occurrenceKey, o.date, o.shiftedFrom])).toEqual([
      ['2026-12', '2027-01-07', '2026-12-31'],
      ['2027-01', '2027-01-28', null],
    ]);
    // Asked for January only, the December meeting that falls in January is still there.
    const january = generateOccurrences({
      rule: lastThursday,
      from: '2027-01-01',
      to: '2027-01-31',
      closedPeriods: [],
    });
    expect(january.map((o) => o.occurrenceKey)).toEqual(['2026-12', '2027-01']);
  });

  it('never shifts a meeting onto or past the next month’s own date, for any rule', () => {
    const closedPeriods: ClosedPeriod[] = [
      { name: 'Ombygning', startDate: '2026-02-20', endDate: '2026-03-31' },
      { name: 'Sommerferie', startDate: '2026-06-20', endDate: '2026-08-10' },
      { name: 'Juleferie', startDate: '2026-12-19', endDate: '2027-01-03' },
    ];
    for (const nth of [1, 2, 3, 4, -1] as const) {
      for (const weekday of [1, 2, 3, 4, 5, 6, 7] as const) {
        const rule: MeetingRule = { weekday, nth, startTime: '16:00', endTime: '18:00', onClosed: 'next_week' };
        const unshifted = generateOccurrences({
          rule: { ...rule, onClosed: 'drop' },
          from: '2026-01-01',
          to: '2027-12-31',
          closedPeriods: [],
        });
        const shifted = generateOccurrences({ rule, from: '2026-01-01', to: '2027-12-31', closedPeriods });
        for (const occurrence of shifted) {
          const next = unshifted.find((o) => compareDates(o.occurrenceKey, occurrence.occurrenceKey) > 0);
          if (next) expect(compareDates(occurrence.date, next.date)).toBeLessThan(0);
          expect(weekdayOf(occurrence.date)).toBe(weekday);
          if (occurrence.shiftedFrom !== null)
            expect(compareDates(occurrence.date, addDays(occurrence.shiftedFrom, 21))).toBeLessThanOrEqual(0);
          expect(closedPeriods.some((p) => p.startDate <= occurrence.date && occurrence.date <= p.endDate)).toBe(false);
        }
        expect(new Set(shifted.map((o) => o.occurrenceKey)).size).toBe(shifted.length);
      }
    }
  });

  it('omits occurrences outside [from, to] and returns nothing for an empty range', () => {
    expect(
      dates(generateOccurrences({ rule: secondWednesday, from: '2026-01-14', to: '2026-02-11', closedPeriods: [] })),
    ).toEqual(['2026-01-14', '2026-02-11']);
    expect(
      dates(generateOccurrences({ rule: secondWednesday, from: '2026-01-15', to: '2026-02-10', closedPeriods: [] })),
    ).toEqual([]);
    expect(
      generateOccurrences({ rule: secondWednesday, from: '2026-03-01', to: '2026-02-01', closedPeriods: [] }),
    ).toEqual([]);
  });

  it('runs across a year end and through a leap February', () => {
    const lastTuesday: MeetingRule = { weekday: 2, nth: -1, startTime: '16:00', endTime: '18:00', onClosed: 'drop' };
    const occurrences = generateOccurrences({
      rule: lastTuesday,
      from: '2027-12-01',
      to: '2028-03-31',
      closedPeriods: [],
    });
    expect(occurrences.map((o) => [o.occurrenceKey, o.date])).toEqual([
      ['2027-12', '2027-12-28'],
      ['2028-01', '2028-01-25'],
      ['2028-02', '2028-02-29'],
      ['2028-03', '2028-03-28'],
    ]);
    for (const o of occurrences) expect(weekdayOf(o.date)).toBe(2);
  });
});

describe('intakeWindows', () => {
  const meeting = (date: string, cancelled = false): { occurrenceKey: string; date: string; cancelled: boolean } => ({
    occurrenceKey: date.slice(0, 7),
    date,
    cancelled,
  });

  it('takes the first held meeting of each quarter, a meeting on the quarter start included', () => {
    const meetings = [
      meeting('2026-06-10'),
      meeting('2026-03-31'),
      meeting('2026-02-11'),
      meeting('2026-04-01'),
      meeting('2026-01-14'),
      meeting('2026-05-06'),
    ];
    expect(intakeWindows(meetings, '2026-01-01', '2026-06-30')).toEqual([
      { quarterStart: '2026-01-01', occurrenceKey: '2026-01', date: '2026-01-14' },
      { quarterStart: '2026-04-01', occurrenceKey: '2026-04', date: '2026-04-01' },
    ]);
  });

  it('skips a cancelled first meeting and has no window for a quarter without meetings', () => {
    const meetings = [
      meeting('2026-07-08', true),
      meeting('2026-08-12'),
      meeting('2026-09-09'),
      meeting('2027-01-13'),
      { occurrenceKey: '2026-12', date: '2027-01-07', cancelled: false }, // December's meeting, shifted
    ];
    expect(intakeWindows(meetings, '2026-07-01', '2027-03-31')).toEqual([
      { quarterStart: '2026-07-01', occurrenceKey: '2026-08', date: '2026-08-12' },
      { quarterStart: '2027-01-01', occurrenceKey: '2026-12', date: '2027-01-07' },
    ]);
  });

  it('only considers quarter starts inside [from, to]', () => {
    const meetings = [meeting('2026-01-14'), meeting('2026-04-08'), meeting('2026-07-08'), meeting('2026-10-14')];
    expect(intakeWindows(meetings, '2026-01-02', '2026-07-01').map((w) => w.quarterStart)).toEqual([
      '2026-04-01',
      '2026-07-01',
    ]);
    expect(intakeWindows(meetings, '2026-04-02', '2026-06-30')).toEqual([]);
  });
});

describe('planRegeneration', () => {
  const now = new Date('2026-05-01T10:00:00Z');
  const occurrence = (key: string, date: string, start = '14:00', end = '16:00'): GeneratedOccurrence => ({
    occurrenceKey: key,
    date,
    startsAt: new Date(`${date}T${start}:00Z`),
    endsAt: new Date(`${date}T${end}:00Z`),
    shiftedFrom: null,
  });
  const existing = (id: string, o: GeneratedOccurrence, extra: Partial<ExistingMeeting> = {}): ExistingMeeting => ({
    id,
    occurrenceKey: o.occurrenceKey,
    startsAt: o.startsAt,
    endsAt: o.endsAt,
    isManual: false,
    status: 'planned',
    ...extra,
  });

  it('touches only future, untouched meetings and keeps their ids', () => {
    const plan = planRegeneration({
      now,
      existing: [
        existing('past', occurrence('2026-04', '2026-04-08')),
        existing('manual', occurrence('2026-05', '2026-05-13'), { isManual: true, status: 'moved' }),
        existing('changed', occurrence('2026-06', '2026-06-10')),
        existing('gone', occurrence('2026-07', '2026-07-08')),
        existing('same', occurrence('2026-08', '2026-08-12')),
      ],
      generated: [
        occurrence('2026-03', '2026-03-04'), // new key, but in the past
        occurrence('2026-04', '2026-04-01'), // past meeting: the rule changed after it was held
        occurrence('2026-05', '2026-05-06'), // hand-moved meeting
        occurrence('2026-06', '2026-06-03', '15:00', '17:00'),
        occurrence('2026-08', '2026-08-12'),
        occurrence('2026-09', '2026-09-02'),
      ],
    });
    expect(plan).toEqual({
      create: [occurrence('2026-09', '2026-09-02')],
      update: [{ id: 'changed', occurrence: occurrence('2026-06', '2026-06-03', '15:00', '17:00') }],
      remove: ['gone'],
    });
  });

  it('updates when only the end time changed', () => {
    const plan = planRegeneration({
      now,
      existing: [existing('s1', occurrence('2026-06', '2026-06-10'))],
      generated: [occurrence('2026-06', '2026-06-10', '14:00', '16:30')],
    });
    expect(plan.update.map((u) => u.id)).toEqual(['s1']);
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([]);
  });

  it('leaves a meeting starting exactly now alone, and does not create one starting exactly now', () => {
    const startingNow: GeneratedOccurrence = { ...occurrence('2026-05', '2026-05-01'), startsAt: now };
    expect(planRegeneration({ now, existing: [existing('s1', startingNow)], generated: [] })).toEqual({
      create: [],
      update: [],
      remove: [],
    });
    expect(planRegeneration({ now, existing: [], generated: [startingNow] }).create).toEqual([]);
  });

  it('never removes or changes a cancelled or moved meeting, even without the manual flag', () => {
    const plan = planRegeneration({
      now,
      existing: [
        existing('cancelled', occurrence('2026-06', '2026-06-10'), { status: 'cancelled' }),
        existing('manual', occurrence('2026-07', '2026-07-08'), { isManual: true }),
      ],
      generated: [occurrence('2026-06', '2026-06-17')],
    });
    expect(plan).toEqual({ create: [], update: [], remove: [] });
  });

  it('keeps a future meeting whose new date under the changed rule has already passed', () => {
    const plan = planRegeneration({
      now,
      existing: [existing('may', occurrence('2026-05', '2026-05-20'))],
      generated: [occurrence('2026-05', '2026-04-29')],
    });
    expect(plan).toEqual({ create: [], update: [], remove: [] });
  });

  it('works end to end with generated occurrences after a rule change', () => {
    const before = generateOccurrences({
      rule: secondWednesday,
      from: '2026-01-01',
      to: '2026-12-31',
      closedPeriods: [],
    });
    const meetings = before.map((o, i) => existing(`s${i + 1}`, o));
    const after = generateOccurrences({
      rule: { ...secondWednesday, startTime: '15:30' },
      from: '2026-01-01',
      to: '2026-12-31',
      closedPeriods: [summer2026],
    });
    const plan = planRegeneration({ now, existing: meetings, generated: after });
    expect(plan.create).toEqual([]);
    // May to December except July (in the summer holiday: shifted to 15 July, also closed, then 22 and 29 July).
    expect(plan.update.map((u) => u.occurrence.occurrenceKey)).toEqual([
      '2026-05',
      '2026-06',
      '2026-08',
      '2026-09',
      '2026-10',
      '2026-11',
      '2026-12',
    ]);
    expect(plan.update.map((u) => instantToZoned(u.occurrence.startsAt).time)).toEqual(Array(7).fill('15:30'));
    expect(plan.update[0]?.occurrence.startsAt.toISOString()).toBe('2026-05-13T13:30:00.000Z');
    expect(plan.update[6]?.occurrence.startsAt.toISOString()).toBe('2026-12-09T14:30:00.000Z');
    expect(plan.remove).toEqual(['s7']);
  });
});
