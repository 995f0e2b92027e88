// The schedule engine: how a group's monthly meeting rule becomes dated meetings, which days the
// centre is closed, when the quarterly intake windows fall, and what a changed rule may touch.
// Pure rules: no I/O, `now` is always an argument, every date is a Copenhagen calendar date.

import { z } from 'astro/zod';
import type { Clock, IsoDate, Locale } from '../../lib/time';
import {
  addDays,
  clockMinutes,
  compareDates,
  daysInMonth,
  formatClock,
  isoDate,
  parseClock,
  weekdayName,
  weekdayOf,
  zonedToInstant,
} from '../../lib/time';

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;
/** Which of the month's weekdays: the 1st-4th, or -1 for the last (every month has at least four of each). */
export type NthWeekday = 1 | 2 | 3 | 4 | -1;

export type MeetingRule = {
  weekday: Weekday;
  nth: NthWeekday;
  startTime: Clock;
  endTime: Clock;
  /** When the rule's date is closed: move a week on ('next_week') or skip that month ('drop'). */
  onClosed: 'next_week' | 'drop';
};

export type ClosedPeriod = { name: string; startDate: IsoDate; endDate: IsoDate /* inclusive */ };

export type PublicHoliday = { date: IsoDate; name: string; official: boolean };

export type GeneratedOccurrence = {
  /** 'YYYY-MM' of the month the rule put it in, even when it was shifted into the next month: the stable identity. */
  occurrenceKey: string;
  date: IsoDate;
  startsAt: Date;
  endsAt: Date;
  /** The rule's own date when a closed day pushed the meeting on, else null. */
  shiftedFrom: IsoDate | null;
};

export const MAX_MEETING_MINUTES = 8 * 60;
/** How many times a closed rule date is pushed a week on before the month is given up. */
const MAX_SHIFTS = 3;

// ---------------------------------------------------------------------------------------------
// The meeting rule form

const MESSAGES = {
  weekday: 'Vælg en ugedag.',
  nth: 'Vælg hvilken uge i måneden gruppen mødes: 1., 2., 3., 4. eller sidste.',
  startMissing: 'Skriv starttidspunktet, fx 16.00.',
  endMissing: 'Skriv sluttidspunktet, fx 18.00.',
  badTime: 'Skriv tidspunktet som tt.mm, fx 16.00.',
  endBeforeStart: 'Sluttidspunktet skal ligge efter starttidspunktet.',
  tooLong: 'Et gruppemøde kan højst vare 8 timer. Tjek start- og sluttidspunktet.',
  onClosed: 'Vælg hvad der skal ske, når mødedagen er en helligdag eller ligger i en lukket periode.',
} as const;

/** A form field as trimmed text; numbers are accepted too, so a stored rule parses the same way. */
function textField(missing: string) {
  return z.union([z.string(), z.number()], { error: missing }).transform((v) => String(v).trim());
}

function clockField(missing: string) {
  return textField(missing).transform((v, ctx): Clock => {
    if (v === '') {
      ctx.addIssue({ code: 'custom', message: missing });
      return z.NEVER;
    }
    const clock = parseClock(v);
    if (clock === null) {
      ctx.addIssue({ code: 'custom', message: MESSAGES.badTime });
      return z.NEVER;
    }
    return clock;
  });
}

/**
 * Parses the coordinator's meeting-rule form (all strings: weekday '3', nth '2' / '-1' / 'last',
 * times '16.00' or '16:00') into a MeetingRule. Messages are Danish and sit on the field to fix.
 */
