import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { uuidV7 } from '../../lib/server/tokens';
import type { Actor } from '../auth/auth';
import { ForbiddenError } from '../../lib/errors';
import {
  AUDIT_PAGE_SIZE, auditCsv, auditFilterQuery, auditRangeInstants,
  type AuditCursor, type AuditEntry, type AuditFilter, type AuditRecord,
} from './audit';
import { insertAuditRows, selectAuditEntries, selectAuditUsers } from './audit.repository';

/** Writes audit entries inside the caller's transaction, so the trail and the change land together. */
export async function recordAudit(
  db: Kysely<Database> | Transaction<Database>,
  actor: Actor | { system: string },
  entries: AuditEntry[],
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  // Time-ordered ids: new rows go at the end of the key's index (see uuidV7).
  const ms = now.getTime();
  await insertAuditRows(
    db,
    entries.map((e) => ({
      id: uuidV7(ms),
      at,
      userId: 'user' in actor ? actor.user.id : null,
      actor: 'user' in actor ? actor.user.email : actor.system,
      action: e.action,
      entityType: e.entityType,
      entityId: e.entityId,
      childId: e.childId ?? null,
      ip: 'user' in actor ? actor.ip : null,
      detail: e.detail ?? null,
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// The admin's view of the trail. Looking at the trail is itself a trail entry.

function requireAdmin(actor: Actor): void {
  if (actor.user.role !== 'admin') throw new ForbiddenError('Kun koordinatoren kan se loggen.');
}

function describeFilter(filter: AuditFilter): string {
  const query = auditFilterQuery(filter);
  return query === '' ? 'alle' : query;
}

export interface AuditPage {
  entries: AuditRecord[];
  /** Where the next (older) page starts; null on the last page. */
  next: AuditCursor | null;
}

/** One page (50 entries, newest first) of the filtered trail. Admin only; the reading is recorded. */
export async function listAudit(db: Kysely<Database>, actor: Actor, filter: AuditFilter, now: Date): Promise<AuditPage> {
  requireAdmin(actor);
  const range = auditRangeInstants(filter);
  const rows = await selectAuditEntries(db, {
    child: filter.child,
    userId: filter.userId,
    from: range.from,
    until: range.until,
    before: filter.before,
    limit: AUDIT_PAGE_SIZE + 1,
  });
  await recordAudit(db, actor, [{ action: 'read', entityType: 'audit_log', entityId: null, detail: describeFilter(filter) }], now);
  const entries = rows.slice(0, AUDIT_PAGE_SIZE);
  const last = entries[entries.length - 1];
  const next = rows.length > AUDIT_PAGE_SIZE && last ? { at: last.at.toISOString(), id: last.id } : null;
  return { entries, next };
}

/** The whole filtered trail (the cursor is ignored) as a CSV file for Danish Excel. Admin only; recorded. */
export async function exportAuditCsv(db: Kysely<Database>, actor: Actor, filter: AuditFilter, now: Date): Promise<string> {
  requireAdmin(actor);
  const range = auditRangeInstants(filter);
  const rows = await selectAuditEntries(db, {
    child: filter.child,
    userId: filter.userId,
    from: range.from,
    until: range.until,
    before: null,
    limit: null,
  });
  await recordAudit(db, actor, [{ action: 'export', entityType: 'audit_log', entityId: null, detail: describeFilter({ ...filter, before: null }) }], now);
  return auditCsv(rows);
}

/** Staff accounts for the log page's "by user" choice. Admin only. */
export async function listAuditUsers(db: Kysely<Database>, actor: Actor): Promise<{ id: string; name: string; email: string }[]> {
  requireAdmin(actor);
  return selectAuditUsers(db);
}
