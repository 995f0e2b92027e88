import { hmac } from '@oslojs/crypto/hmac';
import { SHA256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeHex, encodeHexLowerCase } from '@oslojs/encoding';
import { z } from 'astro/zod';
import { parseIsoDate, type IsoDate } from '../../lib/time';
import { ageBandIssue } from './age-band';
// The age band rule is its own module so the referral form's live hint in the browser runs the same code.
export { ageBandIssue };
import type { Municipality } from '../auth/auth';
import type { ReferralStatus } from '../lifecycle/lifecycle';
import type { GroupFacts, Guardian } from '../../lib/server/rows';
import { ageOn } from '../../lib/time';

// Referrals (henvisninger): the caseworker's form, the parent's request for a place in the girls' group, the
// reference number and the signed time stamp that keeps the quickest bots out of the public form. Pure: no I/O.

export type Gender = 'girl' | 'boy' | 'other';

export const GENDER_LABELS: Record<Gender, string> = {
  girl: 'Pige',
  boy: 'Dreng',
  other: 'Andet, eller vil ikke oplyse',
};

/** What the referral forms need of a group: its facts as lib/server/rows decodes them. */
export type ReferralGroup = Pick<GroupFacts, 'id' | 'slug' | 'name' | 'kind' | 'minAge' | 'maxAge' | 'girlsOnly' | 'intakeRule'>;

/** A guardian as the referral form gives them: a stored guardian without its ids and stamp. */
export type GuardianInput = Omit<Guardian, 'id' | 'childId' | 'createdAt'>;

export interface ReferralInput {
  idempotencyKey: string | null;
  groupId: string;
  firstName: string;
  lastName: string;
  birthDate: IsoDate;
  gender: Gender;
  municipality: Municipality;
  guardians: GuardianInput[];
  reason: string;
  siblingDisability: boolean;
}

export interface ParentRequestInput {
  idempotencyKey: string | null;
  parentName: string;
  phone: string | null;
  email: string | null;
  firstName: string;
  birthDate: IsoDate;
  municipality: Municipality;
  message: string;
}

export const REASON_MAX = 1000;
export const PARENT_MESSAGE_MAX = 600;
/** Oldest child either form accepts; anything older is a typing error in the year. */
const OLDEST_AGE = 25;

// ---------------------------------------------------------------------------------------------
// Age


/**
 * A warning (not a refusal) when the child's age today is outside the group's band. Eligibility proper is decided
 * in triage on the start date; the caseworker is only told early.
 */
export function ageWarning(birthDate: IsoDate, group: Pick<ReferralGroup, 'minAge' | 'maxAge' | 'name'>, today: IsoDate): string | null {
  const age = ageOn(birthDate, today);
  if (age >= group.minAge && age <= group.maxAge) return null;
  return `Barnet er ${age} år. ${group.name} er for ${group.minAge}-${group.maxAge} år. Vi ser på alderen, når vi læser henvisningen.`;
}

// ---------------------------------------------------------------------------------------------
// Form helpers: HTML forms send text; an empty field is absent.

const text = z.string().optional().transform((v) => (v ?? '').trim());
const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE_SHAPE = /^\+?[0-9 ()-]{8,20}$/;
const IDEMPOTENCY_SHAPE = /^[A-Za-z0-9-]{16,80}$/;
const ticked = (v: string) => v === 'on' || v === 'true' || v === '1' || v === 'yes';

type Issue = { path: string; message: string };

function birthDateIssue(value: string, today: IsoDate): string | null {
  if (value === '') return 'Skriv barnets fødselsdato.';
  const date = parseIsoDate(value);
  if (!date) return 'Skriv en rigtig dato, fx 2016-02-29.';
  if (date > today) return 'Fødselsdatoen kan ikke ligge i fremtiden.';
  if (ageOn(date, today) > OLDEST_AGE) return `Barnet kan højst være ${OLDEST_AGE} år. Tjek årstallet.`;
  return null;
}

function contactIssues(prefix: string, phone: string, email: string, needOne: string): Issue[] {
  const issues: Issue[] = [];
  if (phone === '' && email === '') issues.push({ path: `${prefix}Phone`, message: needOne });
  if (phone !== '' && !PHONE_SHAPE.test(phone)) issues.push({ path: `${prefix}Phone`, message: 'Skriv et telefonnummer med mindst 8 cifre.' });
  if (email !== '' && (!EMAIL_SHAPE.test(email) || email.length > 254)) {
    issues.push({ path: `${prefix}Email`, message: 'Skriv en hel e-mailadresse, fx navn@mail.dk.' });
  }
  return issues;
}

