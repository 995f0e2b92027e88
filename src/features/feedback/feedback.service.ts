import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../lib/server/database';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { parseForm, type FormValues } from '../../lib/forms';
import { instantToZoned, todayInZone, type IsoDate } from '../../lib/time';
import type { Actor } from '../auth/auth';
import { isLeaderOf } from '../groups/groups.repository';
import { canGiveFeedback, feedbackAnswerSchema, nextQuestion, type FeedbackQuestion } from './feedback';
import { countFeedback, insertFeedback, selectFeedbackMeeting, type FeedbackMeetingRow } from './feedback.repository';

export interface FeedbackMeeting {
  id: string;
  groupId: string;
  groupName: string;
  date: IsoDate;
  startsAt: Date;
  /** False for a cancelled meeting or one that has not happened yet. */
  open: boolean;
  answers: number;
}

async function meetingFor(db: Kysely<Database>, actor: Actor, meetingId: string): Promise<FeedbackMeetingRow> {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') throw new ForbiddenError();
  const meeting = await selectFeedbackMeeting(db, meetingId);
  if (!meeting) throw new NotFoundError('Mødet findes ikke.');
  if (actor.user.role === 'leader' && !(await isLeaderOf(db, actor.user.id, meeting.groupId))) {
    throw new ForbiddenError('Du kan kun tage imod svar i de grupper, du selv er leder af.');
  }
  return meeting;
}

/** The meeting the tablet page asks about. Coordinators and the group's leaders. Nothing personal is read. */
export async function getFeedbackMeeting(db: Kysely<Database>, actor: Actor, meetingId: string, now: Date): Promise<FeedbackMeeting> {
  const meeting = await meetingFor(db, actor, meetingId);
  const date = instantToZoned(meeting.startsAt).date;
  return {
    id: meeting.id,
    groupId: meeting.groupId,
    groupName: meeting.groupName,
    date,
    startsAt: meeting.startsAt,
    open: canGiveFeedback({ status: meeting.status, date }, todayInZone(now)),
    answers: await countFeedback(db, meeting.id),
  };
}

/**
 * Stores one anonymous answer (question + smiley) and says which question comes next (null: the round is over,
 * the tablet goes back to the first question for the next child). Nothing ties the answer to a child or a user,
 * so it is not audited as a read or change of anyone's record.
 */
export async function recordFeedbackAnswer(
  db: Kysely<Database>,
  actor: Actor,
  meetingId: string,
  form: FormData | FormValues,
  now: Date,
): Promise<{ next: FeedbackQuestion | null }> {
  const meeting = await meetingFor(db, actor, meetingId);
  if (!canGiveFeedback({ status: meeting.status, date: instantToZoned(meeting.startsAt).date }, todayInZone(now))) {
    throw new ConflictError('Der kan kun svares på et møde, der er holdt.');
  }
  const parsed = parseForm(feedbackAnswerSchema, form);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  await insertFeedback(db, { id: randomUUID(), meetingId, question: parsed.data.question, score: parsed.data.score, createdAt: now });
  return { next: nextQuestion(parsed.data.question) };
}