export const meetingRuleSchema = z
  .object({
    weekday: textField(MESSAGES.weekday).transform((v, ctx): Weekday => {
      const n = Number(v);
      if (v === '' || !Number.isInteger(n) || n < 1 || n > 7) {
        ctx.addIssue({ code: 'custom', message: MESSAGES.weekday });
        return z.NEVER;
      }
      return n as Weekday;
    }),
    nth: textField(MESSAGES.nth).transform((v, ctx): NthWeekday => {
      const lower = v.toLowerCase();
      if (lower === 'last' || lower === 'sidste' || lower === '-1') return -1;
      if (lower === '1' || lower === '2' || lower === '3' || lower === '4') return Number(lower) as NthWeekday;
      ctx.addIssue({ code: 'custom', message: MESSAGES.nth });
      return z.NEVER;
    }),
    startTime: clockField(MESSAGES.startMissing),
    endTime: clockField(MESSAGES.endMissing),
    onClosed: z.enum(['next_week', 'drop'], { error: MESSAGES.onClosed }),
  })
  .superRefine((rule, ctx) => {
    const minutes = clockMinutes(rule.endTime) - clockMinutes(rule.startTime);
    if (minutes <= 0) {
      ctx.addIssue({ code: 'custom', path: ['endTime'], message: MESSAGES.endBeforeStart });
    } else if (minutes > MAX_MEETING_MINUTES) {
      ctx.addIssue({ code: 'custom', path: ['endTime'], message: MESSAGES.tooLong });
    }
  });

const ORDINALS_EN: Record<NthWeekday, string> = { 1: 'first', 2: 'second', 3: 'third', 4: 'fourth', [-1]: 'last' };

/** '2. onsdag i måneden kl. 16.00-18.00' / 'second Wednesday of the month, 16:00-18:00'. */
export function describeMeetingRule(rule: MeetingRule, locale: Locale): string {
  const day = weekdayName(rule.weekday, locale);
  const times = `${formatClock(rule.startTime, locale)}-${formatClock(rule.endTime, locale)}`;
  if (locale === 'da') {
    const which = rule.nth === -1 ? 'sidste' : `${rule.nth}.`;
    return `${which} ${day} i måneden kl. ${times}`;
  }
  return `${ORDINALS_EN[rule.nth]} ${day} of the month, ${times}`;
}

// ---------------------------------------------------------------------------------------------
// Holidays and dates

/** Easter Sunday, by the anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return isoDate(year, month, day);
}

/** Store bededag was a public holiday until 2023; the Folketing abolished it from 2024. */
const LAST_YEAR_WITH_STORE_BEDEDAG = 2023;

/**
 * The days the centre is closed for Danish holidays, in date order. `official: false` marks the days
 * that are not public holidays by law (Grundlovsdag, Juleaftensdag, Nytårsaftensdag) but closed all the same.
 */
export function danishPublicHolidays(year: number): PublicHoliday[] {
  const easter = easterSunday(year);
  const fromEaster = (days: number, name: string): PublicHoliday => ({
    date: addDays(easter, days),
    name,
    official: true,
  });
  const fixed = (month: number, day: number, name: string, official: boolean): PublicHoliday => ({
    date: isoDate(year, month, day),
    name,
    official,
  });
  const holidays: PublicHoliday[] = [
    fixed(1, 1, 'Nytårsdag', true),
    fromEaster(-3, 'Skærtorsdag'),
    fromEaster(-2, 'Langfredag'),
    fromEaster(0, 'Påskedag'),
    fromEaster(1, '2. påskedag'),
    ...(year <= LAST_YEAR_WITH_STORE_BEDEDAG ? [fromEaster(26, 'Store bededag')] : []),
    fromEaster(39, 'Kristi himmelfartsdag'),
    fromEaster(49, 'Pinsedag'),
    fromEaster(50, '2. pinsedag'),
    fixed(6, 5, 'Grundlovsdag', false),
    fixed(12, 24, 'Juleaftensdag', false),
    fixed(12, 25, 'Juledag', true),
    fixed(12, 26, '2. juledag', true),
    fixed(12, 31, 'Nytårsaftensdag', false),
  ];
  return holidays.sort((x, y) => compareDates(x.date, y.date));
}

/**
 * The nth given weekday of a month (month 1-12): nth 1-5, or -1 for the last.
 * Null when the month has no such day (a 5th Monday in most months).
 */
