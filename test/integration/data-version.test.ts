import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/auth/auth';
import { saveMarks } from '../../src/features/attendance/attendance.service';
import { recordAudit } from '../../src/features/audit/audit.service';
import { loadYearlyFigures, yearlyFiguresStamp } from '../../src/features/figures/figures.service';
import type { KyselyPlugin, OperationNode, RootOperationNode } from 'kysely';
import { FIGURES_VERSION, PUBLIC_TABLES, READ_BY_FIGURES } from '../../src/lib/server/data-version';
import { publicGroupFeed, publicGroupPage } from '../../src/features/feeds/feeds.service';
import type { Database } from '../../src/lib/server/database';
import { addChild, addEnrollment, addGroup, addMeetings, addUser } from '../support/builders';
import { databaseKind, useTestDatabase } from '../support/database';

/** The tables a query reads: every table in the FROM or a JOIN of a SELECT (the query itself or any subquery). */
function tablesRead(root: RootOperationNode): { tables: Set<string>; raw: string[] } {
  const tables = new Set<string>();
  const raw: string[] = [];
  type Node = OperationNode & Record<string, unknown>;
  const source = (item: unknown): void => {
    const node = item as Node;
    const inner = (node.kind === 'AliasNode' ? node['node'] : node) as Node;
    if (inner.kind === 'TableNode') tables.add((inner as unknown as { table: { identifier: { name: string } } }).table.identifier.name);
  };
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (value === null || typeof value !== 'object') return;
    const node = value as Node;
    if (node.kind === 'FromNode') for (const item of node['froms'] as unknown[]) source(item);
    if (node.kind === 'JoinNode') source(node['table']);
    if (node.kind === 'RawNode') raw.push((node['sqlFragments'] as string[]).join('?'));
    for (const child of Object.values(node)) walk(child);
  };
  walk(root);
  return { tables, raw };
}

/** A plugin that records the tables every query through it reads. */
function readRecorder(): { plugin: KyselyPlugin; tables: Set<string>; raw: string[] } {
  const tables = new Set<string>();
  const raw: string[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }) => {
      const read = tablesRead(node);
      for (const t of read.tables) tables.add(t);
      raw.push(...read.raw.filter((text) => /\b(from|join)\b/i.test(text)));
      return node;
    },
    transformResult: async ({ result }) => result,
  };
  return { plugin, tables, raw };
}

// Monday 23 November 2026, 17.00 in Copenhagen; the group met 15.00-17.00.
const NOW = new Date('2026-11-23T16:00:00Z');
const MEETING_START = new Date('2026-11-23T14:00:00Z');

