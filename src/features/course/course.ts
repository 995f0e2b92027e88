// What makes a course a course, beyond its states: the progress scales, the closing evaluation, the closing
// summary's text, and the figures' progress counts. Pure (no I/O, dates passed in). The states and steps
// (conversation kinds, the follow-up, the summary's states) live in features/lifecycle/lifecycle.ts.

import { z } from 'astro/zod';
import type { IsoDate } from '../../lib/time';
import { formatDate } from '../../lib/time';
import { NEXT_STEPS, type NextStep } from '../lifecycle/lifecycle';
import { optionalText, requiredText } from '../enrollment/enrollment';

// ---------------------------------------------------------------------------------------------
// Progress scales

/**
 * A few short questions in everyday words, written for this product (no licensed instrument). The child answers
 * about themself, a parent about the child; each on the same five steps.
 */
export const PROGRESS_QUESTIONS = [
  { key: 'talk', child: 'Jeg har nogen at tale med, når noget er svært.', parent: 'Mit barn har nogen at tale med, når noget er svært.' },
  { key: 'home', child: 'Jeg har det godt derhjemme.', parent: 'Mit barn har det godt derhjemme.' },
  { key: 'friends', child: 'Jeg har venner, jeg kan være sammen med.', parent: 'Mit barn har venner at være sammen med.' },
  { key: 'self', child: 'Jeg er glad for at være mig.', parent: 'Mit barn er glad for at være sig selv.' },
] as const;
export type ProgressQuestion = (typeof PROGRESS_QUESTIONS)[number]['key'];

export const SCALE_STEPS = [
  { score: 1, label: 'Passer slet ikke' },
  { score: 2, label: 'Passer lidt' },
  { score: 3, label: 'Passer nogenlunde' },
  { score: 4, label: 'Passer godt' },
  { score: 5, label: 'Passer helt' },
] as const;

export const RESPONDENTS = ['child', 'parent'] as const;
export type Respondent = (typeof RESPONDENTS)[number];
export const RESPONDENT_LABELS: Record<Respondent, string> = { child: 'Barnet', parent: 'Forælder' };

export type ProgressOccasion = 'intake' | 'closing' | 'meeting';
export const OCCASION_LABELS: Record<ProgressOccasion, string> = { intake: 'Ved start', closing: 'Ved afslutning', meeting: 'Undervejs' };

export interface ProgressAnswer {
  respondent: Respondent;
  question: ProgressQuestion;
  score: number;
}

/** The form field for one answer: `child_talk`, `parent_home`, … */
export function scaleField(respondent: Respondent, question: ProgressQuestion): string {
  return `${respondent}_${question}`;
}

/** The answers a form carries; a blank field is a question not answered. A value off the scale is an error at its field. */
export function readScales(values: Record<string, unknown>): { answers: ProgressAnswer[]; errors: Record<string, string> } {
  const answers: ProgressAnswer[] = [];
  const errors: Record<string, string> = {};
  for (const respondent of RESPONDENTS) {
    for (const q of PROGRESS_QUESTIONS) {
      const field = scaleField(respondent, q.key);
      const raw = values[field];
      const text = typeof raw === 'string' ? raw.trim() : raw === undefined ? '' : String(raw);
      if (text === '') continue;
      const score = Number(text);
      if (!Number.isInteger(score) || score < 1 || score > 5) errors[field] = 'Vælg et svar fra 1 til 5.';
      else answers.push({ respondent, question: q.key, score });
    }
  }
  return { answers, errors };
}

/** The mean of one respondent's answers at one occasion, on the questions both occasions answered. */
function meanOn(answers: readonly ProgressAnswer[], respondent: Respondent, questions: ReadonlySet<string>): number {
  const scores = answers.filter((a) => a.respondent === respondent && questions.has(a.question)).map((a) => a.score);
  return scores.reduce((s, x) => s + x, 0) / scores.length;
}

export type Movement = 'up' | 'same' | 'down';
export const MOVEMENT_LABELS: Record<Movement, string> = { up: 'Rykket op', same: 'Det samme', down: 'Rykket ned' };

/** Half a step on the mean (two points over four questions) is the least change that counts as moving. */
export const MOVEMENT_THRESHOLD = 0.5;

/**
 * How one respondent's answers moved from the start to now: compared on the questions answered both times; null
 * when there is nothing to compare.
 */
export function movement(start: readonly ProgressAnswer[], now: readonly ProgressAnswer[], respondent: Respondent): Movement | null {
  const asked = (list: readonly ProgressAnswer[]) => new Set(list.filter((a) => a.respondent === respondent).map((a) => a.question as string));
  const before = asked(start);
  const common = new Set([...asked(now)].filter((q) => before.has(q)));
  if (common.size === 0) return null;
  const change = meanOn(now, respondent, common) - meanOn(start, respondent, common);
  if (change >= MOVEMENT_THRESHOLD) return 'up';
  if (change <= -MOVEMENT_THRESHOLD) return 'down';
  return 'same';
}

export type ProgressCounts = Record<Movement, number>;

/** How many children moved up, stayed or moved down, by the child's own answers (the parent's when the child gave none). */
export function progressCounts(courses: readonly { start: readonly ProgressAnswer[]; end: readonly ProgressAnswer[] }[]): ProgressCounts {
  const counts: ProgressCounts = { up: 0, same: 0, down: 0 };
  for (const c of courses) {
    const m = movement(c.start, c.end, 'child') ?? movement(c.start, c.end, 'parent');
    if (m !== null) counts[m] += 1;
  }
  return counts;
}

