import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../support/ports';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createFirstCoordinator } from './support/accounts';
import { CHROMIUM_PATH } from './support/chromium';
import { SERVER_ARGS } from '../../src/server/command';
import { startMailbox } from '../support/mailbox';
import { startProviders } from './support/oidc-provider';

declare module 'vitest' {
  export interface ProvidedContext {
    baseURL: string;
    databaseUrl: string;
    /** Where the test SMTP server and SMS gateway write what arrives (see test/support/mailbox.ts). */
    mailDir: string;
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

/**
 * The server's log after every browser test has run: no child's or guardian's name, e-mail or phone (every one in
 * the database, whatever test made it), no token from a secret link, no session cookie. Fails the run if any is found.
 */
async function searchLogForPersonalData(log: string, databaseUrl: string, bootstrapLink: string): Promise<void> {
  const { openDatabase } = await import('../../src/lib/server/db');
  const handle = openDatabase(databaseUrl);
  let words: string[];
  try {
    const children = await handle.db.selectFrom('children').select(['first_name', 'last_name']).execute();
    const guardians = await handle.db.selectFrom('guardians').select(['name', 'email', 'phone']).execute();
    words = [
      ...children.flatMap((c) => [c.first_name, c.last_name]),
      ...guardians.flatMap((g) => [g.name, g.email ?? '', g.phone ?? '']),
      bootstrapLink.split('/').pop() ?? '',
    ].filter((w) => w.length >= 3);
  } finally {
    await handle.close();
  }
  const unique = [...new Set(words)];
  const lines = log.split('\n').filter(Boolean);
  const found = unique.filter((w) => log.includes(w));
  // A raw path that carries a secret: the log names route patterns (/familie/[token]), never the address itself.
  const paths = log.match(/\/(?:familie|adgang|kalender\/personale)\/[A-Za-z0-9_-]{16,}/g) ?? [];
  const cookies = log.match(/session=[A-Za-z0-9]/g) ?? [];
  console.log(`Server log: ${lines.length} lines searched for ${unique.length} names and contacts, secret-link paths and session cookies: ${found.length + paths.length + cookies.length} found.`);
  if (found.length || paths.length || cookies.length) {
    throw new Error(`The server log holds personal data or secrets: ${[...found, ...paths, ...cookies].slice(0, 10).join(', ')}`);
  }
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
  // Messages: a real SMTP server and an SMS gateway on loopback; short waits so a test sees its message.
  const mailDir = join(dir, 'mailbox');
  const mailbox = await startMailbox({ dir: mailDir });
  const messages = {
    SMTP_URL: mailbox.smtpUrl, MAIL_FROM: 'Familiecentret <beskeder@familiecentret.test>', SMS_GATEWAY_URL: mailbox.smsUrl,
    SMS_GATEWAY_TOKEN: 'e2e-token', OUTBOX_POLL_MS: '200', OUTBOX_CHANGE_DELAY_MS: '500', OUTBOX_AFBUD_GATHER_MS: '500',
    OUTBOX_REMINDER_SCAN_MS: '1000', OUTBOX_QUIET_HOURS: 'off',
  };
  // Two real OpenID Connect providers for the municipalities' logins, configured as an operator would.
  const oidc = await startProviders(`http://127.0.0.1:${port}`);
  // NIGHTLY_JOBS=off: a run between 02.00 and 06.00 must not purge other files' test children mid-run.
  const env = { ...process.env, ...messages, ...oidc.env, DATABASE_URL: databaseUrl, PORT: String(port), HOST: '127.0.0.1', NIGHTLY_JOBS: 'off' };
  const tsx = join(root, 'node_modules/.bin/tsx');

  if (/^postgres/i.test(databaseUrl)) {
    // A clean schema so the run starts from an empty database, as a fresh install does.
    const wipe = spawnSync(tsx, ['test/e2e/support/wipe-postgres.ts'], { cwd: root, env, encoding: 'utf8' });
    if (wipe.status !== 0) throw new Error(`Could not wipe the PostgreSQL test database:\n${wipe.stderr}`);
  }
  const boot = spawnSync(tsx, ['scripts/cli.ts', 'boot'], { cwd: root, env, encoding: 'utf8' });
  if (boot.status !== 0) throw new Error(`"cli boot" failed:\n${boot.stdout}\n${boot.stderr}`);
  const link = /https?:\/\/\S+\/adgang\/\S+/.exec(boot.stdout)?.[0];
  if (!link) throw new Error(`"cli boot" printed no one-time coordinator link:\n${boot.stdout}`);
  process.env['E2E_BOOTSTRAP_LINK'] = link;

  let log = '';
  const server = spawn(process.execPath, [...SERVER_ARGS], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  server.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const baseURL = `http://127.0.0.1:${port}`;
  await waitForHealth(baseURL, server, () => log);

  project.provide('baseURL', baseURL);
  project.provide('databaseUrl', databaseUrl);
  project.provide('mailDir', mailDir);
  project.provide('oidcIssuers', Object.fromEntries(oidc.providers.map((p) => [p.name, p.issuer])));
  await createFirstCoordinator(baseURL, link.replace(/^https?:\/\/[^/]+/, ''), { cwd: root, env });

  return async () => {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null) server.kill('SIGKILL');
    await searchLogForPersonalData(log, databaseUrl, link);
    await mailbox.close();
    await Promise.all(oidc.providers.map((p) => p.close()));
    if (process.env['E2E_KEEP'] !== '1') rmSync(dir, { recursive: true, force: true });
    if (/error|unhandled/i.test(log) && process.env['E2E_SHOW_SERVER_LOG'] === '1') console.log(log);
  };
}
