// Crash safety (issue 6): attendance saves stream into a real, built server; the server is killed with SIGKILL
// mid-stream and restarted on the same database; every save the server acknowledged must be there, once.
//
// What the system promises, and so what is asserted:
// - A save is acknowledged by a 2xx answer with a readable body. The service runs each request in one transaction
//   and answers only after COMMIT, so an acknowledged mark survives the crash: its mutation id is in
//   idempotency_keys, and the child's stored mark is that mark or one made later (last write wins by the time the
//   leader tapped). Nothing is stored twice: one row per (meeting, enrollment), one key per mutation id.
// - A request that was not acknowledged (in flight at the kill) may or may not have committed, but all or nothing:
//   either every mutation id of the request is stored or none is.
// - Resending the acknowledged mutations after the restart changes nothing: each is answered "duplicate".
//
// Durability settings: SQLite runs in WAL mode with synchronous = NORMAL (src/lib/server/db.ts). A COMMIT then
// writes the WAL frames with write() but does not fsync, so the commit sits in the operating system's page cache.
// That survives a crash of the application (SIGKILL, an exception, an OOM kill): the OS still writes the cache out
// and the next open replays the WAL. It does NOT survive power loss or a kernel crash, where the last commits before
// the failure can be lost (the database stays consistent, just older). This test covers the application crash only.
// On PostgreSQL the app server is killed while PostgreSQL itself stays up; PostgreSQL's own WAL (fsync on commit)
// makes a commit durable before the app is told about it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../support/ports';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { addChild, addGroup, addMeetings } from '../support/child-records';
import { signIn, type Account } from './support/accounts';
import { launchBrowser, newPageAt } from './support/chromium';
import { SERVER_ARGS } from '../../src/server/command';

const root = resolve(import.meta.dirname, '../..');
const entry = join(root, process.env['ASTRO_OUT_DIR'] ?? 'dist', 'server/entry.mjs');
const tsx = join(root, 'node_modules/.bin/tsx');

const CHILDREN = 10;
const REQUESTS = 600; // planned; the kill stops the stream long before the end
const CONCURRENCY = 8;
const KILL_AFTER_ACKS = 200;
const STATUSES = ['present', 'absent', 'excused'] as const;
type Status = (typeof STATUSES)[number];

interface SentMark {
  mutationId: string;
  enrollmentId: string;
  mark: Status;
  clientTime: string;
}
interface SentRequest {
  marks: SentMark[];
  acknowledged: boolean;
  outcomes: Map<string, string>;
}

interface RunningServer {
  process: ChildProcess;
  baseURL: string;
  log: () => string;
}

async function startServer(databaseUrl: string): Promise<RunningServer> {
  const port = await freePort();
  const env = { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', NIGHTLY_JOBS: 'off' };
  let log = '';
  const child = spawn(process.execPath, [...SERVER_ARGS], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`The server exited (${child.exitCode}):\n${log}`);
    try {
      if ((await fetch(`${baseURL}/healthz`)).status === 200) return { process: child, baseURL, log: () => log };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`The server did not answer /healthz within 30 s:\n${log}`);
}

function killHard(server: RunningServer): Promise<void> {
  if (server.process.exitCode !== null || server.process.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    server.process.once('exit', () => done());
    server.process.kill('SIGKILL');
  });
}

function cli(databaseUrl: string, args: string[], input?: string): void {
  const run = spawnSync(tsx, ['scripts/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, NIGHTLY_JOBS: 'off' },
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });
  if (run.status !== 0) throw new Error(`cli ${args.join(' ')} failed:\n${run.stdout}\n${run.stderr}`);
}

async function post(baseURL: string, cookie: string, meetingId: string, marks: readonly SentMark[]): Promise<Response> {
  return fetch(`${baseURL}/personale/fremmoede/${meetingId}/marks.json`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: baseURL, Cookie: `session=${cookie}` },
    body: JSON.stringify({ marks }),
  });
}

