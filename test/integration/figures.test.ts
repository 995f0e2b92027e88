import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../src/features/auth/auth';
import { loadDemoData } from '../../src/features/demo/demo.service';
import { getFeedbackMeeting, recordFeedbackAnswer } from '../../src/features/feedback/feedback.service';
import { attendanceSheet, yearlyFigures, yearlyFiguresTable } from '../../src/features/figures/figures.service';
import { ConflictError, ForbiddenError, ValidationError } from '../../src/lib/errors';
import type { Role } from '../../src/lib/server/database';
import { statementCount, type DatabaseHandle } from '../../src/lib/server/db';
import { instantToZoned, zonedToInstant } from '../../src/lib/time';
import { addMeetings, addUser } from '../support/builders';
import { databaseKind, useFreshTestDatabases } from '../support/database';
import { errorOf } from '../support/errors';
import { NOW } from '../support/clock';

const YEAR = 2026;
const FROM = zonedToInstant('2026-01-01', '00:00').toISOString();
const TO = zonedToInstant('2027-01-01', '00:00').toISOString();
const STARTED = ['active', 'closing_booked', 'ended'];

function addStaff(handle: DatabaseHandle, role: Role): Promise<Actor> {
  return addUser(handle.db, role, { email: `${role}-${crypto.randomUUID().slice(0, 8)}@figures.test`, at: NOW });
}

/** Statements sent while `fn` runs. */
async function statementsFor(fn: () => Promise<unknown>): Promise<number> {
  const before = statementCount();
  await fn();
  return statementCount() - before;
}

