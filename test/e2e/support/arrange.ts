// What most browser tests start from: a group led by a leader who signs in like anyone (the account is made through
// the CLI), its meetings, and children on its list. Built from the shared builders (test/support/builders.ts).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { inject } from 'vitest';
import type { Actor } from '../../../src/features/auth/auth';
import type { Database } from '../../../src/lib/server/database';
import {
  addChild, addEnrollment, addGroup, addMeetingRule, addMeetings, type ChildSpec, type GroupSpec, type MeetingSpec,
} from '../../support/builders';
import { addAccount, type Account } from './accounts';

export interface GroupArrangement {
  leader: Account;
  /** The group's name; its slug is made from it, with a random ending. */
  name: string;
  /** More of the group's columns (girls_only is set unless given). */
  group?: GroupSpec;
  /** The group's rule of meetings (the builders' default rule), so its pages show a schedule. */
  rule?: boolean;
  meetings?: readonly Date[];
  meetingSpec?: MeetingSpec;
  /** Each child gets an enrollment in the group. */
  children?: readonly ChildSpec[];
}

export interface ArrangedChild {
  childId: string;
  enrollmentId: string;
  guardianIds: string[];
}

export interface ArrangedGroup {
  groupId: string;
  leaderId: string;
  /** The leader as a service call takes them (for setting up what a page would do, such as a family link). */
  leader: Actor;
  /** In the order the meetings were given. */
  meetingIds: string[];
  /** In the order the children were given. */
  children: ArrangedChild[];
  /** The first child's id ('' without children). */
  childId: string;
}

/** The leader's account, the group, its meetings and its children, all stamped now. */
export async function arrangeGroup(db: Kysely<Database>, a: GroupArrangement): Promise<ArrangedGroup> {
  addAccount(inject('databaseUrl'), a.leader, 'leader');
  const leaderId = (await db.selectFrom('users').select('id').where('email', '=', a.leader.email).executeTakeFirstOrThrow()).id;
  const at = new Date().toISOString();
  const slug = `${a.name.toLowerCase().replace(/\W+/g, '-')}-${randomUUID().slice(0, 6)}`;
  const groupId = await addGroup(db, { slug, name: a.name, girls_only: 1, created_at: at, updated_at: at, ...a.group, leaderIds: [leaderId] });
  if (a.rule) await addMeetingRule(db, groupId, { updated_at: at });
  const meetingIds = await addMeetings(db, groupId, a.meetings ?? [], { created_at: at, updated_at: at, ...a.meetingSpec });
  const children: ArrangedChild[] = [];
  for (const spec of a.children ?? []) {
    const { childId, guardianIds } = await addChild(db, { birth_date: '2016-03-15', created_at: at, updated_at: at, ...spec });
    const enrollmentId = await addEnrollment(db, { child_id: childId, group_id: groupId, created_at: at, updated_at: at });
    children.push({ childId, enrollmentId, guardianIds });
  }
  const leader: Actor = { user: { id: leaderId, email: a.leader.email, displayName: a.leader.name, role: 'leader', municipality: null }, ip: null };
  return { groupId, leaderId, leader, meetingIds, children, childId: children[0]?.childId ?? '' };
}
