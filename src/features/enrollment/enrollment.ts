// Enrollment (forløb) rules: eligibility, capacity, the waiting list, course length, and the case page's forms.
// Pure (no I/O, dates passed in). The states and steps of a course live in features/lifecycle/lifecycle.ts.

import { z } from 'astro/zod';
import { parsedField } from '../../lib/forms';
import type { IsoDate } from '../../lib/time';
import { addMonths, ageOn, compareDates, parseClock, parseIsoDate } from '../../lib/time';

// ---------------------------------------------------------------------------------------------
// Dates and age



/** Whole months from `from` to `to` (a month counts once the same day of the month is reached). */
export function monthsBetween(from: IsoDate, to: IsoDate): number {
  let months = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
  if (compareDates(addMonths(from, months), to) > 0) months -= 1;
  return months;
}

// ---------------------------------------------------------------------------------------------
// Eligibility

/** When a course has no maximum (the girls' group), the "will pass the top age" flag still looks a year ahead. */
export const FLAG_HORIZON_MONTHS = 12;

export interface EligibilityChild {
  birthDate: IsoDate;
  gender: 'girl' | 'boy' | 'other' | null;
}

export interface EligibilityGroup {
  id: string;
  name: string;
  kind: 'girls' | 'siblings';
  minAge: number;
  maxAge: number;
  girlsOnly: boolean;
  maxCourseMonths: number | null;
}

export type EligibilityFlagCode = 'no_intake_date' | 'too_young' | 'too_old' | 'not_girl' | 'passes_top_age';

export interface Eligibility {
  /** The date the age is checked on: the next intake date, or today when there is none. */
  checkedOn: IsoDate;
  intakeDate: IsoDate | null;
  age: number;
  inBand: boolean;
  flags: { code: EligibilityFlagCode; message: string }[];
  /** The band a child who has outgrown this one can move to (9-12 → 13-18), or null. */
  moveTo: { groupId: string; name: string } | null;
}

/**
 * Does the child fit the group on its next intake date? Age band (min ≤ age ≤ max, the birthday counting),
 * girls only, and a flag if the child passes the top age within a course of the group's maximum length.
 */
export function checkEligibility(
  child: EligibilityChild,
  group: EligibilityGroup,
  intakeDate: IsoDate | null,
  today: IsoDate,
  otherGroups: readonly EligibilityGroup[] = [],
): Eligibility {
  const checkedOn = intakeDate ?? today;
  const age = ageOn(child.birthDate, checkedOn);
  const flags: Eligibility['flags'] = [];
  if (intakeDate === null) flags.push({ code: 'no_intake_date', message: 'Der er ingen kommende optagelsesdato. Alderen er regnet for i dag.' });
  if (age < group.minAge) flags.push({ code: 'too_young', message: `Barnet er ${age} år og for ungt til gruppen (${group.minAge}-${group.maxAge} år).` });
  if (age > group.maxAge) flags.push({ code: 'too_old', message: `Barnet er ${age} år og for gammelt til gruppen (${group.minAge}-${group.maxAge} år).` });
  if (group.girlsOnly && child.gender !== 'girl') {
    flags.push({ code: 'not_girl', message: child.gender === null ? 'Gruppen er kun for piger, og køn er ikke oplyst.' : 'Gruppen er kun for piger.' });
  }
  const inBand = age >= group.minAge && age <= group.maxAge;
  const courseEnd = addMonths(checkedOn, group.maxCourseMonths ?? FLAG_HORIZON_MONTHS);
  if (inBand && ageOn(child.birthDate, courseEnd) > group.maxAge) {
    flags.push({ code: 'passes_top_age', message: `Barnet fylder ${group.maxAge + 1} år, før et forløb på ${group.maxCourseMonths ?? FLAG_HORIZON_MONTHS} måneder er slut.` });
  }
  return { checkedOn, intakeDate, age, inBand, flags, moveTo: bandMoveOffer(age, group, otherGroups) };
}

/** A siblings child who is older than the band on the intake date is offered the band that fits the age. */
export function bandMoveOffer(
  age: number,
  group: EligibilityGroup,
  otherGroups: readonly EligibilityGroup[],
): { groupId: string; name: string } | null {
  if (group.kind !== 'siblings' || age <= group.maxAge) return null;
  const target = otherGroups.find((g) => g.id !== group.id && g.kind === 'siblings' && g.minAge <= age && age <= g.maxAge);
  return target ? { groupId: target.id, name: target.name } : null;
}

// ---------------------------------------------------------------------------------------------
// Capacity and the waiting list

