import { randomUUID } from 'node:crypto';
import { caseworkerSummary } from '../course/course.service';
import type { Kysely } from 'kysely';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import { parseForm, type FormValues } from '../../lib/forms';
import type { Database, Municipality } from '../../lib/server/database';
import { generateSecret } from '../../lib/server/tokens';
import { formatDate, instantToZoned, todayInZone } from '../../lib/time';
import { recordAudit } from '../audit/audit.service';
import { enqueueReferralReceipt } from '../messages/messages.service';
import type { Actor } from '../auth/auth';
import { hitRateLimit } from '../throttle/throttle.service';
import type { RateLimitPolicy } from '../throttle/throttle';
import {
  acceptsParentRequests,
  ageWarning,
  checkFormTime,
  FORM_TIME_MESSAGES,
  formatReference,
  isBotSubmission,
  parentRequestSchema,
  referenceNumber,
  referencePrefix,
  referralSchema,
  signFormTime,
  type Gender,
  type GuardianInput,
  type MyReferral,
  type ReferralGroup,
  type ReferralReceipt,
  type ReferralView,
} from './referrals';
import { caseworkerMayWithdraw, isEnrollmentState } from '../lifecycle/lifecycle';
import {
  ensureSetting,
  findPossibleDuplicates,
  findReferralByIdempotencyKey,
  FORM_SECRET_KEY,
  insertChild,
  insertGuardians,
  insertReferral,
  insertReferredEnrollment,
  selectActiveGroupBySlug,
  selectActiveGroups,
  selectLastReference,
  selectReceipt,
  selectReferralsOfCaseworker,
  type ReceiptRow,
} from './referrals.repository';

type Db = Kysely<Database>;

export interface SubmittedReferral {
  id: string;
  reference: string;
  /** false when the same form (same idempotency key) had already been received: nothing new was stored. */
  created: boolean;
}

/** A second referral of the same child within this many days is checked with the caseworker first. */
export const DUPLICATE_WINDOW_DAYS = 30;

function mayRefer(actor: Actor): boolean {
  return actor.user.role === 'caseworker' || actor.user.role === 'coordinator';
}

// ---------------------------------------------------------------------------------------------
// The caseworker's form

export interface ReferralFormOptions {
  groups: ReferralGroup[];
  defaultMunicipality: Municipality | null;
}

export async function referralFormOptions(db: Db, actor: Actor): Promise<ReferralFormOptions> {
  if (!mayRefer(actor)) throw new ForbiddenError('Kun familierådgivere kan sende en henvisning.');
  return { groups: await selectActiveGroups(db), defaultMunicipality: actor.user.municipality };
}

/**
 * A caseworker (or the coordinator, as the sender) refers a child: child, guardians, referral and a 'referred'
 * enrollment in one transaction, with the audit entry. Sending the same form twice (same idempotency key) returns the
 * first referral.
 */
export async function submitReferral(db: Db, actor: Actor, values: FormValues, now: Date): Promise<SubmittedReferral> {
  if (!mayRefer(actor)) throw new ForbiddenError('Kun familierådgivere kan sende en henvisning.');
  const groups = await selectActiveGroups(db);
  const parsed = parseForm(referralSchema(groups, todayInZone(now)), values);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  const input = parsed.data;
  const replay = await replayOf(db, input.idempotencyKey, actor.user.id);
  if (replay) return replay;
  // The same child (name and birth date) referred in the last 30 days: most likely the form sent twice (back after
  // the receipt, sent again). Warn at the form; the caseworker may still send it, ticking that it is a new referral.
  if (values['confirmDuplicate'] !== 'on') {
    const since = new Date(now.getTime() - DUPLICATE_WINDOW_DAYS * 24 * 60 * 60 * 1000);
    const recent = await findPossibleDuplicates(db, input, null, since);
    const last = recent[recent.length - 1];
    if (last) {
      // The same form sent twice at once: the other copy may have committed between the replay check above and this
      // one, and its child is the "duplicate". Then this is a replay, not a new referral of the same child.
      const late = await replayOf(db, input.idempotencyKey, actor.user.id);
      if (late) return late;
      throw new ValidationError({
        confirmDuplicate: `${input.firstName} ${input.lastName} (født ${formatDate(input.birthDate, 'da')}) blev henvist ${formatDate(last.receivedAt, 'da')} (${last.reference}). Sæt flueben, hvis det er en ny henvisning, og send igen.`,
      });
    }
  }
  // A signed-in account that sends referrals in bulk is a stolen session or a script, not a caseworker.
  const limit = await hitRateLimit(db, `referral:user:${actor.user.id}`, CASEWORKER_REFERRAL_POLICY, now);
  if (!limit.allowed) throw new ConflictError('Du har sendt mange henvisninger på kort tid. Vent en time, og prøv igen.');
  return storeReferral(
    db,
    actor,
    {
      groupId: input.groupId,
      child: {
        firstName: input.firstName,
        lastName: input.lastName,
        birthDate: input.birthDate,
        gender: input.gender,
        municipality: input.municipality,
        hasSiblingWithDisability: input.siblingDisability,
      },
      guardians: input.guardians,
      source: 'caseworker',
      caseworkerId: actor.user.id,
      reason: input.reason,
      idempotencyKey: input.idempotencyKey,
    },
    now,
  );
}

