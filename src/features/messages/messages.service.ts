// Messages: put in the outbox inside the caller's transaction (a change that rolls back sends nothing), delivered
// later by the worker (messages.worker.ts). The enqueue functions take the caller's `trx` and are called as one line
// from the services that cause a message.
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import type { MailSender } from '../../lib/server/mail';
import { DEFAULT_MAIL_FROM } from '../../lib/server/mail';
import type { SmsSender } from '../../lib/server/sms';
import { generateSecret } from '../../lib/server/tokens';
import type { Locale } from '../../lib/time';
import { formatDate, instantToZoned, todayInZone, zonedToInstant } from '../../lib/time';
import type { Actor } from '../auth/auth';
import { recordAudit } from '../audit/audit.service';
import { FALLBACK_CENTRE_PHONE } from '../families/families';
import type { EnrollmentEventType } from '../lifecycle/lifecycle';
import { caseworkerReferralPath } from '../referrals/referrals';
import { familyPagePath } from '../families/families';
import { selectOpenSealedToken } from '../families/families.repository';
import { openText } from '../../lib/server/secret-box';
import type { ContactChoice, MessageChannel, MessagePayload, MessageStatus, ReminderSetting } from './messages';
import {
  AFBUD_GATHER_MS, CHANGE_DELAY_MS, caseworkerNotices, FAMILY_LINK_SLOT, fillFamilyLink, LEASE_MS, RETRY_BASE_MS, MAX_ATTEMPTS, consentSchema, htmlPart, isEmailAddress, isOptional,
  maskRecipient, messageIdFor, nextDaytime, normaliseDanishPhone, plainText, reminderSettingSchema, reminderTime,
  renderMessage, retryDelayMs, smsText,
} from './messages';
import type { GroupReminder, GuardianContact, OutboxMessage, StaffContact, TimeAndPlace } from './messages.repository';
import {
  claimDueMessages, countOutboxByStatus, selectBookedConversation, selectCourseFacts, selectFirstMeetingFrom, selectNextIntakeWindow, deleteOpenOnTopic, insertOutboxMessage, markNotSent, markSent, requeueMessage,
  selectChildFirstName, selectChildMessages, selectGroupLeaders, selectGroupReminders, selectGuardianByUnsubscribeKey,
  selectGuardiansOfChild, selectMemberGuardians, selectOpenOnTopic, selectOutboxMessages, selectReferralFacts,
  selectMeetingFacts, selectMeetingsStartingBetween, updateGroupReminder, updateGuardianChoice,
  updateOpenMessageContent,
} from './messages.repository';

type Db = Kysely<Database> | Transaction<Database>;

/** Who wrote a message in the audit trail. */
const MESSAGES_ACTOR = { system: 'beskeder' };

/** The site's address in links (PUBLIC_ORIGIN behind a proxy). */
export function publicOrigin(): string {
  return process.env['PUBLIC_ORIGIN'] ?? `http://${process.env['HOST'] ?? 'localhost'}:${process.env['PORT'] ?? '4321'}`;
}

