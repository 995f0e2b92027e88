// The benchmark's data: the demo set or the large set (ten years, fifty groups), the accounts that sign in, and the
// concrete things to ask for (a big attendance sheet, a year with data). Bench tooling, not app code: the few
// direct queries here only arrange data and pick targets.
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { createAuthSession, validateSessionToken } from '../../src/features/auth/auth.service';
import type { StaffUser } from '../../src/features/auth/auth';
import { loadDemoData } from '../../src/features/demo/demo.service';
import { addUserFromOperator } from '../../src/features/operator/operator.service';
import type { Database } from '../../src/lib/server/database';
import { addLeaders } from '../../test/support/builders';

export type DataSize = 'demo' | 'large';

export const LARGE_SET = { years: 10, groups: 50, childrenPerGroup: 150, groupCapacity: 15 } as const;
export const SEED = 20261123;
export const PUBLIC_SLUG = 'pigegruppen';
export const PASSWORD = 'bench-Adgangskode-2026!';
export const ACCOUNTS = {
  coordinator: { email: 'bench-coordinator@example.org', role: 'coordinator', name: 'Bench Koordinator', municipality: '' },
  leader: { email: 'bench-leader@example.org', role: 'leader', name: 'Bench Gruppeleder', municipality: '' },
} as const;

export async function loadDataSet(db: Kysely<Database>, size: DataSize, now: Date): Promise<{ ms: number; counts: Record<string, number> }> {
  const started = performance.now();
  const result =
    size === 'large' ? await loadDemoData(db, now, { ...LARGE_SET, seed: SEED }) : await loadDemoData(db, now, { seed: SEED });
  return { ms: performance.now() - started, counts: result.counts };
}

/** The accounts in-process (for the second database that only counts queries); the main one uses the CLI. */
export async function addAccountsInProcess(db: Kysely<Database>, now: Date): Promise<void> {
  for (const account of Object.values(ACCOUNTS)) {
    const result = await addUserFromOperator(db, account, PASSWORD, now);
    if (!result.ok) throw new Error(`Could not add ${account.email}: ${JSON.stringify(result.errors)}`);
  }
}

export interface Targets {
  slug: string;
  /** A past meeting with the most attendance marks (a full group), the latest such. */
  meetingId: string;
  meetingMembers: number;
  groupId: string;
  /** The year with the most held meetings (the latest on a tie). */
  year: number;
  coordinator: SignedInAccount;
  leader: SignedInAccount;
}

export interface SignedInAccount {
  user: StaffUser;
  token: string;
  cookie: string;
}

async function signInDirectly(db: Kysely<Database>, email: string, now: Date): Promise<SignedInAccount> {
  const row = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  const { token, session } = await createAuthSession(db, row.id, { ip: '127.0.0.1', userAgent: 'npm run bench' }, now);
  // A second factor, when the sign-in asks for one, is recorded on the session: the bench counts as past it.
  await db.updateTable('auth_sessions').set({ two_factor_verified: 1 }).where('id', '=', session.id).execute();
  const valid = await validateSessionToken(db, token, now);
  if (!valid) throw new Error(`The session made for ${email} does not validate.`);
  return { user: valid.user, token, cookie: `session=${token}` };
}

export async function pickTargets(db: Kysely<Database>, now: Date): Promise<Targets> {
  const meeting = await db
    .selectFrom('attendance')
    .innerJoin('meetings', 'meetings.id', 'attendance.meeting_id')
    .select(['meetings.id as id', 'meetings.group_id as groupId', 'meetings.starts_at as startsAt'])
    .select((eb) => eb.fn.countAll<number | string>().as('marks'))
    .where('meetings.starts_at', '<', now.toISOString())
    .groupBy(['meetings.id', 'meetings.group_id', 'meetings.starts_at'])
    .orderBy('marks', 'desc')
    .orderBy('meetings.starts_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!meeting) throw new Error('The data set has no meeting with attendance marks.');

  const years = await db
    .selectFrom('meetings')
    .select(sql<string>`substr(starts_at, 1, 4)`.as('year'))
    .select((eb) => eb.fn.countAll<number | string>().as('meetings'))
    .where('status', '!=', 'cancelled')
    .where('starts_at', '<', now.toISOString())
    .groupBy(sql`substr(starts_at, 1, 4)`)
    .execute();
  const best = years
    .map((y) => ({ year: Number(y.year), meetings: Number(y.meetings) }))
    .sort((a, b) => b.meetings - a.meetings || b.year - a.year)[0];
  if (!best) throw new Error('The data set has no held meetings.');

  // The bench leader leads the group of the sheet, as a real leader would.
  const leaderRow = await db.selectFrom('users').select('id').where('email', '=', ACCOUNTS.leader.email).executeTakeFirstOrThrow();
  await addLeaders(db, meeting.groupId, [leaderRow.id]);

  return {
    slug: PUBLIC_SLUG,
    meetingId: meeting.id,
    meetingMembers: Number(meeting.marks),
    groupId: meeting.groupId,
    year: best.year,
    coordinator: await signInDirectly(db, ACCOUNTS.coordinator.email, now),
    leader: await signInDirectly(db, ACCOUNTS.leader.email, now),
  };
}