function municipalityOf(value: string): Municipality | null {
  return value === 'ishoj' || value === 'vallensbaek' ? value : null;
}

function idempotencyKeyOf(value: string): string | null {
  return IDEMPOTENCY_SHAPE.test(value) ? value : null;
}

/** Runs the checks and either returns the typed input or every problem at its field. */
function withIssues<T>(issues: Issue[], ctx: z.RefinementCtx, build: () => T): T {
  if (issues.length === 0) return build();
  for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [issue.path] });
  return z.NEVER;
}

// ---------------------------------------------------------------------------------------------
// The caseworker's referral

const guardianFields = (n: 1 | 2) => ({
  [`g${n}Name`]: text,
  [`g${n}Phone`]: text,
  [`g${n}Email`]: text,
  [`g${n}Custody`]: text,
  [`g${n}Interpreter`]: text,
  [`g${n}Language`]: text,
});

function guardianFrom(v: Record<string, string>, n: 1 | 2, issues: Issue[]): GuardianInput | null {
  const p = `g${n}`;
  const name = v[`${p}Name`] ?? '';
  const phone = v[`${p}Phone`] ?? '';
  const email = (v[`${p}Email`] ?? '').toLowerCase();
  const custody = v[`${p}Custody`] ?? '';
  const interpreter = ticked(v[`${p}Interpreter`] ?? '');
  const language = v[`${p}Language`] ?? '';
  const anything = name !== '' || phone !== '' || email !== '' || interpreter || language !== '';
  if (n === 2 && !anything) return null;
  if (name === '') issues.push({ path: `${p}Name`, message: 'Skriv forælderens navn.' });
  else if (name.length > 120) issues.push({ path: `${p}Name`, message: 'Navnet må højst være 120 tegn.' });
  issues.push(...contactIssues(p, phone, email, 'Skriv et telefonnummer eller en e-mail.'));
  if (custody !== 'yes' && custody !== 'no') issues.push({ path: `${p}Custody`, message: 'Vælg ja eller nej.' });
  if (interpreter && language === '') issues.push({ path: `${p}Language`, message: 'Skriv hvilket sprog tolken skal tale.' });
  if (language.length > 60) issues.push({ path: `${p}Language`, message: 'Sproget må højst være 60 tegn.' });
  return {
    name,
    phone: phone === '' ? null : phone,
    email: email === '' ? null : email,
    hasCustody: custody === 'yes',
    needsInterpreter: interpreter,
    interpreterLanguage: interpreter ? language : null,
  };
}

/** The referral form for the given groups (the active ones), checked on `today` (Copenhagen). */
export function referralSchema(groups: readonly ReferralGroup[], today: IsoDate) {
  return z
    .object({
      idempotencyKey: text,
      groupId: text,
      firstName: text,
      lastName: text,
      birthDate: text,
      gender: text,
      municipality: text,
      reason: text,
      siblingDisability: text,
      consent: text,
      ...guardianFields(1),
      ...guardianFields(2),
    })
    .transform((v, ctx): ReferralInput => {
      const values = v as Record<string, string>;
      const issues: Issue[] = [];
      const group = groups.find((g) => g.id === v.groupId) ?? null;
      if (!group) issues.push({ path: 'groupId', message: 'Vælg en gruppe.' });
      if (v.firstName === '') issues.push({ path: 'firstName', message: 'Skriv barnets fornavn.' });
      else if (v.firstName.length > 80) issues.push({ path: 'firstName', message: 'Fornavnet må højst være 80 tegn.' });
      if (v.lastName === '') issues.push({ path: 'lastName', message: 'Skriv barnets efternavn.' });
      else if (v.lastName.length > 80) issues.push({ path: 'lastName', message: 'Efternavnet må højst være 80 tegn.' });
      const dateIssue = birthDateIssue(v.birthDate, today);
      if (dateIssue) issues.push({ path: 'birthDate', message: dateIssue });
      else if (group) {
        const bandIssue = ageBandIssue(v.birthDate.trim(), group, today);
        if (bandIssue) issues.push({ path: 'birthDate', message: bandIssue });
      }
      const gender = v.gender === 'girl' || v.gender === 'boy' || v.gender === 'other' ? v.gender : null;
      if (!gender) issues.push({ path: 'gender', message: 'Vælg barnets køn.' });
      else if (group?.girlsOnly && gender !== 'girl') {
        issues.push({ path: 'gender', message: `${group.name} er kun for piger. Vælg en anden gruppe.` });
      }
      const municipality = municipalityOf(v.municipality);
      if (!municipality) issues.push({ path: 'municipality', message: 'Vælg Ishøj eller Vallensbæk.' });
      const first = guardianFrom(values, 1, issues);
      const second = guardianFrom(values, 2, issues);
      if (v.reason === '') issues.push({ path: 'reason', message: 'Skriv kort, hvorfor barnet skal gå i gruppen.' });
      else if (v.reason.length > REASON_MAX) {
        issues.push({ path: 'reason', message: `Skriv højst ${REASON_MAX} tegn. Du har skrevet ${v.reason.length}.` });
      }
      const siblingDisability = ticked(v.siblingDisability);
      if (group?.kind === 'siblings' && !siblingDisability) {
        issues.push({ path: 'siblingDisability', message: 'Søskendegruppen er for børn, der har en bror eller søster med en funktionsnedsættelse.' });
      }
      if (!ticked(v.consent)) {
        issues.push({ path: 'consent', message: 'Forældremyndighedsindehaverne skal være enige, før du kan sende henvisningen.' });
      }
      return withIssues(issues, ctx, () => ({
        idempotencyKey: idempotencyKeyOf(v.idempotencyKey),
        groupId: v.groupId,
        firstName: v.firstName,
        lastName: v.lastName,
        birthDate: v.birthDate.trim(),
        gender: gender as Gender,
        municipality: municipality as Municipality,
        guardians: [first, second].filter((g): g is GuardianInput => g !== null),
        reason: v.reason,
        siblingDisability: group?.kind === 'siblings' ? siblingDisability : false,
      }));
    });
}

