// The yearly figures must not change when the retention purge deletes children's records (issue 15): the
// counts the figures need are kept in yearly_counts first. Compared table by table, before and after a purge.
import { describe, expect, it } from 'vitest';
import { loadDemoData } from '../../src/features/demo/demo.service';
import { yearlyFigures } from '../../src/features/figures/figures.service';
import { purgeExpiredData } from '../../src/features/retention/retention.service';
import { addChild, addEnrollment, addProgressAnswers, addReferral, addUser } from '../support/builders';
import { databaseKind, useFreshTestDatabases } from '../support/database';
import { NOW } from '../support/clock';

/** The tables whose every cell survives a purge (not yet: attendance marks, kept as sums only, and the wait per quarter). */
const KEPT_TABLES = ['forloeb', 'familier', 'venteliste', 'fremgang'];

describe(`yearly figures before and after a purge on ${databaseKind()}`, () => {
  const freshDatabase = useFreshTestDatabases();

  it('are the same in every year: courses, families, runs, the waiting list, the longest wait and the progress counts', async () => {
    const handle = await freshDatabase();
    const { db } = handle;
    // Three years of demo data: the courses that ended a year or more ago are due for deletion.
    await loadDemoData(db, NOW, { years: 3, groups: 3, childrenPerGroup: 30 });
    const coordinator = await addUser(db, 'coordinator', { email: 'coordinator@purge.test', at: NOW });
    const group = await db.selectFrom('groups').select('id').orderBy('name').executeTakeFirstOrThrow();

    // Two siblings (one family: the same mother's e-mail) and five more children, all in 2025, ended long ago,
    // with scales at start and end: six moved up, one stayed.
    for (let i = 0; i < 7; i++) {
      const email = i < 2 ? 'Mor.Soskende@example.dk' : `forælder${i}@example.dk`;
      const { childId } = await addChild(db, {
        first_name: `Purge${i}`, municipality: i < 2 || i % 2 === 0 ? 'ishoj' : 'vallensbaek', updated_at: '2025-06-30T10:00:00.000Z',
        guardians: [{ name: 'Forælder', email, phone: `+45 70 00 00 0${i}` }],
      });
      const referralId = await addReferral(db, {
        child_id: childId, group_id: group.id, status: 'ended', received_at: `2024-12-${String(10 + i).padStart(2, '0')}T10:00:00.000Z`,
        updated_at: '2025-06-30T10:00:00.000Z',
      });
      const enrollmentId = await addEnrollment(db, {
        child_id: childId, group_id: group.id, referral_id: referralId, state: 'ended', start_date: i < 4 ? '2025-01-08' : '2025-04-02',
        ended_on: '2025-06-30', created_at: `2024-12-${String(10 + i).padStart(2, '0')}T10:00:00.000Z`, updated_at: '2025-06-30T10:00:00.000Z',
      });
      await addProgressAnswers(db, { enrollmentId, childId, occasion: 'intake', answeredOn: '2025-01-02', child: { talk: 2, home: 2, friends: 3, self: 2 } });
      await addProgressAnswers(db, { enrollmentId, childId, occasion: 'closing', answeredOn: '2025-06-25', child: i < 6 ? { talk: 4, home: 4, friends: 4, self: 3 } : { talk: 2, home: 2, friends: 3, self: 2 } });
    }

    const years = [2023, 2024, 2025, 2026];
    const tablesOf = async () => {
      const out: Record<string, unknown> = {};
      for (const year of years) {
        const page = await yearlyFigures(db, coordinator, String(year), NOW);
        for (const t of page.tables.filter((t) => KEPT_TABLES.includes(t.key))) out[`${year}/${t.key}`] = t.rows;
      }
      return out;
    };
    const before = await tablesOf();
    const progress2025 = (before['2025/fremgang'] as unknown[][]).find((r) => r[0] === 'Alle grupper' && r[1] === 'I alt');
    expect(progress2025?.[2]).not.toBe('under 5');

    const report = await purgeExpiredData(db, { system: 'retention' }, { apply: true }, NOW);
    expect(report.purged).toBeGreaterThan(7);
    const left = await db.selectFrom('children').select('id').where('first_name', 'like', 'Purge%').execute();
    expect(left).toEqual([]);

    const after = await tablesOf();
    for (const key of Object.keys(before)) expect({ key, rows: after[key] }).toEqual({ key, rows: before[key] });
  }, 180_000);
});
