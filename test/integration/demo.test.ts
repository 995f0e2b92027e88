import { afterEach, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { demoGroupRows, DEMO_SETTING_KEY, DEMO_STAFF, describeDemoResult } from '../../src/features/demo/demo';
import { insertInChunks } from '../../src/features/demo/demo.repository';
import { loadDemoData } from '../../src/features/demo/demo.service';
import { generateOccurrences, intakeWindows, type MeetingRule } from '../../src/features/schedule/schedule';
import type { Database } from '../../src/lib/server/database';
import type { DatabaseHandle } from '../../src/lib/server/db';
import { addDays, todayInZone } from '../../src/lib/time';
import { createTestDatabase, databaseKind } from '../support/database';

const NOW = new Date('2026-11-23T10:00:00Z');

const TABLES = [
  'users', 'groups', 'meeting_rules', 'group_leaders', 'closed_periods', 'meetings', 'intake_windows', 'children',
  'guardians', 'referrals', 'enrollments', 'conversations', 'attendance',
] as const;

async function countRows(db: Kysely<Database>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/** What the app's first start leaves behind: three groups with a meeting rule and a year of future meetings. */
async function seedGroupsLikeBoot(db: Kysely<Database>, now: Date): Promise<number> {
  const rows = demoGroupRows({ seed: 99, now, existingCount: 0, count: 3, takenSlugs: [] });
  await insertInChunks(db, 'groups', rows.map((r) => r.group));
  await insertInChunks(db, 'meeting_rules', rows.map((r) => r.rule));
  const today = todayInZone(now);
  const meetings = rows.flatMap(({ group, rule }) =>
    generateOccurrences({
      rule: { weekday: rule.weekday, nth: rule.nth, startTime: rule.start_time, endTime: rule.end_time, onClosed: rule.on_closed } as MeetingRule,
      from: today,
      to: addDays(today, 365),
      closedPeriods: [],
    }).map((o) => ({
      id: `boot-${group.slug}-${o.occurrenceKey}`,
      group_id: group.id,
      occurrence_key: o.occurrenceKey,
      starts_at: o.startsAt.toISOString(),
      ends_at: o.endsAt.toISOString(),
      place: group.place,
      status: 'planned' as const,
      is_manual: 0 as const,
      theme: null,
      note: null,
      cancel_reason: null,
      sequence: 0,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    })),
  );
  await insertInChunks(db, 'meetings', meetings);
  // Intake windows from this quarter on, as the schedule service stores them.
  const quarterStart = `${today.slice(0, 5)}${String(Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3 + 1).padStart(2, '0')}-01`;
  const windows = rows
    .filter(({ group }) => group.intake_rule === 'quarterly')
    .flatMap(({ group }) => {
      const own = meetings.filter((x) => x.group_id === group.id);
      return intakeWindows(
        own.map((x) => ({ occurrenceKey: x.occurrence_key, date: todayInZone(new Date(x.starts_at)), cancelled: false })),
        quarterStart,
        addDays(today, 365),
      ).map((w) => ({
        id: `${group.slug}-window-${w.quarterStart}`,
        group_id: group.id,
        quarter_start: w.quarterStart,
        meeting_id: own.find((x) => x.occurrence_key === w.occurrenceKey)?.id ?? null,
        places: null,
        created_at: now.toISOString(),
      }));
    });
  await insertInChunks(db, 'intake_windows', windows);
  return meetings.length;
}

describe(`loadDemoData on ${databaseKind()}`, () => {
  let handle: DatabaseHandle | null = null;
  afterEach(async () => {
    await handle?.close();
    handle = null;
  });

  it('loads the demo into an empty database, with counts that match the tables', async () => {
    handle = await createTestDatabase();
    const result = await loadDemoData(handle.db, NOW);
    expect(result.loaded).toBe(true);
    const counts = await countRows(handle.db);
    for (const table of TABLES) expect(counts[table], table).toBe(result.counts[table] ?? 0);
    expect(counts['groups']).toBe(3);
    expect(counts['children']).toBe(30);
    expect(counts['referrals']).toBe(30);
    expect(counts['meetings']).toBeGreaterThanOrEqual(27);
    expect(counts['attendance']).toBeGreaterThan(30);
    expect(describeDemoResult(result)).toContain('uden adgangskode');

    const staff = await handle.db.selectFrom('users').select(['email', 'role', 'password_hash']).execute();
    expect(staff.map((u) => u.email).sort()).toEqual(DEMO_STAFF.map((s) => s.email).sort());
    for (const u of staff) expect(u.password_hash).toBeNull();
    const leaders = await handle.db.selectFrom('group_leaders').select('group_id').execute();
    expect(new Set(leaders.map((l) => l.group_id)).size).toBe(3);
    const audit = await handle.db.selectFrom('audit_log').select(['actor', 'entity_type']).execute();
    expect(audit).toEqual([{ actor: 'demo', entity_type: 'demo' }]);
  });

  it('does nothing the second time, and says so', async () => {
    handle = await createTestDatabase();
    await loadDemoData(handle.db, NOW);
    const before = await countRows(handle.db);
    const again = await loadDemoData(handle.db, new Date(NOW.getTime() + 86_400_000));
    expect(again.loaded).toBe(false);
    expect(again.loadedAt).toBe(NOW.toISOString());
    expect(await countRows(handle.db)).toEqual(before);
    expect(describeDemoResult(again)).toContain('allerede indlæst');
    const marker = await handle.db.selectFrom('app_settings').select('value').where('key', '=', DEMO_SETTING_KEY).execute();
    expect(marker).toEqual([{ value: NOW.toISOString() }]);
  });

  it('fills the groups the app made at boot, keeping their future meetings, and reuses existing demo staff', async () => {
    handle = await createTestDatabase();
    const future = await seedGroupsLikeBoot(handle.db, NOW);
    await handle.db
      .insertInto('users')
      .values({
        id: 'existing-leader', email: DEMO_STAFF[0]?.email ?? '', display_name: 'Allerede her', role: 'leader', municipality: null,
        password_hash: 'x', totp_key: null, disabled_at: null, created_at: NOW.toISOString(), updated_at: NOW.toISOString(),
      })
      .execute();

    const result = await loadDemoData(handle.db, NOW);
    expect(result.loaded).toBe(true);
    expect(result.counts['groups'] ?? 0).toBe(0);
    expect(result.counts['users']).toBe(DEMO_STAFF.length - 1);
    expect(result.staff.find((s) => s.email === DEMO_STAFF[0]?.email)?.created).toBe(false);

    const counts = await countRows(handle.db);
    expect(counts['groups']).toBe(3);
    expect(counts['meetings']).toBe(future + (result.counts['meetings'] ?? 0));
    // The app's future meetings are untouched and no month has two meetings.
    const meetings = await handle.db.selectFrom('meetings').select(['id', 'group_id', 'occurrence_key', 'starts_at']).execute();
    expect(meetings.filter((s) => s.id.startsWith('boot-')).length).toBe(future);
    expect(new Set(meetings.map((s) => `${s.group_id}/${s.occurrence_key}`)).size).toBe(meetings.length);
    // The girls' group is led by the existing leader account.
    const girls = await handle.db
      .selectFrom('group_leaders')
      .innerJoin('groups', 'groups.id', 'group_leaders.group_id')
      .select(['group_leaders.user_id'])
      .where('groups.kind', '=', 'girls')
      .execute();
    expect(girls).toEqual([{ user_id: 'existing-leader' }]);
    // Waiting children in the siblings groups wait for a coming intake window.
    const waiting = await handle.db
      .selectFrom('enrollments')
      .innerJoin('groups', 'groups.id', 'enrollments.group_id')
      .innerJoin('intake_windows', 'intake_windows.id', 'enrollments.intake_window_id')
      .select(['intake_windows.quarter_start'])
      .where('enrollments.state', '=', 'waiting')
      .where('groups.intake_rule', '=', 'quarterly')
      .execute();
    for (const w of waiting) expect(w.quarter_start > addDays(todayInZone(NOW), -92)).toBe(true);
    // A started course's intake window points at the meeting it started on.
    const started = await handle.db
      .selectFrom('enrollments')
      .innerJoin('intake_windows', 'intake_windows.id', 'enrollments.intake_window_id')
      .innerJoin('meetings', 'meetings.id', 'intake_windows.meeting_id')
      .select(['enrollments.start_date', 'meetings.starts_at'])
      .where('enrollments.start_date', 'is not', null)
      .execute();
    expect(started.length).toBeGreaterThan(0);
    for (const s of started) expect(todayInZone(new Date(s.starts_at))).toBe(s.start_date);
    const windowCount = await handle.db.selectFrom('intake_windows').select('quarter_start').select('group_id').execute();
    expect(new Set(windowCount.map((w) => `${w.group_id}/${w.quarter_start}`)).size).toBe(windowCount.length);
    // Every referral's child and group exist (the foreign keys held), and references are unique.
    const refs = await handle.db.selectFrom('referrals').select('reference').execute();
    expect(new Set(refs.map((r) => r.reference)).size).toBe(30);
  });

  it('loads a scaled run (3 years, 10 groups) in a few seconds', async () => {
    handle = await createTestDatabase();
    const started = performance.now();
    const result = await loadDemoData(handle.db, NOW, { years: 3, groups: 10, childrenPerGroup: 30 });
    const ms = performance.now() - started;
    const counts = await countRows(handle.db);
    console.log(
      `demo on ${databaseKind()}, 3 years × 10 groups: ${ms.toFixed(0)} ms — ${counts['meetings']} meetings, ` +
        `${counts['children']} children, ${counts['attendance']} attendance rows`,
    );
    expect(result.loaded).toBe(true);
    expect(counts['groups']).toBe(10);
    expect(counts['children']).toBe(300);
    expect(counts['meetings']).toBeGreaterThan(300);
    expect(ms).toBeLessThan(15_000);
  });
});