/** A delay from the environment (the browser tests shorten the waits), else the rule's own. */
function delayMs(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw.trim() === '' ? Number.NaN : Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/**
 * The first moment a family may get a message: outside 21.00-08.00. OUTBOX_QUIET_HOURS=off lifts it for a browser
 * test run at night (the rule itself is tested with `now` passed in).
 */
function familyTime(at: Date): Date {
  return process.env['OUTBOX_QUIET_HOURS'] === 'off' ? at : nextDaytime(at);
}

function mailFrom(): string {
  return process.env['MAIL_FROM']?.trim() || DEFAULT_MAIL_FROM;
}

export function unsubscribePath(key: string): string {
  return `/beskeder/afmeld/${key}`;
}

interface Recipient {
  channel: MessageChannel;
  address: string;
  language: Locale;
  guardianId: string | null;
  userId: string | null;
  unsubscribeKey: string | null;
}

/** Where a guardian's chosen messages go, or null (chose none, or the address is missing or not a mobile number). */
function guardianRecipient(g: GuardianContact): Recipient | null {
  const base = { language: g.language, guardianId: g.id, userId: null, unsubscribeKey: g.unsubscribeKey };
  if (g.channel === 'email' && isEmailAddress(g.email)) return { ...base, channel: 'email', address: g.email.trim() };
  const phone = g.channel === 'sms' ? normaliseDanishPhone(g.phone) : null;
  return phone ? { ...base, channel: 'sms', address: phone } : null;
}

function staffRecipient(s: StaffContact): Recipient {
  return { channel: 'email', address: s.email, language: 'da', guardianId: null, userId: s.id, unsubscribeKey: null };
}

function renderFor(payload: MessagePayload, recipient: Recipient): { subject: string; text: string; html: string | null; unsubscribeUrl: string | null } {
  const unsubscribeUrl = isOptional(payload.kind) && recipient.channel === 'email' && recipient.unsubscribeKey
    ? `${publicOrigin()}${unsubscribePath(recipient.unsubscribeKey)}`
    : null;
  const rendered = renderMessage(payload, { language: recipient.language, phone: FALLBACK_CENTRE_PHONE, unsubscribeUrl });
  return recipient.channel === 'sms'
    ? { subject: rendered.subject, text: smsText(rendered), html: null, unsubscribeUrl: null }
    : { subject: rendered.subject, text: plainText(rendered), html: htmlPart(rendered, recipient.language), unsubscribeUrl };
}

interface PutOptions {
  childId: string | null;
  topic?: string;
  onceKey?: string;
  secret?: boolean;
  sendAfter: Date;
}

/** Renders and writes one message; answers its id, or null when its once-key was used before. */
async function put(trx: Transaction<Database>, payload: MessagePayload, to: Recipient, options: PutOptions, now: Date): Promise<string | null> {
  const id = randomUUID();
  const content = renderFor(payload, to);
  const inserted = await insertOutboxMessage(trx, {
    id,
    kind: payload.kind,
    channel: to.channel,
    recipient: to.address,
    language: to.language,
    subject: content.subject,
    bodyText: content.text,
    bodyHtml: content.html,
    unsubscribeUrl: content.unsubscribeUrl,
    payload,
    topic: options.topic ?? null,
    onceKey: options.onceKey ?? null,
    childId: options.childId,
    guardianId: to.guardianId,
    userId: to.userId,
    secret: options.secret ?? false,
    sendAfter: options.sendAfter,
    messageId: messageIdFor(id, mailFrom()),
  }, now);
  if (!inserted) return null;
  await recordAudit(trx, MESSAGES_ACTOR, [
    { action: 'create', entityType: 'message', entityId: id, childId: options.childId, detail: `${payload.kind} (${to.channel})` },
  ], now);
  return id;
}

// ---------------------------------------------------------------------------------------------
// What causes a message (each called once, inside the transaction of the change)

/**
 * A meeting moved, cancelled or held after all: one message to each guardian of a member who chose messages, and
 * to each of the group's leaders. It waits a few minutes; a later change of the same meeting replaces it while it
 * is unsent (and a cancellation undone before anyone heard of it sends nothing).
 */
export async function enqueueMeetingChange(
  trx: Transaction<Database>,
  meetingId: string,
  change: 'moved' | 'cancelled' | 'restored',
  reason: string | null,
  now: Date,
): Promise<number> {
  const meeting = await selectMeetingFacts(trx, meetingId);
  if (!meeting || meeting.startsAt.getTime() <= now.getTime()) return 0;
  const base = {
    kind: 'meeting_changed' as const, change, groupName: meeting.groupName, startsAt: meeting.startsAt.toISOString(),
    endsAt: meeting.endsAt.toISOString(), place: meeting.place, reason: reason && reason.trim() !== '' ? reason.trim() : null,
  };
  const sendAfter = new Date(now.getTime() + delayMs('OUTBOX_CHANGE_DELAY_MS', CHANGE_DELAY_MS));
  let written = 0;
  const guardians = await selectMemberGuardians(trx, meeting.groupId, instantToZoned(meeting.startsAt).date);
  for (const g of guardians) {
    const to = guardianRecipient(g);
    if (!to) continue;
    const topic = `meeting:${meetingId}:guardian:${g.id}`;
    const replaced = await deleteOpenOnTopic(trx, topic);
    if (change === 'restored' && replaced > 0) continue;
    if (await put(trx, { ...base, audience: 'family' }, to, { childId: g.childId, topic, sendAfter: familyTime(sendAfter) }, now)) written += 1;
  }
  for (const leader of await selectGroupLeaders(trx, meeting.groupId)) {
    const topic = `meeting:${meetingId}:user:${leader.id}`;
    const replaced = await deleteOpenOnTopic(trx, topic);
    if (change === 'restored' && replaced > 0) continue;
    if (await put(trx, { ...base, audience: 'leader' }, staffRecipient(leader), { childId: null, topic, sendAfter }, now)) written += 1;
  }
  return written;
}

/** A family's afbud → the group's leaders by e-mail; afbud close together are gathered into one e-mail. */
export async function enqueueAfbud(
  trx: Transaction<Database>,
  meetingId: string,
  childId: string,
  message: string | null,
  now: Date,
): Promise<void> {
  const meeting = await selectMeetingFacts(trx, meetingId);
  const child = await selectChildFirstName(trx, childId);
  if (!meeting || child === null) return;
  const item = { firstName: child, startsAt: meeting.startsAt.toISOString(), message };
  for (const leader of await selectGroupLeaders(trx, meeting.groupId)) {
    const topic = `afbud:${meeting.groupId}:${leader.id}`;
    const open = (await selectOpenOnTopic(trx, topic))[0];
    if (open && open.payload.kind === 'afbud') {
      const payload: MessagePayload = { ...open.payload, items: [...open.payload.items, item] };
      const content = renderFor(payload, staffRecipient(leader));
      if (await updateOpenMessageContent(trx, open.id, { subject: content.subject, bodyText: content.text, bodyHtml: content.html, payload }, now)) continue;
    }
    await put(trx, { kind: 'afbud', groupName: meeting.groupName, items: [item] }, staffRecipient(leader), {
      childId, topic, sendAfter: new Date(now.getTime() + delayMs('OUTBOX_AFBUD_GATHER_MS', AFBUD_GATHER_MS)),
    }, now);
  }
}

export interface LinkTarget {
  guardianId: string;
  channel: MessageChannel;
}

/** The family link to the chosen guardians' e-mail or phone. The message is secret: never shown, blanked once sent. */
export async function enqueueFamilyLink(trx: Transaction<Database>, childId: string, url: string, targets: readonly LinkTarget[], now: Date): Promise<number> {
  const guardians = await selectGuardiansOfChild(trx, childId);
  let written = 0;
  for (const target of targets) {
    const g = guardians.find((x) => x.id === target.guardianId);
    if (!g) continue;
    const address = target.channel === 'email' ? (isEmailAddress(g.email) ? g.email.trim() : null) : normaliseDanishPhone(g.phone);
    if (!address) continue;
    const to: Recipient = { channel: target.channel, address, language: g.language, guardianId: g.id, userId: null, unsubscribeKey: null };
    if (await put(trx, { kind: 'family_link', firstName: g.childFirstName, url }, to, { childId, secret: true, sendAfter: familyTime(now) }, now)) written += 1;
  }
  return written;
}

/** A staff member's one-time link (new account or new password) by e-mail. Secret, like the family link. */
export async function enqueueStaffLink(
  trx: Transaction<Database>,
  user: { id: string; email: string; name: string },
  purpose: 'setup' | 'reset',
  url: string,
  now: Date,
): Promise<void> {
  await put(trx, { kind: 'staff_link', purpose, name: user.name, url }, staffRecipient({ id: user.id, email: user.email, name: user.name }), {
    childId: null, secret: true, topic: `staff-link:${user.id}`, sendAfter: now,
  }, now);
}

/**
 * A referral received: a receipt to the caseworker who sent it, or (a parent's own request) to the parent's e-mail,
 * else their phone: the address they gave for this.
 */
export async function enqueueReferralReceipt(trx: Transaction<Database>, referralId: string, language: Locale, now: Date): Promise<void> {
  const facts = await selectReferralFacts(trx, referralId);
  if (!facts) return;
  if (facts.source === 'caseworker') {
    if (!facts.caseworker) return;
    await put(trx, { kind: 'referral_receipt', reference: facts.reference, groupName: facts.groupName, firstName: facts.firstName },
      staffRecipient(facts.caseworker), { childId: facts.childId, sendAfter: now }, now);
    return;
  }
  for (const g of await selectGuardiansOfChild(trx, facts.childId)) {
    const phone = normaliseDanishPhone(g.phone);
    const to: Recipient | null = isEmailAddress(g.email)
      ? { channel: 'email', address: g.email.trim(), language, guardianId: g.id, userId: null, unsubscribeKey: null }
      : phone ? { channel: 'sms', address: phone, language, guardianId: g.id, userId: null, unsubscribeKey: null } : null;
    if (!to) continue;
    await put(trx, { kind: 'parent_request_receipt', groupName: facts.groupName, firstName: facts.firstName }, to, {
      childId: facts.childId, sendAfter: familyTime(now),
    }, now);
  }
}

/**
 * Steps of a referred child's course → the caseworker who referred, by e-mail. Which steps tell the caseworker is
 * the lifecycle's table CASEWORKER_NOTICES; the enrollment service calls this once, where it applies steps.
 */
export async function enqueueCaseworkerNotices(
  trx: Transaction<Database>,
  enrollmentId: string,
  steps: readonly EnrollmentEventType[],
  now: Date,
): Promise<number> {
  const notices = caseworkerNotices(steps);
  if (notices.length === 0) return 0;
  const course = await selectCourseFacts(trx, enrollmentId);
  const facts = course?.referralId ? await selectReferralFacts(trx, course.referralId) : null;
  if (!course || !facts?.caseworker) return 0;
  let written = 0;
  for (const event of notices) {
    let meeting: TimeAndPlace | null = null;
    let window: string | null = null;
    if (event === 'intake_booked') meeting = await selectBookedConversation(trx, enrollmentId, 'intake');
    if (event === 'closing_booked') meeting = await selectBookedConversation(trx, enrollmentId, 'closing');
    if (event === 'admitted' && course.startDate) meeting = await selectFirstMeetingFrom(trx, course.groupId, zonedToInstant(course.startDate, '00:00'));
    if (event === 'waiting' && course.intakeRule === 'quarterly') {
      const next = await selectNextIntakeWindow(trx, course.groupId, todayInZone(now));
      if (next) window = formatDate(next.startsAt ?? next.quarterStart, 'da');
    }
    const payload: MessagePayload = {
      kind: 'caseworker_update', event, reference: facts.reference, groupName: facts.groupName, firstName: facts.firstName,
      startsAt: meeting?.startsAt.toISOString() ?? null, endsAt: meeting?.endsAt.toISOString() ?? null, place: meeting?.place ?? null,
      reason: event === 'declined' || event === 'ended' ? course.endReason : null, window,
    };
    if (await put(trx, payload, staffRecipient(facts.caseworker), { childId: facts.childId, sendAfter: now }, now)) written += 1;
  }
  return written;
}

/**
 * The family has answered the closing summary (accepted or commented), so the referring caseworker may read it: they
 * get an e-mail with a link to their referral page. The summary's text stays on that page, behind their sign-in.
 */
export async function enqueueSummaryReady(trx: Transaction<Database>, enrollmentId: string, commented: boolean, now: Date): Promise<boolean> {
  const course = await selectCourseFacts(trx, enrollmentId);
  const facts = course?.referralId ? await selectReferralFacts(trx, course.referralId) : null;
  if (!course?.referralId || !facts?.caseworker) return false;
  const payload: MessagePayload = {
    kind: 'summary_ready', reference: facts.reference, groupName: facts.groupName, firstName: facts.firstName, commented,
    url: `${publicOrigin()}${caseworkerReferralPath(course.referralId)}`,
  };
  return (await put(trx, payload, staffRecipient(facts.caseworker), { childId: facts.childId, sendAfter: now }, now)) !== null;
}

// ---------------------------------------------------------------------------------------------
// Reminders

/** The longest a group may set reminders ahead (days), plus one. */
const REMINDER_HORIZON_DAYS = 8;

/**
 * Puts the reminders that are due into the outbox: for each coming meeting whose reminder time has come, one per
 * guardian who chose reminders. A once-key (meeting, its start, guardian) stops a second one, also from another
 * process, so this may run as often as it likes; a moved meeting gets a reminder for its new time.
 */
export async function scheduleReminders(db: Kysely<Database>, now: Date): Promise<number> {
  const meetings = await selectMeetingsStartingBetween(db, now, new Date(now.getTime() + REMINDER_HORIZON_DAYS * 86_400_000));
  let written = 0;
  for (const meeting of meetings) {
    const at = reminderTime(meeting.startsAt, meeting.reminder);
    if (!at || at.getTime() > now.getTime()) continue;
    written += await db.transaction().execute(async (trx) => {
      let n = 0;
      for (const g of await selectMemberGuardians(trx, meeting.groupId, instantToZoned(meeting.startsAt).date)) {
        const to = g.reminders ? guardianRecipient(g) : null;
        if (!to) continue;
        const payload: MessagePayload = {
          kind: 'reminder', groupName: meeting.groupName, firstName: g.childFirstName, startsAt: meeting.startsAt.toISOString(),
          endsAt: meeting.endsAt.toISOString(), place: meeting.place,
        };
        const onceKey = `reminder:${meeting.id}:${meeting.startsAt.toISOString()}:${g.id}`;
        if (await put(trx, payload, to, { childId: g.childId, onceKey, sendAfter: familyTime(now) }, now)) n += 1;
      }
      return n;
    });
  }
  return written;
}

// ---------------------------------------------------------------------------------------------
// Delivery

export interface Senders {
  mail: MailSender | null;
  sms: SmsSender | null;
  log: (line: string) => void;
}

export interface DeliveryResult {
  claimed: number;
  sent: number;
  retried: number;
  failed: number;
  unsent: number;
}

export const BATCH_SIZE = 20;

/** The child's current family page address, opened from its sealed token; null when there is none to open. */
async function currentFamilyLink(db: Kysely<Database>, childId: string | null): Promise<string | null> {
  const sealed = childId ? await selectOpenSealedToken(db, childId) : null;
  const token = sealed ? openText(sealed) : null;
  return token ? `${publicOrigin()}${familyPagePath(token)}` : null;
}

async function deliverOne(db: Kysely<Database>, message: OutboxMessage, senders: Senders): Promise<void> {
  const transport = message.channel === 'email' ? senders.mail : senders.sms;
  if (!transport) throw new NoTransport(message.channel === 'email' ? 'SMTP_URL' : 'SMS_GATEWAY_URL');
  // The family link is put in only here, on its way out: it is never stored in the outbox or written to a log.
  const body = message.bodyText.includes(FAMILY_LINK_SLOT)
    ? fillFamilyLink({ channel: message.channel, text: message.bodyText, html: message.bodyHtml }, await currentFamilyLink(db, message.childId), message.language)
    : { text: message.bodyText, html: message.bodyHtml };
  if (message.channel === 'email' && senders.mail) {
    await senders.mail.send({
      to: message.recipient, subject: message.subject, text: body.text, html: body.html, messageId: message.messageId,
      language: message.language, unsubscribeUrl: message.unsubscribeUrl,
    });
    return;
  }
  await senders.sms?.send({ to: message.recipient, text: body.text, reference: message.id });
}

class NoTransport extends Error {
  constructor(readonly setting: string) {
    super(`${setting} er ikke sat`);
  }
}

/**
 * Claims a batch of due messages (with a lease) and sends them. A failed try is tried again later (30 s, 1 min, …);
 * after MAX_ATTEMPTS it is given up and shown on the coordinator's page. Without a transport the message is kept as
 * 'unsent' and the log says where it would have gone.
 */
export async function deliverDueMessages(db: Kysely<Database>, senders: Senders, workerId: string, now: Date, limit = BATCH_SIZE): Promise<DeliveryResult> {
  const batch = await claimDueMessages(db, workerId, now, new Date(now.getTime() + delayMs('OUTBOX_LEASE_MS', LEASE_MS)), limit);
  const result: DeliveryResult = { claimed: batch.length, sent: 0, retried: 0, failed: 0, unsent: 0 };
  await Promise.all(batch.map(async (message) => {
    try {
      await deliverOne(db, message, senders);
      await markSent(db, message.id, workerId, now, message.secret);
      result.sent += 1;
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      if (error instanceof NoTransport) {
        senders.log(`Besked ${message.id} (${message.kind}) ikke sendt: ${error.setting} er ikke sat. Den skulle som ${message.channel === 'email' ? 'e-mail' : 'SMS'} til ${maskRecipient(message.recipient)}.`);
        await markNotSent(db, message.id, workerId, { status: 'unsent', retryAt: null, error: text }, now);
        result.unsent += 1;
      } else if (message.attempts >= MAX_ATTEMPTS) {
        senders.log(`Besked ${message.id} (${message.kind}) opgivet efter ${message.attempts} forsøg: ${text}`);
        await markNotSent(db, message.id, workerId, { status: 'failed', retryAt: null, error: text }, now);
        result.failed += 1;
      } else {
        const retryAt = familyTime(new Date(now.getTime() + retryDelayMs(message.attempts, delayMs('OUTBOX_RETRY_BASE_MS', RETRY_BASE_MS))));
        await markNotSent(db, message.id, workerId, { status: 'pending', retryAt, error: text }, now);
        result.retried += 1;
      }
    }
  }));
  return result;
}

// ---------------------------------------------------------------------------------------------
// The coordinator's page "Beskeder"

export interface OutboxListItem {
  id: string;
  kind: string;
  channel: MessageChannel;
  /** Masked: enough to know whom. */
  recipient: string;
  subject: string;
  /** The text, or null for a secret message (a link), which staff never see. */
  body: string | null;
  status: MessageStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sendAfter: Date;
  sentAt: Date | null;
}

export interface OutboxPage {
  messages: OutboxListItem[];
  counts: Record<string, number>;
  reminders: GroupReminder[];
  transports: { email: boolean; sms: boolean };
}

function requireCoordinator(actor: Actor): void {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan se beskederne.');
}

export async function listOutbox(db: Kysely<Database>, actor: Actor, status: MessageStatus | null, now: Date): Promise<OutboxPage> {
  requireCoordinator(actor);
  const rows = await selectOutboxMessages(db, { status, limit: 200 });
  await recordAudit(db, actor, [{ action: 'read', entityType: 'outbox', entityId: null, detail: status ?? 'alle' }], now);
  return {
    messages: rows.map((m) => ({
      id: m.id, kind: m.kind, channel: m.channel, recipient: maskRecipient(m.recipient), subject: m.subject,
      body: m.secret ? null : m.bodyText, status: m.status, attempts: m.attempts, lastError: m.lastError,
      createdAt: m.createdAt, sendAfter: m.sendAfter, sentAt: m.sentAt,
    })),
    counts: await countOutboxByStatus(db),
    reminders: await selectGroupReminders(db),
    transports: { email: Boolean(process.env['SMTP_URL']), sms: Boolean(process.env['SMS_GATEWAY_URL']) },
  };
}

/** "Send igen" for a failed or unsent message. */
export async function resendMessage(db: Kysely<Database>, actor: Actor, id: string, now: Date): Promise<void> {
  requireCoordinator(actor);
  await db.transaction().execute(async (trx) => {
    const message = await requeueMessage(trx, id, now);
    if (!message) throw new NotFoundError('Beskeden findes ikke, eller den er ikke fejlet.');
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'message', entityId: id, childId: message.childId, detail: 'send igen' }], now);
  });
}