export function nthWeekdayOfMonth(year: number, month: number, weekday: number, nth: number): IsoDate | null {
  const length = daysInMonth(year, month);
  if (nth === -1) {
    const lastWeekday = weekdayOf(isoDate(year, month, length));
    return isoDate(year, month, length - ((lastWeekday - weekday + 7) % 7));
  }
  const firstWeekday = weekdayOf(isoDate(year, month, 1));
  const day = 1 + ((weekday - firstWeekday + 7) % 7) + (nth - 1) * 7;
  return nth >= 1 && day <= length ? isoDate(year, month, day) : null;
}

// ---------------------------------------------------------------------------------------------
// Occurrences

function monthKey(year: number, month: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

function nextMonth(year: number, month: number): [number, number] {
  return month === 12 ? [year + 1, 1] : [year, month + 1];
}

function yearMonthOf(date: IsoDate): [number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7))];
}

/** A predicate for "the centre is closed that day": a closed period or any day in the holiday list. */
function closedDays(closedPeriods: ClosedPeriod[]): (date: IsoDate) => boolean {
  const holidaysByYear = new Map<number, Set<IsoDate>>();
  return (date) => {
    const year = Number(date.slice(0, 4));
    let holidays = holidaysByYear.get(year);
    if (!holidays) {
      holidays = new Set(danishPublicHolidays(year).map((h) => h.date));
      holidaysByYear.set(year, holidays);
    }
    if (holidays.has(date)) return true;
    return closedPeriods.some((p) => compareDates(p.startDate, date) <= 0 && compareDates(date, p.endDate) <= 0);
  };
}

/**
 * One occurrence per month from the rule, for the dates in [from, to]. A closed rule date is either dropped,
 * or (next_week) pushed on a week at a time, at most three times and never onto or past next month's own
 * rule date; if no open day is found the month has no meeting.
 */
export function generateOccurrences(input: {
  rule: MeetingRule;
  from: IsoDate;
  to: IsoDate;
  closedPeriods: ClosedPeriod[];
}): GeneratedOccurrence[] {
  const { rule, from, to } = input;
  if (compareDates(from, to) > 0) return [];
  const isClosed = closedDays(input.closedPeriods);
  const ruleDate = (year: number, month: number): IsoDate | null =>
    nthWeekdayOfMonth(year, month, rule.weekday, rule.nth);

  const openDate = (planned: IsoDate, followingPlanned: IsoDate | null): IsoDate | null => {
    if (!isClosed(planned)) return planned;
    if (rule.onClosed === 'drop') return null;
    let candidate = planned;
    for (let shift = 1; shift <= MAX_SHIFTS; shift++) {
      candidate = addDays(candidate, 7);
      if (followingPlanned !== null && compareDates(candidate, followingPlanned) >= 0) return null;
      if (!isClosed(candidate)) return candidate;
    }
    return null;
  };

  const occurrences: GeneratedOccurrence[] = [];
  // Start a month early: a shifted last-weekday meeting can land in the first days of `from`'s month.
  let [year, month] = yearMonthOf(from);
  [year, month] = month === 1 ? [year - 1, 12] : [year, month - 1];
  const [lastYear, lastMonth] = yearMonthOf(to);

  while (year < lastYear || (year === lastYear && month <= lastMonth)) {
    const [followingYear, followingMonth] = nextMonth(year, month);
    const planned = ruleDate(year, month);
    const date = planned === null ? null : openDate(planned, ruleDate(followingYear, followingMonth));
    if (date !== null && compareDates(from, date) <= 0 && compareDates(date, to) <= 0) {
      occurrences.push({
        occurrenceKey: monthKey(year, month),
        date,
        startsAt: zonedToInstant(date, rule.startTime),
        endsAt: zonedToInstant(date, rule.endTime),
        shiftedFrom: date === planned ? null : planned,
      });
    }
    [year, month] = [followingYear, followingMonth];
  }
  return occurrences;
}

// ---------------------------------------------------------------------------------------------
// Intake windows

function quarterStartsBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const starts: IsoDate[] = [];
  const [firstYear] = yearMonthOf(from);
  const [lastYear] = yearMonthOf(to);
  for (let year = firstYear; year <= lastYear; year++) {
    for (const month of [1, 4, 7, 10]) {
      const start = isoDate(year, month, 1);
      if (compareDates(from, start) <= 0 && compareDates(start, to) <= 0) starts.push(start);
    }
  }
  return starts;
}

