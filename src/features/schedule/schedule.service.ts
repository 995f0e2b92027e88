import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'astro/zod';
import { parsedField, parseInput } from '../../lib/forms';
import type { Database } from '../../lib/server/database';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import type { Clock, IsoDate } from '../../lib/time';
import {
  addDays,
  clockMinutes,
  compareDates,
  daysBetween,
  daysInMonth,
  formatClock,
  formatDate,
  formatWeek,
  instantToZoned,
  isoDate,
  isoWeek,
  parseClock,
  parseIsoDate,
  todayInZone,
  zonedToInstant,
} from '../../lib/time';
import type { Actor } from '../auth/auth';
import { recordAudit } from '../audit/audit.service';
import { enqueueMeetingChange } from '../messages/messages.service';
import type { Group } from '../groups/groups';
import { isLeaderOf, selectGroup, selectGroups } from '../groups/groups.repository';
import { generateOccurrences, intakeWindows, planRegeneration } from './schedule';
import type { Meeting, MeetingStatus, StoredClosedPeriod } from './schedule.repository';
import {
  deleteClosedPeriodRow,
  deleteIntakeWindows,
  deleteMeetings,
  insertClosedPeriod,
  insertIntakeWindow,
  insertMeetings,
  selectClosedPeriod,
  selectClosedPeriods,
  selectClosedPeriodsForGroup,
  selectMeetings,
  selectIntakeWindows,
  selectMeeting,
  selectMeetingsFromKey,
  setIntakeWindowMeeting,
  updateMeeting,
} from './schedule.repository';

type Db = Kysely<Database> | Transaction<Database>;
/** A posted form's fields as text (see formValues); the schemas check them. */
type FormInput = Record<string, string>;

/** Meetings are planned this many months ahead (to the end of that month). */
export const PLANNING_MONTHS = 12;

/** A meeting as staff pages show it: Copenhagen date, wall-clock times and ISO week. */
export interface MeetingView {
  id: string;
  groupId: string;
  occurrenceKey: string;
  startsAt: Date;
  endsAt: Date;
  date: IsoDate;
  startTime: Clock;
  endTime: Clock;
  week: number;
  place: string;
  status: MeetingStatus;
  isManual: boolean;
  theme: string | null;
  cancelReason: string | null;
  sequence: number;
}

export function toMeetingView(meeting: Meeting): MeetingView {
  const start = instantToZoned(meeting.startsAt);
  return {
    id: meeting.id,
    groupId: meeting.groupId,
    occurrenceKey: meeting.occurrenceKey,
    startsAt: meeting.startsAt,
    endsAt: meeting.endsAt,
    date: start.date,
    startTime: start.time,
    endTime: instantToZoned(meeting.endsAt).time,
    week: isoWeek(start.date).week,
    place: meeting.place,
    status: meeting.status,
    isManual: meeting.isManual,
    theme: meeting.theme,
    cancelReason: meeting.cancelReason,
    sequence: meeting.sequence,
  };
}

/** 'onsdag 9. december 2026 kl. 16.00-18.00 · uge 50': how staff pages name a meeting's time. */
export function describeMeetingTime(meeting: Pick<MeetingView, 'date' | 'startTime' | 'endTime'>): string {
  return `${formatDate(meeting.date, 'da')} kl. ${formatClock(meeting.startTime, 'da')}-${formatClock(meeting.endTime, 'da')} · ${formatWeek(meeting.date, 'da')}`;
}

export const MEETING_STATUS_LABELS: Record<MeetingStatus, string> = {
  planned: 'planlagt',
  cancelled: 'aflyst',
  moved: 'flyttet',
};

/** The dates meetings are planned for: today (Copenhagen) to the end of the month 12 months on. */
export function planningWindow(now: Date): { from: IsoDate; to: IsoDate } {
  const from = todayInZone(now);
  const year = Number(from.slice(0, 4));
  const month = Number(from.slice(5, 7)) + PLANNING_MONTHS;
  const toYear = year + Math.floor((month - 1) / 12);
  const toMonth = ((month - 1) % 12) + 1;
  return { from, to: isoDate(toYear, toMonth, daysInMonth(toYear, toMonth)) };
}

