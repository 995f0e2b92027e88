import { describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/lib/server/db';
import { databaseKind, useTestDatabase } from '../support/database';

describe(`migrations on ${databaseKind()}`, () => {
  const handle = useTestDatabase();

  it('creates every table of the domain', async () => {
    const tables = (await handle.db.introspection.getTables()).map((t) => t.name).sort();
    expect(tables).toEqual(
      expect.arrayContaining([
        'app_settings', 'attendance', 'audit_log', 'auth_sessions', 'children', 'closed_periods', 'conversations',
        'enrollments', 'family_links', 'feed_tokens', 'group_leaders', 'meetings', 'groups', 'guardians',
        'idempotency_keys', 'intake_windows', 'meeting_rules', 'rate_limits', 'recovery_codes', 'referrals', 'user_setup_tokens', 'users',
      ]),
    );
  });

  it('is a no-op the second time', async () => {
    const again = await migrateToLatest(handle.db);
    expect(again.results).toEqual([]);
  });

  it('enforces foreign keys', async () => {
    await expect(
      handle.db
        .insertInto('group_leaders')
        .values({ group_id: 'no-such-group', user_id: 'no-such-user' })
        .execute(),
    ).rejects.toThrow();
  });
});
