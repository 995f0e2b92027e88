// The staff accounts a test file works with: one cast shared by the test files (a coordinator, two leaders and a
// caseworker), plus any a file needs of its own. `const { coordinator, leader } = useStaff(handle)`.
import { beforeAll } from 'vitest';
import type { Kysely } from 'kysely';
import type { Actor } from '../../src/features/auth/auth';
import type { Database, Role } from '../../src/lib/server/database';
import { addUser, insertUser, plannedUser, type UserSpec } from './builders';

/** One account: `[role, name]`, or a role with anything else a UserSpec holds. */
export type StaffSpec = readonly [Role, string] | (UserSpec & { role: Role });

function specOf(entry: StaffSpec, defaults: UserSpec): { role: Role; spec: UserSpec } {
  const [role, own] = Array.isArray(entry) ? [entry[0] as Role, { name: entry[1] as string }] : [(entry as { role: Role }).role, entry as UserSpec];
  // A caseworker works for a municipality; Ishøj unless told otherwise.
  return { role, spec: { ...(role === 'caseworker' ? { municipality: 'ishoj' } : {}), ...defaults, ...own } };
}

/** The shared cast: every planned staff has these four, unless a file gives one of the keys an account of its own. */
export const CAST = {
  coordinator: ['coordinator', 'Karin Koordinator'],
  leader: ['leader', 'Lars Leder'],
  otherLeader: ['leader', 'Olga Anden'],
  caseworker: ['caseworker', 'Rita Rådgiver'],
} as const satisfies Record<string, StaffSpec>;

export type Staff<K extends string> = Record<keyof typeof CAST | K, Actor>;

/** What each planned actor's row is written from. */
const specs = new WeakMap<Actor, UserSpec>();

/** The actors of staff accounts whose rows are not written yet (ids made here): write them with insertStaff. */
export function planStaff<K extends string = never>(own: Record<K, StaffSpec> = {} as Record<K, StaffSpec>, defaults: UserSpec = {}): Staff<K> {
  const people: Record<string, StaffSpec> = { ...CAST, ...own };
  return Object.fromEntries(Object.entries(people).map(([key, entry]) => {
    const { role, spec } = specOf(entry, defaults);
    const actor = plannedUser(role, spec);
    specs.set(actor, spec);
    return [key, actor];
  })) as Staff<K>;
}

/** Writes the planned accounts (again, after a test file wiped the users table). */
export async function insertStaff(db: Kysely<Database>, staff: Record<string, Actor>): Promise<void> {
  for (const actor of Object.values(staff)) await insertUser(db, actor, specs.get(actor) ?? {});
}

/**
 * For test files whose every test starts with no groups (groups, schedule): empties the tables a group, its schedule
 * and its leaders fill, the audit log and the accounts, then writes the planned staff again.
 */
export async function startWithoutGroups(db: Kysely<Database>, staff: Record<string, Actor>): Promise<void> {
  for (const table of ['audit_log', 'intake_windows', 'meetings', 'closed_periods', 'group_leaders', 'meeting_rules', 'groups', 'users'] as const) {
    await db.deleteFrom(table).execute();
  }
  await insertStaff(db, staff);
}

/**
 * The cast and the file's `own` accounts for the describe that calls it (after useTestDatabase): the actors are made
 * at once, so the file can name them in a `const`, and their rows are written in a beforeAll that runs after the
 * database's and before the file's own. `defaults` apply to every account (`{ at: NOW }`).
 */
export function useStaff<K extends string = never>(
  handle: { readonly db: Kysely<Database> },
  own: Record<K, StaffSpec> = {} as Record<K, StaffSpec>,
  defaults: UserSpec = {},
): Staff<K> {
  const staff = planStaff(own, defaults);
  beforeAll(() => insertStaff(handle.db, staff));
  return staff;
}

/** One more account made during a test, with useStaff's defaults. */
export function addStaffMember(db: Kysely<Database>, role: Role, name: string, spec: UserSpec = {}): Promise<Actor> {
  const made = specOf({ role, name, ...spec }, {});
  return addUser(db, made.role, made.spec);
}