// ---------------------------------------------------------------------------------------------
// The parent's request for a place (girls' group). The honeypot and the time stamp are checked by the service
// before this schema, so a bot never learns which field it got wrong.

export function parentRequestSchema(today: IsoDate, group: Pick<ReferralGroup, 'minAge' | 'maxAge' | 'name'>) {
  return z
    .object({
      idempotencyKey: text,
      parentName: text,
      phone: text,
      email: text,
      firstName: text,
      birthDate: text,
      municipality: text,
      message: text,
      custody: text,
    })
    .transform((v, ctx): ParentRequestInput => {
      const issues: Issue[] = [];
      if (v.parentName === '') issues.push({ path: 'parentName', message: 'Skriv dit navn.' });
      else if (v.parentName.length > 120) issues.push({ path: 'parentName', message: 'Dit navn må højst være 120 tegn.' });
      const email = v.email.toLowerCase();
      issues.push(...contactIssues('', v.phone, email, 'Skriv dit telefonnummer eller din e-mail.').map((i) => ({
        path: i.path === 'Phone' ? 'phone' : 'email',
        message: i.message,
      })));
      if (v.firstName === '') issues.push({ path: 'firstName', message: 'Skriv din datters fornavn.' });
      else if (v.firstName.length > 80) issues.push({ path: 'firstName', message: 'Fornavnet må højst være 80 tegn.' });
      const dateIssue = birthDateIssue(v.birthDate, today);
      if (dateIssue) issues.push({ path: 'birthDate', message: dateIssue.replace('barnets', 'din datters') });
      else {
        const bandIssue = ageBandIssue(v.birthDate.trim(), group, today, 'daughter');
        if (bandIssue) issues.push({ path: 'birthDate', message: bandIssue });
      }
      const municipality = municipalityOf(v.municipality);
      if (!municipality) issues.push({ path: 'municipality', message: 'Vælg Ishøj eller Vallensbæk.' });
      if (v.message.length > PARENT_MESSAGE_MAX) {
        issues.push({ path: 'message', message: `Skriv højst ${PARENT_MESSAGE_MAX} tegn. Du har skrevet ${v.message.length}.` });
      }
      if (!ticked(v.custody)) issues.push({ path: 'custody', message: 'Du skal have forældremyndigheden for at spørge om en plads.' });
      return withIssues(issues, ctx, () => ({
        idempotencyKey: idempotencyKeyOf(v.idempotencyKey),
        parentName: v.parentName,
        phone: v.phone === '' ? null : v.phone,
        email: email === '' ? null : email,
        firstName: v.firstName,
        birthDate: v.birthDate.trim(),
        municipality: municipality as Municipality,
        message: v.message,
      }));
    });
}

/** A group takes requests from parents when it is open for girls and takes new members as places free up. */
export function acceptsParentRequests(group: Pick<ReferralGroup, 'kind' | 'girlsOnly' | 'intakeRule'>): boolean {
  return group.kind === 'girls' && group.girlsOnly && group.intakeRule === 'open';
}