function quarterStartOf(date: IsoDate): IsoDate {
  const month = Number(date.slice(5, 7));
  return isoDate(Number(date.slice(0, 4)), month - ((month - 1) % 3), 1);
}

/** 'YYYY-MM' of the month before a date's month. */
function previousMonthKey(date: IsoDate): string {
  return addDays(`${date.slice(0, 7)}-01`, -1).slice(0, 7);
}

// ---------------------------------------------------------------------------------------------
// Permissions: the coordinator everything; a leader the groups they lead; caseworkers nothing here.

async function assertCanManageGroup(db: Db, actor: Actor, groupId: string): Promise<void> {
  if (actor.user.role === 'coordinator') return;
  if (actor.user.role === 'leader' && (await isLeaderOf(db, actor.user.id, groupId))) return;
  throw new ForbiddenError('Du kan kun se og ændre møder i de grupper, du selv er leder af.');
}

function assertCoordinator(actor: Actor): void {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan ændre ferier og lukkede perioder.');
}

function assertStaffWithGroups(actor: Actor): void {
  if (actor.user.role !== 'coordinator' && actor.user.role !== 'leader') throw new ForbiddenError();
}

// ---------------------------------------------------------------------------------------------
// Regeneration

export interface RegenerationResult {
  created: number;
  updated: number;
  removed: number;
}

/**
 * Brings a group's meetings in line with its meeting rule, place and closed periods, from today to 12 months
 * ahead. Past meetings and meetings moved or cancelled by hand are never touched; an untouched meeting keeps
 * its id and gets sequence + 1 when its time or place changes. Runs inside the caller's transaction.
 */
export async function regenerateMeetings(trx: Db, groupId: string, now: Date): Promise<RegenerationResult> {
  const group = await selectGroup(trx, groupId);
  if (!group) throw new NotFoundError('Gruppen findes ikke.');
  const { from, to } = planningWindow(now);
  const periods = await selectClosedPeriodsForGroup(trx, groupId, previousMonthKey(from) + '-01');
  const generated = generateOccurrences({
    rule: group.rule,
    from,
    to,
    closedPeriods: periods.map((p) => ({ name: p.name, startDate: p.startDate, endDate: p.endDate })),
  });
  // Every meeting whose key the engine might generate again, past ones included: a used key is never reused.
  const existing = await selectMeetingsFromKey(trx, groupId, previousMonthKey(from));
  const plan = planRegeneration({ existing, generated, now });

  const removed = new Set(plan.remove);
  const retimed = new Map(plan.update.map((u) => [u.id, u.occurrence]));
  let updated = 0;
  for (const meeting of existing) {
    const untouched = !meeting.isManual && meeting.status === 'planned' && meeting.startsAt.getTime() > now.getTime();
    if (!untouched || removed.has(meeting.id)) continue;
    const occurrence = retimed.get(meeting.id);
    const placeChanged = meeting.place !== group.place;
    if (!occurrence && !placeChanged) continue;
    await updateMeeting(
      trx,
      meeting.id,
      {
        ...(occurrence ? { startsAt: occurrence.startsAt, endsAt: occurrence.endsAt } : {}),
        ...(placeChanged ? { place: group.place } : {}),
      },
      now,
    );
    updated += 1;
  }
  await deleteMeetings(trx, plan.remove);
  await insertMeetings(
    trx,
    plan.create.map((o) => ({
      id: randomUUID(),
      groupId,
      occurrenceKey: o.occurrenceKey,
      startsAt: o.startsAt,
      endsAt: o.endsAt,
      place: group.place,
    })),
    now,
  );
  await refreshIntakeWindowsFor(trx, group, now);
  return { created: plan.create.length, updated, removed: plan.remove.length };
}

/**
 * Keeps every group planned 12 months ahead as time passes: run it when the server starts and once a day.
 * One transaction per group; safe to run from several processes at once. No actor: nothing a person changed.
 */
export async function regenerateAllGroups(db: Kysely<Database>, now: Date): Promise<RegenerationResult> {
  const total: RegenerationResult = { created: 0, updated: 0, removed: 0 };
  for (const group of await selectGroups(db)) {
    const result = await db.transaction().execute((trx) => regenerateMeetings(trx, group.id, now));
    total.created += result.created;
    total.updated += result.updated;
    total.removed += result.removed;
  }
  return total;
}

