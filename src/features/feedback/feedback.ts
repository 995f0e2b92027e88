// Meeting feedback: three questions a child may answer after a meeting, anonymously, with a smiley.
// Our own wording (not FIT/ORS/SRS, which are licensed).
import { z } from 'astro/zod';

export interface FeedbackQuestion {
  key: string;
  text: string;
}

export const FEEDBACK_QUESTIONS: readonly FeedbackQuestion[] = [
  { key: 'heard', text: 'De voksne hørte efter, hvad jeg sagde' },
  { key: 'good', text: 'Det var rart at være i gruppen i dag' },
  { key: 'again', text: 'Jeg glæder mig til næste gang' },
];

export const FEEDBACK_SCORES = [
  { score: 1, label: 'Nej', face: 'sad' },
  { score: 2, label: 'Lidt', face: 'neutral' },
  { score: 3, label: 'Ja', face: 'happy' },
] as const;

export const feedbackAnswerSchema = z.object({
  question: z.enum(FEEDBACK_QUESTIONS.map((q) => q.key) as [string, ...string[]], { error: 'Vælg et spørgsmål.' }),
  score: z.coerce.number({ error: 'Vælg en smiley.' }).int().min(1, 'Vælg en smiley.').max(3, 'Vælg en smiley.'),
});
export type FeedbackAnswer = z.infer<typeof feedbackAnswerSchema>;

/** The question after `key` in the round, or null when the round is over. */
export function nextQuestion(key: string): FeedbackQuestion | null {
  const index = FEEDBACK_QUESTIONS.findIndex((q) => q.key === key);
  return index < 0 ? null : FEEDBACK_QUESTIONS[index + 1] ?? null;
}

/** The question the page shows for `?spm=`: a known key, else the first. */
export function questionFor(key: string | null): FeedbackQuestion {
  return FEEDBACK_QUESTIONS.find((q) => q.key === key) ?? (FEEDBACK_QUESTIONS[0] as FeedbackQuestion);
}

/** Feedback is given on the day of the meeting or later, never for a cancelled meeting. */
export function canGiveFeedback(meeting: { status: string; date: string }, today: string): boolean {
  return meeting.status !== 'cancelled' && meeting.date <= today;
}
