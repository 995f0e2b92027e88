import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/errors';
import { groupFormValues } from '../../src/features/groups/groups';
import type { Group } from '../../src/features/groups/groups';
import {
  createGroup,
  getGroup,
  leaderDashboard,
  listGroups,
  listLeaders,
  seedDefaultGroups,
  updateGroup,
} from '../../src/features/groups/groups.service';
import { planningWindow } from '../../src/features/schedule/schedule.service';
import { instantToZoned } from '../../src/lib/time';
import { meetingsOfGroup } from '../support/builders';
import { addStaffMember, planStaff, startWithoutGroups } from '../support/staff';
import { databaseKind, useTestDatabase } from '../support/database';
import { NOW, DAY } from '../support/clock';

describe(`groups service on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  const staff = planStaff({}, { at: NOW });
  const { coordinator, leader: leaderA, otherLeader: leaderB, caseworker } = staff;

  async function groupBySlug(slug: string): Promise<Group> {
    const group = (await listGroups(handle.db, coordinator)).find((g) => g.slug === slug);
    if (!group) throw new Error(`no group ${slug}`);
    return group;
  }

  function editForm(group: Group, overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return { ...groupFormValues(group), leaderIds: group.leaderIds, ...overrides };
  }

  beforeEach(() => startWithoutGroups(handle.db, staff));

  describe('seeding the default groups', () => {
    it('creates the three groups with their meetings for the next 12 months', async () => {
      expect(await seedDefaultGroups(handle.db, NOW)).toBe(3);
      const groups = await listGroups(handle.db, coordinator);
      expect(groups.map((g) => g.name)).toEqual(['Pigegruppen', 'Søskendegruppen børn', 'Søskendegruppen unge']);

      const { to } = planningWindow(NOW);
      expect(to).toBe('2027-11-30');
      for (const group of groups) {
        const meetings = await meetingsOfGroup(handle.db, group.id);
        expect(meetings.length, group.slug).toBe(12);
        expect(new Set(meetings.map((s) => s.occurrence_key)).size).toBe(12);
        expect(meetings.every((s) => s.status === 'planned' && Number(s.is_manual) === 0 && s.place === group.place)).toBe(true);
        expect(new Date(meetings[0]!.starts_at).getTime()).toBeGreaterThan(NOW.getTime());
        expect(instantToZoned(new Date(meetings.at(-1)!.starts_at)).date <= to).toBe(true);
      }

      // The girls' group: second Wednesday, 16.00-18.00 Copenhagen time; the next one is 9 December 2026.
      const girls = await meetingsOfGroup(handle.db, groups[0]!.id);
      expect(girls[0]!.starts_at).toBe('2026-12-09T15:00:00.000Z');
      expect(girls[0]!.ends_at).toBe('2026-12-09T17:00:00.000Z');
      // Summer time: 14 July 2027 16.00 is 14.00 UTC.
      expect(girls.find((s) => s.occurrence_key === '2027-07')?.starts_at).toBe('2027-07-14T14:00:00.000Z');
    });

    it('gives the quarterly groups an intake window per quarter and the open group none', async () => {
      await seedDefaultGroups(handle.db, NOW);
      const children = await groupBySlug('soeskendegruppen-boern');
      const girls = await groupBySlug('pigegruppen');
      const windows = await handle.db
        .selectFrom('intake_windows')
        .innerJoin('meetings', 'meetings.id', 'intake_windows.meeting_id')
        .select(['intake_windows.group_id', 'intake_windows.quarter_start', 'meetings.occurrence_key'])
        .orderBy('intake_windows.quarter_start')
        .execute();
      expect(windows.filter((w) => w.group_id === girls.id)).toEqual([]);
      // First Tuesday. The current quarter's window is its first meeting still to come (1 December 2026);
      // after that, each quarter starts at its January, April, July and October meeting.
      expect(windows.filter((w) => w.group_id === children.id).map((w) => [w.quarter_start, w.occurrence_key])).toEqual([
        ['2026-10-01', '2026-12'],
        ['2027-01-01', '2027-01'],
        ['2027-04-01', '2027-04'],
        ['2027-07-01', '2027-07'],
        ['2027-10-01', '2027-10'],
      ]);
    });

    it('creates nothing the second time', async () => {
      await seedDefaultGroups(handle.db, NOW);
      const before = await handle.db.selectFrom('meetings').select('id').execute();
      expect(await seedDefaultGroups(handle.db, new Date(NOW.getTime() + 40 * DAY))).toBe(0);
      const after = await handle.db.selectFrom('meetings').select('id').execute();
      expect(after.map((r) => r.id).sort()).toEqual(before.map((r) => r.id).sort());
      expect((await listGroups(handle.db, coordinator)).length).toBe(3);
    });

    it('creates each group once when two processes seed at the same moment', async () => {
      const counts = await Promise.all([seedDefaultGroups(handle.db, NOW), seedDefaultGroups(handle.db, NOW)]);
      expect(counts[0] + counts[1]).toBe(3);
      expect((await handle.db.selectFrom('groups').select('id').execute()).length).toBe(3);
      expect((await handle.db.selectFrom('meeting_rules').select('id').execute()).length).toBe(3);
    });

    it('does nothing when the coordinator already has groups', async () => {
      await createGroup(handle.db, coordinator, { ...groupFormValues((await seededInput())[0]!), slug: 'egen-gruppe' }, NOW);
      expect(await seedDefaultGroups(handle.db, NOW)).toBe(0);
      expect((await listGroups(handle.db, coordinator)).map((g) => g.slug)).toEqual(['egen-gruppe']);
    });
  });

  async function seededInput() {
    const { DEFAULT_GROUPS } = await import('../../src/features/groups/groups');
    return DEFAULT_GROUPS;
  }

  describe('who sees what', () => {
    beforeEach(async () => {
      await seedDefaultGroups(handle.db, NOW);
      const girls = await groupBySlug('pigegruppen');
      await updateGroup(handle.db, coordinator, girls.id, editForm(girls, { leaderIds: [leaderA.user.id] }), NOW);
    });

    it('shows the coordinator every group and a leader only the groups they lead', async () => {
      expect((await listGroups(handle.db, coordinator)).length).toBe(3);
      const mine = await listGroups(handle.db, leaderA);
      expect(mine.map((g) => g.slug)).toEqual(['pigegruppen']);
      expect(mine[0]!.leaders).toEqual([{ id: leaderA.user.id, displayName: leaderA.user.displayName }]);
      expect(await listGroups(handle.db, leaderB)).toEqual([]);
    });

    it('does not let a caseworker list or open groups', async () => {
      const girls = await groupBySlug('pigegruppen');
      await expect(listGroups(handle.db, caseworker)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(getGroup(handle.db, caseworker, girls.id)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(leaderDashboard(handle.db, caseworker, NOW)).rejects.toBeInstanceOf(ForbiddenError);
    });

    it("does not let a leader open or edit another leader's group", async () => {
      const girls = await groupBySlug('pigegruppen');
      await expect(getGroup(handle.db, leaderB, girls.id)).rejects.toBeInstanceOf(ForbiddenError);
      expect((await getGroup(handle.db, leaderA, girls.id)).name).toBe('Pigegruppen');
      await expect(updateGroup(handle.db, leaderB, girls.id, editForm(girls, { capacity: '12' }), NOW)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      // Leading a group is not enough to edit it: that is the coordinator's job.
      await expect(updateGroup(handle.db, leaderA, girls.id, editForm(girls, { capacity: '12' }), NOW)).rejects.toBeInstanceOf(
        ForbiddenError,
      );
      await expect(createGroup(handle.db, leaderA, editForm(girls, { slug: 'ny' }), NOW)).rejects.toBeInstanceOf(ForbiddenError);
      expect((await groupBySlug('pigegruppen')).capacity).toBe(10);
    });

    it('answers "not found" for a group that does not exist', async () => {
      await expect(getGroup(handle.db, coordinator, randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    });

    it("puts the leader's groups with their next three meetings on the front page", async () => {
      const board = await leaderDashboard(handle.db, leaderA, NOW);
      expect(board.map((b) => b.group.slug)).toEqual(['pigegruppen']);
      expect(board[0]!.nextMeetings.map((s) => [s.date, s.startTime, s.endTime, s.week])).toEqual([
        ['2026-12-09', '16:00', '18:00', 50],
        ['2027-01-13', '16:00', '18:00', 2],
        ['2027-02-10', '16:00', '18:00', 6],
      ]);
      expect((await leaderDashboard(handle.db, coordinator, NOW)).length).toBe(3);
      expect(await leaderDashboard(handle.db, leaderB, NOW)).toEqual([]);
    });
  });

  describe('editing a group', () => {
    let girls: Group;
    beforeEach(async () => {
      await seedDefaultGroups(handle.db, NOW);
      girls = await groupBySlug('pigegruppen');
    });

    it('saves the fields and the leaders, and writes the audit log', async () => {
      const result = await updateGroup(
        handle.db,
        coordinator,
        girls.id,
        editForm(girls, { capacity: '8', maxAge: '14', leaderIds: [leaderA.user.id, leaderB.user.id] }),
        NOW,
      );
      expect(result.meetings).toBeNull();
      const saved = await getGroup(handle.db, coordinator, girls.id);
      expect(saved.capacity).toBe(8);
      expect(saved.maxAge).toBe(14);
      expect(saved.leaders.map((l) => l.displayName)).toEqual([leaderA.user.displayName, leaderB.user.displayName]);
      const audit = await handle.db.selectFrom('audit_log').selectAll().where('entity_id', '=', girls.id).where('action', '=', 'update').execute();
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({ user_id: coordinator.user.id, entity_type: 'group' });
    });

    it('refuses bad input with messages at the fields and changes nothing', async () => {
      const error = await updateGroup(handle.db, coordinator, girls.id, editForm(girls, { capacity: '0', minAge: '15', maxAge: '7' }), NOW).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).fields).toEqual({
        capacity: 'Der skal være mindst én plads.',
        maxAge: 'Den højeste alder skal være mindst den laveste.',
      });
      expect((await groupBySlug('pigegruppen')).capacity).toBe(10);
    });

    it("refuses another group's slug and a leader who is not on the list", async () => {
      const caseworkerAsLeader = await updateGroup(handle.db, coordinator, girls.id, editForm(girls, { leaderIds: [caseworker.user.id] }), NOW).catch(
        (e: unknown) => e,
      );
      expect((caseworkerAsLeader as ValidationError).fields).toEqual({ leaderIds: 'Vælg kun gruppeledere fra listen.' });
      const taken = await updateGroup(handle.db, coordinator, girls.id, editForm(girls, { slug: 'soeskendegruppen-unge' }), NOW).catch(
        (e: unknown) => e,
      );
      expect((taken as ValidationError).fields['slug']).toMatch(/bruger allerede/);
    });

    it('keeps a leader whose account was closed when the group is saved again', async () => {
      await updateGroup(handle.db, coordinator, girls.id, editForm(girls, { leaderIds: [leaderA.user.id] }), NOW);
      await handle.db.updateTable('users').set({ disabled_at: NOW.toISOString() }).where('id', '=', leaderA.user.id).execute();
      const withClosedLeader = await getGroup(handle.db, coordinator, girls.id);
      await updateGroup(handle.db, coordinator, girls.id, editForm(withClosedLeader, { capacity: '9' }), NOW);
      expect((await getGroup(handle.db, coordinator, girls.id)).leaderIds).toEqual([leaderA.user.id]);
      // A closed account cannot be added to another group, though.
      const siblings = await groupBySlug('soeskendegruppen-unge');
      await expect(updateGroup(handle.db, coordinator, siblings.id, editForm(siblings, { leaderIds: [leaderA.user.id] }), NOW)).rejects.toBeInstanceOf(
        ValidationError,
      );
    });

    it('moves only future untouched meetings when the rule changes, keeping their ids', async () => {
      const later = new Date(NOW.getTime() + 60 * DAY); // 22 January 2027: December and January are past.
      const before = await meetingsOfGroup(handle.db, girls.id);
      const result = await updateGroup(
        handle.db,
        coordinator,
        girls.id,
        editForm(girls, { weekday: '1', nth: '-1', startTime: '15.30', endTime: '17.30' }),
        later,
      );
      expect(result.meetings).toMatchObject({ updated: 10, removed: 0 });
      const after = await meetingsOfGroup(handle.db, girls.id);
      const byId = new Map(after.map((s) => [s.id, s]));

      // Past meetings: untouched.
      for (const key of ['2026-12', '2027-01']) {
        const old = before.find((s) => s.occurrence_key === key)!;
        expect(byId.get(old.id)).toEqual(old);
      }
      // Future meetings: same id, new time (last Monday 15.30), sequence raised, updated_at set.
      const feb = before.find((s) => s.occurrence_key === '2027-02')!;
      expect(byId.get(feb.id)).toMatchObject({
        starts_at: '2027-02-22T14:30:00.000Z',
        ends_at: '2027-02-22T16:30:00.000Z',
        sequence: 1,
        updated_at: later.toISOString(),
      });
      // The window moved on: a new December 2027 meeting joins at the end.
      expect(after.map((s) => s.occurrence_key)).toContain('2027-12');
      expect(after.filter((s) => before.some((b) => b.id === s.id)).length).toBe(before.length);
    });

    it('moves future meetings to a new place and raises their sequence', async () => {
      await updateGroup(handle.db, coordinator, girls.id, editForm(girls, { place: 'Ishøj Bibliotek, mødelokale 2' }), NOW);
      const meetings = await meetingsOfGroup(handle.db, girls.id);
      expect(meetings.every((s) => s.place === 'Ishøj Bibliotek, mødelokale 2' && Number(s.sequence) === 1)).toBe(true);
    });

    it('creates a new group with its leaders and meetings', async () => {
      const created = await createGroup(
        handle.db,
        coordinator,
        editForm(girls, { slug: 'pigegruppen-2', name: 'Pigegruppen 2', weekday: '5', nth: '1', leaderIds: [leaderB.user.id] }),
        NOW,
      );
      expect(created.leaderIds).toEqual([leaderB.user.id]);
      const meetings = await meetingsOfGroup(handle.db, created.id);
      expect(meetings).toHaveLength(12);
      expect(instantToZoned(new Date(meetings[0]!.starts_at))).toMatchObject({ date: '2026-12-04', time: '16:00', weekday: 5 });
      expect((await listGroups(handle.db, leaderB)).map((g) => g.slug)).toEqual(['pigegruppen-2']);
    });
  });

  it('offers active leaders and coordinators as group leaders, not caseworkers or disabled accounts', async () => {
    await addStaffMember(handle.db, 'leader', 'Erik Stoppet', { disabled: true, at: NOW });
    expect((await listLeaders(handle.db)).map((l) => l.displayName)).toEqual([coordinator, leaderA, leaderB].map((a) => a.user.displayName));
  });
});