/**
 * Stores the quarterly intake windows (the first meeting held in each quarter) from the current quarter on.
 * A window an enrollment points at is kept (without a meeting if its quarter has none); other stale ones go.
 */
export async function refreshIntakeWindows(trx: Db, groupId: string, now: Date): Promise<void> {
  const group = await selectGroup(trx, groupId);
  if (!group) throw new NotFoundError('Gruppen findes ikke.');
  await refreshIntakeWindowsFor(trx, group, now);
}

async function refreshIntakeWindowsFor(trx: Db, group: Group, now: Date): Promise<void> {
  const quarterStart = quarterStartOf(todayInZone(now));
  const { to } = planningWindow(now);
  const meetings =
    group.intakeRule === 'quarterly'
      ? await selectMeetings(trx, group.id, { from: zonedToInstant(quarterStart, '00:00'), to: null })
      : [];
  const computed = intakeWindows(
    meetings.map((s) => ({ occurrenceKey: s.occurrenceKey, date: instantToZoned(s.startsAt).date, cancelled: s.status === 'cancelled' })),
    quarterStart,
    to,
  );
  const meetingIdByKey = new Map(meetings.map((s) => [s.occurrenceKey, s.id]));
  const stored = await selectIntakeWindows(trx, group.id, quarterStart);
  const storedByQuarter = new Map(stored.map((w) => [w.quarterStart, w]));
  const keep = new Set<string>();
  for (const window of computed) {
    const meetingId = meetingIdByKey.get(window.occurrenceKey) ?? null;
    const current = storedByQuarter.get(window.quarterStart);
    if (current) {
      keep.add(current.id);
      if (current.meetingId !== meetingId) await setIntakeWindowMeeting(trx, current.id, meetingId);
    } else {
      await insertIntakeWindow(trx, { id: randomUUID(), groupId: group.id, quarterStart: window.quarterStart, meetingId }, now);
    }
  }
  const stale = stored.filter((w) => !keep.has(w.id));
  await deleteIntakeWindows(trx, stale.filter((w) => w.enrollmentCount === 0).map((w) => w.id));
  for (const window of stale) {
    if (window.enrollmentCount > 0 && window.meetingId !== null) await setIntakeWindowMeeting(trx, window.id, null);
  }
}

// ---------------------------------------------------------------------------------------------
// Meetings

/** A group's meetings starting on the dates from..to (inclusive, Copenhagen), in time order. */
export async function listMeetings(
  db: Db,
  actor: Actor,
  groupId: string,
  range: { from: IsoDate; to: IsoDate },
): Promise<MeetingView[]> {
  assertStaffWithGroups(actor);
  await assertCanManageGroup(db, actor, groupId);
  const meetings = await selectMeetings(db, groupId, {
    from: zonedToInstant(range.from, '00:00'),
    to: zonedToInstant(addDays(range.to, 1), '00:00'),
  });
  return meetings.map(toMeetingView);
}

export interface MeetingDetail {
  meeting: MeetingView;
  group: { id: string; name: string; place: string };
}

/** One meeting with its group's name, for the move/cancel page. */
export async function getMeeting(db: Db, actor: Actor, meetingId: string): Promise<MeetingDetail> {
  assertStaffWithGroups(actor);
  const meeting = await selectMeeting(db, meetingId);
  if (!meeting) throw new NotFoundError('Mødet findes ikke.');
  await assertCanManageGroup(db, actor, meeting.groupId);
  const group = await selectGroup(db, meeting.groupId);
  if (!group) throw new NotFoundError('Gruppen findes ikke.');
  return { meeting: toMeetingView(meeting), group: { id: group.id, name: group.name, place: group.place } };
}

const dateField = (missing: string) => parsedField(parseIsoDate, missing, 'Skriv datoen som år-måned-dag, fx 2026-12-09.');
const clockField = (missing: string) => parsedField(parseClock, missing, 'Skriv tidspunktet som tt.mm, fx 16.00.');

const optionalText = (max: number, tooLong: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v ?? '').trim())
    .pipe(z.string().max(max, tooLong));

