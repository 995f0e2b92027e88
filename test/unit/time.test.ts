import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  ageOn,
  compareDates,
  daysInMonth,
  formatClock,
  formatDate,
  formatDateTime,
  formatShortDate,
  formatTime,
  formatTimeRange,
  formatWeek,
  instantToZoned,
  isoWeek,
  parseClock,
  parseIsoDate,
  todayInZone,
  weekdayOf,
  zonedToInstant,
} from '../../src/lib/time';

describe('the test machine', () => {
  it('runs in a zone that is neither UTC nor Copenhagen, so forgotten zones fail here', () => {
    expect(new Date('2026-01-14T12:00:00Z').getTimezoneOffset()).toBe(210); // St. John's, UTC-3:30
  });
});

describe('zonedToInstant', () => {
  it('reads winter times as UTC+1 and summer times as UTC+2', () => {
    expect(zonedToInstant('2026-01-14', '16:00').toISOString()).toBe('2026-01-14T15:00:00.000Z');
    expect(zonedToInstant('2026-07-08', '16:00').toISOString()).toBe('2026-07-08T14:00:00.000Z');
  });

  it('handles the spring-forward day (2026-03-29) on both sides of the jump', () => {
    expect(zonedToInstant('2026-03-29', '01:59').toISOString()).toBe('2026-03-29T00:59:00.000Z');
    expect(zonedToInstant('2026-03-29', '03:00').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(zonedToInstant('2026-03-29', '16:00').toISOString()).toBe('2026-03-29T14:00:00.000Z');
  });

  it('reads a time in the spring-forward gap one hour later', () => {
    const at = zonedToInstant('2026-03-29', '02:30');
    expect(at.toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(instantToZoned(at).time).toBe('03:30');
  });

  it('chooses the first (summer time) occurrence in the autumn overlap of 2026-10-25', () => {
    expect(zonedToInstant('2026-10-25', '02:30').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(zonedToInstant('2026-10-25', '01:59').toISOString()).toBe('2026-10-24T23:59:00.000Z');
    expect(zonedToInstant('2026-10-25', '03:00').toISOString()).toBe('2026-10-25T02:00:00.000Z');
    expect(zonedToInstant('2026-10-25', '16:00').toISOString()).toBe('2026-10-25T15:00:00.000Z');
  });

  it('turns midnight into the evening before in UTC', () => {
    expect(zonedToInstant('2026-01-01', '00:00').toISOString()).toBe('2025-12-31T23:00:00.000Z');
    expect(zonedToInstant('2028-02-29', '00:30').toISOString()).toBe('2028-02-28T23:30:00.000Z');
  });

  it('round-trips every quarter hour of both change days', () => {
    for (let minutes = 0; minutes < 24 * 60; minutes += 15) {
      const time = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
      expect(instantToZoned(zonedToInstant('2026-10-25', time))).toMatchObject({ date: '2026-10-25', time });
      if (time < '02:00' || time >= '03:00') {
        expect(instantToZoned(zonedToInstant('2026-03-29', time))).toMatchObject({ date: '2026-03-29', time });
      }
    }
  });
});

describe('instantToZoned', () => {
  it('gives the Copenhagen date, time and ISO weekday', () => {
    expect(instantToZoned(new Date('2026-01-14T15:00:00Z'))).toEqual({ date: '2026-01-14', time: '16:00', weekday: 3 });
    expect(instantToZoned(new Date('2026-06-30T22:30:00Z'))).toEqual({ date: '2026-07-01', time: '00:30', weekday: 3 });
    expect(instantToZoned(new Date('2026-01-18T12:00:00Z')).weekday).toBe(7);
  });

  it('shows the repeated hour twice on 2026-10-25', () => {
    expect(instantToZoned(new Date('2026-10-25T00:30:00Z')).time).toBe('02:30');
    expect(instantToZoned(new Date('2026-10-25T01:30:00Z')).time).toBe('02:30');
  });

  it('agrees with Intl minute by minute around both DST changes, also when asked a second time (remembered offsets)', () => {
    const intl = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    for (const start of ['2026-03-28T22:00:00Z', '2026-10-24T22:00:00Z', '2028-02-28T22:00:00Z']) {
      for (let m = 0; m < 6 * 60; m += 7) {
        const at = new Date(Date.parse(start) + m * 60_000 + 59_999);
        const expected = intl.format(at).replace(' ', 'T');
        for (let round = 0; round < 2; round++) {
          const z = instantToZoned(at);
          expect(`${z.date}T${z.time}`).toBe(expected);
        }
      }
    }
  });

  it('agrees with Intl in the 1890s, when local mean time ended in the middle of an hour, and at the last second of a year', () => {
    const intl = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Copenhagen', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    // The zone's data moves from local mean time to CET on 1 April 1893; that change is not on a whole UTC hour.
    for (let s = 0; s < 3 * 3600; s += 37) {
      const at = new Date(Date.parse('1893-03-31T21:30:00Z') + s * 1000);
      const z = instantToZoned(at);
      expect(`${z.date}T${z.time}`).toBe(intl.format(at).replace(' ', 'T'));
    }
    expect(instantToZoned(new Date('2026-12-31T22:59:59.999Z'))).toMatchObject({ date: '2026-12-31', time: '23:59' });
    expect(() => instantToZoned(new Date(Number.NaN))).toThrow(RangeError);
  });
});

describe('todayInZone', () => {
  it('is the Copenhagen date, which differs from UTC and from the machine zone late in the evening', () => {
    expect(todayInZone(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
    expect(todayInZone(new Date('2026-06-30T21:59:00Z'))).toBe('2026-06-30');
    expect(todayInZone(new Date('2026-06-30T22:00:00Z'))).toBe('2026-07-01');
    // 02:00 UTC is still the previous evening in St. John's, but already morning in Copenhagen.
    expect(todayInZone(new Date('2026-03-10T02:00:00Z'))).toBe('2026-03-10');
  });
});

describe('calendar arithmetic', () => {
  it.each([
    ['2026-01-31', 1, '2026-02-01'],
    ['2026-12-31', 1, '2027-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2028-02-29', 1, '2028-03-01'],
    // Over the DST changes a day is still a day.
    ['2026-03-28', 2, '2026-03-30'],
    ['2026-10-26', -2, '2026-10-24'],
    ['2026-03-01', -1, '2026-02-28'],
  ])('adds days across months, years and leap days: %s %+i is %s', (date, days, sum) => {
    expect(addDays(date, days)).toBe(sum);
  });

  it.each([
    ['2026-01-31', 1, '2026-02-28'],
    ['2028-01-31', 1, '2028-02-29'],
    ['2025-03-31', 1, '2025-04-30'],
    ['2024-02-29', 12, '2025-02-28'],
    ['2024-02-29', 48, '2028-02-29'],
    ['2025-12-15', 1, '2026-01-15'],
    ['2026-10-14', 12, '2027-10-14'],
    ['2025-11-30', 120, '2035-11-30'],
    ['2026-11-23', -12, '2025-11-23'],
    ['2026-01-15', -1, '2025-12-15'],
  ])('adds months and clamps to the end of a short month: %s %+i months is %s', (date, months, sum) => {
    expect(addMonths(date, months)).toBe(sum);
  });

  it.each([
    // The birthday itself counts as the new age.
    ['2017-01-13', '2027-01-12', 9],
    ['2017-01-13', '2027-01-13', 10],
    ['2015-03-10', '2026-03-09', 10],
    ['2015-03-10', '2026-03-10', 11],
    ['2016-11-25', '2026-11-24', 9],
    ['2016-11-25', '2026-11-25', 10],
    // A 29 February birthday is on 1 March in years without that day.
    ['2016-02-29', '2023-02-28', 6],
    ['2016-02-29', '2023-03-01', 7],
    ['2016-02-29', '2024-02-29', 8],
    ['2016-02-29', '2026-02-28', 9],
    ['2016-02-29', '2026-03-01', 10],
    ['2016-02-29', '2028-02-28', 11],
    ['2016-02-29', '2028-02-29', 12],
  ])('counts whole years of age: born %s, on %s %i years old', (born, day, age) => {
    expect(ageOn(born, day)).toBe(age);
  });

  it('compares dates like a sort comparator', () => {
    expect(compareDates('2026-01-02', '2026-01-10')).toBeLessThan(0);
    expect(compareDates('2026-02-01', '2026-01-31')).toBeGreaterThan(0);
    expect(compareDates('2026-02-01', '2026-02-01')).toBe(0);
  });

  it.each([
    ['2026-01-12', 1],
    ['2026-01-14', 3],
    ['2026-01-18', 7],
    ['2028-02-29', 2],
  ])('knows ISO weekdays: %s is day %i', (date, weekday) => {
    expect(weekdayOf(date)).toBe(weekday);
  });

  it.each([
    [2026, 2, 28],
    [2028, 2, 29],
    // Century leap rules.
    [2100, 2, 28],
    [2000, 2, 29],
    [2026, 4, 30],
    [2026, 12, 31],
  ])('knows month lengths: %i-%i has %i days', (year, month, days) => {
    expect(daysInMonth(year, month)).toBe(days);
  });
});

describe('isoWeek', () => {
  it.each([
    ['2026-01-01', 2026, 1],
    ['2026-01-14', 2026, 3],
    ['2026-12-28', 2026, 53],
    ['2026-12-31', 2026, 53],
    ['2027-01-01', 2026, 53],
    ['2027-01-03', 2026, 53],
    ['2027-01-04', 2027, 1],
    ['2020-12-31', 2020, 53],
    ['2021-01-03', 2020, 53],
    ['2021-01-04', 2021, 1],
    ['2024-12-30', 2025, 1],
    ['2028-02-29', 2028, 9],
  ])('%s is %i-W%i', (date, year, week) => {
    expect(isoWeek(date)).toEqual({ year, week });
  });
});

describe('parseIsoDate', () => {
  it('accepts real dates, including 29 February in a leap year', () => {
    expect(parseIsoDate('2026-01-14')).toBe('2026-01-14');
    expect(parseIsoDate('2024-02-29')).toBe('2024-02-29');
    expect(parseIsoDate('2028-02-29')).toBe('2028-02-29');
    expect(parseIsoDate(' 2026-12-31 ')).toBe('2026-12-31');
  });

  it.each([
    '2026-02-30',
    '2025-02-29',
    '2100-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-1-14',
    '14-01-2026',
    '',
    'i morgen',
  ])('rejects %j', (s) => {
    expect(parseIsoDate(s)).toBeNull();
  });
});

describe('parseClock', () => {
  it.each([
    ['16:00', '16:00'],
    ['16.00', '16:00'],
    ['9:30', '09:30'],
    ['9.30', '09:30'],
    ['00:00', '00:00'],
    ['23:59', '23:59'],
    [' 16.00 ', '16:00'],
  ])('reads %j as %s', (input, clock) => {
    expect(parseClock(input)).toBe(clock);
  });

  it.each(['24:00', '16:60', '1600', '16', '16:0', 'kl. 16', '', '-1:00'])('rejects %j', (input) => {
    expect(parseClock(input)).toBeNull();
  });
});

describe('formatting, always in Copenhagen', () => {
  const winter = new Date('2026-01-14T15:00:00Z');
  const summer = new Date('2026-07-08T14:00:00Z');

  it('formats a long date', () => {
    expect(formatDate(winter, 'da')).toBe('onsdag 14. januar 2026');
    expect(formatDate(winter, 'en')).toBe('Wednesday 14 January 2026');
    expect(formatDate('2028-02-29', 'da')).toBe('tirsdag 29. februar 2028');
    expect(formatDate('2026-01-18', 'en')).toBe('Sunday 18 January 2026');
  });

  it('takes the Copenhagen date of an instant late in the evening, not the UTC or machine date', () => {
    const lateNewYearsEve = new Date('2026-12-31T23:15:00Z');
    expect(formatDate(lateNewYearsEve, 'da')).toBe('fredag 1. januar 2027');
    expect(formatDateTime(lateNewYearsEve, 'da')).toBe('fredag 1. januar 2027 kl. 00.15');
  });

  it('formats date and time', () => {
    expect(formatDateTime(winter, 'da')).toBe('onsdag 14. januar 2026 kl. 16.00');
    expect(formatDateTime(winter, 'en')).toBe('Wednesday 14 January 2026 at 16:00');
    expect(formatDateTime(summer, 'da')).toBe('onsdag 8. juli 2026 kl. 16.00');
  });

  it('formats times and ranges the local way', () => {
    expect(formatTime(winter, 'da')).toBe('16.00');
    expect(formatTime(winter, 'en')).toBe('16:00');
    expect(formatTime(new Date('2026-01-14T08:05:00Z'), 'da')).toBe('09.05');
    expect(formatTimeRange(summer, new Date('2026-07-08T16:00:00Z'), 'da')).toBe('16.00-18.00');
    expect(formatTimeRange(summer, new Date('2026-07-08T16:00:00Z'), 'en')).toBe('16:00-18:00');
    expect(formatClock('16:00', 'da')).toBe('16.00');
    expect(formatClock('16:00', 'en')).toBe('16:00');
  });

  it('formats a short date without weekday', () => {
    expect(formatShortDate(winter, 'da')).toBe('14. jan. 2026');
    expect(formatShortDate(winter, 'en')).toBe('14 Jan 2026');
    expect(formatShortDate('2026-05-01', 'da')).toBe('1. maj 2026');
  });

  it('formats ISO week numbers', () => {
    expect(formatWeek('2026-01-14', 'da')).toBe('uge 3');
    expect(formatWeek('2026-01-14', 'en')).toBe('week 3');
    expect(formatWeek('2027-01-01', 'da')).toBe('uge 53');
    // Sunday 23.30 in Copenhagen is the last minutes of week 3.
    expect(formatWeek(new Date('2026-01-18T22:30:00Z'), 'da')).toBe('uge 3');
    // Monday 00:30 in Copenhagen is week 4, while UTC and the machine zone are still on Sunday.
    expect(formatWeek(new Date('2026-01-18T23:30:00Z'), 'da')).toBe('uge 4');
  });
});
