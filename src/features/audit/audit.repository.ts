import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import type { AuditRecord } from './audit';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewAuditRow {
  id: string;
  at: string;
  userId: string | null;
  actor: string;
  action: string;
  entityType: string;
  entityId: string | null;
  childId: string | null;
  ip: string | null;
  detail: string | null;
}

export async function insertAuditRows(db: Kysely<Database> | Transaction<Database>, rows: NewAuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('audit_log')
    .values(
      rows.map((r) => ({
        id: r.id,
        at: r.at,
        user_id: r.userId,
        actor: r.actor,
        action: r.action,
        entity_type: r.entityType,
        entity_id: r.entityId,
        child_id: r.childId,
        ip: r.ip,
        detail: r.detail,
      })),
    )
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Reading the trail

export interface AuditQuery {
  /** Exact child id, or part of a current child's name (case-insensitive). */
  child: string | null;
  userId: string | null;
  /** ISO instants: from inclusive, until exclusive. */
  from: string | null;
  until: string | null;
  before: { at: string; id: string } | null;
  limit: number | null;
}

/**
 * Ids of current children whose full name contains `text`, ignoring case. Matched here rather than in SQL: SQLite's
 * lower() and LIKE fold only ASCII, so "ågård" would not find "Ågård" there. A centre has hundreds of children.
 */
async function childIdsByName(db: Db, text: string): Promise<string[]> {
  const needle = text.toLocaleLowerCase('da');
  const rows = await db.selectFrom('children').select(['id', 'first_name', 'last_name']).execute();
  return rows.filter((r) => `${r.first_name} ${r.last_name}`.toLocaleLowerCase('da').includes(needle)).map((r) => r.id);
}

/** Newest first, keyset-paged on (at, id). The child's and user's names come from their rows while those exist. */
export async function selectAuditEntries(db: Db, q: AuditQuery): Promise<AuditRecord[]> {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('children as c', 'c.id', 'a.child_id')
    .leftJoin('users as u', 'u.id', 'a.user_id')
    .select([
      'a.id', 'a.at', 'a.user_id', 'a.actor', 'a.action', 'a.entity_type', 'a.entity_id', 'a.child_id', 'a.ip', 'a.detail',
      'c.first_name', 'c.last_name', 'u.display_name',
    ]);
  if (q.child !== null) {
    const ids = [q.child, ...(await childIdsByName(db, q.child))];
    query = query.where('a.child_id', 'in', ids);
  }
  if (q.userId !== null) query = query.where('a.user_id', '=', q.userId);
  if (q.from !== null) query = query.where('a.at', '>=', q.from);
  if (q.until !== null) query = query.where('a.at', '<', q.until);
  if (q.before !== null) {
    const { at, id } = q.before;
    query = query.where((eb) => eb.or([eb('a.at', '<', at), eb.and([eb('a.at', '=', at), eb('a.id', '<', id)])]));
  }
  query = query.orderBy('a.at', 'desc').orderBy('a.id', 'desc');
  if (q.limit !== null) query = query.limit(q.limit);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    at: new Date(r.at),
    userId: r.user_id,
    actor: r.actor,
    userName: r.display_name,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    childId: r.child_id,
    childName: r.first_name !== null && r.last_name !== null ? `${r.first_name} ${r.last_name}` : null,
    ip: r.ip,
    detail: r.detail,
  }));
}

/** Everyone who appears in the trail or has an account, for the "by user" filter. */
export async function selectAuditUsers(db: Db): Promise<{ id: string; name: string; email: string }[]> {
  const rows = await db.selectFrom('users').select(['id', 'display_name', 'email']).orderBy('display_name').execute();
  return rows.map((r) => ({ id: r.id, name: r.display_name, email: r.email }));
}