/** The "move this meeting" form: a new date, times and place (a reason is optional). */
export const moveMeetingSchema = z
  .object({
    date: dateField('Vælg den nye dato.'),
    startTime: clockField('Skriv starttidspunktet, fx 16.00.'),
    endTime: clockField('Skriv sluttidspunktet, fx 18.00.'),
    place: z.string({ error: 'Skriv hvor mødet skal være.' }).trim().min(1, 'Skriv hvor mødet skal være.').max(200, 'Stedet må højst være 200 tegn.'),
    reason: optionalText(500, 'Skriv højst 500 tegn.'),
  })
  .refine((v) => clockMinutes(v.endTime) > clockMinutes(v.startTime), {
    path: ['endTime'],
    message: 'Sluttidspunktet skal ligge efter starttidspunktet.',
    when: (payload) => {
      const v = payload.value as { startTime?: unknown; endTime?: unknown } | undefined;
      return typeof v?.startTime === 'string' && parseClock(v.startTime) !== null && typeof v.endTime === 'string' && parseClock(v.endTime) !== null;
    },
  });

export type MoveMeetingInput = z.input<typeof moveMeetingSchema>;

/** The "cancel this meeting" form: a reason and a ticked confirmation box. */
export const cancelMeetingSchema = z.object({
  reason: z
    .string({ error: 'Skriv kort hvorfor mødet er aflyst, fx sygdom.' })
    .trim()
    .min(1, 'Skriv kort hvorfor mødet er aflyst, fx sygdom.')
    .max(500, 'Skriv højst 500 tegn.'),
  confirm: z
    .string({ error: 'Sæt kryds ved “Ja, aflys mødet”, hvis mødet skal aflyses.' })
    .refine((v) => ['ja', 'on', 'true', '1'].includes(v.trim().toLowerCase()), {
      message: 'Sæt kryds ved “Ja, aflys mødet”, hvis mødet skal aflyses.',
    }),
});

export type CancelMeetingInput = z.input<typeof cancelMeetingSchema>;

async function loadManagedMeeting(db: Db, actor: Actor, meetingId: string): Promise<Meeting> {
  assertStaffWithGroups(actor);
  const meeting = await selectMeeting(db, meetingId);
  if (!meeting) throw new NotFoundError('Mødet findes ikke.');
  await assertCanManageGroup(db, actor, meeting.groupId);
  return meeting;
}

function assertNotStarted(meeting: Meeting, now: Date): void {
  if (meeting.startsAt.getTime() <= now.getTime()) {
    throw new ConflictError('Mødet er allerede begyndt eller holdt, så det kan ikke ændres her.');
  }
}

/** Moves one meeting to a new date, time and/or place. It becomes manual: the meeting rule leaves it alone. */
export async function moveMeeting(db: Kysely<Database>, actor: Actor, meetingId: string, input: MoveMeetingInput | FormInput, now: Date): Promise<MeetingView> {
  const data = parseInput(moveMeetingSchema, input);
  return db.transaction().execute(async (trx) => {
    const meeting = await loadManagedMeeting(trx, actor, meetingId);
    assertNotStarted(meeting, now);
    const startsAt = zonedToInstant(data.date, data.startTime);
    const endsAt = zonedToInstant(data.date, data.endTime);
    if (startsAt.getTime() <= now.getTime()) {
      throw new ValidationError({ date: 'Det nye tidspunkt er allerede passeret. Vælg en dato og et tidspunkt frem i tiden.' });
    }
    const unchanged =
      meeting.status !== 'cancelled' &&
      startsAt.getTime() === meeting.startsAt.getTime() &&
      endsAt.getTime() === meeting.endsAt.getTime() &&
      data.place === meeting.place;
    if (unchanged) throw new ValidationError({ date: 'Mødet ligger allerede der. Vælg en ny dato, et nyt tidspunkt eller et nyt sted.' });
    await updateMeeting(trx, meeting.id, { startsAt, endsAt, place: data.place, status: 'moved', isManual: true, cancelReason: null }, now);
    await refreshIntakeWindows(trx, meeting.groupId, now);
    await enqueueMeetingChange(trx, meeting.id, 'moved', data.reason ?? null, now); // messages (issue 14)
    await recordAudit(
      trx,
      actor,
      [
        {
          action: 'update',
          entityType: 'meeting',
          entityId: meeting.id,
          detail: JSON.stringify({
            change: 'moved',
            from: meeting.startsAt.toISOString(),
            to: startsAt.toISOString(),
            place: data.place,
            ...(data.reason ? { reason: data.reason } : {}),
          }),
        },
      ],
      now,
    );
    const moved = await selectMeeting(trx, meeting.id);
    if (!moved) throw new NotFoundError('Mødet findes ikke.');
    return toMeetingView(moved);
  });
}

