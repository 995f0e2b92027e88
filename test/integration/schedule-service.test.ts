import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/errors';
import type { Group } from '../../src/features/groups/groups';
import { groupFormValues } from '../../src/features/groups/groups';
import { listGroups, seedDefaultGroups, updateGroup } from '../../src/features/groups/groups.service';
import {
  addClosedPeriod,
  cancelMeeting,
  deleteClosedPeriod,
  getMeeting,
  listClosedPeriods,
  listMeetings,
  moveMeeting,
  regenerateAllGroups,
  regenerateMeetings,
  restoreMeeting,
} from '../../src/features/schedule/schedule.service';
import { meetingByKey } from '../support/builders';
import { planStaff, startWithoutGroups } from '../support/staff';
import { databaseKind, useTestDatabase } from '../support/database';
import { errorOf } from '../support/errors';
import { NOW, DAY } from '../support/clock';

// The girls' group meets the 2nd Wednesday, 16.00-18.00.

describe(`schedule service on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  const staff = planStaff({}, { at: NOW });
  const { coordinator, leader: leaderA, otherLeader: leaderB, caseworker } = staff;
  let girls: Group;
  let siblings: Group;

  async function meetingId(groupId: string, key: string): Promise<string> {
    const row = await meetingByKey(handle.db, groupId, key);
    if (!row) throw new Error(`no meeting ${key}`);
    return row.id;
  }

  async function changeRule(group: Group, rule: Record<string, string>, at: Date) {
    return updateGroup(handle.db, coordinator, group.id, { ...groupFormValues(group), leaderIds: group.leaderIds, ...rule }, at);
  }

  const FEBRUARY_MOVE = { date: '2027-02-17', startTime: '17.00', endTime: '19.00', place: 'Ishøj Bibliotek', reason: 'Lokalet er optaget' };

  beforeEach(async () => {
    await startWithoutGroups(handle.db, staff);
    await seedDefaultGroups(handle.db, NOW);
    const groups = await listGroups(handle.db, coordinator);
    const seededGirls = groups.find((g) => g.slug === 'pigegruppen')!;
    siblings = groups.find((g) => g.slug === 'soeskendegruppen-boern')!;
    girls = (await updateGroup(handle.db, coordinator, seededGirls.id, { ...groupFormValues(seededGirls), leaderIds: [leaderA.user.id] }, NOW)).group;
  });

  describe('listing meetings', () => {
    it('shows the next 12 months with date, time, ISO week and place', async () => {
      const meetings = await listMeetings(handle.db, leaderA, girls.id, { from: '2026-11-23', to: '2027-11-30' });
      expect(meetings).toHaveLength(12);
      expect(meetings[0]).toMatchObject({
        date: '2026-12-09',
        startTime: '16:00',
        endTime: '18:00',
        week: 50,
        status: 'planned',
        place: 'Familiecentret, Ishøj',
      });
      expect(meetings.map((s) => s.date).slice(0, 3)).toEqual(['2026-12-09', '2027-01-13', '2027-02-10']);
    });

    it('keeps the list to the dates asked for', async () => {
      const meetings = await listMeetings(handle.db, coordinator, girls.id, { from: '2027-01-13', to: '2027-02-10' });
      expect(meetings.map((s) => s.date)).toEqual(['2027-01-13', '2027-02-10']);
    });

    it("is closed to caseworkers and to leaders of other groups", async () => {
      const range = { from: '2026-11-23', to: '2027-11-30' };
      await expect(listMeetings(handle.db, caseworker, girls.id, range)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(listMeetings(handle.db, leaderB, girls.id, range)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(listMeetings(handle.db, leaderA, siblings.id, range)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(getMeeting(handle.db, leaderB, await meetingId(girls.id, '2027-02'))).rejects.toBeInstanceOf(ForbiddenError);
      await expect(getMeeting(handle.db, coordinator, randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('moving a meeting', () => {
    it('moves it, marks it as moved by hand and raises its sequence', async () => {
      const id = await meetingId(girls.id, '2027-02');
      const moved = await moveMeeting(handle.db, leaderA, id, FEBRUARY_MOVE, NOW);
      expect(moved).toMatchObject({ id, date: '2027-02-17', startTime: '17:00', endTime: '19:00', status: 'moved', place: 'Ishøj Bibliotek' });
      expect(await meetingByKey(handle.db, girls.id, '2027-02')).toMatchObject({
        id,
        starts_at: '2027-02-17T16:00:00.000Z',
        ends_at: '2027-02-17T18:00:00.000Z',
        status: 'moved',
        sequence: 1,
        updated_at: NOW.toISOString(),
      });
      expect(Number((await meetingByKey(handle.db, girls.id, '2027-02'))!.is_manual)).toBe(1);
      const audit = await handle.db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'meeting').execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ entity_id: id, user_id: leaderA.user.id, action: 'update' });
      expect(audit[0]!.detail).toContain('Lokalet er optaget');
    });

    it('survives a change of the meeting rule, while the untouched meetings follow the rule', async () => {
      const id = await meetingId(girls.id, '2027-02');
      await moveMeeting(handle.db, coordinator, id, FEBRUARY_MOVE, NOW);
      const march = await meetingByKey(handle.db, girls.id, '2027-03');
      await changeRule(girls, { weekday: '4', nth: '1' }, NOW);
      expect(await meetingByKey(handle.db, girls.id, '2027-02')).toMatchObject({ id, starts_at: '2027-02-17T16:00:00.000Z', status: 'moved', sequence: 1 });
      // The first Thursday of March 2027 is the 4th.
      expect(await meetingByKey(handle.db, girls.id, '2027-03')).toMatchObject({ id: march!.id, starts_at: '2027-03-04T15:00:00.000Z', sequence: 1 });
    });

    it('refuses a time in the past, an end before the start and a date that is not a date', async () => {
      const id = await meetingId(girls.id, '2027-02');
      const past = await errorOf(moveMeeting(handle.db, coordinator, id, { ...FEBRUARY_MOVE, date: '2026-11-23', startTime: '09.00', endTime: '11.00' }, NOW));
      expect(past).toBeInstanceOf(ValidationError);
      expect((past as ValidationError).fields['date']).toMatch(/passeret/);
      const backwards = await errorOf(moveMeeting(handle.db, coordinator, id, { ...FEBRUARY_MOVE, startTime: '19.00', endTime: '17.00' }, NOW));
      expect((backwards as ValidationError).fields).toEqual({ endTime: 'Sluttidspunktet skal ligge efter starttidspunktet.' });
      const nonsense = await errorOf(moveMeeting(handle.db, coordinator, id, { ...FEBRUARY_MOVE, date: '2027-02-30', startTime: 'snart', place: ' ' }, NOW));
      expect(Object.keys((nonsense as ValidationError).fields).sort()).toEqual(['date', 'place', 'startTime']);
      expect(await meetingByKey(handle.db, girls.id, '2027-02')).toMatchObject({ status: 'planned', sequence: 0 });
    });

    it('refuses a meeting that has already been held', async () => {
      const id = await meetingId(girls.id, '2026-12');
      const afterIt = new Date('2026-12-10T09:00:00Z');
      await expect(moveMeeting(handle.db, coordinator, id, FEBRUARY_MOVE, afterIt)).rejects.toBeInstanceOf(ConflictError);
    });

    it("lets a leader move only their own group's meetings", async () => {
      const theirs = await meetingId(siblings.id, '2027-02');
      await expect(moveMeeting(handle.db, leaderA, theirs, FEBRUARY_MOVE, NOW)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(moveMeeting(handle.db, caseworker, theirs, FEBRUARY_MOVE, NOW)).rejects.toBeInstanceOf(ForbiddenError);
      expect(await meetingByKey(handle.db, siblings.id, '2027-02')).toMatchObject({ status: 'planned', sequence: 0 });
    });
  });

  describe('cancelling and restoring', () => {
    it('needs a reason and the ticked confirmation', async () => {
      const id = await meetingId(girls.id, '2027-01');
      const error = await errorOf(cancelMeeting(handle.db, leaderA, id, { reason: ' ', confirm: '' }, NOW));
      expect(error).toBeInstanceOf(ValidationError);
      expect(Object.keys((error as ValidationError).fields).sort()).toEqual(['confirm', 'reason']);
      const unticked = await errorOf(cancelMeeting(handle.db, leaderA, id, { reason: 'Sygdom' }, NOW));
      expect((unticked as ValidationError).fields['confirm']).toMatch(/Ja, aflys mødet/);
      expect(await meetingByKey(handle.db, girls.id, '2027-01')).toMatchObject({ status: 'planned' });
    });

    it('keeps a cancelled meeting cancelled when the rule changes', async () => {
      const id = await meetingId(girls.id, '2027-01');
      const cancelled = await cancelMeeting(handle.db, leaderA, id, { reason: 'Sygdom', confirm: 'ja' }, NOW);
      expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: 'Sygdom', sequence: 1 });
      await changeRule(girls, { startTime: '15.00', endTime: '17.00' }, NOW);
      expect(await meetingByKey(handle.db, girls.id, '2027-01')).toMatchObject({
        id,
        status: 'cancelled',
        starts_at: '2027-01-13T15:00:00.000Z',
        cancel_reason: 'Sygdom',
        sequence: 1,
      });
      await expect(cancelMeeting(handle.db, leaderA, id, { reason: 'Igen', confirm: 'ja' }, NOW)).rejects.toBeInstanceOf(ConflictError);
    });

    it('restores a cancelled meeting at its time, back under the meeting rule', async () => {
      const id = await meetingId(girls.id, '2027-01');
      await cancelMeeting(handle.db, leaderA, id, { reason: 'Sygdom', confirm: 'ja' }, NOW);
      const restored = await restoreMeeting(handle.db, leaderA, id, NOW);
      expect(restored).toMatchObject({ id, status: 'planned', date: '2027-01-13', startTime: '16:00', cancelReason: null, sequence: 2 });
      expect(Number((await meetingByKey(handle.db, girls.id, '2027-01'))!.is_manual)).toBe(0);
      // Back under the rule: a later rule change moves it like the others.
      await changeRule(girls, { startTime: '15.00', endTime: '17.00' }, NOW);
      expect(await meetingByKey(handle.db, girls.id, '2027-01')).toMatchObject({ starts_at: '2027-01-13T14:00:00.000Z', sequence: 3 });
      await expect(restoreMeeting(handle.db, leaderA, id, NOW)).rejects.toBeInstanceOf(ConflictError);
    });

    it('restores a meeting that was moved before it was cancelled at its moved time', async () => {
      const id = await meetingId(girls.id, '2027-02');
      await moveMeeting(handle.db, coordinator, id, FEBRUARY_MOVE, NOW);
      await cancelMeeting(handle.db, coordinator, id, { reason: 'Sygdom', confirm: 'on' }, NOW);
      const restored = await restoreMeeting(handle.db, coordinator, id, NOW);
      expect(restored).toMatchObject({ status: 'moved', date: '2027-02-17', startTime: '17:00', place: 'Ishøj Bibliotek', sequence: 3 });
    });

    it('raises the sequence on every change, one step each', async () => {
      const id = await meetingId(girls.id, '2027-03');
      const sequences: number[] = [];
      sequences.push((await moveMeeting(handle.db, leaderA, id, { ...FEBRUARY_MOVE, date: '2027-03-17' }, NOW)).sequence);
      sequences.push((await cancelMeeting(handle.db, leaderA, id, { reason: 'Sygdom', confirm: 'ja' }, NOW)).sequence);
      sequences.push((await restoreMeeting(handle.db, leaderA, id, NOW)).sequence);
      sequences.push((await moveMeeting(handle.db, leaderA, id, { ...FEBRUARY_MOVE, date: '2027-03-10', startTime: '16.00', endTime: '18.00' }, NOW)).sequence);
      expect(sequences).toEqual([1, 2, 3, 4]);
    });

    it('moves the quarter’s intake window to the next meeting when its first meeting is cancelled', async () => {
      const january = await meetingId(siblings.id, '2027-01');
      const february = await meetingId(siblings.id, '2027-02');
      const windowMeeting = async () =>
        (await handle.db.selectFrom('intake_windows').select('meeting_id').where('group_id', '=', siblings.id).where('quarter_start', '=', '2027-01-01').executeTakeFirst())?.meeting_id;
      expect(await windowMeeting()).toBe(january);
      await cancelMeeting(handle.db, coordinator, january, { reason: 'Sygdom', confirm: 'ja' }, NOW);
      expect(await windowMeeting()).toBe(february);
      await restoreMeeting(handle.db, coordinator, january, NOW);
      expect(await windowMeeting()).toBe(january);
    });
  });

  describe('closed periods', () => {
    const WINTER = { name: 'Vinterferie', startDate: '2027-02-08', endDate: '2027-02-14', groupId: '' };

    it('pushes a meeting in the period a week on, keeping its id, and back when the period is deleted', async () => {
      const february = await meetingByKey(handle.db, girls.id, '2027-02');
      const added = await addClosedPeriod(handle.db, coordinator, WINTER, NOW);
      expect(added).toMatchObject({ meetingsChanged: 1, manualMeetingsInPeriod: 0 });
      expect(await meetingByKey(handle.db, girls.id, '2027-02')).toMatchObject({ id: february!.id, starts_at: '2027-02-17T15:00:00.000Z', sequence: 1 });
      // The siblings groups meet on 2 and 18 February: not in the period.
      expect(await meetingByKey(handle.db, siblings.id, '2027-02')).toMatchObject({ sequence: 0 });

      const periods = await listClosedPeriods(handle.db, coordinator);
      expect(periods.map((p) => [p.name, p.startDate, p.endDate, p.groupId])).toEqual([['Vinterferie', '2027-02-08', '2027-02-14', null]]);

      expect(await deleteClosedPeriod(handle.db, coordinator, added.id, NOW)).toEqual({ meetingsChanged: 1 });
      expect(await meetingByKey(handle.db, girls.id, '2027-02')).toMatchObject({ id: february!.id, starts_at: '2027-02-10T15:00:00.000Z', sequence: 2 });
      const audit = await handle.db.selectFrom('audit_log').select(['action']).where('entity_type', '=', 'closed_period').orderBy('action').execute();
      expect(audit.map((a) => a.action)).toEqual(['create', 'delete']);
    });

    it('drops the meeting when the group skips closed dates', async () => {
      await changeRule(girls, { onClosed: 'drop' }, NOW);
      await addClosedPeriod(handle.db, coordinator, { ...WINTER, groupId: girls.id }, NOW);
      expect(await meetingByKey(handle.db, girls.id, '2027-02')).toBeUndefined();
      expect(await meetingByKey(handle.db, girls.id, '2027-03')).toMatchObject({ starts_at: '2027-03-10T15:00:00.000Z' });
    });

    it('closes only the chosen group', async () => {
      await addClosedPeriod(handle.db, coordinator, { name: 'Kursus', startDate: '2027-02-02', endDate: '2027-02-02', groupId: siblings.id }, NOW);
      // First Tuesday 2 February → 9 February.
      expect(await meetingByKey(handle.db, siblings.id, '2027-02')).toMatchObject({ starts_at: '2027-02-09T15:30:00.000Z' });
      expect(await meetingByKey(handle.db, girls.id, '2027-02')).toMatchObject({ starts_at: '2027-02-10T15:00:00.000Z', sequence: 0 });
    });

    it('leaves meetings moved by hand alone and says how many lie in the period', async () => {
      const id = await meetingId(girls.id, '2027-02');
      await moveMeeting(handle.db, coordinator, id, { ...FEBRUARY_MOVE, date: '2027-02-11' }, NOW);
      const added = await addClosedPeriod(handle.db, coordinator, WINTER, NOW);
      expect(added.manualMeetingsInPeriod).toBe(1);
      expect(await meetingByKey(handle.db, girls.id, '2027-02')).toMatchObject({ id, starts_at: '2027-02-11T16:00:00.000Z', status: 'moved' });
    });

    it('refuses an end before the start, an unknown group and a missing name', async () => {
      const backwards = await errorOf(addClosedPeriod(handle.db, coordinator, { ...WINTER, startDate: '2027-02-14', endDate: '2027-02-08' }, NOW));
      expect((backwards as ValidationError).fields).toEqual({ endDate: 'Den sidste dag må ikke ligge før den første dag.' });
      const unknownGroup = await errorOf(addClosedPeriod(handle.db, coordinator, { ...WINTER, groupId: randomUUID() }, NOW));
      expect(Object.keys((unknownGroup as ValidationError).fields)).toEqual(['groupId']);
      const noName = await errorOf(addClosedPeriod(handle.db, coordinator, { ...WINTER, name: '' }, NOW));
      expect((noName as ValidationError).fields).toEqual({ name: 'Skriv et navn, fx Sommerferie.' });
      expect(await listClosedPeriods(handle.db, coordinator)).toEqual([]);
    });

    it('is for the coordinator only', async () => {
      await expect(addClosedPeriod(handle.db, leaderA, WINTER, NOW)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(listClosedPeriods(handle.db, leaderA)).rejects.toBeInstanceOf(ForbiddenError);
      const added = await addClosedPeriod(handle.db, coordinator, WINTER, NOW);
      await expect(deleteClosedPeriod(handle.db, leaderA, added.id, NOW)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(deleteClosedPeriod(handle.db, coordinator, randomUUID(), NOW)).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  describe('regenerating as time goes by', () => {
    it('extends every group to 12 months ahead, also when two processes do it at once', async () => {
      const twoMonthsOn = new Date(NOW.getTime() + 61 * DAY); // 23 January 2027
      const results = await Promise.all([regenerateAllGroups(handle.db, twoMonthsOn), regenerateAllGroups(handle.db, twoMonthsOn)]);
      expect(results[0].created + results[1].created).toBeGreaterThanOrEqual(6);
      for (const group of [girls, siblings]) {
        const keys = (await handle.db.selectFrom('meetings').select('occurrence_key').where('group_id', '=', group.id).execute()).map((r) => r.occurrence_key);
        expect(new Set(keys).size).toBe(keys.length);
        expect(keys).toEqual(expect.arrayContaining(['2027-12', '2028-01']));
      }
      expect(await regenerateAllGroups(handle.db, twoMonthsOn)).toEqual({ created: 0, updated: 0, removed: 0 });
    });

    it('adds the new month at the end and leaves everything else as it was', async () => {
      const before = await handle.db.selectFrom('meetings').selectAll().where('group_id', '=', girls.id).execute();
      const nextMonth = new Date(NOW.getTime() + 31 * DAY);
      const result = await handle.db.transaction().execute((trx) => regenerateMeetings(trx, girls.id, nextMonth));
      expect(result).toEqual({ created: 1, updated: 0, removed: 0 });
      const after = await handle.db.selectFrom('meetings').selectAll().where('group_id', '=', girls.id).orderBy('starts_at').execute();
      expect(after.slice(0, before.length)).toEqual(before.sort((a, b) => a.starts_at.localeCompare(b.starts_at)));
      expect(after.at(-1)).toMatchObject({ occurrence_key: '2027-12', starts_at: '2027-12-08T15:00:00.000Z' });
    });
  });
});