export interface Member {
  enrollmentId: string;
  /** null: no planned end (open-ended course). */
  plannedEndDate: IsoDate | null;
}

/** A member whose planned end is on or before the date has left by then and frees the place. */
export function leavesBy(member: Member, date: IsoDate): boolean {
  return member.plannedEndDate !== null && compareDates(member.plannedEndDate, date) <= 0;
}

/** Free places on a date: capacity minus the members whose course continues past it (never below zero). */
export function freePlaces(capacity: number, members: readonly Member[], date: IsoDate): number {
  return Math.max(0, capacity - members.filter((m) => !leavesBy(m, date)).length);
}

export interface QueueItem {
  enrollmentId: string;
  /** The referral's received instant (ISO). */
  receivedAt: string;
  /** The coordinator's override: a sort key on the same scale as receivedAt in milliseconds. */
  queueRank: number | null;
}

function queueKey(item: QueueItem): number {
  return item.queueRank ?? Date.parse(item.receivedAt);
}

/**
 * The waiting list: in the order the referrals arrived, unless the coordinator moved a child (queue_rank). A
 * rank is a key on the same time scale, so later referrals still fall in by their own arrival.
 */
export function orderWaitingList<T extends QueueItem>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => queueKey(a) - queueKey(b) || a.receivedAt.localeCompare(b.receivedAt) || a.enrollmentId.localeCompare(b.enrollmentId));
}

/** The queue_rank that puts `enrollmentId` at `position` (1-based; clamped to the list). */
export function rankForPosition(items: readonly QueueItem[], enrollmentId: string, position: number): number {
  const others = orderWaitingList(items).filter((i) => i.enrollmentId !== enrollmentId);
  const index = Math.min(Math.max(Math.trunc(position), 1), others.length + 1) - 1;
  const before = others[index - 1];
  const after = others[index];
  const DAY = 24 * 60 * 60 * 1000;
  if (before && after) return (queueKey(before) + queueKey(after)) / 2;
  if (after) return queueKey(after) - DAY;
  if (before) return queueKey(before) + DAY;
  return Date.parse(items.find((i) => i.enrollmentId === enrollmentId)?.receivedAt ?? new Date(0).toISOString());
}

/** "Same child": same first name, surname and birth date, whatever the case and spacing. */
export function childKey(child: { firstName: string; lastName: string; birthDate: IsoDate }): string {
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLocaleLowerCase('da');
  return `${norm(child.firstName)}|${norm(child.lastName)}|${child.birthDate}`;
}

/** The ids in the list whose child appears more than once (two referrals for the same child). */
export function duplicateIds<T extends { id: string; firstName: string; lastName: string; birthDate: IsoDate }>(items: readonly T[]): Set<string> {
  const byKey = new Map<string, string[]>();
  for (const item of items) {
    const key = childKey(item);
    byKey.set(key, [...(byKey.get(key) ?? []), item.id]);
  }
  return new Set([...byKey.values()].filter((ids) => ids.length > 1).flat());
}

// ---------------------------------------------------------------------------------------------
// Course length

/** A course shows a warning from this many months, so the closing conversation can be booked in time. */
export const COURSE_WARNING_MONTHS = 11;

export type CourseLength = { months: number; status: 'ok' | 'warning' | 'overdue' };

/** How long a course has run, and whether it is near (≥ 11 months) or past its maximum (≥ max months). */
export function courseLength(startDate: IsoDate, maxCourseMonths: number | null, today: IsoDate): CourseLength {
  const months = compareDates(today, startDate) < 0 ? 0 : monthsBetween(startDate, today);
  if (maxCourseMonths === null) return { months, status: 'ok' };
  if (months >= maxCourseMonths) return { months, status: 'overdue' };
  if (months >= Math.min(COURSE_WARNING_MONTHS, maxCourseMonths - 1)) return { months, status: 'warning' };
  return { months, status: 'ok' };
}

export function plannedEndDate(startDate: IsoDate, maxCourseMonths: number | null): IsoDate | null {
  return maxCourseMonths === null ? null : addMonths(startDate, maxCourseMonths);
}

// ---------------------------------------------------------------------------------------------
// Forms (text from HTML forms; validated once here)

export const requiredText = (max: number, required: string) =>
  z.string({ error: required }).trim().min(1, required).max(max, `Højst ${max} tegn.`);
export const optionalText = (max: number) => z.string().trim().max(max, `Højst ${max} tegn.`).optional().transform((v) => v ?? '');
export const dateField = parsedField(parseIsoDate, 'Skriv en dato.', 'Skriv datoen som åååå-mm-dd, fx 2027-01-13.');
export const clockField = parsedField(parseClock, 'Skriv et klokkeslæt.', 'Skriv klokkeslættet som tt:mm, fx 15:30.');
/** A checkbox that must be ticked: a missing field is the unticked box. */
export const confirmBox = z.string({ error: 'Sæt flueben for at bekræfte.' }).min(1, 'Sæt flueben for at bekræfte.');

