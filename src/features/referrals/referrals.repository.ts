import type { Kysely, Transaction } from 'kysely';
import type { Database, Municipality } from '../../lib/server/database';
import { GROUP_FACT_COLUMNS, groupFromRow, type Referral } from '../../lib/server/rows';
import type { GuardianInput, MyReferral, ReferralGroup } from './referrals';

type Db = Kysely<Database> | Transaction<Database>;


/** The groups a child can be referred to: every group not archived. */
export async function selectActiveGroups(db: Db): Promise<ReferralGroup[]> {
  const rows = await db.selectFrom('groups').select(GROUP_FACT_COLUMNS).where('archived_at', 'is', null).orderBy('name').execute();
  return rows.map(groupFromRow);
}

export async function selectActiveGroupBySlug(db: Db, slug: string): Promise<ReferralGroup | null> {
  const row = await db
    .selectFrom('groups')
    .select(GROUP_FACT_COLUMNS)
    .where('slug', '=', slug)
    .where('archived_at', 'is', null)
    .executeTakeFirst();
  return row ? groupFromRow(row) : null;
}

// ---------------------------------------------------------------------------------------------
// The public form's signing secret, made on first use. Two processes may both try: the first insert wins and
// both read the same value back.

export const FORM_SECRET_KEY = 'form_secret';

export async function ensureSetting(db: Db, key: string, candidate: string): Promise<string> {
  await db
    .insertInto('app_settings')
    .values({ key, value: candidate })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}

// ---------------------------------------------------------------------------------------------
// Writing a referral

export interface ExistingReferral {
  id: string;
  reference: string;
  source: 'caseworker' | 'parent';
  caseworkerId: string | null;
}

export async function findReferralByIdempotencyKey(db: Db, key: string): Promise<ExistingReferral | null> {
  const row = await db
    .selectFrom('referrals')
    .select(['id', 'reference', 'source', 'caseworker_id'])
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row ? { id: row.id, reference: row.reference, source: row.source, caseworkerId: row.caseworker_id } : null;
}

/**
 * The highest reference of a year. Longest first, so H-2026-10000 comes after H-2026-9999 (text order alone would
 * not say so).
 */
