// The project's own HTTP server (src/server): what a stranger may send, static files, and a graceful stop.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addChild, addGroup, addMeetings } from '../support/child-records';
import { addAccount, signIn, type Account } from './support/accounts';
import { launchBrowser, newPageAt } from './support/chromium';
import { useServerDatabase } from './support/database';
import { startAppServer, type Running } from './support/servers';
import { freePort } from '../support/ports';

const root = resolve(import.meta.dirname, '../..');
const ACCOUNT: Account = { email: 'server-stop@e2e.test', password: 'server-stop-adgangskode-4', name: 'Sigrid Stop' };
const CHILDREN = 6;
const METRICS_TOKEN = 'maalinger-kun-for-driften-1234';

function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0);
}

/** Sends a 20 MB form body on a raw socket, as fast as the server takes it; the status and how much it took. */
function postHuge(port: number, bytes: number): Promise<{ status: number; written: number }> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let written = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const status = (): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
    socket.on('data', (d) => {
      answer += d.toString('latin1');
      if (status() !== 0 && !closed) {
        closed = true;
        socket.destroy();
        done({ status: status(), written });
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (closed) return;
      closed = true;
      fail(new Error(`No answer to the 20 MB post (${written} bytes written)`));
    });
    socket.on('connect', () => {
      socket.write(`POST /logind HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${bytes}\r\n\r\n`);
      const pump = (): void => {
        while (!closed && written < bytes) {
          written += chunk.length;
          if (!socket.write(chunk)) {
            socket.once('drain', pump);
            return;
          }
        }
      };
      pump();
    });
  });
}

