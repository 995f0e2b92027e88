import { describe, expect, it } from 'vitest';
import { FIGURES_TABLES, writtenTable } from '../../src/lib/server/data-version';

describe('writtenTable', () => {
  it('names the table of the INSERT, UPDATE and DELETE statements Kysely writes on both databases', () => {
    expect(writtenTable('insert into "attendance" ("session_id", "status") values (?, ?)')).toBe('attendance');
    expect(writtenTable('insert into "attendance" ("session_id") values ($1) on conflict ("session_id") do update set "status" = $2')).toBe('attendance');
    expect(writtenTable('update "enrollments" set "state" = ? where "id" = ?')).toBe('enrollments');
    expect(writtenTable('delete from "children" where "id" in (?, ?)')).toBe('children');
    expect(writtenTable('  INSERT OR IGNORE INTO yearly_counts (year) VALUES (1)')).toBe('yearly_counts');
    expect(writtenTable('update "public"."group_sessions" set "status" = $1')).toBe('group_sessions');
  });

  it('names nothing for reads, schema changes and transaction control', () => {
    expect(writtenTable('select * from "attendance"')).toBeNull();
    expect(writtenTable('create table "attendance" ("id" text)')).toBeNull();
    expect(writtenTable('begin')).toBeNull();
    expect(writtenTable('select "id" from "updates_log"')).toBeNull();
  });

  it('watches every table the yearly figures are counted from, and not the audit log or sessions', () => {
    for (const table of ['attendance', 'enrollments', 'children', 'referrals', 'group_sessions', 'groups', 'intake_windows', 'session_feedback', 'yearly_counts']) {
      expect(FIGURES_TABLES).toContain(table);
    }
    expect(FIGURES_TABLES).not.toContain('audit_log');
    expect(FIGURES_TABLES).not.toContain('auth_sessions');
  });
});
