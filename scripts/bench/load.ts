// Load generation (autocannon), the bare node:http server that serves the app's recorded bytes (the limit for this
// runtime on this machine), and the JavaScript weight of a page.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import autocannon from 'autocannon';

export interface Recorded {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** One request to the app, kept byte for byte (status, headers, body). */
export async function record(url: string, headers: Record<string, string>): Promise<Recorded> {
  const res = await fetch(url, { headers, redirect: 'manual' });
  const body = Buffer.from(await res.arrayBuffer());
  // Every header the app sent (security headers included, so the bare server sends as many bytes), except the ones
  // node:http writes itself.
  const kept: Record<string, string> = {};
  const own = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'set-cookie']);
  res.headers.forEach((value, name) => {
    if (!own.has(name)) kept[name] = value;
  });
  return { status: res.status, headers: kept, body };
}

/**
 * Which recorded answer the bare server sends: it gets the same requests as the app (address and headers, so Node
 * parses as much), and tells the feed from its 304 by the If-None-Match, as any server answering 304 must look at it.
 */
export function bareKey(path: string, conditional: boolean): string {
  return conditional ? `${path} if-none-match` : path;
}

// The bare server runs in its own process, like the app: in the benchmark's process it would share one event loop
// with autocannon and look slower than it is.
const BARE_SERVER = `
const { createServer } = require('node:http');
const bareKey = ${bareKey.toString()};
const { readFileSync } = require('node:fs');
const responses = new Map(Object.entries(JSON.parse(readFileSync(process.argv[1], 'utf8'))).map(([key, r]) =>
  [key, { status: r.status, headers: { ...r.headers, 'content-length': String(Buffer.from(r.body, 'base64').length) }, body: Buffer.from(r.body, 'base64') }]));
const server = createServer((req, res) => {
  const found = responses.get(bareKey(req.url || '/', req.headers['if-none-match'] !== undefined));
  if (!found) { res.writeHead(404).end(); return; }
  res.writeHead(found.status, found.headers);
  res.end(found.status === 304 ? undefined : found.body);
});
server.listen(0, '127.0.0.1', () => console.log(String(server.address().port)));
process.on('SIGINT', () => process.exit(0));
`;

/** Serves each recorded response (keyed by bareKey), the same bytes every time, doing nothing else (node:http, own process). */
export async function startBareServer(responses: Map<string, Recorded>): Promise<{ origin: string; close: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gruppeforlob-bare-'));
  const file = join(dir, 'responses.json');
  const plain = Object.fromEntries([...responses].map(([key, r]) => [key, { status: r.status, headers: r.headers, body: r.body.toString('base64') }]));
  writeFileSync(file, JSON.stringify(plain));
  // BENCH_PROFILE=<folder>: a CPU profile of the bare server too, to set beside the app's.
  const profile = process.env['BENCH_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : [];
  const child = spawn(process.execPath, [...profile, '-e', BARE_SERVER, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((done, fail) => {
    child.once('exit', (code) => fail(new Error(`The bare server exited (${code}).`)));
    child.stdout.once('data', (d: Buffer) => done(Number(d.toString().trim())));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    close: async () => {
      child.removeAllListeners('exit');
      // SIGINT, caught: a profiled process writes its profile only when it exits by itself.
      child.kill('SIGINT');
      await new Promise((done) => setTimeout(done, profile.length > 0 ? 500 : 0));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LoadResult {
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  requests: number;
  /** Responses with another status than expected, plus connection errors and timeouts. */
  wrong: number;
  statuses: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

/** autocannon reports p97.5 but not p95: every response time is collected here and the percentiles taken exactly. */
export function measure(url: string, headers: Record<string, string>, expectedStatus: number, seconds: number, connections: number): Promise<LoadResult> {
  return new Promise((done, fail) => {
    const times: number[] = [];
    const statuses: Record<string, number> = {};
    const instance = autocannon({ url, headers, duration: seconds, connections, timeout: 30 }, (error, result) => {
      if (error) {
        fail(error);
        return;
      }
      times.sort((a, b) => a - b);
      const wrongStatus = Object.entries(statuses).reduce((n, [code, count]) => (Number(code) === expectedStatus ? n : n + count), 0);
      done({
        requestsPerSecond: times.length / (result.duration || seconds),
        p50: percentile(times, 50),
        p95: percentile(times, 95),
        p99: percentile(times, 99),
        requests: times.length,
        wrong: wrongStatus + result.errors + result.timeouts,
        statuses,
      });
    });
    instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
      times.push(responseTime);
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
    });
  });
}

/** The /_astro/*.js files an HTML page loads (and the chunks they import), gzipped and summed. */
export async function javaScriptBytes(origin: string, html: string): Promise<{ files: string[]; gzipBytes: number }> {
  const pending = [...html.matchAll(/(?:src|href)="(\/_astro\/[^"]+\.m?js)"/g)].map((m) => m[1] ?? '');
  const seen = new Set<string>();
  let gzipBytes = 0;
  while (pending.length > 0) {
    const path = pending.pop() ?? '';
    if (path === '' || seen.has(path)) continue;
    seen.add(path);
    const res = await fetch(`${origin}${path}`);
    if (!res.ok) throw new Error(`${path} answered ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    gzipBytes += gzipSync(body, { level: 9 }).length;
    // Static imports of other chunks: import"./x.js", from "./x.js".
    for (const m of body.toString('utf8').matchAll(/(?:import|from)\s*["'](\.\/[^"']+\.m?js)["']/g)) {
      const dir = path.slice(0, path.lastIndexOf('/') + 1);
      pending.push(`${dir}${(m[1] ?? '').slice(2)}`);
    }
  }
  return { files: [...seen], gzipBytes };
}
