import { beforeAll, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/features/audit/audit.service';
import { insightJson } from '../../src/features/insight/insight';
import { getChildInsight } from '../../src/features/insight/insight.service';
import { ForbiddenError, NotFoundError } from '../../src/lib/errors';
import { addChild, addGroup, addMeetings, type ChildIds } from '../support/child-records';
import { useStaff } from '../support/staff';
import { databaseKind, useTestDatabase } from '../support/database';

const NOW = new Date('2026-11-23T12:00:00Z');

describe(`insight export on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  const { coordinator, leader, caseworker } = useStaff(handle, {}, { ip: '10.1.2.3' });
  let mine: ChildIds;
  let other: ChildIds;

  beforeAll(async () => {
    const db = handle.db;
    const groupId = await addGroup(db, 'Pigegruppen');
    const meetings = await addMeetings(db, groupId, ['2026-09-09T14:00:00.000Z', '2026-10-14T14:00:00.000Z']);
    mine = await addChild(db, {
      groupId, firstName: 'Ingrid', lastName: 'Indsigt', guardianName: 'Ida Indsigt', meetingIds: meetings,
      enrollmentState: 'active', endedOn: null, referralStatus: 'started', caseworkerId: caseworker.user.id,
    });
    other = await addChild(db, { groupId, firstName: 'Oskar', lastName: 'Andersen', guardianName: 'Otto Andersen', meetingIds: meetings.slice(0, 1) });
    await recordAudit(db, leader, [{ action: 'read', entityType: 'child', entityId: mine.childId, childId: mine.childId }], new Date('2026-11-01T10:00:00Z'));
    await recordAudit(db, leader, [{ action: 'update', entityType: 'attendance', entityId: other.enrollmentId, childId: other.childId, detail: 'Oskar' }], new Date('2026-11-01T10:05:00Z'));
    // A message about Ingrid in the outbox (issue 14): one with text, one with a secret link.
    for (const [id, secret] of [['msg-text', 0], ['msg-secret', 1]] as const) {
      await db.insertInto('outbox_messages').values({
        id, kind: secret ? 'family_link' : 'reminder', channel: 'email', recipient: 'ida@familie.dk', language: 'da', subject: secret ? 'Dit link' : 'Husk: Pigegruppen',
        body_text: secret ? 'https://x/familie/hemmeligt' : 'Husk mødet', body_html: null, unsubscribe_url: null, payload: '{}', child_id: mine.childId, secret,
        status: 'pending', send_after: '2026-11-01T10:00:00.000Z', message_id: `<${id}@x>`, created_at: '2026-11-01T10:00:00.000Z', updated_at: '2026-11-01T10:00:00.000Z',
      }).execute();
    }
  });

  it('is for the coordinator only, and says so for a child that is gone', async () => {
    await expect(getChildInsight(handle.db, leader, mine.childId, 'html', NOW)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(getChildInsight(handle.db, coordinator, 'no-such-child', 'html', NOW)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('holds everything about the child and the guardians, nothing of another child, and no link hashes', async () => {
    const report = await getChildInsight(handle.db, coordinator, mine.childId, 'json', NOW);
    expect(report.child).toMatchObject({ id: mine.childId, firstName: 'Ingrid', lastName: 'Indsigt', birthDate: '2014-05-01', municipality: 'ishoj', hasSiblingWithDisability: false });
    expect(report.guardians).toEqual([expect.objectContaining({ id: mine.guardianId, name: 'Ida Indsigt', phone: '+45 12 34 56 78', hasCustody: true })]);
    expect(report.referrals).toEqual([expect.objectContaining({ id: mine.referralId, group: 'Pigegruppen', caseworker: 'Rita Rådgiver', status: 'started', reason: 'Grund for Ingrid' })]);
    expect(report.enrollments).toEqual([expect.objectContaining({ id: mine.enrollmentId, state: 'active', startDate: '2024-02-14' })]);
    expect(report.conversations).toEqual([expect.objectContaining({ id: mine.conversationId, kind: 'intake', childWords: 'Ingrid glæder sig', note: 'Note om Ingrid' })]);
    expect(report.attendance.map((a) => [a.meetingStartsAt, a.status])).toEqual([
      ['2026-09-09T14:00:00.000Z', 'present'],
      ['2026-10-14T14:00:00.000Z', 'present'],
    ]);
    expect(report.familyLinks).toEqual([{ createdAt: '2024-01-10T09:00:00.000Z', revokedAt: null }]);
    expect(report.messages.map((m) => [m.subject, m.recipient, m.body])).toEqual([['Dit link', 'ida@familie.dk', null], ['Husk: Pigegruppen', 'ida@familie.dk', 'Husk mødet']]);
    // The earlier read and this export itself.
    expect(report.audit.map((a) => [a.action, a.actor, a.detail])).toEqual([
      ['read', leader.user.email, null],
      ['export', coordinator.user.email, 'indsigt json'],
    ]);

    const json = insightJson(report);
    expect(JSON.parse(json)).toEqual(report);
    for (const foreign of ['Oskar', 'Otto', 'Andersen', other.childId, other.guardianId, other.referralId, 'hash-', 'hemmeligt']) {
      expect(json, foreign).not.toContain(foreign);
    }
  });

  it('holds the evaluation, the scales, every summary version and the requests; deleting the child deletes them', async () => {
    const db = handle.db;
    const at = '2026-11-02T10:00:00.000Z';
    for (const c of [mine, other]) {
      const enrollmentId = c.enrollmentId ?? '';
      const name = c === mine ? 'Ingrid' : 'Oskar';
      await db.insertInto('course_evaluations').values({ enrollment_id: enrollmentId, child_id: c.childId, conversation_id: null, goals_reached: `${name} nåede målet`, child_view: null, parent_view: null, next_step: 'nothing', next_step_note: null, recorded_by: null, created_at: at }).execute();
      await db.insertInto('progress_answers').values({ id: `pa-${c.childId}`, enrollment_id: enrollmentId, child_id: c.childId, occasion: 'closing', respondent: 'child', question: 'talk', score: 4, answered_on: '2026-11-02', recorded_by: null, created_at: at }).execute();
      for (const version of [1, 2]) {
        await db.insertInto('closing_summaries').values({ id: `cs-${version}-${c.childId}`, enrollment_id: enrollmentId, child_id: c.childId, version, body: `${name}s opsummering ${version}`, state: 'draft', family_comment: null, written_by: null, created_at: at }).execute();
      }
      await db.insertInto('conversation_requests').values({ id: `cr-${c.childId}`, child_id: c.childId, enrollment_id: enrollmentId, message: `${name}s mor vil tale`, asked_at: at, answered_at: null, answered_by: null, answer_note: null }).execute();
    }
    const report = await getChildInsight(db, coordinator, mine.childId, 'json', NOW);
    expect(report.evaluations.map((e) => e.goalsReached)).toEqual(['Ingrid nåede målet']);
    expect(report.progressAnswers).toEqual([expect.objectContaining({ occasion: 'closing', respondent: 'child', question: 'talk', score: 4 })]);
    expect(report.summaries.map((v) => v.body)).toEqual(['Ingrids opsummering 1', 'Ingrids opsummering 2']);
    expect(report.conversationRequests.map((r) => r.message)).toEqual(['Ingrids mor vil tale']);
    expect(insightJson(report)).not.toContain('Oskar');

    await db.deleteFrom('children').where('id', '=', other.childId).execute();
    for (const table of ['course_evaluations', 'progress_answers', 'closing_summaries', 'conversation_requests'] as const) {
      expect(await db.selectFrom(table).select('child_id').where('child_id', '=', other.childId).execute(), table).toEqual([]);
    }
  });
});
