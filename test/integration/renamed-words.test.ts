import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEmptyTestDatabase, databaseKind, migrateTestDatabaseTo, useDatabase } from '../support/database';

// The renames of 1 December 2026 (a group's meeting was "session" in the schema, the coordinator's role "admin")
// on a database that already holds data: nothing is lost, nothing cascades, and the stored words follow.

const BEFORE = '2026-12-01T0300_family_link_sealed';
const AT = '2026-11-30T10:00:00.000Z';

describe(`renaming sessions to meetings and admin to coordinator on ${databaseKind()}`, () => {
  const handle = useDatabase(createEmptyTestDatabase);
  let db: Kysely<any>;

  beforeAll(async () => {
    db = handle.db as unknown as Kysely<any>;
    await migrateTestDatabaseTo(handle.db, BEFORE);

    await db.insertInto('users').values([
      { id: 'u-coord', email: 'koordinator@renames.test', display_name: 'Karin Koordinator', role: 'admin', created_at: AT, updated_at: AT },
      { id: 'u-lead', email: 'leder@renames.test', display_name: 'Lars Leder', role: 'leader', created_at: AT, updated_at: AT },
    ]).execute();
    await db.insertInto('auth_sessions').values({
      id: 's-1', user_id: 'u-coord', secret_hash: 'x', created_at: AT, last_seen_at: AT, expires_at: '2026-12-30T10:00:00.000Z', two_factor_verified: 1,
    }).execute();
    await db.insertInto('groups').values({
      id: 'g-1', slug: 'pigegruppen', name: 'Pigegruppen', kind: 'girls', min_age: 10, max_age: 13, capacity: 10, place: 'Familiehuset',
      intake_rule: 'quarterly', created_at: AT, updated_at: AT,
    }).execute();
    await db.insertInto('group_leaders').values({ group_id: 'g-1', user_id: 'u-coord' }).execute();
    await db.insertInto('group_sessions').values({
      id: 'm-1', group_id: 'g-1', occurrence_key: '2026-12', starts_at: '2026-12-01T15:00:00.000Z', ends_at: '2026-12-01T17:00:00.000Z',
      place: 'Familiehuset', status: 'planned', created_at: AT, updated_at: AT,
    }).execute();
    await db.insertInto('intake_windows').values({ id: 'w-1', group_id: 'g-1', quarter_start: '2027-01-01', session_id: 'm-1', created_at: AT }).execute();
    await db.insertInto('session_feedback').values({ id: 'f-1', session_id: 'm-1', question: 'tryg', score: 3, created_at: AT }).execute();
    await db.insertInto('yearly_counts').values([
      { year: 2025, group_id: 'g-1', municipality: 'ishoj', metric: 'sessions_attended', value: 7 },
      { year: 2025, group_id: 'g-1', municipality: 'ishoj', metric: 'sessions_registered', value: 9 },
    ]).execute();
    const payload = JSON.stringify({ kind: 'session_changed', change: 'moved', audience: 'leader' });
    await db.insertInto('outbox_messages').values({
      id: 'o-1', kind: 'session_changed', channel: 'email', recipient: 'leder@renames.test', language: 'da', subject: 'Mødet er flyttet',
      body_text: '…', payload, topic: 'session:m-1:user:u-lead', user_id: 'u-lead', status: 'pending', send_after: AT, message_id: '<o-1@test>',
      created_at: AT, updated_at: AT,
    }).execute();

    await migrateTestDatabaseTo(handle.db, 'latest');
  });

  it('keeps every row, with the coordinator role and the coordinator still signed in', async () => {
    const users = await db.selectFrom('users').select(['id', 'role']).orderBy('id').execute();
    expect(users).toEqual([{ id: 'u-coord', role: 'coordinator' }, { id: 'u-lead', role: 'leader' }]);
    // Dropping the old users table did not cascade: the sign-in and the leader link are still there.
    expect(await db.selectFrom('auth_sessions').select('id').execute()).toEqual([{ id: 's-1' }]);
    expect(await db.selectFrom('group_leaders').select('user_id').execute()).toEqual([{ user_id: 'u-coord' }]);
  });

  it('refuses the old role word and a role that does not exist, and still refuses a user that does not exist', async () => {
    const user = (id: string, role: string) => ({ id, email: `${id}@renames.test`, display_name: id, role, created_at: AT, updated_at: AT });
    await expect(db.insertInto('users').values(user('old', 'admin')).execute()).rejects.toThrow();
    await expect(db.insertInto('users').values(user('odd', 'boss')).execute()).rejects.toThrow();
    await db.insertInto('users').values(user('new', 'coordinator')).execute();
    await expect(db.insertInto('group_leaders').values({ group_id: 'g-1', user_id: 'nobody' }).execute()).rejects.toThrow();
  });

  it('moves the meetings, their references and the stored words', async () => {
    expect(await db.selectFrom('meetings').select(['id', 'group_id']).execute()).toEqual([{ id: 'm-1', group_id: 'g-1' }]);
    expect(await db.selectFrom('intake_windows').select('meeting_id').execute()).toEqual([{ meeting_id: 'm-1' }]);
    expect(await db.selectFrom('meeting_feedback').select('meeting_id').execute()).toEqual([{ meeting_id: 'm-1' }]);
    const metrics = await db.selectFrom('yearly_counts').select(['metric', 'value']).orderBy('metric').execute();
    expect(metrics).toEqual([{ metric: 'meetings_attended', value: 7 }, { metric: 'meetings_registered', value: 9 }]);
    const message = await db.selectFrom('outbox_messages').select(['kind', 'topic', 'payload']).executeTakeFirstOrThrow();
    expect(message.kind).toBe('meeting_changed');
    expect(message.topic).toBe('meeting:m-1:user:u-lead');
    expect(JSON.parse(message.payload)).toMatchObject({ kind: 'meeting_changed', change: 'moved' });
    // A meeting's removal still takes its feedback with it (the foreign key moved with the table).
    await db.deleteFrom('meetings').where('id', '=', 'm-1').execute();
    expect(await db.selectFrom('meeting_feedback').select('id').execute()).toEqual([]);
    expect(await db.selectFrom('intake_windows').select('meeting_id').execute()).toEqual([{ meeting_id: null }]);
  });

  it('can be taken back and done again', async () => {
    await migrateTestDatabaseTo(handle.db, BEFORE);
    expect((await db.selectFrom('users').select('role').where('id', '=', 'u-coord').executeTakeFirstOrThrow()).role).toBe('admin');
    expect((await db.selectFrom('yearly_counts').select('metric').orderBy('metric').execute()).map((r) => r.metric)).toEqual(['sessions_attended', 'sessions_registered']);
    await db.selectFrom('group_sessions').select('id').execute();
    await db.insertInto('outbox_messages').values({
      id: 'o-2', kind: 'session_changed', channel: 'sms', recipient: '+4512345678', language: 'da', subject: 'Mødet er aflyst', body_text: '…',
      payload: JSON.stringify({ kind: 'session_changed', change: 'cancelled' }), topic: 'session:m-2:guardian:g-1', status: 'pending',
      send_after: AT, message_id: '<o-2@test>', created_at: AT, updated_at: AT,
    }).execute();
    await migrateTestDatabaseTo(handle.db, 'latest');
    expect((await db.selectFrom('users').select('role').where('id', '=', 'u-coord').executeTakeFirstOrThrow()).role).toBe('coordinator');
    expect(await db.selectFrom('auth_sessions').select('id').execute()).toEqual([{ id: 's-1' }]);
    const messages = await db.selectFrom('outbox_messages').select(['id', 'kind', 'topic', 'payload']).orderBy('id').execute();
    expect(messages.map((m) => [m.id, m.kind, m.topic, JSON.parse(m.payload).kind])).toEqual([
      ['o-1', 'meeting_changed', 'meeting:m-1:user:u-lead', 'meeting_changed'],
      ['o-2', 'meeting_changed', 'meeting:m-2:guardian:g-1', 'meeting_changed'],
    ]);
    if (databaseKind() === 'sqlite') expect((await sql`pragma foreign_keys`.execute(db)).rows).toEqual([{ foreign_keys: 1 }]);
  });
});
