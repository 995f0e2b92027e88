import { describe, expect, it } from 'vitest';
import { pruneMutationIds } from '../../src/features/attendance/attendance.service';
import { databaseKind, useTestDatabase } from '../support/database';

describe(`nightly forgetting of old attendance mutation ids on ${databaseKind()}`, () => {
  const handle = useTestDatabase();

  it('drops attendance ids older than 30 days and keeps newer ones and other scopes', async () => {
    const now = new Date('2026-11-23T02:30:00Z');
    const daysAgo = (d: number): string => new Date(now.getTime() - d * 86_400_000).toISOString();
    await handle.db
      .insertInto('idempotency_keys')
      .values([
        { key: 'attendance:old', scope: 'attendance', result: 's1', created_at: daysAgo(31) },
        { key: 'attendance:edge', scope: 'attendance', result: 's1', created_at: daysAgo(30) },
        { key: 'attendance:new', scope: 'attendance', result: 's1', created_at: daysAgo(2) },
        { key: 'other:old', scope: 'other', result: 'x', created_at: daysAgo(400) },
      ])
      .execute();
    expect(await pruneMutationIds(handle.db, now)).toBe(1);
    const left = (await handle.db.selectFrom('idempotency_keys').select('key').orderBy('key').execute()).map((r) => r.key);
    expect(left).toEqual(['attendance:edge', 'attendance:new', 'other:old']);
  });
});
