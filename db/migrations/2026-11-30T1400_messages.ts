import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Frozen in time. Messages to families and staff (e-mail and SMS) go through an outbox: a row written in the same
// transaction as the change that causes it, delivered afterwards by a worker in the server process. Each guardian's
// choice of channel (and reminders) is stored with when and by whom it was given.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('email', 'sms')`))
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().check(sql`language in ('da', 'en')`))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body_text', 'text', (c) => c.notNull())
    .addColumn('body_html', 'text')
    .addColumn('unsubscribe_url', 'text')
    // The template's input, so a later change (afbud gathered, a correction) can write the message again.
    .addColumn('payload', 'text', (c) => c.notNull())
    // Messages on one topic replace each other while unsent (a correction of a move within minutes).
    .addColumn('topic', 'text')
    // At most one message per key, ever (a reminder for one meeting to one guardian).
    .addColumn('once_key', 'text', (c) => c.unique())
    // A message about a child goes when the child's data goes (retention).
    .addColumn('child_id', 'text', (c) => c.references('children.id').onDelete('cascade'))
    .addColumn('guardian_id', 'text', (c) => c.references('guardians.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    // 1: the body holds a secret link; it is never shown to staff and is blanked once sent.
    .addColumn('secret', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'sending', 'sent', 'failed', 'unsent')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('send_after', 'text', (c) => c.notNull())
    .addColumn('lease_until', 'text')
    .addColumn('leased_by', 'text')
    .addColumn('last_error', 'text')
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox_messages').columns(['status', 'send_after']).execute();
  await db.schema.createIndex('outbox_topic').on('outbox_messages').column('topic').execute();
  await db.schema.createIndex('outbox_child').on('outbox_messages').column('child_id').execute();
  await db.schema.createIndex('outbox_created').on('outbox_messages').column('created_at').execute();

  await db.schema.alterTable('guardians').addColumn('message_channel', 'text', (c) => c.notNull().defaultTo('none')).execute();
  await db.schema.alterTable('guardians').addColumn('message_reminders', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('guardians').addColumn('message_language', 'text', (c) => c.notNull().defaultTo('da')).execute();
  await db.schema.alterTable('guardians').addColumn('consent_at', 'text').execute();
  await db.schema.alterTable('guardians').addColumn('consent_by', 'text').execute();
  // The key in the unsubscribe link of optional e-mails: it can only turn messages off, so it is kept as it is.
  await db.schema.alterTable('guardians').addColumn('unsubscribe_key', 'text').execute();
  await db.schema.createIndex('guardians_unsubscribe_key').on('guardians').column('unsubscribe_key').unique().execute();

  // When a group's reminders go: this many days before the meeting, at this Copenhagen time.
  await db.schema.alterTable('groups').addColumn('reminder_days_before', 'integer', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('groups').addColumn('reminder_time', 'text', (c) => c.notNull().defaultTo('16:00')).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox_messages').execute();
  await db.schema.dropIndex('guardians_unsubscribe_key').execute();
  for (const column of ['message_channel', 'message_reminders', 'message_language', 'consent_at', 'consent_by', 'unsubscribe_key']) {
    await db.schema.alterTable('guardians').dropColumn(column).execute();
  }
  for (const column of ['reminder_days_before', 'reminder_time']) {
    await db.schema.alterTable('groups').dropColumn(column).execute();
  }
}