/** Cancels one meeting (it stays in the list and in calendars, marked cancelled). */
export async function cancelMeeting(db: Kysely<Database>, actor: Actor, meetingId: string, input: CancelMeetingInput | FormInput, now: Date): Promise<MeetingView> {
  const data = parseInput(cancelMeetingSchema, input);
  return db.transaction().execute(async (trx) => {
    const meeting = await loadManagedMeeting(trx, actor, meetingId);
    if (meeting.status === 'cancelled') throw new ConflictError('Mødet er allerede aflyst.');
    assertNotStarted(meeting, now);
    await updateMeeting(trx, meeting.id, { status: 'cancelled', isManual: true, cancelReason: data.reason }, now);
    await refreshIntakeWindows(trx, meeting.groupId, now);
    await enqueueMeetingChange(trx, meeting.id, 'cancelled', data.reason, now); // messages (issue 14)
    await recordAudit(
      trx,
      actor,
      [{ action: 'update', entityType: 'meeting', entityId: meeting.id, detail: JSON.stringify({ change: 'cancelled', reason: data.reason }) }],
      now,
    );
    const cancelled = await selectMeeting(trx, meeting.id);
    if (!cancelled) throw new NotFoundError('Mødet findes ikke.');
    return toMeetingView(cancelled);
  });
}

/**
 * Undoes a cancellation: the meeting is held again at its stored date, time and place. If that is where the
 * meeting rule puts it, the rule takes care of it again (planned); if it had been moved first, it stays moved.
 */
export async function restoreMeeting(db: Kysely<Database>, actor: Actor, meetingId: string, now: Date): Promise<MeetingView> {
  return db.transaction().execute(async (trx) => {
    const meeting = await loadManagedMeeting(trx, actor, meetingId);
    if (meeting.status !== 'cancelled') throw new ConflictError('Mødet er ikke aflyst, så der er intet at fortryde.');
    assertNotStarted(meeting, now);
    const group = await selectGroup(trx, meeting.groupId);
    if (!group) throw new NotFoundError('Gruppen findes ikke.');
    const monthStart = `${meeting.occurrenceKey}-01`;
    const periods = await selectClosedPeriodsForGroup(trx, group.id, monthStart);
    const ruled = generateOccurrences({
      rule: group.rule,
      from: monthStart,
      to: addDays(monthStart, 62),
      closedPeriods: periods.map((p) => ({ name: p.name, startDate: p.startDate, endDate: p.endDate })),
    }).find((o) => o.occurrenceKey === meeting.occurrenceKey);
    const followsRule =
      ruled !== undefined &&
      ruled.startsAt.getTime() === meeting.startsAt.getTime() &&
      ruled.endsAt.getTime() === meeting.endsAt.getTime() &&
      meeting.place === group.place;
    await updateMeeting(
      trx,
      meeting.id,
      { status: followsRule ? 'planned' : 'moved', isManual: !followsRule, cancelReason: null },
      now,
    );
    await refreshIntakeWindowsFor(trx, group, now);
    await enqueueMeetingChange(trx, meeting.id, 'restored', null, now); // messages (issue 14)
    await recordAudit(
      trx,
      actor,
      [{ action: 'update', entityType: 'meeting', entityId: meeting.id, detail: JSON.stringify({ change: 'restored' }) }],
      now,
    );
    const restored = await selectMeeting(trx, meeting.id);
    if (!restored) throw new NotFoundError('Mødet findes ikke.');
    return toMeetingView(restored);
  });
}

// ---------------------------------------------------------------------------------------------
// Closed periods

export const MAX_CLOSED_PERIOD_DAYS = 366;

