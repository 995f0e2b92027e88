import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import type { Actor } from '../auth/auth';
import type { AuditEntry } from './audit';
import { insertAuditRows } from './audit.repository';

/** Writes audit entries inside the caller's transaction, so the trail and the change land together. */
export async function recordAudit(
  db: Kysely<Database> | Transaction<Database>,
  actor: Actor | { system: string },
  entries: AuditEntry[],
  now: Date,
): Promise<void> {
  const at = now.toISOString();
  await insertAuditRows(
    db,
    entries.map((e) => ({
      id: randomUUID(),
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
