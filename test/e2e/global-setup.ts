import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createFirstAdmin } from './support/accounts';
import { CHROMIUM_PATH } from './support/chromium';
import { startProviders } from './support/oidc-provider';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    databaseUrl: string;
    /** The two test providers' issuers (support/oidc-provider.ts), by name. */
    oidcIssuers: Record<string, string>;
  }
}

const root = resolve(import.meta.dirname, '../..');

function ensureChromium(): void {
  if (existsSync(CHROMIUM_PATH)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`Browser tests need Debian's Chromium at ${CHROMIUM_PATH}: run "sudo apt-get install -y chromium".`);
  }
  console.log('Installing Debian chromium for the browser tests (apt-get) …');
  const r = spawnSync('bash', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'], {
    stdio: 'inherit',
  });
  if (r.status !== 0 || !existsSync(CHROMIUM_PATH)) throw new Error('Could not install chromium with apt-get.');
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

async function waitForHealth(url: string, server: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`The server exited (${server.exitCode}):\n${output()}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`The server did not answer /healthz within 30 s:\n${output()}`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensureChromium();
  const entry = join(root, process.env['ASTRO_OUT_DIR'] ?? 'dist', 'server/entry.mjs');
  if (!existsSync(entry)) {
    throw new Error('No built server in dist/: run the browser tests with "npm run test:e2e" (it builds first).');
  }
  const dir = mkdtempSync(join(tmpdir(), 'gruppeforlob-e2e-'));
  const fromEnv = process.env['DATABASE_URL'] ?? '';
  const databaseUrl = /^postgres/i.test(fromEnv) ? fromEnv : join(dir, 'e2e.sqlite');
  const port = await freePort();
  // Two real OpenID Connect providers for the municipalities' logins, configured as an operator would.
  const oidc = await startProviders(`http://127.0.0.1:${port}`);
  // NIGHTLY_JOBS=off: a run between 02.00 and 06.00 must not purge other files' test children mid-run.
  const env = { ...process.env, ...oidc.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', NIGHTLY_JOBS: 'off' };
  const tsx = join(root, 'node_modules/.bin/tsx');

  if (/^postgres/i.test(databaseUrl)) {
    // A clean schema so the run starts from an empty database, as a fresh install does.
    const wipe = spawnSync(tsx, ['test/e2e/support/wipe-postgres.ts'], { cwd: root, env, encoding: 'utf8' });
    if (wipe.status !== 0) throw new Error(`Could not wipe the PostgreSQL test database:\n${wipe.stderr}`);
  }
  const boot = spawnSync(tsx, ['scripts/cli.ts', 'boot'], { cwd: root, env, encoding: 'utf8' });
  if (boot.status !== 0) throw new Error(`"cli boot" failed:\n${boot.stdout}\n${boot.stderr}`);
  const link = /https?:\/\/\S+\/adgang\/\S+/.exec(boot.stdout)?.[0];
  if (!link) throw new Error(`"cli boot" printed no one-time admin link:\n${boot.stdout}`);
  process.env['E2E_BOOTSTRAP_LINK'] = link;

  let log = '';
  const server = spawn(process.execPath, [entry], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const baseURL = `http://127.0.0.1:${port}`;
  await waitForHealth(baseURL, server, () => log);

  project.provide('baseURL', baseURL);
  project.provide('databaseUrl', databaseUrl);
  project.provide('oidcIssuers', Object.fromEntries(oidc.providers.map((p) => [p.name, p.issuer])));
  await createFirstAdmin(baseURL, link.replace(/^https?:\/\/[^/]+/, ''), { cwd: root, env });

  return async () => {
    server.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    if (server.exitCode === null) server.kill('SIGKILL');
    await Promise.all(oidc.providers.map((p) => p.close()));
    if (process.env['E2E_KEEP'] !== '1') rmSync(dir, { recursive: true, force: true });
    if (/error|unhandled/i.test(log) && process.env['E2E_SHOW_SERVER_LOG'] === '1') console.log(log);
  };
}
