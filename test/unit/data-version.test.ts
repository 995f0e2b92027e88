import { describe, expect, it } from 'vitest';
import { FIGURES_TABLES, writtenTable } from '../../src/lib/server/data-version';

describe('writtenTable', () => {
  it.each([
    ['insert into "attendance" ("meeting_id", "status") values (?, ?)', 'attendance'],
    ['insert into "attendance" ("meeting_id") values ($1) on conflict ("meeting_id") do update set "status" = $2', 'attendance'],
    ['update "enrollments" set "state" = ? where "id" = ?', 'enrollments'],
    ['delete from "children" where "id" in (?, ?)', 'children'],
    ['  INSERT OR IGNORE INTO yearly_counts (year) VALUES (1)', 'yearly_counts'],
    ['update "public"."meetings" set "status" = $1', 'meetings'],
  ])('names the table of the INSERT, UPDATE and DELETE statements Kysely writes on both databases: %j → %j', (input, expected) => {
    expect(writtenTable(input)).toBe(expected);
  });

  it.each([
    ['select * from "attendance"', null],
    ['create table "attendance" ("id" text)', null],
    ['begin', null],
    ['select "id" from "updates_log"', null],
  ])('names nothing for reads, schema changes and transaction control: %j → %j', (input, expected) => {
    expect(writtenTable(input)).toBe(expected);
  });

  it('watches every table the yearly figures are counted from, and not the audit log or meetings', () => {
    for (const table of ['attendance', 'enrollments', 'children', 'referrals', 'meetings', 'groups', 'intake_windows', 'meeting_feedback', 'yearly_counts']) {
      expect(FIGURES_TABLES).toContain(table);
    }
    expect(FIGURES_TABLES).not.toContain('audit_log');
    expect(FIGURES_TABLES).not.toContain('auth_sessions');
  });
});