export async function saveGroupReminder(db: Kysely<Database>, actor: Actor, values: Record<string, string>, now: Date): Promise<void> {
  requireCoordinator(actor);
  const parsed = reminderSettingSchema.safeParse(values);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? '_form')] ??= issue.message;
    throw new ValidationError(fields);
  }
  const setting: ReminderSetting = { daysBefore: parsed.data.daysBefore, time: parsed.data.time };
  await db.transaction().execute(async (trx) => {
    if (!(await updateGroupReminder(trx, parsed.data.groupId, setting, now))) throw new NotFoundError('Gruppen findes ikke.');
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'group', entityId: parsed.data.groupId, detail: `påmindelse ${setting.daysBefore} dag(e) før kl. ${setting.time}` }], now);
  });
}

// ---------------------------------------------------------------------------------------------
// The guardian's choice

export interface GuardianChoice {
  guardianId: string;
  name: string;
  hasEmail: boolean;
  hasPhone: boolean;
  channel: ContactChoice;
  reminders: boolean;
  chosenAt: Date | null;
}

export async function guardianChoices(db: Db, childId: string): Promise<GuardianChoice[]> {
  return (await selectGuardiansOfChild(db, childId)).map((g) => ({
    guardianId: g.id, name: g.name, hasEmail: isEmailAddress(g.email), hasPhone: normaliseDanishPhone(g.phone) !== null,
    channel: g.channel, reminders: g.reminders, chosenAt: g.consentAt,
  }));
}