describe('the server', () => {
  const handle = useServerDatabase();
  let server: Running;
  let port: number;
  let meetingId: string;
  const enrollments: string[] = [];

  beforeAll(async () => {
    addAccount(inject('databaseUrl'), ACCOUNT, 'coordinator');
    const groupId = await addGroup(handle.db, 'Stopgruppen');
    [meetingId] = (await addMeetings(handle.db, groupId, [new Date(Date.now() - 3600_000).toISOString()])) as [string];
    for (let i = 0; i < CHILDREN; i += 1) {
      const ids = await addChild(handle.db, { groupId, firstName: `Stop${i}`, lastName: 'Test', enrollmentState: 'active', endedOn: null, referralStatus: 'started' });
      enrollments.push(ids.enrollmentId as string);
    }
    port = await freePort();
    server = await startAppServer(port, { DATABASE_URL: inject('databaseUrl'), METRICS_TOKEN: METRICS_TOKEN });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers a 20 MB anonymous post with 413 without reading it, and its memory stays flat', async () => {
    const pid = server.process.pid as number;
    await fetch(`http://127.0.0.1:${port}/logind`);
    const before = rssKb(pid);
    const result = await postHuge(port, 20 * 1024 * 1024);
    await new Promise((r) => setTimeout(r, 1_200));
    const after = rssKb(pid);
    console.log(`20 MB post: ${result.status}, ${(result.written / 1024 / 1024).toFixed(1)} MB written before the server closed; server RSS ${before} kB before, ${after} kB after (${after - before >= 0 ? '+' : ''}${after - before} kB)`);
    expect(result.status).toBe(413);
    expect(result.written).toBeLessThan(20 * 1024 * 1024);
    expect(after - before).toBeLessThan(8 * 1024);
  });

  it('answers JSON or a broken multipart body to a form page with 415/400, and keeps /_image closed', async () => {
    const base = `http://127.0.0.1:${port}`;
    const json = await fetch(`${base}/logind`, { method: 'POST', headers: { 'content-type': 'application/json', origin: base }, body: '{"email":"x"}' });
    expect(json.status).toBe(415);
    const broken = await fetch(`${base}/grupper/pigegruppen/oensker-plads`, {
      method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=abc', origin: base }, body: '--abc\r\nnot a part',
    });
    expect(broken.status).toBe(400);
    expect((await fetch(`${base}/_image?href=%2Ffavicon.svg&w=100&f=webp`)).status).toBe(404);
    const asset = readdirSync(join(root, process.env['ASTRO_OUT_DIR'] ?? 'dist', 'client/_astro')).find((f) => f.endsWith('.css') || f.endsWith('.js'));
    const cached = await fetch(`${base}/_astro/${asset}`);
    expect(cached.status).toBe(200);
    expect(cached.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('shows Prometheus figures per route pattern on /metrics, only with the token', async () => {
    const base = `http://127.0.0.1:${port}`;
    await fetch(`${base}/familie/ikke-et-rigtigt-token-men-en-hemmelighed`);
    await fetch(`${base}/grupper/pigegruppen.ics`);
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    expect((await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer forkert' } })).status).toBe(404);
    const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/^http_requests_total\{route="\/grupper\/\[slug\]\.ics",method="GET",status="200"\} \d+$/m);
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0\.1",route="\/familie\/\[token\]",method="GET"\} \d+$/m);
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).not.toContain('ikke-et-rigtigt-token');
  });

  it('on SIGTERM during a burst of attendance saves: finishes what is in flight, keeps every acknowledged save, exits 0 within 10 s', async () => {
    const browser = await launchBrowser();
    let cookie = '';
    try {
      const { context, page } = await newPageAt(browser, `http://127.0.0.1:${port}`);
      await signIn(page, ACCOUNT);
      cookie = (await context.cookies()).find((c) => c.name === 'session')?.value ?? '';
    } finally {
      await browser.close();
    }
    expect(cookie).not.toBe('');

    const run = randomUUID().slice(0, 8);
    const base = `http://127.0.0.1:${port}`;
    interface Sent { ids: string[]; acknowledgedAt: number | null; sentAt: number }
    const sent: Sent[] = [];
    let sigtermAt = 0;
    let seq = 0;
    const exited = new Promise<number | null>((done) => server.process.once('exit', (code) => done(code)));
    const worker = async (): Promise<void> => {
      for (;;) {
        if (sigtermAt && Date.now() - sigtermAt > 3_000) return;
        const marks = [0, 1].map((k) => ({
          mutationId: `stop-${run}-${String(seq++).padStart(5, '0')}`,
          enrollmentId: enrollments[(seq + k * 3) % CHILDREN] as string,
          mark: (['present', 'absent', 'excused'] as const)[seq % 3],
          clientTime: new Date(Date.now() - 60_000 + seq).toISOString(),
        }));
        const request: Sent = { ids: marks.map((m) => m.mutationId), acknowledgedAt: null, sentAt: Date.now() };
        sent.push(request);
        try {
          const res = await fetch(`${base}/personale/fremmoede/${meetingId}/marks.json`, {
            method: 'POST', headers: { 'content-type': 'application/json', origin: base, cookie: `session=${cookie}` }, body: JSON.stringify({ marks }),
          });
          await res.text();
          if (res.ok) request.acknowledgedAt = Date.now();
        } catch {
          return; // refused: the server has stopped accepting
        }
        if (!sigtermAt && sent.filter((s) => s.acknowledgedAt).length >= 60) {
          sigtermAt = Date.now();
          server.process.kill('SIGTERM');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, () => worker()));
    const code = await exited;
    const stoppedAfter = Date.now() - sigtermAt;
    const acknowledged = sent.filter((s) => s.acknowledgedAt !== null);
    const finishedAfterSigterm = acknowledged.filter((s) => s.sentAt < sigtermAt && (s.acknowledgedAt as number) >= sigtermAt);
    console.log(`SIGTERM during a burst: ${sent.length} saves sent, ${acknowledged.length} acknowledged (${finishedAfterSigterm.length} of them finished after SIGTERM), exit ${code} after ${stoppedAfter} ms`);
    expect(code).toBe(0);
    expect(stoppedAfter).toBeLessThan(10_000);
    expect(server.output()).toMatch(/"msg":"stopped"/);

    const keys = await handle.db.selectFrom('idempotency_keys').select('key').where('key', 'like', `attendance:stop-${run}-%`).execute();
    const stored = new Set(keys.map((k) => k.key.slice('attendance:'.length)));
    expect(keys.length, 'each mutation id stored once').toBe(stored.size);
    expect(acknowledged.flatMap((s) => s.ids).filter((id) => !stored.has(id)), 'every acknowledged save is stored').toEqual([]);
    const torn = sent.filter((s) => { const n = s.ids.filter((id) => stored.has(id)).length; return n !== 0 && n !== s.ids.length; });
    expect(torn, 'no save half done').toEqual([]);
  });
});