/**
 * New members of a quarterly group start at the first meeting held in each quarter. For every quarter start
 * (1 Jan, 1 Apr, 1 Jul, 1 Oct) in [from, to]: the first non-cancelled meeting dated on or after it and before
 * the next quarter start. A quarter without such a meeting has no window.
 */
export function intakeWindows(
  meetings: { occurrenceKey: string; date: IsoDate; cancelled: boolean }[],
  from: IsoDate,
  to: IsoDate,
): { quarterStart: IsoDate; occurrenceKey: string; date: IsoDate }[] {
  const held = meetings
    .filter((s) => !s.cancelled)
    .sort((a, b) => compareDates(a.date, b.date) || compareDates(a.occurrenceKey, b.occurrenceKey));
  const windows: { quarterStart: IsoDate; occurrenceKey: string; date: IsoDate }[] = [];
  for (const quarterStart of quarterStartsBetween(from, to)) {
    const [year, month] = yearMonthOf(quarterStart);
    const nextQuarterStart = month === 10 ? isoDate(year + 1, 1, 1) : isoDate(year, month + 3, 1);
    const first = held.find(
      (s) => compareDates(quarterStart, s.date) <= 0 && compareDates(s.date, nextQuarterStart) < 0,
    );
    if (first) windows.push({ quarterStart, occurrenceKey: first.occurrenceKey, date: first.date });
  }
  return windows;
}

// ---------------------------------------------------------------------------------------------
// Regeneration after a rule or a closed period changes

export type ExistingMeeting = {
  id: string;
  occurrenceKey: string;
  startsAt: Date;
  endsAt: Date;
  isManual: boolean;
  status: 'planned' | 'cancelled' | 'moved';
};

export type RegenerationPlan = {
  create: GeneratedOccurrence[];
  update: { id: string; occurrence: GeneratedOccurrence }[];
  remove: string[];
};

/**
 * A changed rule regenerates only future, untouched meetings; identity is the occurrenceKey, so a meeting
 * keeps its id (and calendar UID) across regenerations.
 * - A meeting that started at or before `now` is history and is never touched.
 * - A meeting changed by hand (isManual, or any status other than 'planned') is never touched.
 * - An untouched future meeting whose key is generated again is updated when its times differ, unless the new
 *   time is already past: families were told the old date, so it stays rather than vanish into the past.
 * - An untouched future meeting whose key is no longer generated is removed.
 * - A generated occurrence with a new key is created when it starts after `now`.
 * `generated` must cover every month that has a future meeting, or those meetings are removed.
 */
export function planRegeneration(input: {
  existing: ExistingMeeting[];
  generated: GeneratedOccurrence[];
  now: Date;
}): RegenerationPlan {
  const now = input.now.getTime();
  const generatedByKey = new Map(input.generated.map((g) => [g.occurrenceKey, g]));
  const existingKeys = new Set(input.existing.map((s) => s.occurrenceKey));
  const plan: RegenerationPlan = { create: [], update: [], remove: [] };

  for (const meeting of input.existing) {
    const started = meeting.startsAt.getTime() <= now;
    const touchedByHand = meeting.isManual || meeting.status !== 'planned';
    if (started || touchedByHand) continue;
    const occurrence = generatedByKey.get(meeting.occurrenceKey);
    if (!occurrence) {
      plan.remove.push(meeting.id);
      continue;
    }
    const sameTimes =
      occurrence.startsAt.getTime() === meeting.startsAt.getTime() &&
      occurrence.endsAt.getTime() === meeting.endsAt.getTime();
    if (!sameTimes && occurrence.startsAt.getTime() > now) plan.update.push({ id: meeting.id, occurrence });
  }

  for (const occurrence of input.generated) {
    if (!existingKeys.has(occurrence.occurrenceKey) && occurrence.startsAt.getTime() > now)
      plan.create.push(occurrence);
  }
  return plan;
}
