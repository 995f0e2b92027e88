// `npm run bench [-- --size demo|large] [--db sqlite|postgres] [--duration S] [--connections N] [--strict]`
//
// Boots a fresh database, loads the demo or the large data set, starts the BUILT server (dist/ or ASTRO_OUT_DIR;
// built first if missing) and measures five endpoints with autocannon, each against the app and against a bare
// node:http server on the same machine that returns the same bytes (the limit for this runtime). Prints one table
// and the budgets (PASS/FAIL). A benchmark, not a timed test: the exit code is 0 unless something broke; with
// --strict a failed budget exits 3.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { freePort } from '../../test/support/ports';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { bootApplication } from '../../src/features/operator/operator.service';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/db';
import { ACCOUNTS, addAccountsInProcess, loadDataSet, PASSWORD, pickTargets, type DataSize, type Targets } from './dataset';
import { endpoints, queriesPerRequest, type Endpoint, type EndpointKey } from './endpoints';
import { bareKey, javaScriptBytes, measure, record, startBareServer, type LoadResult, type Recorded } from './load';
import { SERVER_ARGS } from '../../src/server/command';

const root = resolve(import.meta.dirname, '../..');
const tsx = join(root, 'node_modules/.bin/tsx');
const STAFF_P95_BUDGET_MS = 50;
/** Alpine's CSP build and the staff pages' components, gzipped, on any staff page. */
const STAFF_JS_BUDGET_BYTES = 30 * 1024;
const COLD_VIEWS = 20;
/** Public endpoints' throughput as a share of a bare node:http server sending the same bytes. */
const PUBLIC_RATIO_BUDGETS: readonly (readonly [EndpointKey, number])[] = [['feed', 0.6], ['feed304', 0.8], ['group', 0.5]];

const HELP = `npm run bench -- [--size demo|large] [--db sqlite|postgres] [--duration SECONDS] [--connections N] [--rounds N] [--only KEYS] [--strict]

  --size         demo: the demo data (3 groups, a year); large (default): 10 years, 50 groups, ~6,000 meetings
  --db           sqlite (default: a fresh temporary file) or postgres (DATABASE_URL; its public schema is WIPED)
  --duration     seconds of load per endpoint and server (default 10)
  --connections  concurrent connections (default 10)
  --rounds       app and bare measured in turn this many times per endpoint; the round with the median ratio is shown
                 (default 1; more rounds make the ratio less sensitive to other work on the machine)
  --only         measure only these endpoints (comma list of feed, feed304, group, attendance, figures)
  --strict       exit 3 when a budget fails (otherwise budgets only print PASS/FAIL)
Needs a built server: dist/ or ASTRO_OUT_DIR (runs "astro build" when missing).`;

function log(message: string): void {
  console.log(`[bench] ${message}`);
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'n/a';
  }
}

