// `npx tsx scripts/bench/explain.ts [--size demo|large] [--db sqlite|postgres] [--without-indexes]`
//
// Loads a data set (SQLite in memory, or the PostgreSQL DATABASE_URL after wiping its public schema), runs the
// service calls behind the benchmarked pages with a Kysely that records every statement, and prints each SELECT with
// its time and its plan (SQLite: EXPLAIN QUERY PLAN; PostgreSQL: EXPLAIN ANALYZE). Used for docs/performance.md.
import { parseArgs } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import * as indexesMigration from '../../db/migrations/2026-11-23T1110_indexes';
import { bootApplication } from '../../src/features/operator/operator.service';
import type { Database } from '../../src/lib/server/database';
import { openDatabase } from '../../src/lib/server/db';
import { addAccountsInProcess, loadDataSet, pickTargets, type DataSize } from './dataset';
import { queriesPerRequest } from './endpoints';
import { getAttendanceSheet } from '../../src/features/attendance/attendance.service';
import { publicGroupFeed, publicGroupPage } from '../../src/features/feeds/feeds.service';
import { yearlyFigures } from '../../src/features/figures/figures.service';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: 'large' },
    db: { type: 'string', default: 'sqlite' },
    // The plans before db/migrations/2026-11-23T1110_indexes.ts: its down() runs after the boot.
    'without-indexes': { type: 'boolean', default: false },
  },
});
const size: DataSize = values.size === 'demo' ? 'demo' : 'large';
const usePostgres = values.db === 'postgres';
const url = usePostgres ? (process.env['DATABASE_URL'] ?? '') : ':memory:';
if (usePostgres && !/^postgres/i.test(url)) throw new Error('--db postgres needs DATABASE_URL=postgres://…');

const now = new Date();
const handle = openDatabase(url);
if (usePostgres) {
  await sql`drop schema if exists public cascade`.execute(handle.db);
  await sql`create schema public`.execute(handle.db);
}
await bootApplication(handle.db, now);
if (values['without-indexes']) await indexesMigration.down(handle.db);
const loaded = await loadDataSet(handle.db, size, now);
console.log(`# ${size} data on ${usePostgres ? 'PostgreSQL' : 'SQLite'}${values['without-indexes'] ? ' WITHOUT the 1110 indexes' : ''}, loaded in ${(loaded.ms / 1000).toFixed(1)} s`);
await addAccountsInProcess(handle.db, now);
const targets = await pickTargets(handle.db, now);
// PostgreSQL's autovacuum analyzes new tables on its own; the app never runs ANALYZE on SQLite, so neither do we:
// the SQLite plans shown are the ones the server gets.
if (usePostgres) await sql`analyze`.execute(handle.db);

// A second Kysely on the same connection(s) that records every statement.
const recorded: CompiledQuery[] = [];
const pool = usePostgres ? new pg.Pool({ connectionString: url, max: 2 }) : null;
const sqlite = handle.sqlite;
const recorder = new Kysely<Database>({
  dialect: pool ? new PostgresDialect({ pool }) : new SqliteDialect({ database: sqlite as SqliteDatabase.Database }),
  log: (event) => {
    if (event.level === 'query') recorded.push(event.query);
  },
});
// Runs each page's calls once, in order (after one warm-up feed call); the counts it returns split the recording.
const counts = await queriesPerRequest(recorder, targets, now, () => recorded.length);
const order = ['feed', 'feed304', 'group', 'attendance', 'figures'] as const;

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

let offset = recorded.length - Object.values(counts).reduce((a, b) => a + b, 0);
for (const key of order) {
  const n = counts[key];
  const statements = recorded.slice(offset, offset + n);
  offset += n;
  if (key === 'feed304') continue;
  console.log(`\n## ${key} (${n} statements)`);
  for (const query of statements) {
    const text = query.sql;
    if (!/^\s*select/i.test(text)) {
      console.log(`\n-- (write) ${text.slice(0, 120)}`);
      continue;
    }
    const params = [...query.parameters] as unknown[];
    console.log(`\n-- ${text}`);
    if (sqlite) {
      const statement = sqlite.prepare(text);
      const times: number[] = [];
      for (let i = 0; i < 15; i++) {
        const started = performance.now();
        statement.all(...params);
        times.push(performance.now() - started);
      }
      console.log(`-- fastest of 15: ${Math.min(...times).toFixed(2)} ms, median ${median(times).toFixed(2)} ms`);
      for (const row of sqlite.prepare(`explain query plan ${text}`).all(...params) as { id: number; parent: number; detail: string }[]) {
        console.log(`   ${row.parent === 0 ? '' : '  '}${row.detail}`);
      }
    } else if (pool) {
      const result = await pool.query(`explain (analyze, costs off) ${text}`, params);
      for (const row of result.rows as { 'QUERY PLAN': string }[]) console.log(`   ${row['QUERY PLAN']}`);
    }
  }
}
// The whole service call per page (SQL + the work in JavaScript), fastest of 5, on the normal connection.
console.log('\n## service calls (fastest of 5, SQL + JavaScript)');
for (const [name, call] of [
  ['publicGroupFeed', () => publicGroupFeed(handle.db, targets.slug, now)],
  ['publicGroupPage', () => publicGroupPage(handle.db, targets.slug, now)],
  ['getAttendanceSheet', () => getAttendanceSheet(handle.db, { user: targets.leader.user, ip: '127.0.0.1' }, targets.meetingId, now)],
  ['yearlyFigures', () => yearlyFigures(handle.db, { user: targets.coordinator.user, ip: '127.0.0.1' }, targets.year, now)],
] as const) {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await call();
    times.push(performance.now() - started);
  }
  console.log(`${name}: ${Math.min(...times).toFixed(1)} ms`);
}
await recorder.destroy();
await handle.close();
