// The outbox worker in real OS processes (test/support/outbox-worker-process.ts runs the server's own worker) on one
// database, against a real SMTP server in this process: two processes at once send every message exactly once; a
// process killed with SIGKILL mid-delivery loses nothing, and what it may have sent twice carries the same Message-ID.
// On PostgreSQL the claims are FOR UPDATE SKIP LOCKED; on SQLite the two processes share one file (WAL, busy timeout)
// and each claim is one UPDATE … RETURNING, so SQLite's single writer keeps them apart.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { claimDueMessages } from '../../src/features/messages/messages.repository';
import { BATCH_SIZE } from '../../src/features/messages/messages.service';
import { migrateToLatest, openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { createTestDatabase, databaseKind } from '../support/database';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { NOW } from '../support/clock';

const ROOT = resolve(import.meta.dirname, '../..');

describe(`outbox workers in separate processes on ${databaseKind()}`, () => {
  let handle: DatabaseHandle;
  let databaseUrl: string;
  let dir: string | null = null;
  let mailbox: Mailbox;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    if (databaseKind() === 'postgres') {
      handle = await createTestDatabase();
      databaseUrl = process.env['DATABASE_URL'] ?? '';
    } else {
      dir = mkdtempSync(join(tmpdir(), 'outbox-processes-'));
      databaseUrl = join(dir, 'outbox.sqlite');
      handle = openDatabase(databaseUrl);
      await migrateToLatest(handle.db);
    }
  });
  afterEach(async () => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await mailbox?.close();
    await handle.db.deleteFrom('outbox_messages').execute();
  });
  afterAll(async () => {
    await handle.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts a worker process; resolves once it polls. */
  async function startWorker(env: Record<string, string> = {}): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/outbox-worker-process.ts'], {
      cwd: ROOT,
      env: {
        ...process.env, DATABASE_URL: databaseUrl, SMTP_URL: mailbox.smtpUrl, MAIL_FROM: 'Familiecentret <beskeder@familiecentret.test>',
        OUTBOX_POLL_MS: '50', OUTBOX_REMINDER_SCAN_MS: '3600000', ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    await new Promise<void>((ready, fail) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('ready')) ready();
      });
      void exited.then((code) => fail(new Error(`the worker process ended (${code}) before it was ready:\n${output}`)));
    });
    return { child, exited };
  }

  async function queue(total: number): Promise<void> {
    const at = NOW.toISOString();
    const rows = Array.from({ length: total }, (_, i) => ({
      id: `p-${String(i).padStart(4, '0')}`, kind: 'staff_link', channel: 'email' as const, recipient: `person${i}@test.dk`, language: 'da' as const,
      subject: `Besked ${i}`, body_text: 'Tekst', body_html: null, unsubscribe_url: null, payload: '{}', status: 'pending' as const,
      send_after: at, message_id: `<p-${i}@familiecentret.test>`, created_at: at, updated_at: at,
    }));
    await handle.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 100) await trx.insertInto('outbox_messages').values(rows.slice(i, i + 100)).execute();
    });
  }

  function arrivals(): Map<string, number> {
    const byId = new Map<string, number>();
    for (const m of mailbox.received) byId.set(m.messageId ?? '', (byId.get(m.messageId ?? '') ?? 0) + 1);
    return byId;
  }

  it('one claim takes one batch, not every due message (PostgreSQL once took all 400 in one claim)', async () => {
    mailbox = await startMailbox();
    await queue(100);
    const claimed = await claimDueMessages(handle.db, 'only', NOW, new Date(NOW.getTime() + 60_000), BATCH_SIZE);
    expect(claimed).toHaveLength(BATCH_SIZE);
    const leased = await handle.db.selectFrom('outbox_messages').select('id').where('leased_by', '=', 'only').execute();
    expect(leased).toHaveLength(BATCH_SIZE);
  });

  it('two processes send every message, none twice, and both take part', async () => {
    // Each e-mail is accepted 40 ms late, so the two processes' batches overlap in time.
    mailbox = await startMailbox({ slowMs: 40 });
    const [a, b] = await Promise.all([startWorker(), startWorker()]);
    const total = 400;
    await queue(total);
    expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);

    const byId = arrivals();
    expect(mailbox.received).toHaveLength(total);
    expect(byId.size).toBe(total);
    expect([...byId.values()].every((n) => n === 1)).toBe(true);
    const rows = await handle.db.selectFrom('outbox_messages').select(['status', 'leased_by']).execute();
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const byProcess = new Map<string, number>();
    for (const r of rows) {
      const pid = (r.leased_by ?? '').split(':')[0] ?? '';
      byProcess.set(pid, (byProcess.get(pid) ?? 0) + 1);
    }
    expect([...byProcess.keys()].sort()).toEqual([String(a.child.pid), String(b.child.pid)].sort());
    console.log(`two worker processes on ${databaseKind()}: ${[...byProcess.values()].join(' + ')} messages`);
  }, 180_000);

  it('a process killed with SIGKILL mid-delivery loses nothing: a new one sends the rest after the lease, a duplicate keeps its Message-ID', async () => {
    mailbox = await startMailbox({ slowMs: 20 });
    // A short lease, so the test does not wait the two minutes a real crashed server's messages wait.
    const lease = { OUTBOX_LEASE_MS: '4000' };
    const first = await startWorker(lease);
    const total = 200;
    await queue(total);
    const deadline = Date.now() + 60_000;
    while (mailbox.received.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    const leftOver = await handle.db.selectFrom('outbox_messages').select('id').where('status', 'in', ['pending', 'sending']).execute();
    expect(leftOver.length).toBeGreaterThan(0);

    const second = await startWorker(lease);
    expect(await second.exited).toBe(0);
    const byId = arrivals();
    const stored = await handle.db.selectFrom('outbox_messages').select(['message_id', 'status']).execute();
    expect(stored.every((r) => r.status === 'sent')).toBe(true);
    // Every message arrived, under the Message-ID stored with it; none more than twice, and at most one batch twice.
    expect([...byId.keys()].sort()).toEqual(stored.map((r) => r.message_id).sort());
    expect(Math.max(...byId.values())).toBeLessThanOrEqual(2);
    const twice = [...byId.values()].filter((n) => n === 2).length;
    expect(twice).toBeLessThanOrEqual(BATCH_SIZE);
    console.log(`killed worker on ${databaseKind()}: ${leftOver.length} messages left to the new process, ${twice} arrived twice (same Message-ID)`);
  }, 180_000);
});