export const bookConversationSchema = z.object({
  date: dateField,
  time: clockField,
  durationMinutes: z
    .union([z.string(), z.number()])
    .optional()
    .transform((v, ctx) => {
      const text = v === undefined ? '' : String(v).trim();
      if (text === '') return 60;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 15 || n > 240) {
        ctx.addIssue({ code: 'custom', message: 'Skriv en varighed mellem 15 og 240 minutter.' });
        return z.NEVER;
      }
      return n;
    }),
  place: requiredText(200, 'Skriv hvor samtalen holdes.'),
  leaderId: requiredText(100, 'Vælg hvem der holder samtalen.'),
});
export type BookConversationInput = z.input<typeof bookConversationSchema>;

export const intakeOutcomeSchema = z.object({
  outcome: z.enum(['fits', 'does_not_fit'], { error: 'Vælg om gruppen passer.' }),
  reason: optionalText(1000),
  childWords: optionalText(2000),
  note: optionalText(2000),
}).superRefine((v, ctx) => {
  if (v.outcome === 'does_not_fit' && v.reason === '') ctx.addIssue({ code: 'custom', path: ['reason'], message: 'Skriv hvorfor gruppen ikke passer.' });
});
export type IntakeOutcomeInput = z.input<typeof intakeOutcomeSchema>;

export const startCourseSchema = z.object({ meetingId: requiredText(100, 'Vælg det møde, barnet starter på.') });
export type StartCourseInput = z.input<typeof startCourseSchema>;

export const reorderSchema = z.object({
  position: z
    .union([z.string(), z.number()], { error: 'Skriv en plads på listen.' })
    .transform((v, ctx) => {
      const n = Number(String(v).trim());
      if (String(v).trim() === '' || !Number.isInteger(n) || n < 1) {
        ctx.addIssue({ code: 'custom', message: 'Skriv pladsen som et helt tal fra 1.' });
        return z.NEVER;
      }
      return n;
    }),
  reason: requiredText(500, 'Skriv hvorfor rækkefølgen ændres.'),
});
export type ReorderInput = z.input<typeof reorderSchema>;

export const declineSchema = z.object({
  kind: z.enum(['decline', 'withdraw'], { error: 'Vælg afvis eller træk tilbage.' }),
  reason: requiredText(1000, 'Skriv en begrundelse.'),
  confirm: confirmBox,
});
export type DeclineInput = z.input<typeof declineSchema>;

/** The coordinator's age exception: a child outside the age band may start, for a written reason. */
export const ageExceptionSchema = z.object({
  reason: requiredText(1000, 'Skriv hvorfor barnet kan starte, selv om alderen ikke passer.'),
});
export type AgeExceptionInput = z.input<typeof ageExceptionSchema>;

/** The eligibility flags that stop a start: the age band (unless the coordinator made an exception) and girls only. */
export function blockingFlag(eligibility: Eligibility, hasAgeException: boolean): Eligibility['flags'][number] | null {
  return (
    eligibility.flags.find((f) => f.code === 'not_girl' || (!hasAgeException && (f.code === 'too_young' || f.code === 'too_old'))) ?? null
  );
}

/** The age band is what keeps the child out (an exception would let the child start). */
export function outsideAgeBand(eligibility: Eligibility): boolean {
  return eligibility.flags.some((f) => f.code === 'too_young' || f.code === 'too_old');
}

/** The caseworker withdraws their referral: a reason, and a second press to confirm (no JavaScript needed). */
export const withdrawReferralSchema = z.object({
  reason: requiredText(1000, 'Skriv hvorfor henvisningen trækkes tilbage.'),
  confirm: z.string({ error: 'Bekræft, at henvisningen skal trækkes tilbage.' }).refine((v) => v === 'ja', 'Bekræft, at henvisningen skal trækkes tilbage.'),
});
export type WithdrawReferralInput = z.input<typeof withdrawReferralSchema>;

export const endCourseSchema = z.object({
  endedOn: dateField,
  reason: optionalText(1000),
  confirm: confirmBox,
});
export type EndCourseInput = z.input<typeof endCourseSchema>;

export const parentConversationSchema = z.object({
  date: dateField,
  time: clockField,
  note: optionalText(2000),
});
export type ParentConversationInput = z.input<typeof parentConversationSchema>;
