import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';

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
