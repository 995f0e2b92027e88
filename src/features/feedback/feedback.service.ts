import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../lib/server/database';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { parseForm, type FormValues } from '../../lib/forms';
import { instantToZoned, todayInZone, type IsoDate } from '../../lib/time';
import type { Actor } from '../auth/auth';
import { isLeaderOf } from '../groups/groups.repository';
import { canGiveFeedback, feedbackAnswerSchema, nextQuestion, type FeedbackQuestion } from './feedback';
import { countFeedback, insertFeedback, selectFeedbackSession, type FeedbackSessionRow } from './feedback.repository';

export interface FeedbackSession {
  id: string;
  groupId: string;
  groupName: string;
  date: IsoDate;
  startsAt: Date;
  /** False for a cancelled meeting or one that has not happened yet. */
  open: boolean;
  answers: number;
}

async function sessionFor(db: Kysely<Database>, actor: Actor, sessionId: string): Promise<FeedbackSessionRow> {
  if (actor.user.role !== 'admin' && actor.user.role !== 'leader') throw new ForbiddenError();
  const session = await selectFeedbackSession(db, sessionId);
  if (!session) throw new NotFoundError('Mødet findes ikke.');
  if (actor.user.role === 'leader' && !(await isLeaderOf(db, actor.user.id, session.groupId))) {
    throw new ForbiddenError('Du kan kun tage imod svar i de grupper, du selv er leder af.');
  }
  return session;
}

/** The meeting the tablet page asks about. Admins and the group's leaders. Nothing personal is read. */
export async function getFeedbackSession(db: Kysely<Database>, actor: Actor, sessionId: string, now: Date): Promise<FeedbackSession> {
  const session = await sessionFor(db, actor, sessionId);
  const date = instantToZoned(session.startsAt).date;
  return {
    id: session.id,
    groupId: session.groupId,
    groupName: session.groupName,
    date,
    startsAt: session.startsAt,
    open: canGiveFeedback({ status: session.status, date }, todayInZone(now)),
    answers: await countFeedback(db, session.id),
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
  sessionId: string,
  form: FormData | FormValues,
  now: Date,
): Promise<{ next: FeedbackQuestion | null }> {
  const session = await sessionFor(db, actor, sessionId);
  if (!canGiveFeedback({ status: session.status, date: instantToZoned(session.startsAt).date }, todayInZone(now))) {
    throw new ConflictError('Der kan kun svares på et møde, der er holdt.');
  }
  const parsed = parseForm(feedbackAnswerSchema, form);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  await insertFeedback(db, { id: randomUUID(), sessionId, question: parsed.data.question, score: parsed.data.score, createdAt: now });
  return { next: nextQuestion(parsed.data.question) };
}