/** A guardian's choice from the family page, recorded with when and by which family link. */
export async function saveGuardianChoice(
  trx: Transaction<Database>,
  childId: string,
  by: string,
  values: Record<string, string>,
  language: Locale,
  now: Date,
): Promise<void> {
  const parsed = consentSchema.safeParse(values);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? '_form')] ??= issue.message;
    throw new ValidationError(fields);
  }
  const guardian = (await selectGuardiansOfChild(trx, childId)).find((g) => g.id === parsed.data.guardianId);
  if (!guardian) throw new NotFoundError('Vi kender ikke den voksne.');
  const { channel } = parsed.data;
  if (channel === 'email' && !isEmailAddress(guardian.email)) throw new ValidationError({ channel: 'Vi har ikke din e-mail. Ring til os, så skriver vi den på.' });
  if (channel === 'sms' && !normaliseDanishPhone(guardian.phone)) throw new ValidationError({ channel: 'Vi har ikke dit mobilnummer. Ring til os, så skriver vi det på.' });
  await updateGuardianChoice(trx, guardian.id, {
    channel, reminders: channel !== 'none' && parsed.data.reminders, language, by, unsubscribeKey: guardian.unsubscribeKey ?? generateSecret(),
  }, now);
  await recordAudit(trx, { system: by }, [{ action: 'update', entityType: 'guardian', entityId: guardian.id, childId, detail: `beskeder: ${channel}${parsed.data.reminders ? ', påmindelser' : ''}` }], now);
}