describe(`yearly figures on ${databaseKind()}`, () => {
  const freshDatabase = useFreshTestDatabases();

  it('match direct counts on the demo data, cost the same number of queries at four times the data, and are audited', async () => {
    const handle = await freshDatabase();
    const { db } = handle;
    await loadDemoData(db, NOW);
    const coordinator = await addStaff(handle, 'coordinator');

    let page: Awaited<ReturnType<typeof yearlyFigures>> | null = null;
    const smallQueries = await statementsFor(async () => {
      page = await yearlyFigures(db, coordinator, String(YEAR), NOW);
    });
    if (page === null) throw new Error('no page');
    const { figures, years } = page as Awaited<ReturnType<typeof yearlyFigures>>;
    expect(years[0]).toBe(YEAR);
    expect(years).toContain(2025);

    // Courses running in the year, per municipality, counted straight in SQL.
    const courseRows = await db
      .selectFrom('enrollments as e')
      .innerJoin('children as c', 'c.id', 'e.child_id')
      .select(['c.municipality', 'e.group_id', 'e.child_id', 'e.start_date'])
      .where('e.state', 'in', STARTED)
      .where('e.start_date', '<=', '2026-12-31')
      .where((eb) => eb.or([eb('e.ended_on', 'is', null), eb('e.ended_on', '>=', '2026-01-01')]))
      .execute();
    expect(courseRows.length).toBeGreaterThan(5);
    expect(figures.totals.total.courses).toBe(courseRows.length);
    for (const m of ['ishoj', 'vallensbaek'] as const) {
      const mine = courseRows.filter((r) => r.municipality === m);
      expect(figures.totals.byMunicipality[m].courses).toBe(mine.length);
      expect(figures.totals.byMunicipality[m].children).toBe(new Set(mine.map((r) => r.child_id)).size);
    }
    for (const g of figures.groups) {
      expect(g.total.courses).toBe(courseRows.filter((r) => r.group_id === g.groupId).length);
      expect(g.byMunicipality.ishoj.courses + g.byMunicipality.vallensbaek.courses).toBe(g.total.courses);
    }
    expect(figures.totals.total.newStarts).toBe(courseRows.filter((r) => (r.start_date ?? '').startsWith('2026')).length);

    const held = await db
      .selectFrom('meetings')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('starts_at', '>=', FROM)
      .where('starts_at', '<', TO)
      .where('starts_at', '<=', NOW.toISOString())
      .where('status', '!=', 'cancelled')
      .executeTakeFirstOrThrow();
    expect(figures.totals.meetings.held).toBe(Number(held.n));
    expect(figures.totals.meetings.held).toBeGreaterThan(10);

    const marks = await db
      .selectFrom('attendance as a')
      .innerJoin('meetings as s', 's.id', 'a.meeting_id')
      .select(['a.status', (eb) => eb.fn.countAll().as('n')])
      .where('s.starts_at', '>=', FROM)
      .where('s.starts_at', '<', TO)
      .where('s.status', '!=', 'cancelled')
      .groupBy('a.status')
      .execute();
    const byStatus = Object.fromEntries(marks.map((m) => [m.status, Number(m.n)]));
    expect(figures.totals.total.present).toBe(byStatus['present'] ?? 0);
    expect(figures.totals.total.absent).toBe(byStatus['absent'] ?? 0);
    expect(figures.totals.total.present).toBeGreaterThan(0);
    const registered = (byStatus['present'] ?? 0) + (byStatus['excused'] ?? 0) + (byStatus['absent'] ?? 0);
    expect(figures.totals.total.attendanceRate).toBeCloseTo((byStatus['present'] ?? 0) / registered, 10);

    // The longest wait is one of the real waits.
    const waits = await db
      .selectFrom('enrollments as e')
      .innerJoin('referrals as r', 'r.id', 'e.referral_id')
      .select(['r.received_at', 'e.start_date'])
      .where('e.state', 'in', STARTED)
      .where('e.start_date', '>=', '2026-01-01')
      .where('e.start_date', '<=', '2026-12-31')
      .execute();
    const days = waits.map((w) => Math.round((Date.parse(`${w.start_date}T00:00:00Z`) - Date.parse(`${instantToZoned(new Date(w.received_at)).date}T00:00:00Z`)) / 86_400_000));
    expect(figures.totals.total.waits).toBe(waits.length);
    if (days.length > 0) expect(figures.totals.total.longestWaitDays).toBe(Math.max(...days));

    // Counts kept for deleted children are added to the live ones.
    const girls = figures.groups[0];
    if (!girls) throw new Error('no group');
    await db.insertInto('yearly_counts').values([
      { year: YEAR, group_id: girls.groupId, municipality: 'vallensbaek', metric: 'courses', value: 2 },
      { year: YEAR, group_id: girls.groupId, municipality: 'vallensbaek', metric: 'children', value: 1 },
      { year: YEAR - 1, group_id: girls.groupId, municipality: 'vallensbaek', metric: 'courses', value: 50 },
    ]).execute();
    const withKept = (await yearlyFigures(db, coordinator, String(YEAR), NOW)).figures;
    expect(withKept.groups[0]?.byMunicipality.vallensbaek.courses).toBe(girls.byMunicipality.vallensbaek.courses + 2);
    expect(withKept.groups[0]?.byMunicipality.vallensbaek.children).toBe(girls.byMunicipality.vallensbaek.children + 1);
    expect(withKept.totals.total.courses).toBe(figures.totals.total.courses + 2);
    expect(withKept.includesRetained).toBe(true);

    const audit = await db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'figures').orderBy('at').execute();
    expect(audit.map((a) => [a.action, a.entity_id, a.user_id])).toEqual([['read', '2026', coordinator.user.id], ['read', '2026', coordinator.user.id]]);

    // The same page on a data set several times the size.
    const big = await freshDatabase();
    await loadDemoData(big.db, NOW, { years: 3, groups: 10, childrenPerGroup: 40 });
    const bigCoordinator = await addStaff(big, 'coordinator');
    let bigPage: Awaited<ReturnType<typeof yearlyFigures>> | null = null;
    const bigQueries = await statementsFor(async () => {
      bigPage = await yearlyFigures(big.db, bigCoordinator, String(YEAR), NOW);
    });
    const bigFigures = (bigPage as Awaited<ReturnType<typeof yearlyFigures>> | null)?.figures;
    expect(bigFigures?.groups.length).toBe(10);
    expect(bigFigures?.totals.total.courses ?? 0).toBeGreaterThan(figures.totals.total.courses);
    expect(bigQueries).toBe(smallQueries);
    // 10 reads (years, groups, courses, meetings, marks, intake windows, feedback, recent meetings, kept counts, progress
    // answers of the courses that ended in the year) + 1 audit row.
    expect(smallQueries).toBe(11);
    // The export reads the same way, audited as an export.
    const exportQueries = await statementsFor(() => yearlyFiguresTable(big.db, bigCoordinator, 'forloeb', '2025', NOW));
    expect(exportQueries).toBe(smallQueries);
  }, 120_000);

  it('only the coordinator sees the figures', async () => {
    const handle = await freshDatabase();
    const leader = await addStaff(handle, 'leader');
    const caseworker = await addStaff(handle, 'caseworker');
    expect(await errorOf(yearlyFigures(handle.db, leader, null, NOW))).toBeInstanceOf(ForbiddenError);
    expect(await errorOf(yearlyFiguresTable(handle.db, caseworker, 'forloeb', null, NOW))).toBeInstanceOf(ForbiddenError);
    // An empty database: this year, nothing counted.
    const coordinator = await addStaff(handle, 'coordinator');
    const page = await yearlyFigures(handle.db, coordinator, '1999', NOW);
    expect(page.year).toBe(YEAR);
    expect(page.years).toEqual([YEAR]);
    expect(page.figures.totals.total.courses).toBe(0);
  });

  it('the attendance list names the members on the day, for the group’s leaders and coordinators; feedback is anonymous', async () => {
    const handle = await freshDatabase();
    const { db } = handle;
    await loadDemoData(db, NOW);
    const coordinator = await addStaff(handle, 'coordinator');
    const stranger = await addStaff(handle, 'leader');
    const past = await db
      .selectFrom('meetings as s')
      .innerJoin('group_leaders as l', 'l.group_id', 's.group_id')
      .select(['s.id', 's.group_id', 's.starts_at', 'l.user_id'])
      .where('s.status', '!=', 'cancelled')
      .where('s.starts_at', '<', NOW.toISOString())
      .orderBy('s.starts_at', 'desc')
      .executeTakeFirstOrThrow();
    const leaderRow = await db.selectFrom('users').selectAll().where('id', '=', past.user_id).executeTakeFirstOrThrow();
    const leader: Actor = { user: { id: leaderRow.id, email: leaderRow.email, displayName: leaderRow.display_name, role: 'leader', municipality: null }, ip: null };

    const sheet = await attendanceSheet(db, leader, past.id, NOW);
    const date = instantToZoned(new Date(past.starts_at)).date;
    const expected = await db
      .selectFrom('enrollments')
      .select('id')
      .where('group_id', '=', past.group_id)
      .where('state', 'in', STARTED)
      .where('start_date', '<=', date)
      .where((eb) => eb.or([eb('ended_on', 'is', null), eb('ended_on', '>', date)]))
      .execute();
    expect(sheet.members.map((m) => m.enrollmentId).sort()).toEqual(expected.map((e) => e.id).sort());
    expect(sheet.members.length).toBeGreaterThan(0);
    expect(sheet.members[0]?.name).toMatch(/\S+ \S+/);
    const trail = await db.selectFrom('audit_log').select(['child_id']).where('entity_type', '=', 'attendance_sheet').execute();
    expect(trail).toHaveLength(sheet.members.length);
    expect(await errorOf(attendanceSheet(db, stranger, past.id, NOW))).toBeInstanceOf(ForbiddenError);
    expect((await attendanceSheet(db, coordinator, past.id, NOW)).members).toHaveLength(sheet.members.length);

    // Feedback: three answers, then the round starts over; nothing points at a child.
    const form = (question: string, score: string) => {
      const f = new FormData();
      f.set('question', question);
      f.set('score', score);
      return f;
    };
    expect((await recordFeedbackAnswer(db, leader, past.id, form('heard', '3'), NOW)).next?.key).toBe('good');
    expect((await recordFeedbackAnswer(db, leader, past.id, form('good', '2'), NOW)).next?.key).toBe('again');
    expect((await recordFeedbackAnswer(db, leader, past.id, form('again', '1'), NOW)).next).toBeNull();
    expect(await errorOf(recordFeedbackAnswer(db, leader, past.id, form('again', '4'), NOW))).toBeInstanceOf(ValidationError);
    expect(await errorOf(recordFeedbackAnswer(db, stranger, past.id, form('again', '2'), NOW))).toBeInstanceOf(ForbiddenError);
    expect((await getFeedbackMeeting(db, coordinator, past.id, NOW)).answers).toBe(3);
    const soon = new Date(NOW.getTime() + 3 * 86_400_000);
    const [futureId = ''] = await addMeetings(db, past.group_id, [soon], {
      occurrence_key: 'test-future', place: 'Et sted', created_at: NOW.toISOString(), updated_at: NOW.toISOString(),
    });
    const future = { id: futureId };
    expect(await errorOf(recordFeedbackAnswer(db, coordinator, future.id, form('heard', '3'), NOW))).toBeInstanceOf(ConflictError);
    const columns = await sql<{ name: string }>`select * from meeting_feedback`.execute(db);
    expect(Object.keys(columns.rows[0] ?? {}).sort()).toEqual(['created_at', 'id', 'meeting_id', 'question', 'score']);

    const page = await yearlyFigures(db, coordinator, null, NOW);
    const month = Number(date.slice(5, 7));
    const trend = page.figures.feedbackTrend.find((g) => g.groupId === past.group_id);
    expect(trend?.months).toEqual([{ month, answers: 1, averages: { heard: 3, good: 2, again: 1 } }]);
    expect(page.recentMeetings.some((s) => s.id === past.id)).toBe(true);
  }, 60_000);
});
