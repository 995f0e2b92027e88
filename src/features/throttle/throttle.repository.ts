import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../lib/server/database';
import type { RateLimitState } from './throttle';

type Db = Kysely<Database> | Transaction<Database>;

interface RateLimitRow {
  attempts: number | string;
  window_started_at: string;
  blocked_until: string | null;
}

function toState(row: RateLimitRow): RateLimitState {
  return {
    attempts: Number(row.attempts),
    windowStartedAt: new Date(row.window_started_at),
    blockedUntil: row.blocked_until === null ? null : new Date(row.blocked_until),
  };
}

export async function findRateLimit(db: Db, key: string): Promise<RateLimitState | null> {
  const row = await db
    .selectFrom('rate_limits')
    .select(['attempts', 'window_started_at', 'blocked_until'])
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? toState(row) : null;
}

/**
 * Makes sure the row exists and claims it for the rest of the caller's transaction, in one statement that is the same
 * on both databases: `insert ... on conflict (key) do update ... returning`.
 * - PostgreSQL: the conflicting row is locked (as by `select ... for update`) until commit, even though the update
 *   sets a column to its own value; a concurrent first insert of the same key waits on the unique index and then
 *   takes the update path. So two processes counting the same key run one after the other.
 * - SQLite: it is a write, so the transaction takes the database's write lock at this statement (not later, at an
 *   upgrade from a read that could fail with SQLITE_BUSY), and other processes wait on busy_timeout.
 * `fresh` is true when the row was just created (attempts 0): there was no earlier state.
 */
export async function claimRateLimit(trx: Transaction<Database>, key: string, now: Date): Promise<{ state: RateLimitState; fresh: boolean }> {
  const row = await trx
    .insertInto('rate_limits')
    .values({ key, attempts: 0, window_started_at: now.toISOString(), blocked_until: null })
    .onConflict((oc) => oc.column('key').doUpdateSet({ attempts: (eb) => eb.ref('rate_limits.attempts') }))
    .returning(['attempts', 'window_started_at', 'blocked_until'])
    .executeTakeFirstOrThrow();
  const state = toState(row);
  return { state, fresh: state.attempts === 0 && state.blockedUntil === null };
}

export async function saveRateLimit(db: Db, key: string, state: RateLimitState): Promise<void> {
  await db
    .updateTable('rate_limits')
    .set({
      attempts: state.attempts,
      window_started_at: state.windowStartedAt.toISOString(),
      blocked_until: state.blockedUntil?.toISOString() ?? null,
    })
    .where('key', '=', key)
    .execute();
}

export async function decrementRateLimit(db: Db, key: string): Promise<void> {
  await db
    .updateTable('rate_limits')
    .set((eb) => ({ attempts: eb('attempts', '-', 1) }))
    .where('key', '=', key)
    .where('attempts', '>', 0)
    .where('blocked_until', 'is', null)
    .execute();
}

export async function deleteRateLimit(db: Db, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', key).execute();
}

/** Rows whose window started before `before` and that are not blocked any more. */
export async function deleteRateLimitsOlderThan(db: Db, before: Date, now: Date): Promise<number> {
  const result = await db
    .deleteFrom('rate_limits')
    .where('window_started_at', '<', before.toISOString())
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<=', now.toISOString())]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
