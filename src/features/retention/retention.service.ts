import type { Kysely } from 'kysely';
import type { Database } from '../../lib/server/database';
import { ForbiddenError, ValidationError } from '../../lib/errors';
import { parseForm, type FormValues } from '../../lib/forms';
import { instantToZoned, todayInZone } from '../../lib/time';
import type { Actor } from '../auth/auth';
import { recordAudit } from '../audit/audit.service';
import { pruneExpiredSessions } from '../auth/auth.service';
import { pruneRateLimits } from '../throttle/throttle.service';
import {
  childContribution, isDueForPurge, parseRetentionMonths, RETENTION_SETTING_KEY, retentionClosedOn,
  retentionSettingsSchema, type PurgeLine,
} from './retention';
import {
  addYearlyCounts, checkpointSqlite, claimNightlyRun, deleteChild, saveSetting, selectChildFigures,
  selectRetentionCandidate, selectRetentionCandidates, selectSetting, zeroDeletedContent,
} from './retention.repository';
import { pruneMutationIds } from '../attendance/attendance.service';

function requireCoordinator(actor: Actor): void {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan ændre, hvor længe data gemmes.');
}

export async function readRetentionMonths(db: Kysely<Database>): Promise<number> {
  return parseRetentionMonths(await selectSetting(db, RETENTION_SETTING_KEY));
}

export interface RetentionSettings {
  retentionMonths: number;
  /** Children whose data the next purge deletes (as of today). */
  dueNow: number;
}

export async function getRetentionSettings(db: Kysely<Database>, actor: Actor, now: Date): Promise<RetentionSettings> {
  requireCoordinator(actor);
  const retentionMonths = await readRetentionMonths(db);
  const today = todayInZone(now);
  const candidates = await selectRetentionCandidates(db);
  return { retentionMonths, dueNow: candidates.filter((c) => isDueForPurge(c, retentionMonths, today)).length };
}

/** Saves the number of months (1-120); throws ValidationError with a Danish message at the field. */
export async function updateRetentionMonths(db: Kysely<Database>, actor: Actor, input: FormData | FormValues, now: Date): Promise<number> {
  requireCoordinator(actor);
  const parsed = parseForm(retentionSettingsSchema, input);
  if (!parsed.ok) throw new ValidationError(parsed.errors);
  const months = parsed.data.retentionMonths;
  await db.transaction().execute(async (trx) => {
    await saveSetting(trx, RETENTION_SETTING_KEY, String(months));
    await recordAudit(trx, actor, [{ action: 'update', entityType: 'app_settings', entityId: RETENTION_SETTING_KEY, detail: `${months} måneder` }], now);
  });
  return months;
}

export interface PurgeReport {
  retentionMonths: number;
  today: string;
  /** Every child due, in the order handled. */
  lines: PurgeLine[];
  applied: boolean;
  /** How many were deleted (0 on a dry run). */
  purged: number;
  /** SQLite: whether the WAL was emptied into the file afterwards; null on PostgreSQL or a dry run. */
  checkpointed: boolean | null;
}

/**
 * The retention purge. Dry run (apply false) only reports. With apply, each due child is handled in its own
 * transaction: re-checked, its share of the yearly figures added to yearly_counts, one audit entry
 * (delete, detail 'retention', no names), then the child's row deleted with everything hanging on it.
 */
export async function purgeExpiredData(
  db: Kysely<Database>,
  actor: Actor | { system: string },
  options: { apply: boolean },
  now: Date,
): Promise<PurgeReport> {
  if ('user' in actor) requireCoordinator(actor);
  const retentionMonths = await readRetentionMonths(db);
  const today = todayInZone(now);
  const due = (await selectRetentionCandidates(db)).filter((c) => isDueForPurge(c, retentionMonths, today));
  const lines: PurgeLine[] = due.map((c) => ({
    childId: c.childId,
    groupNames: c.groupNames,
    municipality: c.municipality,
    closedOn: retentionClosedOn(c) ?? today,
  }));
  if (!options.apply) return { retentionMonths, today, lines, applied: false, purged: 0, checkpointed: null };

  await zeroDeletedContent(db);
  let purged = 0;
  for (const line of lines) {
    const deleted = await db.transaction().execute(async (trx) => {
      const fresh = await selectRetentionCandidate(trx, line.childId);
      if (!fresh || !isDueForPurge(fresh, retentionMonths, today)) return false;
      const figures = await selectChildFigures(trx, line.childId);
      if (figures) await addYearlyCounts(trx, childContribution(figures, now));
      await recordAudit(trx, actor, [{ action: 'delete', entityType: 'child', entityId: line.childId, childId: line.childId, detail: 'retention' }], now);
      return deleteChild(trx, line.childId);
    });
    if (deleted) purged += 1;
  }
  const checkpointed = purged > 0 ? await checkpointSqlite(db) : null;
  return { retentionMonths, today, lines, applied: true, purged, checkpointed };
}

/** The operator's report, one anonymous line per child (no names: the output may end up in a log). */
export function describePurge(report: PurgeReport): string {
  const out: string[] = [];
  out.push(`Opbevaring: ${report.retentionMonths} måneder efter forløbets afslutning. Dato: ${report.today}.`);
  for (const l of report.lines) {
    out.push(`  barn ${l.childId}  gruppe: ${l.groupNames.join(', ') || '–'}  kommune: ${l.municipality}  afsluttet: ${l.closedOn}`);
  }
  if (report.applied) {
    out.push(`Slettet: ${report.purged} børn.`);
    if (report.checkpointed === false) out.push('Bemærk: WAL-filen kunne ikke tømmes nu (en anden læste); det sker ved næste kørsel.');
  } else {
    out.push(`I alt ${report.lines.length} børn ville blive slettet. Kør med --apply for at slette.`);
  }
  return out.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Nightly housekeeping

export const NIGHTLY_SETTING_KEY = 'nightly_last_run';
/** Copenhagen hours in which the nightly run may start (02.00-05.59). */
export const NIGHTLY_FROM_HOUR = 2;
export const NIGHTLY_UNTIL_HOUR = 6;

export interface NightlyResult {
  ran: boolean;
  purge?: PurgeReport;
  sessionsPruned?: number;
  rateLimitsPruned?: number;
  mutationIdsPruned?: number;
}

/**
 * Runs the purge and the session and rate-limit housekeeping once per Copenhagen night. Every app process may
 * call this; a conditional update of 'nightly_last_run' lets exactly one of them run it each night.
 */
export async function runNightlyMaintenance(db: Kysely<Database>, now: Date): Promise<NightlyResult> {
  const { date, time } = instantToZoned(now);
  const hour = Number(time.slice(0, 2));
  if (hour < NIGHTLY_FROM_HOUR || hour >= NIGHTLY_UNTIL_HOUR) return { ran: false };
  if (!(await claimNightlyRun(db, NIGHTLY_SETTING_KEY, date))) return { ran: false };
  const purge = await purgeExpiredData(db, { system: 'retention' }, { apply: true }, now);
  const sessionsPruned = await pruneExpiredSessions(db, now);
  const rateLimitsPruned = await pruneRateLimits(db, now);
  const mutationIdsPruned = await pruneMutationIds(db, now);
  return { ran: true, purge, sessionsPruned, rateLimitsPruned, mutationIdsPruned };
}