function runCli(args: string[], env: NodeJS.ProcessEnv, input?: string): string {
  const result = spawnSync(tsx, ['scripts/cli.ts', ...args], { cwd: root, env, encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  if (result.status !== 0) throw new Error(`"cli ${args.join(' ')}" failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

async function waitForHealth(origin: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`The server exited (${server.exitCode}):\n${output()}`);
    try {
      if ((await fetch(`${origin}/healthz`)).status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`The server did not answer /healthz within 60 s:\n${output()}`);
}

function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : '—';
}

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

interface Options {
  size: DataSize;
  db: 'sqlite' | 'postgres';
  duration: number;
  connections: number;
  rounds: number;
  only: Set<string> | null;
  strict: boolean;
}

function parseOptions(): Options | null {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: 'large' },
      db: { type: 'string', default: 'sqlite' },
      duration: { type: 'string', default: '10' },
      connections: { type: 'string', default: '10' },
      rounds: { type: 'string', default: '1' },
      only: { type: 'string' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return null;
  }
  const duration = Number(values.duration);
  const connections = Number(values.connections);
  if (values.size !== 'demo' && values.size !== 'large') throw new Error('--size must be demo or large');
  if (values.db !== 'sqlite' && values.db !== 'postgres') throw new Error('--db must be sqlite or postgres');
  if (!(duration > 0)) throw new Error('--duration must be a positive number of seconds');
  if (!Number.isInteger(connections) || connections < 1) throw new Error('--connections must be a whole number ≥ 1');
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number ≥ 1');
  const only = values.only ? new Set(values.only.split(',').map((key) => key.trim())) : null;
  return { size: values.size, db: values.db, duration, connections, rounds, only, strict: values.strict };
}

function ensureBuiltServer(): string {
  const outDir = process.env['ASTRO_OUT_DIR'] ?? 'dist';
  const entry = join(root, outDir, 'server/entry.mjs');
  if (!existsSync(entry)) {
    log(`no built server in ${outDir}/: running "astro build" …`);
    const build = spawnSync(join(root, 'node_modules/.bin/astro'), ['build'], { cwd: root, env: process.env, stdio: 'inherit' });
    if (build.status !== 0 || !existsSync(entry)) throw new Error('"astro build" failed.');
  }
  return entry;
}

async function wipePostgres(url: string): Promise<void> {
  const handle = openDatabase(url);
  try {
    await sql`drop schema if exists public cascade`.execute(handle.db);
    await sql`create schema public`.execute(handle.db);
  } finally {
    await handle.close();
  }
}

/** The other data size, in an in-memory SQLite database, only to count queries (the budget compares both sizes). */
async function countOnOtherSize(size: DataSize, now: Date): Promise<Record<EndpointKey, number>> {
  const handle = openDatabase(':memory:');
  try {
    await bootApplication(handle.db, now);
    const loaded = await loadDataSet(handle.db, size, now);
    log(`${size} set for the query count (SQLite in memory) loaded in ${(loaded.ms / 1000).toFixed(1)} s`);
    await addAccountsInProcess(handle.db, now);
    const targets = await pickTargets(handle.db, now);
    return await queriesPerRequest(handle.db, targets, now);
  } finally {
    await handle.close();
  }
}

interface Row {
  endpoint: Endpoint;
  app: LoadResult;
  bare: LoadResult;
  javaScript: number | null;
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (!options) return 0;
  const now = new Date();
  const entry = ensureBuiltServer();
  const loadBefore = loadAverage();
  let broken = false;

  let dir: string | null = null;
  let databaseUrl: string;
  if (options.db === 'postgres') {
    const fromEnv = process.env['DATABASE_URL'] ?? '';
    if (!/^postgres(ql)?:\/\//i.test(fromEnv)) throw new Error('--db postgres needs DATABASE_URL=postgres://… (its public schema is wiped).');
    databaseUrl = fromEnv;
    log(`wiping the public schema of ${databaseUrl.replace(/\/\/[^@]*@/, '//…@')}`);
    await wipePostgres(databaseUrl);
  } else {
    dir = mkdtempSync(join(tmpdir(), 'gruppeforlob-bench-'));
    databaseUrl = join(dir, 'bench.sqlite');
  }
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    NIGHTLY_JOBS: 'off',
    NODE_ENV: 'production',
  };

  let handle: DatabaseHandle | null = null;
  let server: ChildProcess | null = null;
  let bare: { origin: string; close: () => Promise<void> } | null = null;
  let logDir: string | null = null;
  try {
    runCli(['boot'], env);
    handle = openDatabase(databaseUrl);
    const loaded = await loadDataSet(handle.db, options.size, now);
    const counts = Object.entries(loaded.counts).map(([table, n]) => `${table} ${n}`).join(', ');
    log(`${options.size} set loaded on ${options.db} in ${(loaded.ms / 1000).toFixed(1)} s: ${counts}`);
    for (const account of Object.values(ACCOUNTS)) {
      const args = ['user', 'add', '--email', account.email, '--role', account.role, '--name', account.name];
      runCli(args, env, `${PASSWORD}\n`);
    }
    const targets: Targets = await pickTargets(handle.db, now);
    log(`attendance sheet: meeting ${targets.meetingId} (${targets.meetingMembers} marks); figures year ${targets.year}`);

    const queries = await queriesPerRequest(handle.db, targets, now);
    const other = options.size === 'large' ? 'demo' : 'large';
    const otherQueries = await countOnOtherSize(other, now);
    const queriesBySize: Record<DataSize, Record<EndpointKey, number>> =
      options.size === 'large' ? { large: queries, demo: otherQueries } : { demo: queries, large: otherQueries };

    // The server's log (a JSON line per request) goes to a file, as a deployment's goes to the journal: read through a
    // pipe into this process, it took CPU from autocannon, which runs here, while the app was measured and not while
    // the bare server was (it writes no log).
    logDir = mkdtempSync(join(tmpdir(), 'gruppeforlob-bench-log-'));
    const logFile = join(logDir, 'server.log');
    const output = (): string => readFileSync(logFile, 'utf8').slice(-20_000);
    // BENCH_PROFILE=<folder>: the server writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
    const profile = process.env['BENCH_PROFILE'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_PROFILE']}`] : [];
    const logFd = openSync(logFile, 'a');
    server = spawn(process.execPath, [...profile, ...SERVER_ARGS], { cwd: root, env, stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    const origin = `http://127.0.0.1:${port}`;
    await waitForHealth(origin, server, output);
    log(`server up at ${origin} (${entry.replace(`${root}/`, '')})`);

    // Fetch every endpoint once: check it answers as expected, keep its bytes for the bare server.
    const list = endpoints(targets).filter((e) => !options.only || options.only.has(e.key) || (e.key === 'feed' && options.only.has('feed304')));
    const recorded = new Map<string, Recorded>();
    const javaScript = new Map<EndpointKey, number>();
    for (const endpoint of list) {
      if (endpoint.key === 'feed304') {
        const etag = recorded.get('feed')?.headers['etag'];
        if (!etag) throw new Error('The group feed sent no ETag.');
        endpoint.headers = { ...endpoint.headers, 'if-none-match': etag };
      }
      const response = await record(`${origin}${endpoint.path}`, endpoint.headers);
      if (response.status !== endpoint.expectedStatus) {
        throw new Error(`${endpoint.label} answered ${response.status}, expected ${endpoint.expectedStatus}:\n${response.body.toString('utf8').slice(0, 500)}`);
      }
      recorded.set(endpoint.key, response);
      if (endpoint.html) javaScript.set(endpoint.key, (await javaScriptBytes(origin, response.body.toString('utf8'))).gzipBytes);
    }
    // The bare server is asked exactly what the app is asked (the same address and headers).
    bare = await startBareServer(new Map(list.map((e) => [bareKey(e.path, e.headers['if-none-match'] !== undefined), recorded.get(e.key) as Recorded])));

    const rows: Row[] = [];
    for (const endpoint of list) {
      // A short warm-up so the first measured second is not the JIT's.
      for (let i = 0; i < 20; i++) await (await fetch(`${origin}${endpoint.path}`, { headers: endpoint.headers })).arrayBuffer();
      if (options.only && !options.only.has(endpoint.key)) continue;
      // App and bare in turn, so both see the same machine; with several rounds, the round with the median ratio.
      const rounds: { app: LoadResult; bare: LoadResult }[] = [];
      for (let round = 1; round <= options.rounds; round++) {
        const of = options.rounds > 1 ? ` (round ${round} of ${options.rounds})` : '';
        log(`measuring ${endpoint.label}: app${of} …`);
        const appRound = await measure(`${origin}${endpoint.path}`, endpoint.headers, endpoint.expectedStatus, options.duration, options.connections);
        log(`measuring ${endpoint.label}: bare node:http${of} …`);
        const bareRound = await measure(`${bare.origin}${endpoint.path}`, endpoint.headers, endpoint.expectedStatus, options.duration, options.connections);
        rounds.push({ app: appRound, bare: bareRound });
      }
      const ratioOf = (r: { app: LoadResult; bare: LoadResult }): number => r.app.requestsPerSecond / r.bare.requestsPerSecond;
      rounds.sort((a, b) => ratioOf(a) - ratioOf(b));
      if (options.rounds > 1) log(`${endpoint.label}: ratios ${rounds.map((r) => ratioOf(r).toFixed(3)).join(', ')}`);
      const median = rounds[Math.floor((rounds.length - 1) / 2)];
      if (!median) throw new Error('no round measured');
      const { app, bare: bareResult } = median;
      for (const side of ['app', 'bare'] as const) {
        // A wrong answer from either side makes its rate meaningless, and with it the ratio.
        if (!rounds.some((r) => r[side].wrong > 0)) continue;
        broken = true;
        log(`BROKEN: ${endpoint.label}: ${rounds.reduce((n, r) => n + r[side].wrong, 0)} ${side} responses not ${endpoint.expectedStatus} (${JSON.stringify(median[side].statuses)})`);
      }
      rows.push({ endpoint, app, bare: bareResult, javaScript: javaScript.get(endpoint.key) ?? null });
    }
    // The figures page the first time after a change: the data version moves before each view, so no kept page
    // applies and every view counts and draws the year afresh (sequential views, one at a time).
    const figuresEndpoint = list.find((e) => e.key === 'figures');
    const coldTimes: number[] = [];
    if (figuresEndpoint) {
      for (let i = 0; i < COLD_VIEWS; i++) {
        await sql`update data_versions set version = version + 1 where name = 'figures'`.execute(handle.db);
        const started = performance.now();
        const response = await fetch(`${origin}${figuresEndpoint.path}`, { headers: figuresEndpoint.headers });
        await response.arrayBuffer();
        coldTimes.push(performance.now() - started);
        if (response.status !== 200) throw new Error(`The figures page answered ${response.status} after a change.`);
      }
      coldTimes.sort((a, b) => a - b);
    }
    const loadAfter = loadAverage();

    console.log('');
    console.log(
      `Benchmark ${now.toISOString()} · ${options.size} data on ${options.db} · ${options.connections} connections × ${options.duration} s per run` +
        `${options.rounds > 1 ? ` · ${options.rounds} rounds (median ratio shown)` : ''} · ` +
        `${cpus().length} CPUs · Node ${process.version} · load average before ${loadBefore}, after ${loadAfter}`,
    );
    console.log('');
    console.log(
      table(
        ['Endpoint', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'bare req/s', 'bare p95 ms', 'ratio', 'SQL/req demo', 'SQL/req large', 'JS gzip B'],
        rows.map((r) => [
          r.endpoint.label,
          r.app.requestsPerSecond.toFixed(0),
          ms(r.app.p50),
          ms(r.app.p95),
          ms(r.app.p99),
          r.bare.requestsPerSecond.toFixed(0),
          ms(r.bare.p95),
          (r.app.requestsPerSecond / r.bare.requestsPerSecond).toFixed(3),
          String(queriesBySize.demo[r.endpoint.key]),
          String(queriesBySize.large[r.endpoint.key]),
          r.javaScript === null ? '—' : String(r.javaScript),
        ]),
      ),
    );
    console.log('');
    if (coldTimes.length > 0) {
      const at = (q: number) => coldTimes[Math.min(coldTimes.length - 1, Math.floor(q * coldTimes.length))] ?? NaN;
      console.log(
        `Figures page, first view after a change (${coldTimes.length} views one at a time, nothing kept): ` +
          `p50 ${ms(at(0.5))} ms, p95 ${ms(at(0.95))} ms, max ${ms(coldTimes[coldTimes.length - 1] ?? NaN)} ms.`,
      );
      console.log('The load runs above show a page seen again with no change in between (kept per coordinator and data version).');
      console.log('');
    }
    console.log('SQL/req: statements per request, counted in-process (service call + session lookup on staff pages);');
    console.log(`the ${other} set is counted on SQLite in memory. ratio: app req/s ÷ bare node:http req/s (same bytes).`);
    console.log('');

    // Budgets.
    const budgets: { ok: boolean | null; text: string }[] = [];
    const unequal = list.filter((e) => queriesBySize.demo[e.key] !== queriesBySize.large[e.key]);
    budgets.push({
      ok: unequal.length === 0,
      text: `queries per request equal between demo and large data${unequal.length ? ` (differs: ${unequal.map((e) => e.key).join(', ')})` : ''}`,
    });
    const p95Applies = options.size === 'large' && options.connections === 10 && rows.some((r) => r.endpoint.audience === 'staff');
    const slow = rows.filter((r) => r.endpoint.audience === 'staff' && !(r.app.p95 <= STAFF_P95_BUDGET_MS));
    budgets.push({
      ok: p95Applies ? slow.length === 0 : null,
      text:
        `staff pages p95 ≤ ${STAFF_P95_BUDGET_MS} ms at 10 connections on the large data` +
        (p95Applies
          ? slow.length
            ? ` (${slow.map((r) => `${r.endpoint.key} ${ms(r.app.p95)} ms`).join(', ')})`
            : ''
          : ` (not checked: ${rows.some((r) => r.endpoint.audience === 'staff') ? `this run is ${options.size} at ${options.connections} connections` : 'no staff page measured'}; here ${rows
              .filter((r) => r.endpoint.audience === 'staff')
              .map((r) => `${r.endpoint.key} ${ms(r.app.p95)} ms`)
              .join(', ')})`),
    });
    const heavy = rows.filter((r) => r.endpoint.audience === 'public' && r.javaScript !== null && r.javaScript > 0);
    budgets.push({
      ok: heavy.length === 0,
      text: `public pages 0 KB JavaScript${heavy.length ? ` (${heavy.map((r) => `${r.endpoint.key} ${r.javaScript} B`).join(', ')})` : ''}`,
    });
    // The public feed, its 304 and the group page are answered from memory before Astro (src/server/public-fast-path.ts).
    for (const [key, floor] of PUBLIC_RATIO_BUDGETS) {
      const row = rows.find((r) => r.endpoint.key === key);
      if (!row) continue;
      const ratio = row.app.requestsPerSecond / row.bare.requestsPerSecond;
      budgets.push({ ok: ratio >= floor, text: `${row.endpoint.label} ≥ ${floor}× bare node:http (here ${ratio.toFixed(3)})` });
    }
    const staffJs = rows.filter((r) => r.endpoint.audience === 'staff' && r.javaScript !== null);
    const overJs = staffJs.filter((r) => (r.javaScript ?? 0) > STAFF_JS_BUDGET_BYTES);
    budgets.push({
      ok: staffJs.length === 0 ? null : overJs.length === 0,
      text: `staff pages ≤ ${STAFF_JS_BUDGET_BYTES / 1024} KB JavaScript gzipped (${staffJs.map((r) => `${r.endpoint.key} ${r.javaScript} B`).join(', ')})`,
    });
    for (const b of budgets) console.log(`${b.ok === null ? 'SKIP' : b.ok ? 'PASS' : 'FAIL'}  ${b.text}`);

    if (broken) return 1;
    if (options.strict && budgets.some((b) => b.ok === false)) return 3;
    return 0;
  } finally {
    if (bare) await bare.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 300));
      if (server.exitCode === null) server.kill('SIGKILL');
    }
    if (handle) await handle.close();
    if (logDir) {
      const lines = readFileSync(join(logDir, 'server.log'), 'utf8').split('\n').length - 1;
      log(`the server wrote ${lines} log lines (to a file, removed now)`);
      rmSync(logDir, { recursive: true, force: true });
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
