// A check on the progress scales at a meeting in between (issue 15): saved once per day, only for a child in the
// group, only by the group's leaders and the coordinator, audited; bad input refused at its field.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/auth/auth';
import { recordProgressCheck } from '../../src/features/course/course.service';
import { ConflictError, ForbiddenError, ValidationError } from '../../src/lib/errors';
import { addChild, addEnrollment, addGroup, addLeaders, addUser } from '../support/builders';
import { databaseKind, useTestDatabase } from '../support/database';
import { errorOf } from '../support/errors';
import { NOW } from '../support/clock';

describe(`a progress check in between on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  let leader: Actor;
  let otherLeader: Actor;
  let active: string;
  let ended: string;
  let childId: string;

  beforeAll(async () => {
    const { db } = handle;
    const groupId = await addGroup(db, { name: 'Pigegruppen' });
    const otherGroup = await addGroup(db, { name: 'Søskendegruppen unge', slug: 'soeskende-unge-check' });
    leader = await addUser(db, 'leader', { email: 'leder@check.test' });
    otherLeader = await addUser(db, 'leader', { email: 'anden@check.test' });
    await addLeaders(db, groupId, [leader.user.id]);
    await addLeaders(db, otherGroup, [otherLeader.user.id]);
    ({ childId } = await addChild(db));
    active = await addEnrollment(db, { child_id: childId, group_id: groupId, state: 'active', start_date: '2026-09-02' });
    const other = await addChild(db);
    ended = await addEnrollment(db, { child_id: other.childId, group_id: groupId, state: 'ended', start_date: '2026-01-07', ended_on: '2026-06-30' });
  });

  const rows = () => handle.db.selectFrom('progress_answers').select(['respondent', 'question', 'score', 'answered_on']).where('enrollment_id', '=', active).where('occasion', '=', 'meeting').orderBy('respondent').orderBy('question').execute();

  it('saves the answers once per day: a second click replaces that day\'s answers, another day adds a column', async () => {
    const answers = { answeredOn: '2026-11-18', child_talk: '3', child_self: '4', parent_talk: '2' };
    await recordProgressCheck(handle.db, leader, active, answers, NOW);
    await recordProgressCheck(handle.db, leader, active, answers, NOW);
    expect((await rows()).map((r) => [r.respondent, r.question, Number(r.score), r.answered_on])).toEqual([
      ['child', 'self', 4, '2026-11-18'], ['child', 'talk', 3, '2026-11-18'], ['parent', 'talk', 2, '2026-11-18'],
    ]);
    await recordProgressCheck(handle.db, leader, active, { answeredOn: '2026-11-23', child_talk: '4' }, NOW);
    expect((await rows()).length).toBe(4);
    const audit = await handle.db.selectFrom('audit_log').select(['action', 'entity_type', 'child_id', 'detail']).where('entity_type', '=', 'progress_answers').execute();
    expect(audit.length).toBe(3);
    expect(audit.every((a) => a.child_id === childId && a.action === 'update')).toBe(true);
  });

  it('refuses a day ahead, a day before the start and a form with no answer, each at its field', async () => {
    const ahead = await errorOf(recordProgressCheck(handle.db, leader, active, { answeredOn: '2026-11-24', child_talk: '3' }, NOW));
    expect(ahead).toBeInstanceOf(ValidationError);
    expect((ahead as ValidationError).fields['answeredOn']).toMatch(/frem i tiden/);
    const before = await errorOf(recordProgressCheck(handle.db, leader, active, { answeredOn: '2026-08-01', child_talk: '3' }, NOW));
    expect((before as ValidationError).fields['answeredOn']).toMatch(/før barnets start/);
    const empty = await errorOf(recordProgressCheck(handle.db, leader, active, { answeredOn: '2026-11-20', child_talk: '', child_home: '9' }, NOW));
    expect((empty as ValidationError).fields).toEqual({ child_home: 'Vælg et svar fra 1 til 5.', child_talk: 'Vælg mindst ét svar.' });
    expect((await rows()).length).toBe(4);
  });

  it('only for a child in the group, and only the group\'s leaders', async () => {
    expect(await errorOf(recordProgressCheck(handle.db, leader, ended, { answeredOn: '2026-06-01', child_talk: '3' }, NOW))).toBeInstanceOf(ConflictError);
    expect(await errorOf(recordProgressCheck(handle.db, otherLeader, active, { answeredOn: '2026-11-20', child_talk: '3' }, NOW))).toBeInstanceOf(ForbiddenError);
    expect((await rows()).length).toBe(4);
  });
});
