// The outbox, the guardians' choices and whom a message goes to. The only Kysely code of the messages feature.
import { PostgresAdapter, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database, OutboxMessagesTable } from '../../lib/server/database';
import { selectMeetings } from '../../lib/server/queries';
import { meetingFromRow } from '../../lib/server/rows';
import type { GroupMeeting, GroupMeetingRow } from '../../lib/server/rows';
import type { Locale } from '../../lib/time';
import type { ContactChoice, MessageChannel, MessagePayload, MessageStatus, ReminderSetting } from './messages';

type Db = Kysely<Database> | Transaction<Database>;

/** What a message says, to whom and when: the fields a message to write and a stored one share. */
interface OutboxContent {
  id: string;
  kind: string;
  channel: MessageChannel;
  recipient: string;
  language: Locale;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  unsubscribeUrl: string | null;
  payload: MessagePayload;
  topic: string | null;
  childId: string | null;
  secret: boolean;
  sendAfter: Date;
  messageId: string;
}

export interface OutboxMessage extends OutboxContent {
  status: MessageStatus;
  attempts: number;
  leaseUntil: Date | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

type OutboxRow = Selectable<OutboxMessagesTable>;

function toMessage(r: OutboxRow): OutboxMessage {
  return {
    id: r.id,
    kind: r.kind,
    channel: r.channel,
    recipient: r.recipient,
    language: r.language,
    subject: r.subject,
    bodyText: r.body_text,
    bodyHtml: r.body_html,
    unsubscribeUrl: r.unsubscribe_url,
    payload: JSON.parse(r.payload) as MessagePayload,
    topic: r.topic,
    childId: r.child_id,
    secret: Number(r.secret) === 1,
    status: r.status,
    attempts: Number(r.attempts),
    sendAfter: new Date(r.send_after),
    leaseUntil: r.lease_until ? new Date(r.lease_until) : null,
    lastError: r.last_error,
    messageId: r.message_id,
    createdAt: new Date(r.created_at),
    sentAt: r.sent_at ? new Date(r.sent_at) : null,
  };
}

export interface NewOutboxMessage extends OutboxContent {
  onceKey: string | null;
  guardianId: string | null;
  userId: string | null;
}

/** Writes a message; with a once-key that was used before, writes nothing and answers false. */
export async function insertOutboxMessage(db: Db, m: NewOutboxMessage, now: Date): Promise<boolean> {
  const query = db.insertInto('outbox_messages').values({
    id: m.id,
    kind: m.kind,
    channel: m.channel,
    recipient: m.recipient,
    language: m.language,
    subject: m.subject,
    body_text: m.bodyText,
    body_html: m.bodyHtml,
    unsubscribe_url: m.unsubscribeUrl,
    payload: JSON.stringify(m.payload),
    topic: m.topic,
    once_key: m.onceKey,
    child_id: m.childId,
    guardian_id: m.guardianId,
    user_id: m.userId,
    secret: m.secret ? 1 : 0,
    status: 'pending',
    send_after: m.sendAfter.toISOString(),
    message_id: m.messageId,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
  });
  const result = await (m.onceKey ? query.onConflict((oc) => oc.column('once_key').doNothing()) : query).executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** The unsent, unclaimed messages on a topic (they may still be changed or replaced). */
export async function selectOpenOnTopic(db: Db, topic: string): Promise<OutboxMessage[]> {
  const rows = await db
    .selectFrom('outbox_messages')
    .selectAll()
    .where('topic', '=', topic)
    .where('status', '=', 'pending')
    .where('lease_until', 'is', null)
    .orderBy('created_at')
    .execute();
  return rows.map(toMessage);
}

/** Removes unsent, unclaimed messages on a topic (a correction replaces them). */
export async function deleteOpenOnTopic(db: Db, topic: string): Promise<number> {
  const result = await db
    .deleteFrom('outbox_messages')
    .where('topic', '=', topic)
    .where('status', '=', 'pending')
    .where('lease_until', 'is', null)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function updateOpenMessageContent(
  db: Db,
  id: string,
  content: { subject: string; bodyText: string; bodyHtml: string | null; payload: MessagePayload },
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('outbox_messages')
    .set({ subject: content.subject, body_text: content.bodyText, body_html: content.bodyHtml, payload: JSON.stringify(content.payload), updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('lease_until', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Claims up to `limit` due messages for one worker until `leaseUntil`, in one statement: on PostgreSQL the rows are
 * picked once (a materialized CTE) with FOR UPDATE SKIP LOCKED, so two processes claiming at once take different rows; SQLite runs one writer
 * at a time. A row whose lease ran out (its worker died mid-send) is due again.
 */
export async function claimDueMessages(db: Kysely<Database>, workerId: string, now: Date, leaseUntil: Date, limit: number): Promise<OutboxMessage[]> {
  const at = now.toISOString();
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const due = db
    .selectFrom('outbox_messages')
    .select('id')
    .where('status', 'in', ['pending', 'sending'])
    .where('send_after', '<=', at)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
    .orderBy('send_after')
    .limit(limit);
  // On PostgreSQL the locked pick is a MATERIALIZED CTE: as a plain `IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` the
  // planner may run the subquery again for each row it checks, and each run skips the rows the last one locked, so
  // one UPDATE claimed every due row (seen: 400 in one claim with a limit of 20, one process sending them all).
  const claim = postgres
    ? db.with((cte) => cte('due').materialized(), () => due.forUpdate().skipLocked()).updateTable('outbox_messages')
      .where('id', 'in', (eb) => eb.selectFrom('due').select('due.id'))
    : db.updateTable('outbox_messages').where('id', 'in', due);
  const rows = await claim
    .set((eb) => ({
      status: 'sending',
      lease_until: leaseUntil.toISOString(),
      leased_by: workerId,
      attempts: eb('attempts', '+', 1),
      updated_at: at,
    }))
    .where('status', 'in', ['pending', 'sending'])
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
    .returningAll()
    .execute();
  return rows.map(toMessage).sort((a, b) => a.sendAfter.getTime() - b.sendAfter.getTime());
}

/** Marks a claimed message done. Only the worker that holds the lease may; a secret body is blanked. */
export async function markSent(db: Db, id: string, workerId: string, now: Date, blankBody: boolean): Promise<boolean> {
  const result = await db
    .updateTable('outbox_messages')
    .set({
      status: 'sent',
      sent_at: now.toISOString(),
      lease_until: null,
      last_error: null,
      updated_at: now.toISOString(),
      ...(blankBody ? { body_text: '', body_html: null, payload: '{}' } : {}),
    })
    .where('id', '=', id)
    .where('leased_by', '=', workerId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** After a failed try: again at `retryAt`, or given up ('failed'), or kept without a transport ('unsent'). */
export async function markNotSent(
  db: Db,
  id: string,
  workerId: string,
  outcome: { status: 'pending' | 'failed' | 'unsent'; retryAt: Date | null; error: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('outbox_messages')
    .set({
      status: outcome.status,
      lease_until: null,
      last_error: outcome.error.slice(0, 500),
      updated_at: now.toISOString(),
      ...(outcome.retryAt ? { send_after: outcome.retryAt.toISOString() } : {}),
    })
    .where('id', '=', id)
    .where('leased_by', '=', workerId)
    .where('status', '=', 'sending')
    .execute();
}

/** "Send igen": a failed or unsent message is due now, with its tries counted from zero. */
export async function requeueMessage(db: Db, id: string, now: Date): Promise<OutboxMessage | null> {
  const row = await db
    .updateTable('outbox_messages')
    .set({ status: 'pending', attempts: 0, send_after: now.toISOString(), lease_until: null, leased_by: null, updated_at: now.toISOString() })
    .where('id', '=', id)
    .where('status', 'in', ['failed', 'unsent'])
    .returningAll()
    .executeTakeFirst();
  return row ? toMessage(row) : null;
}

export async function selectOutboxMessages(db: Db, filter: { status: MessageStatus | null; limit: number }): Promise<OutboxMessage[]> {
  let query = db.selectFrom('outbox_messages').selectAll().orderBy('created_at', 'desc').orderBy('id').limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status);
  const rows = await query.execute();
  return rows.map(toMessage);
}

export async function countOutboxByStatus(db: Db): Promise<Record<string, number>> {
  const rows = await db.selectFrom('outbox_messages').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

export async function selectChildMessages(db: Db, childId: string): Promise<OutboxMessage[]> {
  const rows = await db.selectFrom('outbox_messages').selectAll().where('child_id', '=', childId).orderBy('created_at').orderBy('id').execute();
  return rows.map(toMessage);
}

// ---------------------------------------------------------------------------------------------
// Whom: guardians and their choices, leaders, caseworkers

export interface GuardianContact {
  id: string;
  childId: string;
  childFirstName: string;
  name: string;
  email: string | null;
  phone: string | null;
  channel: ContactChoice;
  reminders: boolean;
  language: Locale;
  consentAt: Date | null;
  consentBy: string | null;
  unsubscribeKey: string | null;
}

const guardianColumns = [
  'g.id', 'g.child_id', 'c.first_name', 'g.name', 'g.email', 'g.phone', 'g.message_channel', 'g.message_reminders',
  'g.message_language', 'g.consent_at', 'g.consent_by', 'g.unsubscribe_key',
] as const;

function toGuardian(r: {
  id: string; child_id: string; first_name: string; name: string; email: string | null; phone: string | null;
  message_channel: string; message_reminders: number; message_language: string; consent_at: string | null;
  consent_by: string | null; unsubscribe_key: string | null;
}): GuardianContact {
  return {
    id: r.id,
    childId: r.child_id,
    childFirstName: r.first_name,
    name: r.name,
    email: r.email,
    phone: r.phone,
    channel: r.message_channel === 'email' || r.message_channel === 'sms' ? r.message_channel : 'none',
    reminders: Number(r.message_reminders) === 1,
    language: r.message_language === 'en' ? 'en' : 'da',
    consentAt: r.consent_at ? new Date(r.consent_at) : null,
    consentBy: r.consent_by,
    unsubscribeKey: r.unsubscribe_key,
  };
}

export async function selectGuardiansOfChild(db: Db, childId: string): Promise<GuardianContact[]> {
  const rows = await db
    .selectFrom('guardians as g')
    .innerJoin('children as c', 'c.id', 'g.child_id')
    .select([...guardianColumns])
    .where('g.child_id', '=', childId)
    .orderBy('g.created_at')
    .orderBy('g.id')
    .execute();
  return rows.map(toGuardian);
}

export async function selectGuardianByUnsubscribeKey(db: Db, key: string): Promise<GuardianContact | null> {
  const row = await db
    .selectFrom('guardians as g')
    .innerJoin('children as c', 'c.id', 'g.child_id')
    .select([...guardianColumns])
    .where('g.unsubscribe_key', '=', key)
    .executeTakeFirst();
  return row ? toGuardian(row) : null;
}

export async function updateGuardianChoice(
  db: Db,
  guardianId: string,
  choice: { channel: ContactChoice; reminders: boolean; language: Locale; by: string; unsubscribeKey: string },
  now: Date,
): Promise<void> {
  await db
    .updateTable('guardians')
    .set({
      message_channel: choice.channel,
      message_reminders: choice.reminders ? 1 : 0,
      message_language: choice.language,
      consent_at: now.toISOString(),
      consent_by: choice.by,
      unsubscribe_key: choice.unsubscribeKey,
    })
    .where('id', '=', guardianId)
    .execute();
}

/** The guardians of the children who are members of a group on a date (a course started, not ended by then). */
export async function selectMemberGuardians(db: Db, groupId: string, date: string): Promise<GuardianContact[]> {
  const rows = await db
    .selectFrom('enrollments as e')
    .innerJoin('children as c', 'c.id', 'e.child_id')
    .innerJoin('guardians as g', 'g.child_id', 'c.id')
    .select([...guardianColumns])
    .where('e.group_id', '=', groupId)
    .where('e.start_date', 'is not', null)
    .where('e.start_date', '<=', date)
    .where((eb) =>
      eb.or([
        eb.and([eb('e.state', 'in', ['active', 'closing_booked']), eb.or([eb('e.ended_on', 'is', null), eb('e.ended_on', '>', date)])]),
        eb.and([eb('e.state', '=', 'ended'), eb('e.ended_on', '>', date)]),
      ]),
    )
    .orderBy('g.id')
    .execute();
  return rows.map(toGuardian);
}

export interface StaffContact {
  id: string;
  email: string;
  name: string;
}

export async function selectGroupLeaders(db: Db, groupId: string): Promise<StaffContact[]> {
  const rows = await db
    .selectFrom('group_leaders as gl')
    .innerJoin('users as u', 'u.id', 'gl.user_id')
    .select(['u.id', 'u.email', 'u.display_name'])
    .where('gl.group_id', '=', groupId)
    .where('u.disabled_at', 'is', null)
    .orderBy('u.id')
    .execute();
  return rows.map((r) => ({ id: r.id, email: r.email, name: r.display_name }));
}

export interface MeetingFacts extends GroupMeeting {
  reminder: ReminderSetting;
}

function selectMeetingsWithReminder(db: Db) {
  return selectMeetings(db).select(['groups.reminder_days_before', 'groups.reminder_time']);
}

export async function selectMeetingFacts(db: Db, meetingId: string): Promise<MeetingFacts | null> {
  const r = await selectMeetingsWithReminder(db).where('meetings.id', '=', meetingId).executeTakeFirst();
  return r ? toMeetingFacts(r) : null;
}

function toMeetingFacts(r: GroupMeetingRow & { reminder_days_before: number; reminder_time: string }): MeetingFacts {
  return { ...meetingFromRow(r), reminder: { daysBefore: Number(r.reminder_days_before), time: r.reminder_time } };
}

/** Meetings (not cancelled) that begin between two instants, with their group's reminder setting. */
export async function selectMeetingsStartingBetween(db: Db, from: Date, to: Date): Promise<MeetingFacts[]> {
  const rows = await selectMeetingsWithReminder(db)
    .where('meetings.starts_at', '>', from.toISOString())
    .where('meetings.starts_at', '<=', to.toISOString())
    .where('meetings.status', '!=', 'cancelled')
    .where('groups.archived_at', 'is', null)
    .orderBy('meetings.starts_at')
    .execute();
  return rows.map(toMeetingFacts);
}

export interface GroupReminder {
  groupId: string;
  groupName: string;
  setting: ReminderSetting;
}

export async function selectGroupReminders(db: Db): Promise<GroupReminder[]> {
  const rows = await db
    .selectFrom('groups')
    .select(['id', 'name', 'reminder_days_before', 'reminder_time'])
    .where('archived_at', 'is', null)
    .orderBy('name')
    .execute();
  return rows.map((r) => ({ groupId: r.id, groupName: r.name, setting: { daysBefore: Number(r.reminder_days_before), time: r.reminder_time } }));
}

export async function updateGroupReminder(db: Db, groupId: string, setting: ReminderSetting, now: Date): Promise<boolean> {
  const result = await db
    .updateTable('groups')
    .set({ reminder_days_before: setting.daysBefore, reminder_time: setting.time, updated_at: now.toISOString() })
    .where('id', '=', groupId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function selectChildFirstName(db: Db, childId: string): Promise<string | null> {
  const r = await db.selectFrom('children').select('first_name').where('id', '=', childId).executeTakeFirst();
  return r?.first_name ?? null;
}

export interface ReferralFacts {
  referralId: string;
  reference: string;
  source: 'caseworker' | 'parent';
  childId: string;
  firstName: string;
  groupName: string;
  caseworker: StaffContact | null;
}

export async function selectReferralFacts(db: Db, referralId: string): Promise<ReferralFacts | null> {
  const r = await db
    .selectFrom('referrals as r')
    .innerJoin('children as c', 'c.id', 'r.child_id')
    .innerJoin('groups as g', 'g.id', 'r.group_id')
    .leftJoin('users as u', 'u.id', 'r.caseworker_id')
    .select(['r.id', 'r.reference', 'r.source', 'c.id as child_id', 'c.first_name', 'g.name', 'u.id as user_id', 'u.email', 'u.display_name', 'u.disabled_at'])
    .where('r.id', '=', referralId)
    .executeTakeFirst();
  if (!r) return null;
  return {
    referralId: r.id,
    reference: r.reference,
    source: r.source,
    childId: r.child_id,
    firstName: r.first_name,
    groupName: r.name,
    caseworker: r.user_id && r.email && r.display_name && r.disabled_at === null ? { id: r.user_id, email: r.email, name: r.display_name } : null,
  };
}

// ---------------------------------------------------------------------------------------------
// The course, for the caseworker's messages

export interface CourseFacts {
  enrollmentId: string;
  referralId: string | null;
  groupId: string;
  intakeRule: string;
  startDate: string | null;
  endReason: string | null;
}

export async function selectCourseFacts(db: Db, enrollmentId: string): Promise<CourseFacts | null> {
  const r = await db
    .selectFrom('enrollments as e')
    .innerJoin('groups as g', 'g.id', 'e.group_id')
    .select(['e.id', 'e.referral_id', 'e.group_id', 'g.intake_rule', 'e.start_date', 'e.end_reason'])
    .where('e.id', '=', enrollmentId)
    .executeTakeFirst();
  return r ? { enrollmentId: r.id, referralId: r.referral_id, groupId: r.group_id, intakeRule: r.intake_rule, startDate: r.start_date, endReason: r.end_reason } : null;
}

export interface TimeAndPlace {
  startsAt: Date;
  endsAt: Date;
  place: string;
}

/** The course's latest booked conversation of a kind. */
export async function selectBookedConversation(db: Db, enrollmentId: string, kind: 'intake' | 'closing'): Promise<TimeAndPlace | null> {
  const r = await db
    .selectFrom('conversations')
    .select(['starts_at', 'ends_at', 'place'])
    .where('enrollment_id', '=', enrollmentId)
    .where('kind', '=', kind)
    .where('status', '=', 'booked')
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .executeTakeFirst();
  return r ? { startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at), place: r.place } : null;
}

/** The group's first meeting (not cancelled) from an instant on. */
export async function selectFirstMeetingFrom(db: Db, groupId: string, from: Date): Promise<TimeAndPlace | null> {
  const r = await db
    .selectFrom('meetings')
    .select(['starts_at', 'ends_at', 'place'])
    .where('group_id', '=', groupId)
    .where('starts_at', '>=', from.toISOString())
    .where('status', '!=', 'cancelled')
    .orderBy('starts_at')
    .executeTakeFirst();
  return r ? { startsAt: new Date(r.starts_at), endsAt: new Date(r.ends_at), place: r.place } : null;
}

/** The group's next intake window (quarterly groups): its first meeting, or the quarter's first day. */
export async function selectNextIntakeWindow(db: Db, groupId: string, today: string): Promise<{ quarterStart: string; startsAt: Date | null } | null> {
  const r = await db
    .selectFrom('intake_windows as w')
    .leftJoin('meetings as s', 's.id', 'w.meeting_id')
    .select(['w.quarter_start', 's.starts_at'])
    .where('w.group_id', '=', groupId)
    .where('w.quarter_start', '>=', today)
    .orderBy('w.quarter_start')
    .executeTakeFirst();
  return r ? { quarterStart: r.quarter_start, startsAt: r.starts_at ? new Date(r.starts_at) : null } : null;
}