export async function selectLastReference(db: Db, prefix: string): Promise<string | null> {
  const row = await db
    .selectFrom('referrals')
    .select('reference')
    .where('reference', 'like', `${prefix}%`)
    .orderBy((eb) => eb.fn('length', ['reference']), 'desc')
    .orderBy('reference', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.reference ?? null;
}

export interface NewChild {
  id: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  gender: 'girl' | 'boy' | 'other';
  municipality: Municipality;
  hasSiblingWithDisability: boolean;
}

export async function insertChild(db: Db, child: NewChild, now: Date): Promise<void> {
  await db
    .insertInto('children')
    .values({
      id: child.id,
      first_name: child.firstName,
      last_name: child.lastName,
      birth_date: child.birthDate,
      gender: child.gender,
      municipality: child.municipality,
      has_sibling_with_disability: child.hasSiblingWithDisability ? 1 : 0,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .execute();
}

export interface NewGuardian extends GuardianInput {
  id: string;
}

export async function insertGuardians(db: Db, childId: string, guardians: NewGuardian[], now: Date): Promise<void> {
  if (guardians.length === 0) return;
  await db
    .insertInto('guardians')
    .values(
      guardians.map((g) => ({
        id: g.id,
        child_id: childId,
        name: g.name,
        phone: g.phone,
        email: g.email,
        has_custody: g.hasCustody ? 1 : 0,
        needs_interpreter: g.needsInterpreter ? 1 : 0,
        interpreter_language: g.interpreterLanguage,
        created_at: now.toISOString(),
      })),
    )
    .execute();
}

export interface NewReferral extends Pick<Referral, 'id' | 'reference' | 'groupId' | 'childId' | 'source' | 'caseworkerId' | 'reason' | 'custodyConsent'> {
  idempotencyKey: string | null;
}

/**
 * Inserts the referral unless its idempotency key or its reference is taken (by a concurrent submit that
 * committed first); false then. ON CONFLICT DO NOTHING without a target covers both unique columns on SQLite and
 * PostgreSQL, and on PostgreSQL it waits for the other transaction instead of aborting this one.
 */
export async function insertReferral(db: Db, referral: NewReferral, now: Date): Promise<boolean> {
  const result = await db
    .insertInto('referrals')
    .values({
      id: referral.id,
      reference: referral.reference,
      group_id: referral.groupId,
      child_id: referral.childId,
      source: referral.source,
      caseworker_id: referral.caseworkerId,
      status: 'received',
      reason: referral.reason,
      custody_consent: referral.custodyConsent ? 1 : 0,
      queue_rank: null,
      status_reason: null,
      idempotency_key: referral.idempotencyKey,
      received_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return result !== undefined;
}

export async function insertReferredEnrollment(
  db: Db,
  enrollment: { id: string; childId: string; groupId: string; referralId: string },
  now: Date,
): Promise<void> {
  await db
    .insertInto('enrollments')
    .values({
      id: enrollment.id,
      child_id: enrollment.childId,
      group_id: enrollment.groupId,
      referral_id: enrollment.referralId,
      state: 'referred',
      intake_window_id: null,
      start_date: null,
      planned_end_date: null,
      ended_on: null,
      end_reason: null,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Reading

/** One query for the whole list: child, group, enrollment dates and the intake conversation's time. */
export async function selectReferralsOfCaseworker(db: Db, caseworkerId: string): Promise<MyReferral[]> {
  const rows = await db
    .selectFrom('referrals as r')
    .innerJoin('children as ch', 'ch.id', 'r.child_id')
    .innerJoin('groups as g', 'g.id', 'r.group_id')
    .leftJoin('enrollments as e', 'e.referral_id', 'r.id')
    .select((eb) => [
      'r.id',
      'r.reference',
      'r.status',
      'r.received_at',
      'ch.first_name',
      'ch.last_name',
      'g.name as group_name',
      'e.start_date',
      'e.ended_on',
      'e.planned_end_date',
      eb
        .selectFrom('conversations as c')
        .select((cb) => cb.fn.max('c.starts_at').as('starts_at'))
        .where('c.kind', '=', 'intake')
        .where('c.status', 'in', ['booked', 'held'])
        .where((cb) =>
          cb.or([
            cb('c.referral_id', '=', cb.ref('r.id')),
            cb.and([cb('c.referral_id', 'is', null), cb('c.child_id', '=', cb.ref('r.child_id')), cb('c.group_id', '=', cb.ref('r.group_id'))]),
          ]),
        )
        .as('intake_at'),
      eb
        .selectFrom('conversations as c')
        .select((cb) => cb.fn.max('c.invites_caseworker').as('invited'))
        .where('c.kind', '=', 'intake')
        .where('c.status', '=', 'booked')
        .where('c.referral_id', '=', eb.ref('r.id'))
        .as('intake_invites_caseworker'),
    ])
    .where('r.caseworker_id', '=', caseworkerId)
    .orderBy('r.received_at', 'desc')
    .orderBy('r.reference', 'desc')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    reference: row.reference,
    childName: `${row.first_name} ${row.last_name}`.trim(),
    groupName: row.group_name,
    status: row.status,
    receivedAt: new Date(row.received_at),
    intakeAt: row.intake_at ? new Date(row.intake_at) : null,
    invitedToIntake: Number(row.intake_invites_caseworker ?? 0) === 1,
    startDate: row.start_date ?? null,
    endDate: row.ended_on ?? row.planned_end_date ?? null,
  }));
}

export interface ReceiptRow {
  id: string;
  reference: string;
  caseworkerId: string | null;
  childId: string;
  childName: string;
  birthDate: string;
  receivedAt: Date;
  group: ReferralGroup;
  status: string;
  statusReason: string | null;
  /** What the referral said about why (its reason field). */
  reason: string;
  /** The latest course the referral became, with its state and start date. */
  enrollment: { id: string; state: string; startDate: string | null } | null;
}

export async function selectReceipt(db: Db, referralId: string): Promise<ReceiptRow | null> {
  const row = await db
    .selectFrom('referrals as r')
    .innerJoin('children as ch', 'ch.id', 'r.child_id')
    .innerJoin('groups as g', 'g.id', 'r.group_id')
    .leftJoin('enrollments as e', 'e.referral_id', 'r.id')
    .select([
      'r.id',
      'r.reference',
      'r.caseworker_id',
      'r.received_at',
      'r.status',
      'r.status_reason',
      'r.reason',
      'e.id as enrollment_id',
      'e.state',
      'e.start_date',
      'ch.id as child_id',
      'ch.first_name',
      'ch.last_name',
      'ch.birth_date',
      'g.id as group_id',
      'g.slug',
      'g.name',
      'g.kind',
      'g.min_age',
      'g.max_age',
      'g.girls_only',
      'g.capacity',
      'g.place',
      'g.intake_rule',
      'g.max_course_months',
      'g.public_description',
    ])
    .where('r.id', '=', referralId)
    // The latest course on the referral (a child moved to the other band has a second one).
    .orderBy('e.created_at', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    reference: row.reference,
    caseworkerId: row.caseworker_id,
    childId: row.child_id,
    childName: `${row.first_name} ${row.last_name}`.trim(),
    birthDate: row.birth_date,
    receivedAt: new Date(row.received_at),
    group: groupFromRow({ ...row, id: row.group_id }),
    status: row.status,
    statusReason: row.status_reason,
    reason: row.reason,
    enrollment: row.enrollment_id === null || row.state === null ? null : { id: row.enrollment_id, state: row.state, startDate: row.start_date },
  };
}

/**
 * Other referrals of what looks like the same child (same first name, surname and birth date, case ignored), for the
 * coordinator's "muligt dobbelt" flag.
 */
export async function findPossibleDuplicates(
  db: Db,
  child: { firstName: string; lastName: string; birthDate: string },
  excludeReferralId: string | null = null,
  receivedSince: Date | null = null,
): Promise<{ referralId: string; reference: string; childId: string; receivedAt: Date }[]> {
  let query = db
    .selectFrom('referrals as r')
    .innerJoin('children as ch', 'ch.id', 'r.child_id')
    .select(['r.id', 'r.reference', 'ch.id as child_id', 'r.received_at'])
    .where('ch.birth_date', '=', child.birthDate)
    .where((eb) => eb(eb.fn('lower', ['ch.first_name']), '=', child.firstName.toLowerCase()))
    .where((eb) => eb(eb.fn('lower', ['ch.last_name']), '=', child.lastName.toLowerCase()));
  if (excludeReferralId) query = query.where('r.id', '<>', excludeReferralId);
  if (receivedSince) query = query.where('r.received_at', '>=', receivedSince.toISOString());
  const rows = await query.orderBy('r.received_at').execute();
  return rows.map((r) => ({ referralId: r.id, reference: r.reference, childId: r.child_id, receivedAt: new Date(r.received_at) }));
}