/** The honeypot: a field people never see, so anything in it was typed by a program. */
export const HONEYPOT_FIELD = 'website';

export function isBotSubmission(values: Record<string, string>): boolean {
  return (values[HONEYPOT_FIELD] ?? '').trim() !== '';
}

// ---------------------------------------------------------------------------------------------
// The signed time stamp: when the form was shown, signed so it cannot be forged. A person needs more than a few
// seconds to fill the form; a stamp older than a day belongs to a page left open (or copied by a bot).

export const FORM_TIME_MIN_MS = 3_000;
export const FORM_TIME_MAX_MS = 24 * 60 * 60 * 1000;
/** Clocks of several app processes may differ a little. */
const FORM_TIME_SKEW_MS = 60_000;

export type FormTimeCheck = 'ok' | 'too_fast' | 'expired' | 'invalid';

// HMAC-SHA256 through Lucia's crypto library, which runs anywhere: this file stays free of node: modules.
function formTimeMac(secret: string, ms: number): Uint8Array {
  const utf8 = new TextEncoder();
  return hmac(SHA256, utf8.encode(secret), utf8.encode(`form-time:${ms}`));
}

export function signFormTime(secret: string, now: Date): string {
  const ms = now.getTime();
  return `${ms}.${encodeHexLowerCase(formTimeMac(secret, ms))}`;
}

export function checkFormTime(secret: string, token: string | null | undefined, now: Date): FormTimeCheck {
  const m = /^(\d{1,16})\.([0-9a-f]{64})$/.exec(token ?? '');
  if (!m) return 'invalid';
  const ms = Number(m[1]);
  if (!constantTimeEqual(formTimeMac(secret, ms), decodeHex(m[2] as string))) return 'invalid';
  const age = now.getTime() - ms;
  if (age < -FORM_TIME_SKEW_MS) return 'invalid';
  if (age < FORM_TIME_MIN_MS) return 'too_fast';
  if (age > FORM_TIME_MAX_MS) return 'expired';
  return 'ok';
}

export const FORM_TIME_MESSAGES: Record<Exclude<FormTimeCheck, 'ok'>, string> = {
  too_fast: 'Formularen blev sendt meget hurtigt. Tjek felterne, og send den igen.',
  expired: 'Siden har været åben længe. Tjek felterne, og send igen.',
  invalid: 'Noget gik galt med formularen. Tjek felterne, og send igen.',
};

// ---------------------------------------------------------------------------------------------
// Reference numbers: H-2026-0042, a running number per calendar year (Copenhagen).

export function formatReference(year: number, n: number): string {
  return `H-${year}-${String(n).padStart(4, '0')}`;
}

/** The running number of a reference from `year`, else null. */
export function referenceNumber(reference: string, year: number): number | null {
  const m = /^H-(\d{4})-(\d{4,})$/.exec(reference);
  if (!m || Number(m[1]) !== year) return null;
  return Number(m[2]);
}

/** The prefix all of a year's references share (for a LIKE query). */
export function referencePrefix(year: number): string {
  return `H-${year}-`;
}

// ---------------------------------------------------------------------------------------------
// What the caseworker sees

export interface MyReferral {
  id: string;
  reference: string;
  childName: string;
  groupName: string;
  status: ReferralStatus | string;
  receivedAt: Date;
  intakeAt: Date | null;
  /** The caseworker is invited to the booked intake conversation. */
  invitedToIntake: boolean;
  startDate: IsoDate | null;
  endDate: IsoDate | null;
}

export interface ReferralReceipt {
  id: string;
  reference: string;
  childId: string;
  childName: string;
  groupName: string;
  groupKind: 'girls' | 'siblings';
  intakeRule: 'open' | 'quarterly';
  receivedAt: Date;
  ageWarning: string | null;
  /** The closing summary, once the family has seen and answered it. */
  summary: { body: string; familyComment: string | null } | null;
}

/** The referring caseworker's page about one referral (its status, and the closing summary when it is theirs to read). */
export function caseworkerReferralPath(referralId: string): string {
  return `/personale/henvisninger/kvittering/${referralId}`;
}

/** One referral as the caseworker who sent it follows it: what was sent, where it stands, whether it can be withdrawn. */
export interface ReferralView extends ReferralReceipt {
  birthDate: string;
  reason: string;
  status: string;
  statusReason: string | null;
  startDate: string | null;
  /** The course has not begun and is not over: "Træk henvisningen tilbage" is offered. */
  mayWithdraw: boolean;
}