async function replayOf(db: Db, key: string | null, caseworkerId: string | null): Promise<SubmittedReferral | null> {
  if (!key) return null;
  const existing = await findReferralByIdempotencyKey(db, key);
  if (!existing) return null;
  // A key is a random UUID from our own form; someone else's key is never honoured.
  if (existing.caseworkerId !== caseworkerId) throw new ConflictError('Formularen er allerede brugt. Hent en ny side, og send igen.');
  return { id: existing.id, reference: existing.reference, created: false };
}

interface ReferralSpec {
  groupId: string;
  child: {
    firstName: string;
    lastName: string;
    birthDate: string;
    gender: Gender;
    municipality: Municipality;
    hasSiblingWithDisability: boolean;
  };
  guardians: GuardianInput[];
  source: 'caseworker' | 'parent';
  caseworkerId: string | null;
  reason: string;
  idempotencyKey: string | null;
  /** The language of the receipt (a parent's request from the English page gets it in English). */
  language?: 'da' | 'en';
}

/** Thrown inside the transaction to roll it back when the referral row could not be inserted. */
class ReferralInsertLost extends Error {
  constructor(readonly existing: SubmittedReferral | null) {
    super('referral insert lost a race');
  }
}

const REFERENCE_ATTEMPTS = 8;

async function storeReferral(db: Db, actor: Actor | { system: string }, spec: ReferralSpec, now: Date): Promise<SubmittedReferral> {
  const year = Number(instantToZoned(now).date.slice(0, 4));
  for (let attempt = 0; attempt < REFERENCE_ATTEMPTS; attempt += 1) {
    try {
      return await db.transaction().execute(async (trx) => {
        const last = await selectLastReference(trx, referencePrefix(year));
        const reference = formatReference(year, (last ? (referenceNumber(last, year) ?? 0) : 0) + 1);
        const childId = randomUUID();
        const referralId = randomUUID();
        await insertChild(trx, { id: childId, ...spec.child }, now);
        await insertGuardians(trx, childId, spec.guardians.map((g) => ({ id: randomUUID(), ...g })), now);
        const inserted = await insertReferral(
          trx,
          {
            id: referralId,
            reference,
            groupId: spec.groupId,
            childId,
            source: spec.source,
            caseworkerId: spec.caseworkerId,
            reason: spec.reason,
            custodyConsent: true,
            idempotencyKey: spec.idempotencyKey,
          },
          now,
        );
        if (!inserted) {
          // Either the same form was committed by a concurrent submit (same key), or another referral took this
          // reference number first. The first answers with the stored referral; the second tries the next number.
          const existing = spec.idempotencyKey ? await findReferralByIdempotencyKey(trx, spec.idempotencyKey) : null;
          throw new ReferralInsertLost(existing ? { id: existing.id, reference: existing.reference, created: false } : null);
        }
        await insertReferredEnrollment(trx, { id: randomUUID(), childId, groupId: spec.groupId, referralId }, now);
        await enqueueReferralReceipt(trx, referralId, spec.language ?? 'da', now); // messages (issue 14)
        await recordAudit(
          trx,
          actor,
          [{ action: 'create', entityType: 'referral', entityId: referralId, childId, detail: `${reference} (${spec.source})` }],
          now,
        );
        return { id: referralId, reference, created: true };
      });
    } catch (error) {
      if (!(error instanceof ReferralInsertLost)) throw error;
      if (error.existing) return error.existing;
    }
  }
  throw new ConflictError('Henvisningen kunne ikke gemmes lige nu. Prøv igen om lidt.');
}

// ---------------------------------------------------------------------------------------------
// The caseworker's list and receipt

/** The signed-in caseworker's own referrals, newest first (one query), with one audit entry for the reading. */
export async function listMyReferrals(db: Db, actor: Actor, now: Date): Promise<MyReferral[]> {
  if (!mayRefer(actor)) throw new ForbiddenError();
  const referrals = await selectReferralsOfCaseworker(db, actor.user.id);
  await recordAudit(db, actor, [{ action: 'read', entityType: 'referral_list', entityId: null, detail: `${referrals.length} henvisninger` }], now);
  return referrals;
}

/** The receipt of one referral: only for the caseworker who sent it (anyone else gets "not found") and the coordinator. */
export async function getReceipt(db: Db, actor: Actor, referralId: string, now: Date): Promise<ReferralReceipt> {
  return (await readOwnReferral(db, actor, referralId, now)).receipt;
}

/** One referral's own page: what was sent, its status, and whether its caseworker may still withdraw it. */
export async function getReferral(db: Db, actor: Actor, referralId: string, now: Date): Promise<ReferralView> {
  const { receipt, row } = await readOwnReferral(db, actor, referralId, now);
  const e = row.enrollment;
  const today = todayInZone(now);
  return {
    ...receipt,
    birthDate: row.birthDate,
    reason: row.reason,
    status: row.status,
    statusReason: row.statusReason,
    startDate: e?.startDate ?? null,
    mayWithdraw: e !== null && isEnrollmentState(e.state) && caseworkerMayWithdraw(e.state, e.startDate, today),
  };
}

