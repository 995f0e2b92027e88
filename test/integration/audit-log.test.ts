import { beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_PAGE_SIZE, type AuditFilter } from '../../src/features/audit/audit';
import { exportAuditCsv, listAudit, recordAudit } from '../../src/features/audit/audit.service';
import { ForbiddenError } from '../../src/lib/errors';
import { addChild, addGroup } from '../support/child-records';
import { useStaff } from '../support/staff';
import { databaseKind, useTestDatabase } from '../support/database';

const NOW = new Date('2026-11-23T12:00:00Z');
const ALL: AuditFilter = { child: null, userId: null, from: null, to: null, before: null };

describe(`audit log listing on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  const { coordinator, leader, other } = useStaff(handle, { other: ['leader', 'Mette Anden'] }, { ip: '10.1.2.3' });
  let astrid: string;
  let bo: string;

  beforeAll(async () => {
    const db = handle.db;
    const groupId = await addGroup(db, 'Pigegruppen');
    astrid = (await addChild(db, { groupId, firstName: 'Astrid', lastName: 'Ågård' })).childId;
    bo = (await addChild(db, { groupId, firstName: 'Bodil', lastName: 'Percent_%' })).childId;
    // 120 reads of Astrid by the leader, one a minute on 10 November (Copenhagen) from 08.00 UTC.
    for (let i = 0; i < 120; i += 1) {
      await recordAudit(db, leader, [{ action: 'read', entityType: 'child', entityId: astrid, childId: astrid }], new Date(Date.UTC(2026, 10, 10, 8, i)));
    }
    // Bodil changed by the other leader late on 11 November Copenhagen time (23.30 local = 22.30 UTC).
    await recordAudit(db, other, [{ action: 'update', entityType: 'child', entityId: bo, childId: bo, detail: '=HYPERLINK("x")' }], new Date('2026-11-11T22:30:00Z'));
    // Two entries in the same instant: the cursor must not lose one.
    await recordAudit(db, other, [
      { action: 'read', entityType: 'child', entityId: bo, childId: bo },
      { action: 'read', entityType: 'referral', entityId: 'r1', childId: bo },
    ], new Date('2026-11-12T09:00:00Z'));
  });

  it('is for the coordinator only', async () => {
    await expect(listAudit(handle.db, leader, ALL, NOW)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(exportAuditCsv(handle.db, leader, ALL, NOW)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('pages newest first, 50 at a time, every entry exactly once', async () => {
    const seen: string[] = [];
    let filter: AuditFilter = { ...ALL, to: '2026-11-20' };
    let pages = 0;
    for (;;) {
      const page = await listAudit(handle.db, coordinator, filter, NOW);
      pages += 1;
      expect(page.entries.length).toBeLessThanOrEqual(AUDIT_PAGE_SIZE);
      seen.push(...page.entries.map((e) => e.id));
      const times = page.entries.map((e) => e.at.getTime());
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      if (!page.next) break;
      filter = { ...filter, before: page.next };
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(123);
    expect(new Set(seen).size).toBe(123);
  });

  it('filters by child name (case and special characters), by child id, by user and by Copenhagen dates', async () => {
    const byName = await listAudit(handle.db, coordinator, { ...ALL, child: 'astrid ågård' }, NOW);
    expect(byName.entries).toHaveLength(50);
    expect(byName.entries.every((e) => e.childId === astrid && e.childName === 'Astrid Ågård')).toBe(true);

    const percent = await listAudit(handle.db, coordinator, { ...ALL, child: 'percent_%' }, NOW);
    expect(percent.entries.map((e) => e.childId)).toEqual([bo, bo, bo]);
    // A % typed by the user is a literal, not "anything".
    expect((await listAudit(handle.db, coordinator, { ...ALL, child: '%' }, NOW)).entries.every((e) => e.childId === bo)).toBe(true);

    const byId = await listAudit(handle.db, coordinator, { ...ALL, child: bo }, NOW);
    expect(byId.entries).toHaveLength(3);

    const byUser = await listAudit(handle.db, coordinator, { ...ALL, userId: other.user.id }, NOW);
    expect(byUser.entries).toHaveLength(3);
    expect(byUser.entries.every((e) => e.userName === 'Mette Anden' && e.ip === '10.1.2.3')).toBe(true);

    // 22.30 UTC on 11 November is 23.30 on 11 November in Copenhagen: inside "11 November", not the 12th.
    const eleventh = await listAudit(handle.db, coordinator, { ...ALL, from: '2026-11-11', to: '2026-11-11' }, NOW);
    expect(eleventh.entries.map((e) => e.action)).toEqual(['update']);
    const twelfth = await listAudit(handle.db, coordinator, { ...ALL, from: '2026-11-12', to: '2026-11-12' }, NOW);
    expect(twelfth.entries).toHaveLength(2);
  });

  it('records each look at the log and each export, and a deleted child shows by id', async () => {
    const before = await handle.db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'audit_log').execute();
    await listAudit(handle.db, coordinator, { ...ALL, child: 'Astrid' }, NOW);
    const csv = await exportAuditCsv(handle.db, coordinator, { ...ALL, userId: other.user.id }, NOW);
    const after = await handle.db.selectFrom('audit_log').selectAll().where('entity_type', '=', 'audit_log').orderBy('at').execute();
    const added = after.filter((a) => !before.some((b) => b.id === a.id));
    expect(added.map((a) => [a.action, a.user_id, a.detail])).toEqual([
      ['read', coordinator.user.id, 'barn=Astrid'],
      ['export', coordinator.user.id, `bruger=${other.user.id}`],
    ]);

    expect(csv.startsWith('\uFEFFTidspunkt;')).toBe(true);
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(5);
    expect(lines).toContain(`12.11.2026 10:00;Mette Anden;${other.user.email};Læst;referral;r1;Bodil Percent_%;${bo};10.1.2.3;`);
    expect(lines[3]).toBe(`11.11.2026 23:30;Mette Anden;${other.user.email};Ændret;child;${bo};Bodil Percent_%;${bo};10.1.2.3;"'=HYPERLINK(""x"")"`);
    expect(lines[4]).toBe('');

    await handle.db.deleteFrom('children').where('id', '=', bo).execute();
    const gone = await listAudit(handle.db, coordinator, { ...ALL, child: bo }, NOW);
    expect(gone.entries).toHaveLength(3);
    expect(gone.entries.every((e) => e.childName === null && e.childId === bo)).toBe(true);
  });
});
