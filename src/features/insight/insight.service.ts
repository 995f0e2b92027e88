import type { Kysely } from 'kysely';
import type { Database } from '../../lib/server/database';
import { ForbiddenError, NotFoundError } from '../../lib/errors';
import type { Actor } from '../auth/auth';
import { recordAudit } from '../audit/audit.service';
import { childMessages } from '../messages/messages.service';
import type { InsightReport } from './insight';
import {
  selectInsightAttendance, selectInsightAudit, selectInsightChild, selectInsightConversations, selectInsightEnrollments,
  selectInsightConversationRequests, selectInsightEvaluations, selectInsightFamilyLinks, selectInsightGuardians, selectInsightProgressAnswers,
  selectInsightReferrals, selectInsightSummaries,
} from './insight.repository';

/**
 * Everything stored about one child (GDPR art. 15), for the coordinator only. The export is recorded in the audit
 * trail first, inside the same transaction, so the report lists its own making.
 */
export async function getChildInsight(
  db: Kysely<Database>,
  actor: Actor,
  childId: string,
  format: 'html' | 'json',
  now: Date,
): Promise<InsightReport> {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan lave en indsigt.');
  return db.transaction().execute(async (trx) => {
    const child = await selectInsightChild(trx, childId);
    if (!child) throw new NotFoundError('Barnet findes ikke (måske er oplysningerne slettet).');
    await recordAudit(trx, actor, [{ action: 'export', entityType: 'child', entityId: childId, childId, detail: `indsigt ${format}` }], now);
    return {
      generatedAt: now.toISOString(),
      child,
      guardians: await selectInsightGuardians(trx, childId),
      referrals: await selectInsightReferrals(trx, childId),
      enrollments: await selectInsightEnrollments(trx, childId),
      conversations: await selectInsightConversations(trx, childId),
      attendance: await selectInsightAttendance(trx, childId),
      familyLinks: await selectInsightFamilyLinks(trx, childId),
      evaluations: await selectInsightEvaluations(trx, childId),
      progressAnswers: await selectInsightProgressAnswers(trx, childId),
      summaries: await selectInsightSummaries(trx, childId),
      conversationRequests: await selectInsightConversationRequests(trx, childId),
      messages: await childMessages(trx, childId),
      audit: await selectInsightAudit(trx, childId),
    };
  });
}
