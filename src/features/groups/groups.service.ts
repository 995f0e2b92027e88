import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { parseInput } from '../../lib/forms';
import type { Database } from '../../lib/server/database';
import type { FieldErrors } from '../../lib/errors';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import type { Actor } from '../auth/auth';
import { recordAudit } from '../audit/audit.service';
import type { RegenerationResult, MeetingView } from '../schedule/schedule.service';
import { regenerateMeetings, toMeetingView } from '../schedule/schedule.service';
import { selectUpcomingMeetings } from '../schedule/schedule.repository';
import type { Group, GroupInput, StaffMember } from './groups';
import { DEFAULT_GROUPS, groupFormSchema } from './groups';
import {
  countGroups,
  insertGroupIfSlugFree,
  insertMeetingRule,
  isSlugTaken,
  replaceGroupLeaders,
  selectGroup,
  selectGroupIdsLedBy,
  selectGroups,
  selectLeaderCandidates,
  selectStaffNames,
  updateGroupRow,
  updateMeetingRule,
} from './groups.repository';

type Db = Kysely<Database> | Transaction<Database>;

/** A group with its leaders' names, for lists and the edit page. */
export interface GroupWithLeaders extends Group {
  leaders: StaffMember[];
}

export interface DashboardGroup {
  group: GroupWithLeaders;
  /** The next three meetings that have not ended yet, cancelled ones included (shown as cancelled). */
  nextMeetings: MeetingView[];
}

/** The edit form's input: the form's text fields, plus leaderIds from the checkbox list. */
export type GroupFormInput = Record<string, unknown>;

function assertCoordinator(actor: Actor): void {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan oprette og ændre grupper.');
}

/** The groups an actor may see: all for the coordinator, their own for a leader, none for anyone else. */
async function visibleGroups(db: Db, actor: Actor): Promise<Group[]> {
  if (actor.user.role === 'coordinator') return selectGroups(db);
  if (actor.user.role === 'leader') return selectGroups(db, await selectGroupIdsLedBy(db, actor.user.id));
  throw new ForbiddenError();
}

async function withLeaders(db: Db, groups: Group[]): Promise<GroupWithLeaders[]> {
  const names = await selectStaffNames(db, [...new Set(groups.flatMap((g) => g.leaderIds))]);
  return groups.map((g) => ({
    ...g,
    leaders: g.leaderIds
      .map((id) => ({ id, displayName: names.get(id) ?? '' }))
      .sort((a, b) => a.displayName.localeCompare(b.displayName, 'da')),
  }));
}

export async function listGroups(db: Db, actor: Actor): Promise<GroupWithLeaders[]> {
  return withLeaders(db, await visibleGroups(db, actor));
}

export async function getGroup(db: Db, actor: Actor, id: string): Promise<GroupWithLeaders> {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') throw new ForbiddenError();
  const group = await selectGroup(db, id);
  if (!group) throw new NotFoundError('Gruppen findes ikke.');
  if (actor.user.role === 'leader' && !group.leaderIds.includes(actor.user.id)) {
    throw new ForbiddenError('Du kan kun se de grupper, du selv er leder af.');
  }
  const [withNames] = await withLeaders(db, [group]);
  return withNames ?? { ...group, leaders: [] };
}

/** Staff who can be ticked as a group's leaders: leaders and coordinators with an active account. */
export async function listLeaders(db: Db): Promise<StaffMember[]> {
  return selectLeaderCandidates(db);
}

/** Checks the form, the slug and the leaders. A leader already on the group may stay even if since disabled. */
async function validateGroupInput(db: Db, input: GroupFormInput, existing: Group | null): Promise<GroupInput> {
  const data = parseInput(groupFormSchema, input);
  const errors: FieldErrors = {};
  if (await isSlugTaken(db, data.slug, existing?.id ?? null)) errors['slug'] = 'En anden gruppe bruger allerede dette adressenavn.';
  const allowed = new Set([...(await selectLeaderCandidates(db)).map((c) => c.id), ...(existing?.leaderIds ?? [])]);
  if (data.leaderIds.some((id) => !allowed.has(id))) errors['leaderIds'] = 'Vælg kun gruppeledere fra listen.';
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return data;
}

function auditDetail(group: GroupInput): string {
  return JSON.stringify({
    slug: group.slug,
    name: group.name,
    minAge: group.minAge,
    maxAge: group.maxAge,
    capacity: group.capacity,
    place: group.place,
    intakeRule: group.intakeRule,
    maxCourseMonths: group.maxCourseMonths,
    rule: group.rule,
    leaderIds: group.leaderIds,
  });
}

