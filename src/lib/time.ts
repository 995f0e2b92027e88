// Europe/Copenhagen time, as pure functions. Nothing here reads the clock or the machine's zone:
// instants are `Date`s, calendar dates are 'YYYY-MM-DD' strings, wall-clock times are 'HH:MM'.
// Calendar-date arithmetic runs on UTC midnights, where every day is 24 hours long; only the
// conversions between an instant and a Copenhagen wall clock go through Intl (Node ships full ICU).

export const TIME_ZONE = 'Europe/Copenhagen';

/** A calendar date in Copenhagen, 'YYYY-MM-DD'. */
export type IsoDate = string;
/** A wall-clock time in Copenhagen, 'HH:MM' (24-hour). */
export type Clock = string;
export type Locale = 'da' | 'en';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

// ---------------------------------------------------------------------------------------------
// Calendar dates

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const CLOCK = /^(\d{1,2})[:.](\d{2})$/;

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function pad4(n: number): string {
  return String(n).padStart(4, '0');
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Milliseconds of UTC midnight of a calendar date (setUTCFullYear, because Date.UTC maps years 0-99 to 19xx). */
function utcMidnight(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime();
}

function fromUtcMidnight(ms: number): IsoDate {
  const d = new Date(ms);
  return `${pad4(d.getUTCFullYear())}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Splits a date already known to be well formed. */
function splitDate(date: IsoDate): [year: number, month: number, day: number] {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`Not an ISO date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function dateToUtcMidnight(date: IsoDate): number {
  const [y, m, d] = splitDate(date);
  return utcMidnight(y, m, d);
}

export function isoDate(year: number, month: number, day: number): IsoDate {
  return fromUtcMidnight(utcMidnight(year, month, day));
}

/** Days in a month, month 1-12. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromUtcMidnight(dateToUtcMidnight(date) + days * DAY_MS);
}

/** Negative, zero or positive, like a sort comparator. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: IsoDate, b: IsoDate): number {
  return Math.round((dateToUtcMidnight(b) - dateToUtcMidnight(a)) / DAY_MS);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: IsoDate): number {
  const day = new Date(dateToUtcMidnight(date)).getUTCDay();
  return day === 0 ? 7 : day;
}

/** ISO 8601 week: weeks start on Monday, and week 1 is the one holding the year's first Thursday. */
export function isoWeek(date: IsoDate): { year: number; week: number } {
  const thursday = addDays(date, 4 - weekdayOf(date));
  const [year] = splitDate(thursday);
  const dayOfYear = daysBetween(isoDate(year, 1, 1), thursday);
  return { year, week: Math.floor(dayOfYear / 7) + 1 };
}

/** A real calendar date written 'YYYY-MM-DD' (surrounding spaces allowed), else null. */
export function parseIsoDate(s: string): IsoDate | null {
  const m = ISO_DATE.exec(s.trim());
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

/** '16:00', '16.00' and '9:30' (the ways people type a time in Danish) → 'HH:MM', else null. */
export function parseClock(s: string): Clock | null {
  const m = CLOCK.exec(s.trim());
  if (!m) return null;
  const hour = Number(m[1]);
  const minute = Number(m[2]);
  if (hour > 23 || minute > 59) return null;
  return `${pad2(hour)}:${pad2(minute)}`;
}

/** Minutes since midnight of a well-formed Clock. */
export function clockMinutes(time: Clock): number {
  const m = CLOCK.exec(time);
  if (!m) throw new RangeError(`Not a clock time: ${time}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

// ---------------------------------------------------------------------------------------------
// Instants ↔ Copenhagen wall clock

const zoneParts = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

type WallClock = { year: number; month: number; day: number; hour: number; minute: number; second: number };

function wallClockAt(at: Date): WallClock {
  const parts: Record<string, number> = {};
  for (const part of zoneParts.formatToParts(at)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts['year'] ?? NaN,
    month: parts['month'] ?? NaN,
    day: parts['day'] ?? NaN,
    hour: parts['hour'] ?? NaN,
    minute: parts['minute'] ?? NaN,
    second: parts['second'] ?? NaN,
  };
}

/** Copenhagen's offset from UTC at an instant, in ms (+1 h in winter, +2 h in summer). */
function offsetAt(ms: number): number {
  const whole = ms - (((ms % 1000) + 1000) % 1000);
  const w = wallClockAt(new Date(whole));
  const asUtc = utcMidnight(w.year, w.month, w.day) + w.hour * HOUR_MS + w.minute * MINUTE_MS + w.second * 1000;
  return asUtc - whole;
}

// Intl is slow (a few microseconds a call), and a page of figures converts thousands of instants. Copenhagen's offset
// changes only on whole UTC hours, so the offset is remembered per UTC hour, for hours whose first and last second
// agree (an hour with a change inside it, as in the 1890s' local mean time, is always asked afresh).
const hourOffsets = new Map<number, number>();
const HOUR_OFFSETS_KEPT = 50_000;

function offsetWithin(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  const known = hourOffsets.get(hour);
  if (known !== undefined) return known;
  const first = offsetAt(hour * HOUR_MS);
  const last = offsetAt(hour * HOUR_MS + HOUR_MS - 1000);
  if (first !== last) return offsetAt(ms);
  if (hourOffsets.size >= HOUR_OFFSETS_KEPT) hourOffsets.clear();
  hourOffsets.set(hour, first);
  return first;
}

/**
 * The instant of a Copenhagen wall-clock time. A time in the spring-forward gap (02:00-03:00 on the last
 * Sunday of March) does not exist and is read one hour later, as the clock on the wall would show it;
 * a time in the autumn overlap happens twice and the first (summer time) one is chosen.
 */
export function zonedToInstant(date: IsoDate, time: Clock): Date {
  const naive = dateToUtcMidnight(date) + clockMinutes(time) * MINUTE_MS;
  // The zone's offset changes at most once within a day either side, so these two cover every case.
  const before = offsetWithin(naive - DAY_MS);
  const after = offsetWithin(naive + DAY_MS);
  const fits = [naive - before, naive - after].filter((t, i) => offsetWithin(t) === (i === 0 ? before : after));
  if (fits.length === 0) return new Date(naive - before); // in the gap: the offset in force before it
  return new Date(Math.min(...fits));
}

export function instantToZoned(at: Date): { date: IsoDate; time: Clock; weekday: number } {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('Invalid time value');
  const wall = new Date(ms - (((ms % 1000) + 1000) % 1000) + offsetWithin(ms));
  const date = `${pad4(wall.getUTCFullYear())}-${pad2(wall.getUTCMonth() + 1)}-${pad2(wall.getUTCDate())}`;
  return { date, time: `${pad2(wall.getUTCHours())}:${pad2(wall.getUTCMinutes())}`, weekday: weekdayOf(date) };
}

export function todayInZone(now: Date): IsoDate {
  return instantToZoned(now).date;
}

// ---------------------------------------------------------------------------------------------
// Formatting. Names are spelled out here rather than taken from Intl, because ICU's Danish long
// date says "onsdag den 14. januar 2026" and its wording shifts between ICU releases.

const WEEKDAYS: Record<Locale, readonly string[]> = {
  da: ['mandag', 'tirsdag', 'onsdag', 'torsdag', 'fredag', 'lørdag', 'søndag'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
};

const MONTHS: Record<Locale, readonly string[]> = {
  da: [
    'januar',
    'februar',
    'marts',
    'april',
    'maj',
    'juni',
    'juli',
    'august',
    'september',
    'oktober',
    'november',
    'december',
  ],
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
};

// Danish abbreviations take a full stop only where letters were cut ('maj' is the whole word).
const SHORT_MONTHS: Record<Locale, readonly string[]> = {
  da: ['jan.', 'feb.', 'mar.', 'apr.', 'maj', 'jun.', 'jul.', 'aug.', 'sep.', 'okt.', 'nov.', 'dec.'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

/** ISO weekday 1-7 → 'onsdag' / 'Wednesday'. */
export function weekdayName(weekday: number, locale: Locale): string {
  const name = WEEKDAYS[locale][weekday - 1];
  if (name === undefined) throw new RangeError(`Not an ISO weekday: ${weekday}`);
  return name;
}

/** Month 1-12 → 'januar' / 'January'. */
export function monthName(month: number, locale: Locale): string {
  const name = MONTHS[locale][month - 1];
  if (name === undefined) throw new RangeError(`Not a month: ${month}`);
  return name;
}

function calendarDateOf(at: Date | IsoDate): IsoDate {
  return typeof at === 'string' ? at : instantToZoned(at).date;
}

/** 'onsdag 14. januar 2026' / 'Wednesday 14 January 2026'. An instant is read in Copenhagen. */
export function formatDate(at: Date | IsoDate, locale: Locale): string {
  const date = calendarDateOf(at);
  const [year, month, day] = splitDate(date);
  const weekday = weekdayName(weekdayOf(date), locale);
  return locale === 'da'
    ? `${weekday} ${day}. ${monthName(month, locale)} ${year}`
    : `${weekday} ${day} ${monthName(month, locale)} ${year}`;
}

/**
 * The short form for lists and tables, without weekday: '14. jan. 2026' / '14 Jan 2026'
 * (not '14.01.2026', which reads as a different order to English readers).
 */
export function formatShortDate(at: Date | IsoDate, locale: Locale): string {
  const [year, month, day] = splitDate(calendarDateOf(at));
  const monthShort = SHORT_MONTHS[locale][month - 1] ?? '';
  return locale === 'da' ? `${day}. ${monthShort} ${year}` : `${day} ${monthShort} ${year}`;
}

/** A wall-clock time the local way: '16.00' (Danish) / '16:00'. */
export function formatClock(time: Clock, locale: Locale): string {
  return locale === 'da' ? time.replace(':', '.') : time;
}

/** '16.00' / '16:00', in Copenhagen. */
export function formatTime(at: Date, locale: Locale): string {
  return formatClock(instantToZoned(at).time, locale);
}

/** 'onsdag 14. januar 2026 kl. 16.00' / 'Wednesday 14 January 2026 at 16:00'. */
export function formatDateTime(at: Date, locale: Locale): string {
  return `${formatDate(at, locale)} ${locale === 'da' ? 'kl.' : 'at'} ${formatTime(at, locale)}`;
}

/** '16.00-18.00' / '16:00-18:00'. */
export function formatTimeRange(start: Date, end: Date, locale: Locale): string {
  return `${formatTime(start, locale)}-${formatTime(end, locale)}`;
}

/** 'uge 3' / 'week 3' (ISO week; the week-year is left out, as staff say it). */
export function formatWeek(at: Date | IsoDate, locale: Locale): string {
  const { week } = isoWeek(calendarDateOf(at));
  return `${locale === 'da' ? 'uge' : 'week'} ${week}`;
}

/** The same day n months later (or earlier), clamped to the month's last day (31 Jan + 1 month = 28/29 Feb). */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const index = year * 12 + (month - 1) + months;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return isoDate(y, m, Math.min(day, daysInMonth(y, m)));
}

/**
 * Whole years of age on a date. The birthday itself counts as the new age. Someone born on 29 February has
 * their birthday on 1 March in a year without that day (2016-02-29 is 9 on 2026-02-28 and 10 on 2026-03-01),
 * as Danish practice reckons it: the day after 28 February.
 */
export function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) < birthDate.slice(5) ? years - 1 : years;
}
