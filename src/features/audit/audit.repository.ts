import { sql, type Kysely, type Transaction } from 'kysely';
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

/** LIKE pattern for "contains", with the user's own % and _ taken literally (escape character '\'). */
function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
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
    const pattern = containsPattern(q.child);
    const childText = q.child;
    // lower() on both sides: SQLite's LIKE ignores case for ASCII only, PostgreSQL's not at all.
    query = query.where((eb) =>
      eb.or([
        eb('a.child_id', '=', childText),
        eb(
          'a.child_id',
          'in',
          eb
            .selectFrom('children as n')
            .select('n.id')
            .where(sql<boolean>`lower(n.first_name || ' ' || n.last_name) like ${pattern} escape '\\'`),
        ),
      ]),
    );
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
