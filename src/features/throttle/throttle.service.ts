import type { Kysely } from 'kysely';
import type { Database } from '../../lib/server/database';
import { applyRateLimitHit, rateLimitStatus, type RateLimitDecision, type RateLimitPolicy } from './throttle';
import { claimRateLimit, decrementRateLimit, deleteRateLimit, deleteRateLimitsOlderThan, findRateLimit, saveRateLimit } from './throttle.repository';

/**
 * Counts one attempt for `key` and says whether it may go ahead. Race-safe across processes: the row is claimed by an
 * upsert at the start of the transaction (see claimRateLimit), so a read-modify-write never interleaves with another.
 */
export async function hitRateLimit(
  db: Kysely<Database>,
  key: string,
  policy: RateLimitPolicy,
  now: Date,
): Promise<RateLimitDecision> {
  return db.transaction().execute(async (trx) => {
    const claimed = await claimRateLimit(trx, key, now);
    const { state, decision } = applyRateLimitHit(claimed.fresh ? null : claimed.state, policy, now);
    if (decision.allowed) await saveRateLimit(trx, key, state);
    return decision;
  });
}

/** Whether `key` is refused right now, without counting an attempt (one SELECT). */
export async function checkRateLimit(db: Kysely<Database>, key: string, now: Date): Promise<RateLimitDecision> {
  return rateLimitStatus(await findRateLimit(db, key), now);
}

/** Takes back one counted attempt that turned out to be good (never below zero, never lifts a block). */
export async function forgiveRateLimitHit(db: Kysely<Database>, key: string): Promise<void> {
  await decrementRateLimit(db, key);
}

/** Forgets a key, e.g. an account's failed sign-ins after a successful one. */
export async function resetRateLimit(db: Kysely<Database>, key: string): Promise<void> {
  await deleteRateLimit(db, key);
}

/** Housekeeping: drops counts older than a day that no longer block anything. */
export async function pruneRateLimits(db: Kysely<Database>, now: Date): Promise<number> {
  return deleteRateLimitsOlderThan(db, new Date(now.getTime() - 24 * 60 * 60 * 1000), now);
}