/** The least number of children a published count may stand for. */
export const SMALL_CELL = 5;

/** A count as the figures show it: a cell of fewer than five children reads "under 5", so no child can be picked out. */
export function cellText(count: number, locale: 'da' | 'en' = 'da'): string {
  return count < SMALL_CELL ? (locale === 'da' ? 'under 5' : 'under 5') : String(count);
}

// ---------------------------------------------------------------------------------------------
// The closing conversation's evaluation

export const evaluationSchema = z.object({
  goalsReached: optionalText(2000),
  childView: optionalText(2000),
  parentView: optionalText(2000),
  nextStep: z.enum(NEXT_STEPS, { error: 'Vælg hvad der sker nu.' }),
  nextStepNote: optionalText(1000),
});
export type EvaluationInput = z.input<typeof evaluationSchema>;
export type Evaluation = z.output<typeof evaluationSchema>;

export const endWithoutClosingSchema = z.object({
  endedOn: z.string().trim().min(1, 'Skriv en dato.'),
  reason: requiredText(1000, 'Skriv hvorfor forløbet slutter uden en afsluttende samtale.'),
  nextStep: z.enum(NEXT_STEPS, { error: 'Vælg hvad der sker nu.' }),
});

export const skipFollowUpSchema = z.object({ reason: requiredText(1000, 'Skriv hvorfor opfølgningen springes over.') });

/** The field a progress check's "nothing answered" message stands at: the first question of the child. */
export const FIRST_SCALE_FIELD = 'child_talk';

/**
 * A check on the scales at a meeting in between (midtvejs): the day it was given (today or earlier, not before the
 * start) and at least one answer. Returns the errors at their fields; none when the check may be saved.
 */
export function progressCheckErrors(answeredOn: IsoDate, answers: readonly ProgressAnswer[], startDate: IsoDate | null, today: IsoDate): Record<string, string> {
  const errors: Record<string, string> = {};
  if (answeredOn > today) errors['answeredOn'] = 'Skriv den dag, barnet svarede. Den kan ikke ligge frem i tiden.';
  else if (startDate !== null && answeredOn < startDate) errors['answeredOn'] = 'Dagen ligger før barnets start i gruppen.';
  if (answers.length === 0) errors[FIRST_SCALE_FIELD] = 'Vælg mindst ét svar.';
  return errors;
}

// ---------------------------------------------------------------------------------------------
// The closing summary

export interface SummaryFacts {
  firstName: string;
  groupName: string;
  startDate: IsoDate | null;
  endedOn: IsoDate | null;
  meetingsHeld: number;
  meetingsAttended: number;
  evaluation: Pick<Evaluation, 'goalsReached' | 'childView' | 'parentView' | 'nextStep'> | null;
}

const NEXT_STEP_SENTENCES: Record<NextStep, string> = {
  nothing: 'Forløbet er slut, og der sker ikke mere fra os.',
  other_offer: 'Vi har talt om et andet tilbud, der kan hjælpe videre.',
  back_to_caseworker: 'Rådgiveren får besked og taler med jer om, hvad der skal ske nu.',
};

/** A first draft of the summary in short, plain sentences, from the course's own facts. The leader edits it. */
export function draftSummary(f: SummaryFacts): string {
  const lines: string[] = [];
  const from = f.startDate ? formatDate(f.startDate, 'da') : null;
  const to = f.endedOn ? formatDate(f.endedOn, 'da') : null;
  lines.push(from && to ? `${f.firstName} gik i ${f.groupName} fra ${from} til ${to}.` : `${f.firstName} gik i ${f.groupName}.`);
  lines.push(`Gruppen holdt ${f.meetingsHeld} ${f.meetingsHeld === 1 ? 'møde' : 'møder'} i den tid. ${f.firstName} var med ${f.meetingsAttended} ${f.meetingsAttended === 1 ? 'gang' : 'gange'}.`);
  const e = f.evaluation;
  if (e) {
    if (e.goalsReached) lines.push(`Det nåede vi: ${e.goalsReached}`);
    if (e.childView) lines.push(`${f.firstName} sagde: ${e.childView}`);
    if (e.parentView) lines.push(`I sagde: ${e.parentView}`);
    lines.push(NEXT_STEP_SENTENCES[e.nextStep]);
  }
  return lines.join('\n\n');
}

export const summaryEditSchema = z.object({ body: requiredText(5000, 'Skriv opsummeringen.') });
export const familyAnswerSchema = z.object({
  answer: z.enum(['accept', 'comment'], { error: 'Vælg et svar.' }),
  comment: optionalText(2000),
}).superRefine((v, ctx) => {
  if (v.answer === 'comment' && v.comment === '') ctx.addIssue({ code: 'custom', path: ['comment'], message: 'Skriv din bemærkning.' });
});

export const conversationRequestSchema = z.object({ message: optionalText(1000) });
export const answerRequestSchema = z.object({ answerNote: requiredText(1000, 'Skriv kort, hvad I har aftalt.') });

/** One stored answer with the occasion and day it was given (what the case page's start-against-now table reads). */
export interface ProgressRecord extends ProgressAnswer {
  occasion: ProgressOccasion;
  answeredOn: IsoDate;
}
