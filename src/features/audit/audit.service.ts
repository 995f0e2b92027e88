import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import { uuidV7 } from '../../lib/server/tokens';
import type { Actor } from '../auth/auth';
import { ForbiddenError } from '../../lib/errors';
import {
  AUDIT_PAGE_SIZE, auditCsv, auditFilterQuery, auditRangeInstants,
  type AuditCursor, type AuditEntry, type AuditFilter, type AuditRecord,
} from './audit';
import { insertAuditRows, selectAuditEntries, selectAuditUsers, type NewAuditRow } from './audit.repository';

/**
 * Writes audit entries: inside the caller's transaction when there is one, so the trail and the change land
 * together. Reads outside a transaction are written together with the other reads that arrive in the same turn of
 * the event loop (see AuditBatch); either way the promise settles only once the entries are committed.
 */
export async function recordAudit(
  db: Kysely<Database> | Transaction<Database>,
  actor: Actor | { system: string },
  entries: AuditEntry[],
  now: Date,
): Promise<void> {
  if (entries.length === 0) return;
  const at = now.toISOString();
  // Time-ordered ids: new rows go at the end of the key's index (see uuidV7).
  const ms = now.getTime();
  const rows: NewAuditRow[] = entries.map((e) => ({
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
  }));
  if (db.isTransaction) {
    await insertAuditRows(db, rows);
    return;
  }
  let batch = batches.get(db);
  if (!batch) {
    batch = new AuditBatch(db);
    batches.set(db, batch);
  }
  await batch.add(rows);
}

/** Rows per INSERT: 10 columns each, well under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const BATCH_ROWS = 1000;

/**
 * Group commit for audit rows written outside a transaction (every staff page that shows a child writes some):
 * rows that arrive while the event loop is busy go into one INSERT and one commit, instead of one each. Under ten
 * concurrent requests this halved the cost of the audit log on the attendance sheet. Nobody's page is answered
 * before its rows are in the database.
 */
class AuditBatch {
  #rows: NewAuditRow[] = [];
  #waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  #scheduled = false;

  constructor(private readonly db: Kysely<Database>) {}

  add(rows: NewAuditRow[]): Promise<void> {
    this.#rows.push(...rows);
    const done = new Promise<void>((resolve, reject) => this.#waiting.push({ resolve, reject }));
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => void this.#flush());
    }
    return done;
  }

  async #flush(): Promise<void> {
    const rows = this.#rows;
    const waiting = this.#waiting;
    this.#rows = [];
    this.#waiting = [];
    this.#scheduled = false;
    try {
      if (rows.length <= BATCH_ROWS) {
        await insertAuditRows(this.db, rows);
      } else {
        await this.db.transaction().execute(async (trx) => {
          for (let i = 0; i < rows.length; i += BATCH_ROWS) await insertAuditRows(trx, rows.slice(i, i + BATCH_ROWS));
        });
      }
      for (const w of waiting) w.resolve();
    } catch (error) {
      for (const w of waiting) w.reject(error);
    }
  }
}

const batches = new WeakMap<Kysely<Database>, AuditBatch>();

// ---------------------------------------------------------------------------------------------
// The coordinator's view of the trail. Looking at the trail is itself a trail entry.

function requireCoordinator(actor: Actor): void {
  if (actor.user.role !== 'coordinator') throw new ForbiddenError('Kun koordinatoren kan se loggen.');
}

function describeFilter(filter: AuditFilter): string {
  const query = auditFilterQuery(filter);
  return query === '' ? 'alle' : query;
}

/** The entries the filter picks, newest first, from its cursor on (`before`), at most `limit` of them. */
function selectFilteredEntries(db: Kysely<Database>, filter: AuditFilter, limit: number | null): Promise<AuditRecord[]> {
  const range = auditRangeInstants(filter);
  return selectAuditEntries(db, { child: filter.child, userId: filter.userId, from: range.from, until: range.until, before: filter.before, limit });
}

export interface AuditPage {
  entries: AuditRecord[];
  /** Where the next (older) page starts; null on the last page. */
  next: AuditCursor | null;
}

/** One page (50 entries, newest first) of the filtered trail. Coordinator only; the reading is recorded. */
export async function listAudit(db: Kysely<Database>, actor: Actor, filter: AuditFilter, now: Date): Promise<AuditPage> {
  requireCoordinator(actor);
  const rows = await selectFilteredEntries(db, filter, AUDIT_PAGE_SIZE + 1);
  await recordAudit(db, actor, [{ action: 'read', entityType: 'audit_log', entityId: null, detail: describeFilter(filter) }], now);
  const entries = rows.slice(0, AUDIT_PAGE_SIZE);
  const last = entries[entries.length - 1];
  const next = rows.length > AUDIT_PAGE_SIZE && last ? { at: last.at.toISOString(), id: last.id } : null;
  return { entries, next };
}

/** The whole filtered trail (the cursor is ignored) as a CSV file for Danish Excel. Coordinator only; recorded. */
export async function exportAuditCsv(db: Kysely<Database>, actor: Actor, filter: AuditFilter, now: Date): Promise<string> {
  requireCoordinator(actor);
  const rows = await selectFilteredEntries(db, { ...filter, before: null }, null);
  await recordAudit(db, actor, [{ action: 'export', entityType: 'audit_log', entityId: null, detail: describeFilter({ ...filter, before: null }) }], now);
  return auditCsv(rows);
}

/** Staff accounts for the log page's "by user" choice. Coordinator only. */
export async function listAuditUsers(db: Kysely<Database>, actor: Actor): Promise<{ id: string; name: string; email: string }[]> {
  requireCoordinator(actor);
  return selectAuditUsers(db);
}
