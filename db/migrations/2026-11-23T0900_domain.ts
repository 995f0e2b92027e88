import type { Kysely } from 'kysely';
import { sql } from 'kysely';

// Frozen in time: this file never imports application code and is never edited once it has run anywhere.
// Portable types only, so one schema runs on SQLite and PostgreSQL: ids and instants are text
// (ISO 8601 UTC, sortable), calendar dates are 'YYYY-MM-DD' text, flags are integers 0/1.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'leader', 'caseworker')`))
    .addColumn('municipality', 'text', (c) => c.check(sql`municipality in ('ishoj', 'vallensbaek')`))
    .addColumn('password_hash', 'text')
    .addColumn('totp_key', 'text')
    .addColumn('disabled_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // One-time links: "create your password" for a new account, or a reset.
  await db.schema
    .createTable('user_setup_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('setup', 'reset')`))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('auth_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('two_factor_verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .execute();
  await db.schema.createIndex('auth_sessions_user').on('auth_sessions').column('user_id').execute();

  // Shared by every app process: login, second factor and form throttling.
  await db.schema
    .createTable('rate_limits')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('window_started_at', 'text', (c) => c.notNull())
    .addColumn('blocked_until', 'text')
    .execute();

  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('slug', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('girls', 'siblings')`))
    .addColumn('min_age', 'integer', (c) => c.notNull())
    .addColumn('max_age', 'integer', (c) => c.notNull())
    .addColumn('girls_only', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('intake_rule', 'text', (c) => c.notNull().check(sql`intake_rule in ('open', 'quarterly')`))
    .addColumn('max_course_months', 'integer')
    .addColumn('public_description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('archived_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  // How a group's sessions recur. One row per group; a change is a new valid_from.
  await db.schema
    .createTable('meeting_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.notNull().unique().references('groups.id').onDelete('cascade'))
    .addColumn('weekday', 'integer', (c) => c.notNull())
    .addColumn('nth', 'integer', (c) => c.notNull())
    .addColumn('start_time', 'text', (c) => c.notNull())
    .addColumn('end_time', 'text', (c) => c.notNull())
    .addColumn('on_closed', 'text', (c) => c.notNull().check(sql`on_closed in ('next_week', 'drop')`))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('group_leaders')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('group_leaders_pk', ['group_id', 'user_id'])
    .execute();

  // group_id null: closed for every group (school holidays).
  await db.schema
    .createTable('closed_periods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.references('groups.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('start_date', 'text', (c) => c.notNull())
    .addColumn('end_date', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // One dated meeting. occurrence_key is the identity the schedule engine gives it ('YYYY-MM'),
  // so regenerating keeps ids (and calendar UIDs) stable. is_manual: moved or cancelled by hand.
  await db.schema
    .createTable('group_sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('occurrence_key', 'text', (c) => c.notNull())
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('planned', 'cancelled', 'moved')`))
    .addColumn('is_manual', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('theme', 'text')
    .addColumn('note', 'text')
    .addColumn('cancel_reason', 'text')
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('group_sessions_occurrence', ['group_id', 'occurrence_key'])
    .execute();
  await db.schema.createIndex('group_sessions_group_start').on('group_sessions').columns(['group_id', 'starts_at']).execute();
  await db.schema.createIndex('group_sessions_start').on('group_sessions').column('starts_at').execute();

  await db.schema
    .createTable('intake_windows')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('quarter_start', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.references('group_sessions.id').onDelete('set null'))
    .addColumn('places', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('intake_windows_quarter', ['group_id', 'quarter_start'])
    .execute();

  await db.schema
    .createTable('children')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('birth_date', 'text', (c) => c.notNull())
    .addColumn('gender', 'text', (c) => c.check(sql`gender in ('girl', 'boy', 'other')`))
    .addColumn('municipality', 'text', (c) => c.notNull().check(sql`municipality in ('ishoj', 'vallensbaek')`))
    .addColumn('has_sibling_with_disability', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('guardians')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('email', 'text')
    .addColumn('has_custody', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('needs_interpreter', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('interpreter_language', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('guardians_child').on('guardians').column('child_id').execute();

  await db.schema
    .createTable('referrals')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('caseworker', 'parent')`))
    .addColumn('caseworker_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('custody_consent', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('queue_rank', 'real')
    .addColumn('status_reason', 'text')
    .addColumn('idempotency_key', 'text', (c) => c.unique())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('referrals_status').on('referrals').columns(['status', 'received_at']).execute();
  await db.schema.createIndex('referrals_caseworker').on('referrals').column('caseworker_id').execute();

  await db.schema
    .createTable('enrollments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('referral_id', 'text', (c) => c.references('referrals.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('intake_window_id', 'text', (c) => c.references('intake_windows.id').onDelete('set null'))
    .addColumn('start_date', 'text')
    .addColumn('planned_end_date', 'text')
    .addColumn('ended_on', 'text')
    .addColumn('end_reason', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('enrollments_group_state').on('enrollments').columns(['group_id', 'state']).execute();
  await db.schema.createIndex('enrollments_child').on('enrollments').column('child_id').execute();

  // Intake, parent (during the course) and closing conversations.
  await db.schema
    .createTable('conversations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('intake', 'parent', 'closing')`))
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id'))
    .addColumn('referral_id', 'text', (c) => c.references('referrals.id').onDelete('set null'))
    .addColumn('enrollment_id', 'text', (c) => c.references('enrollments.id').onDelete('set null'))
    .addColumn('leader_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('place', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('booked', 'held', 'cancelled')`))
    .addColumn('outcome', 'text', (c) => c.check(sql`outcome in ('fits', 'does_not_fit')`))
    .addColumn('outcome_reason', 'text')
    .addColumn('child_words', 'text')
    .addColumn('note', 'text')
    .addColumn('sequence', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversations_child').on('conversations').column('child_id').execute();
  await db.schema.createIndex('conversations_leader_start').on('conversations').columns(['leader_id', 'starts_at']).execute();

  await db.schema
    .createTable('attendance')
    .addColumn('session_id', 'text', (c) => c.notNull().references('group_sessions.id').onDelete('cascade'))
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id').onDelete('cascade'))
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('present', 'excused', 'absent')`))
    .addColumn('reason', 'text')
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('leader', 'family')`))
    .addColumn('recorded_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('attendance_pk', ['session_id', 'enrollment_id'])
    .execute();
  await db.schema.createIndex('attendance_enrollment').on('attendance').column('enrollment_id').execute();

  // The secret family link (also the family's calendar feed). Only the hash is stored.
  await db.schema
    .createTable('family_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('child_id', 'text', (c) => c.notNull().references('children.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  // Personal calendar feeds for staff.
  await db.schema
    .createTable('feed_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .execute();

  // child_id is not a foreign key on purpose: the trail of who read a record outlives the record.
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity_type', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('child_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('detail', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
  await db.schema.createIndex('audit_log_child').on('audit_log').columns(['child_id', 'at']).execute();

  // Replays of a form post (double click, reload) find their first answer here.
  await db.schema
    .createTable('idempotency_keys')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('app_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'app_settings', 'idempotency_keys', 'audit_log', 'feed_tokens', 'family_links', 'attendance', 'conversations',
    'enrollments', 'referrals', 'guardians', 'children', 'intake_windows', 'group_sessions', 'closed_periods',
    'group_leaders', 'meeting_rules', 'groups', 'rate_limits', 'auth_sessions', 'user_setup_tokens', 'users',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
