import { sql, SqliteAdapter, type Kysely, type Transaction } from 'kysely';
import type { Database, Municipality } from '../../lib/server/database';
import type { IsoDate } from '../../lib/time';
import { CLOSED_REFERRAL_STATUSES, FINAL_STATES } from '../lifecycle/lifecycle';
import { contactKeys } from '../figures/figures';
import {
  MAXIMUM_METRICS, type ChildFigures, type RetentionCandidate, type YearlyCount,
} from './retention';

type Db = Kysely<Database> | Transaction<Database>;

export async function selectSetting(db: Db, key: string): Promise<string | null> {
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function saveSetting(db: Db, key: string, value: string): Promise<void> {
  await db
    .insertInto('app_settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

export interface CandidateRow extends RetentionCandidate {
  municipality: Municipality;
  groupNames: string[];
}

/**
 * Children with nothing open: no enrollment outside ended/declined/withdrawn and no referral still being handled.
 * Whether enough months have passed is decided by the pure rule; three queries whatever the number of children.
 */
export async function selectRetentionCandidates(db: Db): Promise<CandidateRow[]> {
  const closedChildren = db
    .selectFrom('children as c')
    .select('c.id')
    .where((eb) =>
      eb.and([
        eb.not(eb.exists(eb.selectFrom('enrollments as e').select('e.id').whereRef('e.child_id', '=', 'c.id').where('e.state', 'not in', FINAL_STATES))),
        eb.not(eb.exists(eb.selectFrom('referrals as r').select('r.id').whereRef('r.child_id', '=', 'c.id').where('r.status', 'not in', CLOSED_REFERRAL_STATUSES))),
      ]),
    );
  const children = await db
    .selectFrom('children')
    .select(['id', 'municipality', 'updated_at'])
    .where('id', 'in', closedChildren)
    .orderBy('id')
    .execute();
  const enrollments = await db
    .selectFrom('enrollments as e')
    .innerJoin('groups as g', 'g.id', 'e.group_id')
    .select(['e.child_id', 'e.state', 'e.ended_on', 'e.updated_at', 'g.name'])
    .where('e.child_id', 'in', closedChildren)
    .execute();
  const referrals = await db
    .selectFrom('referrals as r')
    .innerJoin('groups as g', 'g.id', 'r.group_id')
    .select(['r.child_id', 'r.status', 'r.updated_at', 'g.name'])
    .where('r.child_id', 'in', closedChildren)
    .execute();
  const byId = new Map<string, CandidateRow>(
    children.map((c) => [
      c.id,
      { childId: c.id, childUpdatedAt: c.updated_at, municipality: c.municipality, enrollments: [], referrals: [], groupNames: [] },
    ]),
  );
  const addGroup = (row: CandidateRow, name: string): void => {
    if (!row.groupNames.includes(name)) row.groupNames.push(name);
  };
  for (const e of enrollments) {
    const row = byId.get(e.child_id);
    if (!row) continue;
    row.enrollments.push({ state: e.state, endedOn: e.ended_on, updatedAt: e.updated_at });
    addGroup(row, e.name);
  }
  for (const r of referrals) {
    const row = byId.get(r.child_id);
    if (!row) continue;
    row.referrals.push({ status: r.status, updatedAt: r.updated_at });
    addGroup(row, r.name);
  }
  return [...byId.values()];
}

/** Re-reads one child inside the purge transaction, so a referral that came in meanwhile stops the deletion. */
export async function selectRetentionCandidate(db: Db, childId: string): Promise<RetentionCandidate | null> {
  const child = await db.selectFrom('children').select(['id', 'updated_at']).where('id', '=', childId).executeTakeFirst();
  if (!child) return null;
  const enrollments = await db.selectFrom('enrollments').select(['state', 'ended_on', 'updated_at']).where('child_id', '=', childId).execute();
  const referrals = await db.selectFrom('referrals').select(['status', 'updated_at']).where('child_id', '=', childId).execute();
  return {
    childId,
    childUpdatedAt: child.updated_at,
    enrollments: enrollments.map((e) => ({ state: e.state, endedOn: e.ended_on as IsoDate | null, updatedAt: e.updated_at })),
    referrals: referrals.map((r) => ({ status: r.status, updatedAt: r.updated_at })),
  };
}

/** What the yearly figures need from one child's courses and marks. */
export async function selectChildFigures(db: Db, childId: string): Promise<ChildFigures | null> {
  const child = await db.selectFrom('children').select('municipality').where('id', '=', childId).executeTakeFirst();
  if (!child) return null;
  const enrollments = await db
    .selectFrom('enrollments as e')
    .leftJoin('referrals as r', 'r.id', 'e.referral_id')
    .select(['e.id', 'e.group_id', 'e.state', 'e.start_date', 'e.ended_on', 'e.created_at', 'e.updated_at', 'r.received_at'])
    .where('e.child_id', '=', childId)
    .execute();
  const siblings = await selectFamilyOf(db, childId);
  const family = siblings.length === 0 ? [] : await db
    .selectFrom('enrollments as e')
    .innerJoin('children as c', 'c.id', 'e.child_id')
    .select(['e.group_id', 'c.municipality', 'e.state', 'e.start_date', 'e.ended_on'])
    .where('e.child_id', 'in', siblings)
    .execute();
  const progress = await db
    .selectFrom('progress_answers as p')
    .innerJoin('enrollments as e', 'e.id', 'p.enrollment_id')
    .select(['p.enrollment_id', 'e.group_id', 'e.ended_on', 'p.occasion', 'p.respondent', 'p.question', 'p.score'])
    .where('p.child_id', '=', childId)
    .where('e.state', '=', 'ended')
    .execute();
  const attendance = await db
    .selectFrom('attendance as a')
    .innerJoin('enrollments as e', 'e.id', 'a.enrollment_id')
    .innerJoin('meetings as s', 's.id', 'a.meeting_id')
    .select(['s.group_id', 's.starts_at', 's.status as meeting_status', 'a.status'])
    .where('e.child_id', '=', childId)
    .execute();
  return {
    municipality: child.municipality,
    enrollments: enrollments.map((e) => ({
      groupId: e.group_id,
      state: e.state,
      startDate: e.start_date,
      endedOn: e.ended_on,
      referralReceivedAt: e.received_at,
    })),
    waits: enrollments.flatMap((e) => e.received_at === null ? [] : [{
      enrollmentId: e.id,
      groupId: e.group_id,
      state: e.state,
      receivedAt: new Date(e.received_at),
      createdAt: new Date(e.created_at),
      startDate: e.start_date,
      endedOn: e.ended_on,
      updatedAt: new Date(e.updated_at),
    }]),
    family: family.map((o) => ({ groupId: o.group_id, municipality: o.municipality, state: o.state, startDate: o.start_date, endedOn: o.ended_on })),
    progress: progress.map((p) => ({
      enrollmentId: p.enrollment_id,
      groupId: p.group_id,
      endedOn: p.ended_on,
      occasion: p.occasion,
      respondent: p.respondent,
      question: p.question as never,
      score: Number(p.score),
    })),
    attendance: attendance.map((a) => ({
      groupId: a.group_id,
      meetingStartsAt: a.starts_at,
      meetingStatus: a.meeting_status,
      status: a.status,
    })),
  };
}

/**
 * The other stored children of the child's family: guardians sharing an e-mail or a phone, followed from child to
 * child (figures.ts `familyOf` draws the same line). A few statements per purged child, in the nightly job.
 */
async function selectFamilyOf(db: Db, childId: string): Promise<string[]> {
  const children = new Set([childId]);
  const emails = new Set<string>();
  const phones = new Set<string>();
  let frontier = [childId];
  for (let round = 0; round < 10 && frontier.length > 0; round += 1) {
    const own = await db.selectFrom('guardians').select(['email', 'phone']).where('child_id', 'in', frontier).execute();
    const before = emails.size + phones.size;
    for (const g of own) {
      for (const key of contactKeys(g)) (key.startsWith('e:') ? emails : phones).add(key.slice(2));
    }
    if (emails.size + phones.size === before) break;
    const matches = await db
      .selectFrom('guardians')
      .select('child_id')
      .where((eb) => eb.or([
        ...(emails.size > 0 ? [eb(eb.fn('lower', [eb.fn('trim', ['email'])]), 'in', [...emails])] : []),
        ...(phones.size > 0 ? [eb(eb.fn('replace', ['phone', sql.lit(' '), sql.lit('')]), 'in', [...phones])] : []),
      ]))
      .execute();
    frontier = [...new Set(matches.map((m) => m.child_id))].filter((id) => !children.has(id));
    for (const id of frontier) children.add(id);
  }
  children.delete(childId);
  return [...children];
}

/**
 * Adds to the kept counts (insert, or add to the existing row: ON CONFLICT works the same on SQLite and PG); a
 * maximum metric keeps the larger value (CASE, since SQLite has no GREATEST).
 */
export async function addYearlyCounts(db: Db, counts: readonly YearlyCount[]): Promise<void> {
  for (const c of counts) {
    const value = MAXIMUM_METRICS.has(c.metric)
      ? sql<number>`case when excluded.value > yearly_counts.value then excluded.value else yearly_counts.value end`
      : sql<number>`yearly_counts.value + excluded.value`;
    await db
      .insertInto('yearly_counts')
      .values({ year: c.year, group_id: c.groupId, municipality: c.municipality, metric: c.metric, value: c.value })
      .onConflict((oc) => oc.columns(['year', 'group_id', 'municipality', 'metric']).doUpdateSet({ value }))
      .execute();
  }
}

export async function selectYearlyCounts(db: Db): Promise<YearlyCount[]> {
  const rows = await db.selectFrom('yearly_counts').selectAll().orderBy('year').orderBy('group_id').orderBy('metric').execute();
  return rows.map((r) => ({
    year: Number(r.year),
    groupId: r.group_id,
    municipality: r.municipality,
    metric: r.metric as YearlyCount['metric'],
    value: Number(r.value),
  }));
}

/**
 * Deletes the child; guardians, referrals, enrollments (and through them attendance), conversations and family
 * links go with it by ON DELETE CASCADE. The audit trail keeps the child's id (no foreign key) but no name.
 */
export async function deleteChild(db: Db, childId: string): Promise<boolean> {
  const result = await db.deleteFrom('children').where('id', '=', childId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Takes tonight's run: true for exactly one process per Copenhagen date, however many ask at once. */
export async function claimNightlyRun(db: Db, key: string, today: IsoDate): Promise<boolean> {
  await db.insertInto('app_settings').values({ key, value: '' }).onConflict((oc) => oc.column('key').doNothing()).execute();
  const result = await db.updateTable('app_settings').set({ value: today }).where('key', '=', key).where('value', '<', today).executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

function isSqlite(db: Db): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * SQLite only (PostgreSQL: nothing to do here; its VACUUM and the pg_dump backup are the operator's).
 * A DELETE in SQLite only marks rows free: the bytes stay in the page, and in WAL mode the old page versions stay
 * in the -wal file until a checkpoint. secure_delete makes SQLite overwrite deleted content with zeros on this
 * connection from now on, so the purge's deletions are really gone from the pages; call it before deleting.
 */
export async function zeroDeletedContent(db: Db): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`PRAGMA secure_delete = ON`.execute(db);
}

/**
 * After a purge: copy the WAL into the database file and truncate the WAL to zero bytes, so the zeroed pages are
 * the only copy and no older page version survives in the -wal file; the next backup (a copy of the pages) then
 * holds nothing of the deleted children. Returns false when a reader kept the checkpoint from finishing (the next
 * night tries again). auto_vacuum is off in this schema, so free pages stay in the file (zeroed) instead of
 * shrinking it: PRAGMA incremental_vacuum would do nothing, and a full VACUUM would lock the site for no gain.
 */
export async function checkpointSqlite(db: Db): Promise<boolean | null> {
  if (!isSqlite(db)) return null;
  const result = await sql<{ busy: number; log: number; checkpointed: number }>`PRAGMA wal_checkpoint(TRUNCATE)`.execute(db);
  const row = result.rows[0];
  return row ? Number(row.busy) === 0 : true;
}