async function readOwnReferral(db: Db, actor: Actor, referralId: string, now: Date): Promise<{ receipt: ReferralReceipt; row: ReceiptRow }> {
  if (!mayRefer(actor)) throw new ForbiddenError();
  const row = await selectReceipt(db, referralId);
  if (!row || (actor.user.role !== 'coordinator' && row.caseworkerId !== actor.user.id)) {
    throw new NotFoundError('Henvisningen findes ikke.');
  }
  await recordAudit(db, actor, [{ action: 'read', entityType: 'referral', entityId: row.id, childId: row.childId }], now);
  const receipt: ReferralReceipt = {
    id: row.id,
    reference: row.reference,
    childId: row.childId,
    childName: row.childName,
    groupName: row.group.name,
    groupKind: row.group.kind,
    intakeRule: row.group.intakeRule,
    receivedAt: row.receivedAt,
    ageWarning: ageWarning(row.birthDate, row.group, todayInZone(now)),
    summary: await caseworkerSummary(db, row.id),
  };
  return { receipt, row };
}

// ---------------------------------------------------------------------------------------------
// The parent's request (public)

export const CASEWORKER_REFERRAL_POLICY: RateLimitPolicy = { max: 30, windowSeconds: 60 * 60, blockSeconds: 60 * 60 };
export const PARENT_REQUEST_IP_POLICY: RateLimitPolicy = { max: 5, windowSeconds: 60 * 60, blockSeconds: 60 * 60 };
export const PARENT_REQUEST_CONTACT_POLICY: RateLimitPolicy = { max: 3, windowSeconds: 24 * 60 * 60, blockSeconds: 24 * 60 * 60 };
const PUBLIC_FORM_ACTOR = { system: 'offentlig formular' };

async function formSecret(db: Db): Promise<string> {
  return ensureSetting(db, FORM_SECRET_KEY, generateSecret(32));
}

/** The group whose request form is asked for, and a fresh signed time stamp; null when it takes no requests. */
export async function parentRequestForm(db: Db, slug: string, now: Date): Promise<{ group: ReferralGroup; formTime: string } | null> {
  const group = await selectActiveGroupBySlug(db, slug);
  if (!group || !acceptsParentRequests(group)) return null;
  return { group, formTime: signFormTime(await formSecret(db), now) };
}

export type ParentRequestOutcome = 'stored' | 'repeated' | 'ignored';

/**
 * A parent asks for a place. A filled honeypot is answered like a success but stores nothing ('ignored'); a stamp
 * that is too fresh, too old or forged, and too many requests, are refused with a message for the whole form.
 */
export async function submitParentRequest(
  db: Db,
  client: { ip: string | null; language?: 'da' | 'en' },
  slug: string,
  values: FormValues,
  now: Date,
): Promise<ParentRequestOutcome> {
  const group = await selectActiveGroupBySlug(db, slug);
  if (!group || !acceptsParentRequests(group)) throw new NotFoundError('Gruppen tager ikke imod ønsker om en plads her.');
  if (isBotSubmission(values)) return 'ignored';
  const time = checkFormTime(await formSecret(db), values['formTime'], now);
  if (time !== 'ok') throw new ValidationError({ _form: FORM_TIME_MESSAGES[time] });
  const parsed = parseForm(parentRequestSchema(todayInZone(now), group), values);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  const input = parsed.data;
  if (await replayOf(db, input.idempotencyKey, null)) return 'repeated';

  const busy = 'Vi har fået mange ønsker fra dig på kort tid. Prøv igen senere, eller ring til os.';
  const byIp = await hitRateLimit(db, `parent_request:ip:${client.ip ?? 'unknown'}`, PARENT_REQUEST_IP_POLICY, now);
  if (!byIp.allowed) throw new ValidationError({ _form: busy });
  const contact = input.email ?? (input.phone ?? '').replace(/\D/g, '');
  const byContact = await hitRateLimit(db, `parent_request:contact:${contact}`, PARENT_REQUEST_CONTACT_POLICY, now);
  if (!byContact.allowed) throw new ValidationError({ _form: busy });

  const stored = await storeReferral(
    db,
    PUBLIC_FORM_ACTOR,
    {
      groupId: group.id,
      child: {
        firstName: input.firstName,
        lastName: '',
        birthDate: input.birthDate,
        gender: 'girl',
        municipality: input.municipality,
        hasSiblingWithDisability: false,
      },
      guardians: [
        { name: input.parentName, phone: input.phone, email: input.email, hasCustody: true, needsInterpreter: false, interpreterLanguage: null },
      ],
      source: 'parent',
      caseworkerId: null,
      reason: input.message,
      idempotencyKey: input.idempotencyKey,
      language: client.language ?? 'da',
    },
    now,
  );
  return stored.created ? 'stored' : 'repeated';
}