describe(`the figures' data version on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  let coordinator: Actor;
  let leader: Actor;
  let meetingId: string;
  const enrollments: string[] = [];

  async function version(): Promise<number> {
    const row = await handle.db.selectFrom('data_versions').select('version').where('name', '=', FIGURES_VERSION).executeTakeFirstOrThrow();
    return Number(row.version);
  }

  beforeAll(async () => {
    coordinator = await addUser(handle.db, 'coordinator', { name: 'coordinator', at: NOW });
    leader = await addUser(handle.db, 'leader', { name: 'leader', at: NOW });
    const at = NOW.toISOString();
    const groupId = await addGroup(handle.db, {
      slug: 'soeskende', name: 'Søskendegruppen', kind: 'siblings', girls_only: 0, capacity: 12, created_at: at, updated_at: at,
      leaderIds: [leader.user.id],
    });
    [meetingId = ''] = await addMeetings(handle.db, groupId, [MEETING_START], { occurrence_key: '2026-11-23', created_at: at, updated_at: at });
    for (let i = 0; i < 6; i++) {
      const { childId } = await addChild(handle.db, {
        first_name: `Barn${i}`, last_name: 'Tal', gender: 'boy', municipality: i % 2 ? 'ishoj' : 'vallensbaek', created_at: at, updated_at: at,
      });
      enrollments.push(await addEnrollment(handle.db, { child_id: childId, group_id: groupId, start_date: '2026-09-01', created_at: at, updated_at: at }));
    }
  });

  it('moves once for a committed transaction, however many rows it wrote, and not for one rolled back', async () => {
    const start = await version();
    await handle.db.transaction().execute(async (trx) => {
      for (const [i, enrollmentId] of enrollments.slice(0, 3).entries()) {
        await trx.insertInto('attendance').values({
          meeting_id: meetingId, enrollment_id: enrollmentId, status: 'present', reason: null, source: 'leader',
          recorded_by: leader.user.id, recorded_at: new Date(NOW.getTime() + i).toISOString(),
        }).execute();
      }
      await trx.updateTable('attendance').set({ status: 'absent' }).where('enrollment_id', '=', enrollments[0] ?? '').execute();
    });
    expect(await version()).toBe(start + 1);

    await expect(
      handle.db.transaction().execute(async (trx) => {
        await trx.deleteFrom('attendance').where('meeting_id', '=', meetingId).execute();
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await version()).toBe(start + 1);
    const kept = await handle.db.selectFrom('attendance').select('enrollment_id').where('meeting_id', '=', meetingId).execute();
    expect(kept).toHaveLength(3);
  });

  it('moves for a write outside a transaction, but not for reads or for writes to other tables (the audit log)', async () => {
    const start = await version();
    await handle.db.updateTable('groups').set({ capacity: 14 }).where('slug', '=', 'soeskende').execute();
    expect(await version()).toBe(start + 1);

    await handle.db.selectFrom('attendance').selectAll().execute();
    await recordAudit(handle.db, coordinator, [{ action: 'read', entityType: 'figures', entityId: '2026' }], NOW);
    await handle.db.updateTable('users').set({ display_name: 'Koordinatoren' }).where('id', '=', coordinator.user.id).execute();
    expect(await version()).toBe(start + 1);
  });

  it('gives the figures page a new stamp after a leader saves marks, and the same stamp while nothing changes', async () => {
    const first = await yearlyFiguresStamp(handle.db, coordinator, '2026', NOW);
    const again = await yearlyFiguresStamp(handle.db, coordinator, '2026', NOW);
    expect(again.key).toBe(first.key);
    const before = await loadYearlyFigures(handle.db, coordinator, first, NOW);

    const marks = [{ enrollmentId: enrollments[5] ?? '', mark: 'present', mutationId: `m-${randomUUID()}`, clientTime: NOW.toISOString() }];
    await saveMarks(handle.db, leader, meetingId, { marks }, NOW);
    const after = await yearlyFiguresStamp(handle.db, coordinator, '2026', NOW);
    expect(after.key).not.toBe(first.key);
    const figures = await loadYearlyFigures(handle.db, coordinator, after, NOW);
    expect(figures.figures.totals.total.present).toBe(before.figures.totals.total.present + 1);

    // The phone sends the same mark again (same mutation id): nothing is written, so the stamp stays.
    await saveMarks(handle.db, leader, meetingId, { marks }, NOW);
    expect((await yearlyFiguresStamp(handle.db, coordinator, '2026', NOW)).key).toBe(after.key);
  });

  it('is moved by every table the figures read: each one is declared read by the figures', async () => {
    const recorder = readRecorder();
    const stamp = await yearlyFiguresStamp(handle.db, coordinator, '2026', NOW);
    await loadYearlyFigures(handle.db.withPlugin(recorder.plugin), coordinator, stamp, NOW);
    // The recorder sees the figures' own tables (so this test can fail) and no raw SQL it cannot read.
    expect([...recorder.tables]).toEqual(expect.arrayContaining(['attendance', 'children', 'enrollments', 'meetings']));
    expect(recorder.raw).toEqual([]);
    const undeclared = [...recorder.tables].filter((t) => READ_BY_FIGURES[t as keyof Database] !== true);
    expect(undeclared, 'tables the figures read without READ_BY_FIGURES saying so (lib/server/data-version.ts)').toEqual([]);

    // A control: a query on a table the figures do not read is caught.
    const control = readRecorder();
    // (The figures read guardians since issue 15, for the families; family links they never read.)
    await handle.db.withPlugin(control.plugin).selectFrom('enrollments as e').innerJoin('family_links as f', 'f.child_id', 'e.child_id').select('e.id').execute();
    expect([...control.tables].filter((t) => READ_BY_FIGURES[t as keyof Database] !== true)).toEqual(['family_links']);
  });

  it('is moved by every table the public group page and feed read: each one is declared public', async () => {
    const recorder = readRecorder();
    const db = handle.db.withPlugin(recorder.plugin);
    expect(await publicGroupPage(db, 'soeskende', NOW)).not.toBeNull();
    expect(await publicGroupFeed(db, 'soeskende', NOW)).not.toBeNull();
    expect([...recorder.tables]).toEqual(expect.arrayContaining(['groups', 'meetings']));
    expect(recorder.raw).toEqual([]);
    const undeclared = [...recorder.tables].filter((t) => !PUBLIC_TABLES.includes(t as keyof Database));
    expect(undeclared, 'tables the public pages read without PUBLIC_TABLES saying so (lib/server/data-version.ts)').toEqual([]);
  });

  it('lets many leaders save the same meeting at once without a deadlock, each save moving the version', async () => {
    const start = await version();
    const saves = Array.from({ length: 12 }, (_, k) => {
      const order = k % 2 === 0 ? enrollments : [...enrollments].reverse();
      const marks = order.map((enrollmentId, i) => ({
        enrollmentId,
        mark: (k + i) % 3 === 0 ? 'excused' : 'present',
        mutationId: `c-${k}-${i}-${randomUUID().slice(0, 8)}`,
        // Later saves carry later tap times, so each one changes the stored marks.
        clientTime: new Date(NOW.getTime() + 60_000 + k * 1000).toISOString(),
      }));
      return saveMarks(handle.db, leader, meetingId, { marks }, new Date(NOW.getTime() + 60_000 + k * 1000));
    });
    const results = await Promise.allSettled(saves);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const moved = (await version()) - start;
    expect(moved).toBeGreaterThanOrEqual(1);
    expect(moved).toBeLessThanOrEqual(12);
  });
});
