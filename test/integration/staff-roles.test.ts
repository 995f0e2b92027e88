import { describe, expect, it } from 'vitest';
import { changeUserRole, createAuthSession, validateSessionToken } from '../../src/features/auth/auth.service';
import { ForbiddenError, ValidationError } from '../../src/lib/errors';
import { addUser } from '../support/builders';
import { databaseKind, useTestDatabase } from '../support/database';

const NOW = new Date('2026-03-02T09:00:00Z');
const meta = { ip: '192.0.2.20', userAgent: 'Vitest' };

describe(`the coordinator changes a staff member's role on ${databaseKind()}`, () => {
  const handle = useTestDatabase();


  async function roleOf(id: string): Promise<string> {
    return (await handle.db.selectFrom('users').select('role').where('id', '=', id).executeTakeFirstOrThrow()).role;
  }

  it('the last open coordinator keeps the role (a closed coordinator account does not count); with a second one, the demoted person is a leader on their next request', async () => {
    const only = await addUser(handle.db, 'coordinator', { name: 'Eneste Koordinator' });
    await addUser(handle.db, 'coordinator', { name: 'Lukket Koordinator', disabled: true });
    const self = changeUserRole(handle.db, only, { userId: only.user.id, role: 'leader' }, NOW);
    await expect(self).rejects.toBeInstanceOf(ValidationError);
    await expect(self).rejects.toMatchObject({ fields: { role: 'Der skal altid være mindst én koordinator. Gør en anden til koordinator først.' } });
    expect(await roleOf(only.user.id)).toBe('coordinator');

    const second = await addUser(handle.db, 'coordinator', { name: 'Anden Koordinator' });
    const { token } = await createAuthSession(handle.db, second.user.id, meta, NOW);
    expect((await validateSessionToken(handle.db, token, NOW))?.user.role).toBe('coordinator');
    const changed = await changeUserRole(handle.db, only, { userId: second.user.id, role: 'leader' }, NOW);
    expect(changed.role).toBe('leader');
    // The session stays, and reads the new role at once.
    expect((await validateSessionToken(handle.db, token, NOW))?.user.role).toBe('leader');
    const audit = await handle.db.selectFrom('audit_log').select(['action', 'detail', 'user_id']).where('entity_id', '=', second.user.id).execute();
    expect(audit).toEqual([{ action: 'update', detail: 'rolle coordinator → leader', user_id: only.user.id }]);

    // A leader now: the role forms are closed to them.
    await expect(changeUserRole(handle.db, { ...second, user: changed }, { userId: only.user.id, role: 'leader' }, NOW)).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('two coordinators demoting each other at the same moment: one of them stays coordinator', async () => {
    await handle.db.updateTable('users').set({ role: 'leader' }).where('role', '=', 'coordinator').execute();
    const c = await addUser(handle.db, 'coordinator', { name: 'Carl Samtidig' });
    const d = await addUser(handle.db, 'coordinator', { name: 'Dina Samtidig' });
    const symmetric = await Promise.allSettled([
      changeUserRole(handle.db, c, { userId: d.user.id, role: 'leader' }, NOW),
      changeUserRole(handle.db, d, { userId: c.user.id, role: 'leader' }, NOW),
    ]);
    const refused = symmetric.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(1);
    expect((refused[0]?.reason as ValidationError).fields['role']).toMatch(/mindst én koordinator/);
    expect([await roleOf(c.user.id), await roleOf(d.user.id)].sort()).toEqual(['coordinator', 'leader']);
  });

  it("a caseworker's municipality stays through a role change; an account without one cannot become a caseworker", async () => {
    const coordinator = await addUser(handle.db, 'coordinator', { name: 'Kim Koordinator' });
    const caseworker = await addUser(handle.db, 'caseworker', { name: 'Rie Rådgiver', municipality: 'vallensbaek' });
    await changeUserRole(handle.db, coordinator, { userId: caseworker.user.id, role: 'leader' }, NOW);
    await changeUserRole(handle.db, coordinator, { userId: caseworker.user.id, role: 'caseworker' }, NOW);
    const row = await handle.db.selectFrom('users').select(['role', 'municipality']).where('id', '=', caseworker.user.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ role: 'caseworker', municipality: 'vallensbaek' });

    const leader = await addUser(handle.db, 'leader', { name: 'Lise Leder' });
    await expect(changeUserRole(handle.db, coordinator, { userId: leader.user.id, role: 'caseworker' }, NOW))
      .rejects.toMatchObject({ fields: { role: expect.stringMatching(/skal høre til en kommune/) } });
    expect(await roleOf(leader.user.id)).toBe('leader');

    await expect(changeUserRole(handle.db, coordinator, { userId: leader.user.id, role: 'chef' }, NOW)).rejects.toMatchObject({ fields: { role: 'Vælg en rolle.' } });
  });
});