/** Creates a group with its meeting rule, leaders and the next 12 months of meetings. Coordinator only. */
export async function createGroup(db: Kysely<Database>, actor: Actor, input: GroupFormInput, now: Date): Promise<Group> {
  assertCoordinator(actor);
  return db.transaction().execute(async (trx) => {
    const data = await validateGroupInput(trx, input, null);
    const id = randomUUID();
    if (!(await insertGroupIfSlugFree(trx, id, data, now))) {
      throw new ValidationError({ slug: 'En anden gruppe bruger allerede dette adressenavn.' });
    }
    await insertMeetingRule(trx, randomUUID(), id, data.rule, now);
    await replaceGroupLeaders(trx, id, data.leaderIds);
    await regenerateMeetings(trx, id, now);
    await recordAudit(trx, actor, [{ action: 'create', entityType: 'group', entityId: id, detail: auditDetail(data) }], now);
    const created = await selectGroup(trx, id);
    if (!created) throw new NotFoundError('Gruppen findes ikke.');
    return created;
  });
}

function sameRule(a: Group['rule'], b: Group['rule']): boolean {
  return (
    a.weekday === b.weekday && a.nth === b.nth && a.startTime === b.startTime && a.endTime === b.endTime && a.onClosed === b.onClosed
  );
}

export interface GroupUpdate {
  group: Group;
  /** What happened to the future meetings; null when the rule and place were unchanged. */
  meetings: RegenerationResult | null;
}

/**
 * Changes a group, its meeting rule and its leaders in one transaction. A changed rule or place moves the
 * future meetings nobody has touched by hand; a changed intake rule refreshes the intake windows.
 */
export async function updateGroup(db: Kysely<Database>, actor: Actor, id: string, input: GroupFormInput, now: Date): Promise<GroupUpdate> {
  assertCoordinator(actor);
  return db.transaction().execute(async (trx) => {
    const before = await selectGroup(trx, id);
    if (!before) throw new NotFoundError('Gruppen findes ikke.');
    const data = await validateGroupInput(trx, input, before);
    await updateGroupRow(trx, id, data, now);
    const ruleChanged = !sameRule(before.rule, data.rule);
    if (ruleChanged) await updateMeetingRule(trx, id, data.rule, now);
    await replaceGroupLeaders(trx, id, data.leaderIds);
    const scheduleChanged = ruleChanged || before.place !== data.place || before.intakeRule !== data.intakeRule;
    // regenerateMeetings also refreshes the intake windows, so an intake rule change is covered here too.
    const meetings = scheduleChanged ? await regenerateMeetings(trx, id, now) : null;
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'group', entityId: id, detail: auditDetail(data) }], now);
    const after = await selectGroup(trx, id);
    if (!after) throw new NotFoundError('Gruppen findes ikke.');
    return { group: after, meetings };
  });
}

/**
 * Creates the centre's three groups with 12 months of meetings, only when there are no groups yet. Safe when two
 * processes start at once: a group whose slug exists already is skipped. Returns how many groups it created.
 */
export async function seedDefaultGroups(db: Kysely<Database>, now: Date): Promise<number> {
  if ((await countGroups(db)) > 0) return 0;
  return db.transaction().execute(async (trx) => {
    let created = 0;
    for (const input of DEFAULT_GROUPS) {
      const id = randomUUID();
      if (!(await insertGroupIfSlugFree(trx, id, input, now))) continue;
      await insertMeetingRule(trx, randomUUID(), id, input.rule, now);
      await regenerateMeetings(trx, id, now);
      await recordAudit(trx, { system: 'seed' }, [{ action: 'create', entityType: 'group', entityId: id, detail: auditDetail(input) }], now);
      created += 1;
    }
    return created;
  });
}

/** The staff front page: the actor's groups (all for the coordinator) with their next three meetings. */
export async function leaderDashboard(db: Db, actor: Actor, now: Date): Promise<DashboardGroup[]> {
  const groups = await withLeaders(db, await visibleGroups(db, actor));
  const upcoming = await selectUpcomingMeetings(
    db,
    groups.map((g) => g.id),
    now,
  );
  return groups.map((group) => ({
    group,
    nextMeetings: upcoming
      .filter((s) => s.groupId === group.id)
      .slice(0, 3)
      .map(toMeetingView),
  }));
}