export type UnsubscribeView = { kind: 'ok'; channel: ContactChoice; language: Locale } | { kind: 'gone' };

const UNSUBSCRIBE_KEY = /^[a-z2-7]{39}$/;

export async function findUnsubscribe(db: Db, key: string | undefined): Promise<UnsubscribeView> {
  if (!key || !UNSUBSCRIBE_KEY.test(key)) return { kind: 'gone' };
  const g = await selectGuardianByUnsubscribeKey(db, key);
  return g ? { kind: 'ok', channel: g.channel, language: g.language } : { kind: 'gone' };
}

/** The unsubscribe link: no sign-in; turns every optional message off for that guardian. */
export async function unsubscribe(db: Kysely<Database>, key: string | undefined, now: Date): Promise<boolean> {
  if (!key || !UNSUBSCRIBE_KEY.test(key)) return false;
  return db.transaction().execute(async (trx) => {
    const g = await selectGuardianByUnsubscribeKey(trx, key);
    if (!g) return false;
    await updateGuardianChoice(trx, g.id, { channel: 'none', reminders: false, language: g.language, by: 'afmeldingslink', unsubscribeKey: key }, now);
    await recordAudit(trx, { system: 'afmeldingslink' }, [{ action: 'update', entityType: 'guardian', entityId: g.id, childId: g.childId, detail: 'beskeder: none (afmeldt)' }], now);
    return true;
  });
}

/** For the insight export: every message about a child, secret bodies left out. */
export async function childMessages(db: Db, childId: string): Promise<{ at: string; kind: string; channel: string; recipient: string; subject: string; status: string; body: string | null }[]> {
  return (await selectChildMessages(db, childId)).map((m) => ({
    at: m.createdAt.toISOString(), kind: m.kind, channel: m.channel, recipient: m.recipient, subject: m.subject, status: m.status,
    body: m.secret ? null : m.bodyText,
  }));
}
