import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { statementCount } from '../../src/lib/server/db';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/lib/errors';
import { seedDefaultGroups } from '../../src/features/groups/groups.service';
import { signFormTime } from '../../src/features/referrals/referrals';
import { FORM_SECRET_KEY, findPossibleDuplicates } from '../../src/features/referrals/referrals.repository';
import {
  getReceipt,
  listMyReferrals,
  parentRequestForm,
  submitParentRequest,
  submitReferral,
} from '../../src/features/referrals/referrals.service';
import { addConversation } from '../support/builders';
import { addStaffMember, useStaff } from '../support/staff';
import { databaseKind, useTestDatabase } from '../support/database';
import { NOW } from '../support/clock';

const LATER = new Date(NOW.getTime() + 60_000);

describe(`referrals on ${databaseKind()}`, () => {
  const handle = useTestDatabase();
  const { anna, bo, leader, coordinator } = useStaff(handle, { anna: ['caseworker', 'Anna'], bo: ['caseworker', 'Bo'] }, { at: NOW, ip: '10.0.0.1' });
  let girlsId: string;
  let siblingsId: string;

  function referralValues(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      idempotencyKey: randomUUID(),
      groupId: girlsId,
      firstName: 'Sara',
      lastName: 'Hansen',
      birthDate: '2016-02-29',
      gender: 'girl',
      municipality: 'ishoj',
      g1Name: 'Mette Hansen',
      g1Phone: '20304050',
      g1Custody: 'yes',
      g1Interpreter: 'on',
      g1Language: 'arabisk',
      g2Name: 'Ali Hansen',
      g2Email: 'ali@mail.dk',
      g2Custody: 'no',
      reason: 'Har brug for at møde andre piger.',
      consent: 'on',
      ...overrides,
    };
  }

  async function count(table: 'children' | 'guardians' | 'referrals' | 'enrollments'): Promise<number> {
    const row = await handle.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function counts() {
    return {
      children: await count('children'),
      guardians: await count('guardians'),
      referrals: await count('referrals'),
      enrollments: await count('enrollments'),
    };
  }

  async function secret(): Promise<string> {
    await parentRequestForm(handle.db, 'pigegruppen', NOW);
    const row = await handle.db.selectFrom('app_settings').select('value').where('key', '=', FORM_SECRET_KEY).executeTakeFirstOrThrow();
    return row.value;
  }

  async function parentValues(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
    return {
      idempotencyKey: randomUUID(),
      formTime: signFormTime(await secret(), new Date(NOW.getTime() - 30_000)),
      website: '',
      parentName: 'Mette Hansen',
      phone: '',
      email: `${randomUUID().slice(0, 8)}@mail.dk`,
      firstName: 'Lea',
      birthDate: '2015-06-01',
      municipality: 'vallensbaek',
      message: 'Hun vil gerne møde andre.',
      custody: 'on',
      ...overrides,
    };
  }

  beforeAll(async () => {
    await seedDefaultGroups(handle.db, NOW);
    const groups = await handle.db.selectFrom('groups').select(['id', 'slug']).execute();
    girlsId = groups.find((g) => g.slug === 'pigegruppen')!.id;
    siblingsId = groups.find((g) => g.slug === 'soeskendegruppen-boern')!.id;
  });

  it('a referral creates exactly one child, its guardians, one referral and one referred enrollment, with an audit entry', async () => {
    const before = await counts();
    const result = await submitReferral(handle.db, anna, referralValues(), NOW);
    expect(result.created).toBe(true);
    expect(result.reference).toMatch(/^H-2026-\d{4}$/);
    expect(await counts()).toEqual({
      children: before.children + 1,
      guardians: before.guardians + 2,
      referrals: before.referrals + 1,
      enrollments: before.enrollments + 1,
    });
    const referral = await handle.db.selectFrom('referrals').selectAll().where('id', '=', result.id).executeTakeFirstOrThrow();
    expect(referral).toMatchObject({
      status: 'received', source: 'caseworker', caseworker_id: anna.user.id, group_id: girlsId, reason: 'Har brug for at møde andre piger.',
      received_at: NOW.toISOString(),
    });
    expect(Number(referral.custody_consent)).toBe(1);
    const child = await handle.db.selectFrom('children').selectAll().where('id', '=', referral.child_id).executeTakeFirstOrThrow();
    expect(child).toMatchObject({ first_name: 'Sara', last_name: 'Hansen', birth_date: '2016-02-29', gender: 'girl', municipality: 'ishoj' });
    const guardians = await handle.db.selectFrom('guardians').selectAll().where('child_id', '=', child.id).orderBy('name').execute();
    expect(guardians.map((g) => [g.name, Number(g.has_custody), Number(g.needs_interpreter), g.interpreter_language])).toEqual([
      ['Ali Hansen', 0, 0, null],
      ['Mette Hansen', 1, 1, 'arabisk'],
    ]);
    const enrollment = await handle.db.selectFrom('enrollments').selectAll().where('referral_id', '=', result.id).executeTakeFirstOrThrow();
    expect(enrollment).toMatchObject({ state: 'referred', child_id: child.id, group_id: girlsId });
    const audit = await handle.db.selectFrom('audit_log').selectAll().where('entity_id', '=', result.id).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'create', entity_type: 'referral', child_id: child.id, user_id: anna.user.id });
  });

  it('reference numbers run per year and are unique, also when referrals are sent at the same moment', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, i) => submitReferral(handle.db, anna, referralValues({ firstName: `Barn${i}` }), NOW)),
    );
    const references = results.map((r) => r.reference);
    expect(new Set(references).size).toBe(5);
    const all = await handle.db.selectFrom('referrals').select('reference').where('reference', 'like', 'H-2026-%').execute();
    const numbers = all.map((r) => Number(r.reference.slice(7))).sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    const nextYear = await submitReferral(handle.db, anna, referralValues(), new Date('2027-01-01T00:30:00Z'));
    expect(nextYear.reference).toBe('H-2027-0001');
  });

  it('the same form sent twice, one after the other or at once, gives one referral', async () => {
    const values = referralValues({ firstName: 'Dobbelt' });
    const before = await counts();
    const first = await submitReferral(handle.db, anna, values, NOW);
    const again = await submitReferral(handle.db, anna, values, LATER);
    expect(again).toEqual({ id: first.id, reference: first.reference, created: false });

    const racing = referralValues({ firstName: 'Samtidig' });
    const both = await Promise.all([submitReferral(handle.db, anna, racing, NOW), submitReferral(handle.db, anna, racing, NOW)]);
    expect(both[0].id).toBe(both[1].id);
    expect(both.filter((r) => r.created)).toHaveLength(1);
    const after = await counts();
    expect(after.referrals - before.referrals).toBe(2);
    // The losing transaction left no child or enrollment behind.
    expect(after.children - before.children).toBe(2);
    expect(after.enrollments - before.enrollments).toBe(2);
  });

  it('refuses bad input with errors at the fields and stores nothing', async () => {
    const before = await counts();
    await expect(submitReferral(handle.db, anna, referralValues({ gender: 'boy', consent: '' }), NOW)).rejects.toSatisfy(
      (e: unknown) => e instanceof ValidationError && Object.keys(e.fields).sort().join() === 'consent,gender',
    );
    await expect(submitReferral(handle.db, anna, referralValues({ groupId: siblingsId, gender: 'boy' }), NOW)).rejects.toSatisfy(
      (e: unknown) => e instanceof ValidationError && 'siblingDisability' in e.fields,
    );
    expect(await counts()).toEqual(before);
  });

  it('a leader cannot refer; the coordinator can and is the sender', async () => {
    await expect(submitReferral(handle.db, leader, referralValues(), NOW)).rejects.toBeInstanceOf(ForbiddenError);
    const result = await submitReferral(handle.db, coordinator, referralValues({ firstName: 'Koordinatorbarn', groupId: siblingsId, siblingDisability: 'on', gender: 'boy' }), NOW);
    const row = await handle.db.selectFrom('referrals').select('caseworker_id').where('id', '=', result.id).executeTakeFirstOrThrow();
    expect(row.caseworker_id).toBe(coordinator.user.id);
    const child = await handle.db
      .selectFrom('children')
      .innerJoin('referrals', 'referrals.child_id', 'children.id')
      .select('children.has_sibling_with_disability')
      .where('referrals.id', '=', result.id)
      .executeTakeFirstOrThrow();
    expect(Number(child.has_sibling_with_disability)).toBe(1);
  });

  it('an account sending referrals in bulk is stopped after 30 an hour; a resent form still answers', async () => {
    const cecilie = await addStaffMember(handle.db, 'caseworker', 'Cecilie', { at: NOW, ip: '10.0.0.1' });
    const first = referralValues({ firstName: 'Bulk0' });
    await submitReferral(handle.db, cecilie, first, NOW);
    for (let i = 1; i < 30; i += 1) await submitReferral(handle.db, cecilie, referralValues({ firstName: `Bulk${i}` }), NOW);
    const before = await count('referrals');
    await expect(submitReferral(handle.db, cecilie, referralValues({ firstName: 'Bulk30' }), NOW)).rejects.toBeInstanceOf(ConflictError);
    expect(await count('referrals')).toBe(before);
    // The double click of an earlier form is not a new referral, so the limit does not refuse it.
    expect((await submitReferral(handle.db, cecilie, first, NOW)).created).toBe(false);
  });

  it('a caseworker sees only their own referrals, in one query, with the dates that matter; another’s receipt is not found', async () => {
    const mine = await submitReferral(handle.db, bo, referralValues({ firstName: 'Emil', lastName: 'Berg', gender: 'boy', groupId: siblingsId, siblingDisability: 'on', birthDate: '2016-05-05' }), NOW);
    const annas = await submitReferral(handle.db, anna, referralValues({ firstName: 'Hemmelig' }), NOW);
    // The coordinator books an intake conversation and later starts the course.
    const ref = await handle.db.selectFrom('referrals').select(['child_id']).where('id', '=', mine.id).executeTakeFirstOrThrow();
    await addConversation(handle.db, {
      child_id: ref.child_id, group_id: siblingsId, referral_id: mine.id, starts_at: '2026-12-02T15:00:00.000Z',
      ends_at: '2026-12-02T16:00:00.000Z', created_at: NOW.toISOString(), updated_at: NOW.toISOString(),
    });
    await handle.db.updateTable('referrals').set({ status: 'intake_booked' }).where('id', '=', mine.id).execute();
    await handle.db.updateTable('enrollments').set({ start_date: '2027-01-13' }).where('referral_id', '=', mine.id).execute();

    const statementsBefore = statementCount();
    const list = await listMyReferrals(handle.db, bo, NOW);
    const statements = statementCount() - statementsBefore;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: mine.id, reference: mine.reference, childName: 'Emil Berg', groupName: expect.stringMatching(/Søskende/), status: 'intake_booked',
      startDate: '2027-01-13', endDate: null,
    });
    expect(list[0]?.intakeAt?.toISOString()).toBe('2026-12-02T15:00:00.000Z');
    expect(list[0]?.receivedAt.toISOString()).toBe(NOW.toISOString());

    // More referrals, same number of statements (the list query and the audit entry).
    for (let i = 0; i < 3; i += 1) {
      await submitReferral(handle.db, bo, referralValues({ firstName: `Flere${i}` }), NOW);
    }
    const again = statementCount();
    expect(await listMyReferrals(handle.db, bo, NOW)).toHaveLength(4);
    expect(statementCount() - again).toBe(statements);

    expect((await listMyReferrals(handle.db, anna, NOW)).some((r) => r.id === mine.id)).toBe(false);
    await expect(getReceipt(handle.db, anna, mine.id, NOW)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getReceipt(handle.db, bo, annas.id, NOW)).rejects.toBeInstanceOf(NotFoundError);
    await expect(getReceipt(handle.db, bo, randomUUID(), NOW)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listMyReferrals(handle.db, leader, NOW)).rejects.toBeInstanceOf(ForbiddenError);
    const receipt = await getReceipt(handle.db, bo, mine.id, NOW);
    expect(receipt).toMatchObject({ reference: mine.reference, childName: 'Emil Berg', intakeRule: 'quarterly', ageWarning: null });
    expect((await getReceipt(handle.db, coordinator, mine.id, NOW)).reference).toBe(mine.reference);
  });

  it('reading writes audit entries: one for the list, one per child for a receipt', async () => {
    const sent = await submitReferral(handle.db, anna, referralValues({ firstName: 'Lille', birthDate: '2020-03-01' }), NOW);
    const at = new Date('2026-11-23T11:11:11.000Z');
    await listMyReferrals(handle.db, anna, at);
    const receipt = await getReceipt(handle.db, anna, sent.id, at);
    // Six now, seven within six months: taken, with a warning on the receipt.
    expect(receipt.ageWarning).toMatch(/^Barnet er 6 år/);
    const entries = await handle.db.selectFrom('audit_log').selectAll().where('at', '=', at.toISOString()).orderBy('entity_type').execute();
    expect(entries.map((e) => [e.action, e.entity_type, e.user_id, e.child_id === null])).toEqual([
      ['read', 'referral', anna.user.id, false],
      ['read', 'referral_list', anna.user.id, true],
    ]);
  });

  it('a second referral of the same child is stored and can be found as a possible duplicate', async () => {
    const values = { firstName: 'Tvilling', lastName: 'Jensen', birthDate: '2015-03-03' };
    const one = await submitReferral(handle.db, anna, referralValues(values), NOW);
    // Within 30 days the form asks first (the same child sent twice is most often a mistake) …
    const warned = await submitReferral(handle.db, bo, referralValues({ ...values, firstName: 'TVILLING' }), NOW).catch((e: unknown) => e);
    expect(warned).toBeInstanceOf(ValidationError);
    expect((warned as ValidationError).fields['confirmDuplicate']).toMatch(/blev henvist .* \(H-\d{4}-\d{4}\)\. Sæt flueben/);
    // … and takes it when the caseworker says it is a new referral.
    const two = await submitReferral(handle.db, bo, referralValues({ ...values, firstName: 'TVILLING', confirmDuplicate: 'on' }), NOW);
    const duplicates = await findPossibleDuplicates(handle.db, values, two.id);
    expect(duplicates.map((d) => d.referralId)).toEqual([one.id]);
  });

  describe('the parent request', () => {
    it('stores a girl, her parent, a referral from the parent and a referred enrollment, without a caseworker', async () => {
      const before = await counts();
      const values = await parentValues({ firstName: 'Ida' });
      expect(await submitParentRequest(handle.db, { ip: '192.0.2.1' }, 'pigegruppen', values, NOW)).toBe('stored');
      expect(await counts()).toEqual({
        children: before.children + 1, guardians: before.guardians + 1, referrals: before.referrals + 1, enrollments: before.enrollments + 1,
      });
      const row = await handle.db
        .selectFrom('referrals')
        .innerJoin('children', 'children.id', 'referrals.child_id')
        .selectAll('children')
        .select(['referrals.id as referral_id', 'source', 'caseworker_id', 'status', 'group_id', 'custody_consent', 'child_id'])
        .where('referrals.idempotency_key', '=', values['idempotencyKey']!)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({
        source: 'parent', caseworker_id: null, status: 'received', first_name: 'Ida', last_name: '', gender: 'girl', municipality: 'vallensbaek',
        group_id: girlsId,
      });
      expect(Number(row.custody_consent)).toBe(1);
      const audit = await handle.db.selectFrom('audit_log').selectAll().where('entity_id', '=', row.referral_id).executeTakeFirstOrThrow();
      expect(audit).toMatchObject({ action: 'create', entity_type: 'referral', user_id: null, child_id: row.child_id });
      // Sent again (reload, double click): nothing new.
      expect(await submitParentRequest(handle.db, { ip: '192.0.2.1' }, 'pigegruppen', values, LATER)).toBe('repeated');
      expect(await count('referrals')).toBe(before.referrals + 1);
    });

    it('a filled honeypot is thanked and nothing is stored', async () => {
      const before = await counts();
      const values = await parentValues({ website: 'http://spam.example' });
      expect(await submitParentRequest(handle.db, { ip: '192.0.2.2' }, 'pigegruppen', values, NOW)).toBe('ignored');
      expect(await counts()).toEqual(before);
    });

    it('refuses a form sent too fast, too late or with a forged stamp', async () => {
      const key = await secret();
      const before = await counts();
      const cases: [string, RegExp][] = [
        [signFormTime(key, new Date(NOW.getTime() - 1_000)), /meget hurtigt/],
        [signFormTime(key, new Date(NOW.getTime() - 25 * 60 * 60 * 1000)), /åben længe/],
        [signFormTime('guessed', new Date(NOW.getTime() - 30_000)), /gik galt/],
        ['', /gik galt/],
      ];
      for (const [formTime, message] of cases) {
        const values = await parentValues({ formTime });
        await expect(submitParentRequest(handle.db, { ip: '192.0.2.3' }, 'pigegruppen', values, NOW)).rejects.toSatisfy(
          (e: unknown) => e instanceof ValidationError && message.test(e.fields['_form'] ?? ''),
        );
      }
      expect(await counts()).toEqual(before);
    });

    it('only the open girls’ group takes requests', async () => {
      expect(await parentRequestForm(handle.db, 'soeskendegruppen-boern', NOW)).toBeNull();
      expect(await parentRequestForm(handle.db, 'findes-ikke', NOW)).toBeNull();
      expect((await parentRequestForm(handle.db, 'pigegruppen', NOW))?.group.id).toBe(girlsId);
      await expect(submitParentRequest(handle.db, { ip: '192.0.2.4' }, 'soeskendegruppen-boern', await parentValues(), NOW)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('the signing secret is made once and kept', async () => {
      const first = await secret();
      await Promise.all([parentRequestForm(handle.db, 'pigegruppen', NOW), parentRequestForm(handle.db, 'pigegruppen', NOW)]);
      expect(await secret()).toBe(first);
      expect(first.length).toBeGreaterThan(30);
    });

    it('limits requests per address and per e-mail', async () => {
      const ip = '198.51.100.7';
      for (let i = 0; i < 5; i += 1) {
        expect(await submitParentRequest(handle.db, { ip }, 'pigegruppen', await parentValues(), NOW)).toBe('stored');
      }
      const before = await counts();
      await expect(submitParentRequest(handle.db, { ip }, 'pigegruppen', await parentValues(), NOW)).rejects.toSatisfy(
        (e: unknown) => e instanceof ValidationError && /mange ønsker/.test(e.fields['_form'] ?? ''),
      );
      expect(await counts()).toEqual(before);
      // Another address is not affected ...
      const email = 'samme@mail.dk';
      for (let i = 0; i < 3; i += 1) {
        expect(await submitParentRequest(handle.db, { ip: `203.0.113.${i}` }, 'pigegruppen', await parentValues({ email }), NOW)).toBe('stored');
      }
      // ... but the same e-mail from a fourth address is.
      await expect(
        submitParentRequest(handle.db, { ip: '203.0.113.99' }, 'pigegruppen', await parentValues({ email: 'SAMME@mail.dk' }), NOW),
      ).rejects.toBeInstanceOf(ValidationError);
    });
  });
});