/** The "add a holiday or closed period" form. groupId '' means every group. */
export const closedPeriodSchema = z
  .object({
    name: z.string({ error: 'Skriv et navn, fx Sommerferie.' }).trim().min(1, 'Skriv et navn, fx Sommerferie.').max(80, 'Navnet må højst være 80 tegn.'),
    startDate: dateField('Vælg den første lukkede dag.'),
    endDate: dateField('Vælg den sidste lukkede dag.'),
    groupId: z
      .union([z.string(), z.null()])
      .optional()
      .transform((v) => (v === null || v === undefined || v.trim() === '' ? null : v.trim())),
  })
  .superRefine((v, ctx) => {
    if (compareDates(v.endDate, v.startDate) < 0) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'Den sidste dag må ikke ligge før den første dag.' });
    } else if (daysBetween(v.startDate, v.endDate) >= MAX_CLOSED_PERIOD_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['endDate'], message: 'En lukket periode kan højst vare et år.' });
    }
  });

export type ClosedPeriodInput = z.input<typeof closedPeriodSchema>;

export async function listClosedPeriods(db: Db, actor: Actor): Promise<StoredClosedPeriod[]> {
  assertCoordinator(actor);
  return selectClosedPeriods(db);
}

export interface ClosedPeriodChange {
  id: string;
  /** Meetings created, moved or removed by the change. */
  meetingsChanged: number;
  /** Meetings set by hand that still lie in the period: someone should look at them. */
  manualMeetingsInPeriod: number;
}

async function regenerateAffected(trx: Db, groupId: string | null, now: Date): Promise<{ groupIds: string[]; changed: number }> {
  const groupIds = groupId !== null ? [groupId] : (await selectGroups(trx)).map((g) => g.id);
  let changed = 0;
  for (const id of groupIds) {
    const result = await regenerateMeetings(trx, id, now);
    changed += result.created + result.updated + result.removed;
  }
  return { groupIds, changed };
}

export async function addClosedPeriod(db: Kysely<Database>, actor: Actor, input: ClosedPeriodInput | FormInput, now: Date): Promise<ClosedPeriodChange> {
  assertCoordinator(actor);
  const data = parseInput(closedPeriodSchema, input);
  return db.transaction().execute(async (trx) => {
    if (data.groupId !== null && !(await selectGroup(trx, data.groupId))) {
      throw new ValidationError({ groupId: 'Vælg en gruppe fra listen eller “Alle grupper”.' });
    }
    const id = randomUUID();
    await insertClosedPeriod(trx, { id, groupId: data.groupId, name: data.name, startDate: data.startDate, endDate: data.endDate }, now);
    const { groupIds, changed } = await regenerateAffected(trx, data.groupId, now);
    let manualMeetingsInPeriod = 0;
    for (const groupId of groupIds) {
      const meetings = await selectMeetings(trx, groupId, {
        from: zonedToInstant(data.startDate, '00:00'),
        to: zonedToInstant(addDays(data.endDate, 1), '00:00'),
      });
      manualMeetingsInPeriod += meetings.filter((s) => s.status !== 'cancelled' && s.startsAt.getTime() > now.getTime()).length;
    }
    await recordAudit(
      trx,
      actor,
      [
        {
          action: 'create',
          entityType: 'closed_period',
          entityId: id,
          detail: JSON.stringify({ name: data.name, startDate: data.startDate, endDate: data.endDate, groupId: data.groupId }),
        },
      ],
      now,
    );
    return { id, meetingsChanged: changed, manualMeetingsInPeriod };
  });
}

export async function deleteClosedPeriod(db: Kysely<Database>, actor: Actor, id: string, now: Date): Promise<{ meetingsChanged: number }> {
  assertCoordinator(actor);
  return db.transaction().execute(async (trx) => {
    const period = await selectClosedPeriod(trx, id);
    if (!period) throw new NotFoundError('Perioden findes ikke. Måske er den allerede slettet.');
    await deleteClosedPeriodRow(trx, id);
    const { changed } = await regenerateAffected(trx, period.groupId, now);
    await recordAudit(
      trx,
      actor,
      [
        {
          action: 'delete',
          entityType: 'closed_period',
          entityId: id,
          detail: JSON.stringify({ name: period.name, startDate: period.startDate, endDate: period.endDate, groupId: period.groupId }),
        },
      ],
      now,
    );
    return { meetingsChanged: changed };
  });
}