describe('crash safety: SIGKILL while attendance saves stream in', () => {
  const postgres = /^postgres/i.test(inject('databaseUrl'));
  let dir: string;
  let databaseUrl: string;
  let server: RunningServer | null = null;
  let handle: DatabaseHandle | null = null;
  const account: Account = { email: `crash-${randomUUID().slice(0, 8)}@e2e.test`, password: 'crash-sikker-adgangskode-9', name: 'Kim Krak' };
  let meetingId: string;
  const enrollments: string[] = [];

  beforeAll(async () => {
    if (!existsSync(entry)) throw new Error(`No built server at ${entry}: build first (npm run test:e2e builds).`);
    dir = mkdtempSync(join(tmpdir(), 'gruppeforlob-crash-'));
    if (postgres) {
      // Its own app server on the run's PostgreSQL database (already booted by the global setup); this file's rows
      // are told apart by its own meeting and mutation ids.
      databaseUrl = inject('databaseUrl');
    } else {
      databaseUrl = join(dir, 'crash.sqlite');
      cli(databaseUrl, ['boot']);
    }
    cli(databaseUrl, ['user', 'add', '--email', account.email, '--role', 'coordinator', '--name', account.name], `${account.password}\n`);
    handle = openDatabase(databaseUrl);
    const groupId = await addGroup(handle.db, 'Krakgruppen');
    [meetingId] = (await addMeetings(handle.db, groupId, [new Date(Date.now() - 3600_000).toISOString()])) as [string];
    for (let i = 0; i < CHILDREN; i += 1) {
      const ids = await addChild(handle.db, { groupId, firstName: `Krak${i}`, lastName: 'Test', enrollmentState: 'active', endedOn: null, referralStatus: 'started' });
      enrollments.push(ids.enrollmentId as string);
    }
    server = await startServer(databaseUrl);
  });

  afterAll(async () => {
    if (server) await killHard(server);
    await handle?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finds every acknowledged save once after the restart, and a resend changes nothing', async () => {
    if (!server || !handle) throw new Error('setup failed');
    const db = handle.db;

    // Sign in as a person would (the helper follows whatever the sign-in asks for), then take the session cookie.
    const browser = await launchBrowser();
    let cookie: string;
    try {
      const { context, page } = await newPageAt(browser, server.baseURL);
      await signIn(page, account);
      const found = (await context.cookies()).find((c) => c.name === 'session');
      if (!found) throw new Error('No session cookie after signing in');
      cookie = found.value;
    } finally {
      await browser.close();
    }

    // The stream: requests of 1–3 marks for distinct children, each mark with its own mutation id, status and
    // tap time (distinct and in the past, so the stored row tells which mark it is). Deterministic content; the
    // interleaving of the concurrent requests is not, and every assertion below holds for any interleaving.
    const run = randomUUID().slice(0, 8);
    const base = Date.now() - 30 * 60_000;
    let seq = 0;
    const plan: SentMark[][] = [];
    for (let r = 0; r < REQUESTS; r += 1) {
      const size = 1 + (r % 3);
      const marks: SentMark[] = [];
      for (let k = 0; k < size; k += 1) {
        const child = (r * 3 + k * 7) % CHILDREN;
        marks.push({
          mutationId: `crash-${run}-${String(seq).padStart(5, '0')}`,
          enrollmentId: enrollments[child] as string,
          mark: STATUSES[(r + k) % STATUSES.length] as Status,
          clientTime: new Date(base + seq).toISOString(),
        });
        seq += 1;
      }
      // Every other request lists its children in the opposite order, as two leaders' queues would: a save must not
      // deadlock against another touching the same children the other way round (PostgreSQL row locks).
      plan.push(r % 2 === 0 ? marks : marks.reverse());
    }

    const sent: SentRequest[] = [];
    const failures: string[] = [];
    let acks = 0;
    let inFlightAtKill = -1;
    let inFlight = 0;
    const stop: { killed: Promise<void> | null } = { killed: null };
    let next = 0;
    const live = server;
    const worker = async (): Promise<void> => {
      while (stop.killed === null && next < plan.length) {
        const request: SentRequest = { marks: plan[next] as SentMark[], acknowledged: false, outcomes: new Map() };
        next += 1;
        sent.push(request);
        inFlight += 1;
        try {
          const res = await post(live.baseURL, cookie, meetingId, request.marks);
          const text = await res.text();
          if (res.status >= 200 && res.status < 300) {
            const body = JSON.parse(text) as { results: { mutationId: string; outcome: string }[] };
            for (const result of body.results) request.outcomes.set(result.mutationId, result.outcome);
            request.acknowledged = true;
            acks += 1;
          } else if (stop.killed === null) {
            failures.push(`${res.status}: ${text.slice(0, 200)}`);
          }
        } catch {
          // Connection reset or refused by the kill: not acknowledged.
        } finally {
          inFlight -= 1;
        }
        if (acks >= KILL_AFTER_ACKS && stop.killed === null) {
          inFlightAtKill = inFlight;
          stop.killed = killHard(live);
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));
    await stop.killed;
    const acknowledged = sent.filter((r) => r.acknowledged);
    const ackedMarks = acknowledged.flatMap((r) => r.marks);
    const sentMarks = sent.flatMap((r) => r.marks);
    console.log(
      `crash-safety (${postgres ? 'postgres' : 'sqlite'}): ${sent.length} requests sent (${sentMarks.length} marks), ` +
        `${acknowledged.length} acknowledged (${ackedMarks.length} marks), ${inFlightAtKill} in flight at SIGKILL`,
    );
    if (failures.length > 0) console.log(live.log().split('\n').filter((l) => /error/i.test(l)).slice(0, 5).join('\n'));
    expect(failures, 'no request failed before the kill').toEqual([]);
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(inFlightAtKill, 'the kill came while requests were in flight').toBeGreaterThan(0);
    // First sends are never duplicates.
    expect(ackedMarks.filter((m) => !['saved', 'superseded'].includes(acknowledged.find((r) => r.marks.includes(m))?.outcomes.get(m.mutationId) ?? ''))).toEqual([]);

    // Restart on the same database.
    server = await startServer(databaseUrl);

    if (!postgres) {
      const check = await sql<{ integrity_check: string }>`pragma integrity_check`.execute(db);
      expect(check.rows.map((r) => r.integrity_check)).toEqual(['ok']);
    } else {
      console.log('crash-safety (postgres): PRAGMA integrity_check is SQLite only; PostgreSQL itself was not killed.');
    }

    const keys = await db
      .selectFrom('idempotency_keys')
      .select(['key', 'result'])
      .where('key', 'like', `attendance:crash-${run}-%`)
      .execute();
    const stored = new Map<string, number>();
    for (const k of keys) stored.set(k.key.slice('attendance:'.length), (stored.get(k.key.slice('attendance:'.length)) ?? 0) + 1);
    const missing = ackedMarks.filter((m) => stored.get(m.mutationId) !== 1);
    expect(missing, 'every acknowledged mutation id is stored exactly once').toEqual([]);
    const sentIds = new Set(sentMarks.map((m) => m.mutationId));
    expect([...stored.keys()].filter((id) => !sentIds.has(id)), 'no key that was never sent').toEqual([]);
    expect(keys.every((k) => k.result === meetingId)).toBe(true);
    // A request that was not acknowledged committed all of its marks or none.
    const torn = sent.filter((r) => !r.acknowledged).filter((r) => {
      const n = r.marks.filter((m) => stored.has(m.mutationId)).length;
      return n !== 0 && n !== r.marks.length;
    });
    expect(torn, 'no request half saved').toEqual([]);
    const committedUnacked = sent.filter((r) => !r.acknowledged && r.marks.every((m) => stored.has(m.mutationId))).length;

    const rows = await db
      .selectFrom('attendance')
      .select(['enrollment_id', 'status', 'recorded_at', (eb) => eb.fn.countAll().over((ob) => ob.partitionBy('enrollment_id')).as('copies')])
      .where('meeting_id', '=', meetingId)
      .execute();
    expect(rows.filter((r) => Number(r.copies) !== 1), 'one row per child').toEqual([]);
    const byTime = new Map(sentMarks.map((m) => [m.clientTime, m]));
    for (const enrollmentId of enrollments) {
      const ackedForChild = ackedMarks.filter((m) => m.enrollmentId === enrollmentId);
      if (ackedForChild.length === 0) continue;
      const latestAcked = ackedForChild.reduce((a, b) => (a.clientTime > b.clientTime ? a : b));
      const row = rows.find((r) => r.enrollment_id === enrollmentId);
      expect(row, `a mark for ${enrollmentId}`).toBeDefined();
      const recordedAt = new Date(row?.recorded_at ?? 0).toISOString();
      // The stored mark is the latest acknowledged one, or a later one that committed without its answer arriving.
      expect(recordedAt >= latestAcked.clientTime, 'no acknowledged mark was lost to an older one').toBe(true);
      const source = byTime.get(recordedAt);
      expect(source?.enrollmentId).toBe(enrollmentId);
      expect(row?.status).toBe(source?.mark);
      if (source && source.mutationId !== latestAcked.mutationId) expect(stored.has(source.mutationId)).toBe(true);
    }

    // Resend every acknowledged mutation: all duplicates, nothing changes.
    const before = JSON.stringify(rows.map((r) => [r.enrollment_id, r.status, r.recorded_at]).sort());
    const keyCount = keys.length;
    const duplicates: string[] = [];
    for (let i = 0; i < ackedMarks.length; i += 100) {
      const res = await post(server.baseURL, cookie, meetingId, ackedMarks.slice(i, i + 100));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { results: { outcome: string }[] };
      duplicates.push(...body.results.map((r) => r.outcome));
    }
    expect(duplicates.length).toBe(ackedMarks.length);
    expect(duplicates.filter((o) => o !== 'duplicate')).toEqual([]);
    const after = await db.selectFrom('attendance').select(['enrollment_id', 'status', 'recorded_at']).where('meeting_id', '=', meetingId).execute();
    expect(JSON.stringify(after.map((r) => [r.enrollment_id, r.status, r.recorded_at]).sort())).toBe(before);
    const keysAfter = await db.selectFrom('idempotency_keys').select((eb) => eb.fn.countAll().as('n')).where('key', 'like', `attendance:crash-${run}-%`).executeTakeFirstOrThrow();
    expect(Number(keysAfter.n)).toBe(keyCount);

    console.log(
      `crash-safety (${postgres ? 'postgres' : 'sqlite'}): after restart ${missing.length === 0 ? 'all' : 'NOT all'} ${ackedMarks.length} acknowledged marks found once; ` +
        `${keys.length} mutation ids stored (${committedUnacked} unacknowledged requests had committed); ${rows.length} children with a mark; ` +
        `resend of ${ackedMarks.length}: ${duplicates.length} duplicates`,
    );
  });
});
