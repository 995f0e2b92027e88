import type { Kysely } from 'kysely';
import type { Database } from '../../lib/server/database';
import { recordAudit } from '../audit/audit.service';
import type { DemoGroup, DemoLoadResult, DemoOptions } from './demo';
import {
  DEFAULT_DEMO_OPTIONS,
  DEMO_SETTING_KEY,
  DEMO_STAFF,
  demoClosedPeriodRows,
  demoGroupRows,
  demoStaffRows,
  generateDemoData,
} from './demo';
import {
  insertInChunks,
  insertSetting,
  selectClosedPeriods,
  selectDemoGroups,
  selectDemoLoadedAt,
  selectGroupSlugs,
  selectIntakeWindowsByGroup,
  selectReferralReferences,
  selectMeetingsByGroup,
  selectUsersByEmail,
  updateIntakeWindowMeeting,
} from './demo.repository';

/**
 * Loads the demo data set into the database, once: a second call finds the marker in app_settings and changes
 * nothing. Uses the groups that exist (creating more up to `options.groups`), adds the demo staff that are
 * missing (without passwords), and writes everything in one transaction, so a failure leaves no half demo.
 */
export async function loadDemoData(
  db: Kysely<Database>,
  now: Date,
  options: Partial<DemoOptions> = {},
): Promise<DemoLoadResult> {
  const opts: DemoOptions = { ...DEFAULT_DEMO_OPTIONS, ...options };
  const started = performance.now();
  return db.transaction().execute(async (trx) => {
    const loadedAt = await selectDemoLoadedAt(trx, DEMO_SETTING_KEY);
    if (loadedAt !== null) return { loaded: false, loadedAt, counts: {}, staff: [], durationMs: performance.now() - started };
    // The marker goes in first: a second run at the same moment fails on its key instead of loading twice.
    await insertSetting(trx, DEMO_SETTING_KEY, now.toISOString());
    const counts: Record<string, number> = {};

    // Staff: the demo leaders and caseworkers, unless someone already made them.
    const known = new Map((await selectUsersByEmail(trx, DEMO_STAFF.map((s) => s.email))).map((u) => [u.email, u]));
    const newStaff = demoStaffRows(DEMO_STAFF, opts.seed, now).filter((row) => !known.has(row.email));
    counts['users'] = await insertInChunks(trx, 'users', newStaff);
    const staffId = (email: string): string => known.get(email)?.id ?? newStaff.find((r) => r.email === email)?.id ?? '';
    const leaderIds = DEMO_STAFF.filter((s) => s.role === 'leader').map((s) => staffId(s.email));
    const caseworkers = DEMO_STAFF.filter((s) => s.role === 'caseworker').map((s) => ({
      id: staffId(s.email),
      municipality: known.get(s.email)?.municipality ?? s.municipality,
    }));

    // Groups: the ones there are, plus new ones up to the number asked for.
    let groups = await selectDemoGroups(trx);
    const missing = opts.groups - groups.length;
    if (missing > 0) {
      const rows = demoGroupRows({
        seed: opts.seed,
        now,
        existingCount: groups.length,
        count: missing,
        takenSlugs: await selectGroupSlugs(trx),
        capacity: opts.groupCapacity,
      });
      counts['groups'] = await insertInChunks(trx, 'groups', rows.map((r) => r.group));
      counts['meeting_rules'] = await insertInChunks(trx, 'meeting_rules', rows.map((r) => r.rule));
      groups = await selectDemoGroups(trx);
    }
    // A group without a leader gets a demo leader: the first leads the girls' groups, the second the siblings groups.
    const newLeaders = groups
      .filter((g) => g.leaderIds.length === 0)
      .map((g) => ({ group_id: g.id, user_id: (g.kind === 'girls' ? leaderIds[0] : leaderIds[1] ?? leaderIds[0]) ?? '' }));
    counts['group_leaders'] = await insertInChunks(trx, 'group_leaders', newLeaders);
    for (const l of newLeaders) groups.find((g) => g.id === l.group_id)?.leaderIds.push(l.user_id);

    // Past holidays, for a centre that has entered none, so the history has summers without meetings.
    let closed = await selectClosedPeriods(trx);
    if (closed.length === 0) {
      const rows = demoClosedPeriodRows({ seed: opts.seed, now, years: opts.years });
      counts['closed_periods'] = await insertInChunks(trx, 'closed_periods', rows);
      closed = rows.map((r) => ({ groupId: r.group_id, name: r.name, startDate: r.start_date, endDate: r.end_date }));
    }

    const meetings = await selectMeetingsByGroup(trx);
    const windows = await selectIntakeWindowsByGroup(trx);
    const demoGroups: DemoGroup[] = groups.map((g) => ({
      id: g.id,
      kind: g.kind,
      minAge: g.minAge,
      maxAge: g.maxAge,
      capacity: g.capacity,
      intakeRule: g.intakeRule,
      maxCourseMonths: g.maxCourseMonths,
      rule: g.rule,
      place: g.place,
      leaderIds: g.leaderIds,
      closedPeriods: closed.filter((p) => p.groupId === null || p.groupId === g.id),
      existingMeetings: meetings.get(g.id) ?? [],
      existingIntakeWindows: windows.get(g.id) ?? [],
    }));

    const data = generateDemoData({
      seed: opts.seed,
      now,
      years: opts.years,
      childrenPerGroup: opts.childrenPerGroup,
      groups: demoGroups,
      caseworkers,
      takenReferences: await selectReferralReferences(trx, 'H-'),
    });
    // Parents before children: the foreign keys are checked row by row.
    counts['meetings'] = await insertInChunks(trx, 'meetings', data.meetings);
    counts['intake_windows'] = await insertInChunks(trx, 'intake_windows', data.intakeWindows);
    for (const w of data.intakeWindowMeetings) await updateIntakeWindowMeeting(trx, w.id, w.meetingId);
    counts['children'] = await insertInChunks(trx, 'children', data.children);
    counts['guardians'] = await insertInChunks(trx, 'guardians', data.guardians);
    counts['referrals'] = await insertInChunks(trx, 'referrals', data.referrals);
    counts['enrollments'] = await insertInChunks(trx, 'enrollments', data.enrollments);
    counts['conversations'] = await insertInChunks(trx, 'conversations', data.conversations);
    counts['attendance'] = await insertInChunks(trx, 'attendance', data.attendance);

    await recordAudit(
      trx,
      { system: 'demo' },
      [{ action: 'create', entityType: 'demo', entityId: null, detail: JSON.stringify({ ...opts, counts }) }],
      now,
    );
    return {
      loaded: true,
      loadedAt: now.toISOString(),
      counts,
      staff: DEMO_STAFF.map((s) => ({ email: s.email, role: s.role, created: !known.has(s.email) })),
      durationMs: performance.now() - started,
    };
  });
}
