// Extra servers for the deployment tests: more app processes of the built site, and a real Caddy in front of them
// terminating TLS (Debian's `caddy`, `tls internal`), as docs/deploy.md sets it up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SERVER_ARGS } from '../../../src/server/command';
import { freePort } from '../../support/ports';

const root = resolve(import.meta.dirname, '../../..');

export interface Running {
  process: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

function watch(child: ChildProcess): Running {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** A first request to a fresh server loads its pages; on a loaded machine that has taken over 30 s. */
const START_TIMEOUT_MS = 60_000;

async function waitFor(check: () => Promise<boolean>, running: Running, what: string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (running.process.exitCode !== null) throw new Error(`${what} exited (${running.process.exitCode}):\n${running.output()}`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${what} did not answer within ${START_TIMEOUT_MS / 1000} s:\n${running.output()}`);
}

/** One more process of the built site on `port` (the server of `npm start`, without `cli boot`). */
export async function startAppServer(port: number, env: NodeJS.ProcessEnv): Promise<Running> {
  const child = spawn(process.execPath, [...SERVER_ARGS], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', NIGHTLY_JOBS: 'off', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = watch(child);
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, running, `App server on ${port}`);
  return running;
}

/** GET over https without checking the certificate (Caddy's own local CA): status and headers. */
export function insecureGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((done, fail) => {
    const req = request(url, { rejectUnauthorized: false, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/**
 * Caddy on https://localhost:<port>, `tls internal`, proxying round robin to the given app ports. Its home and data
 * live in a temporary folder; it installs nothing into the machine's trust store and runs no coordinator endpoint.
 */
export async function startCaddy(port: number, upstreams: number[]): Promise<Running & { dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gruppeforlob-caddy-'));
  const httpPort = await freePort();
  const caddyfile = `{
	admin off
	auto_https disable_redirects
	skip_install_trust
	http_port ${httpPort}
	https_port ${port}
	storage file_system ${join(dir, 'data')}
}

https://localhost:${port} {
	tls internal
	reverse_proxy ${upstreams.map((p) => `127.0.0.1:${p}`).join(' ')} {
		lb_policy round_robin
	}
}
`;
  writeFileSync(join(dir, 'Caddyfile'), caddyfile);
  const child = spawn('caddy', ['run', '--config', join(dir, 'Caddyfile'), '--adapter', 'caddyfile'], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, XDG_DATA_HOME: join(dir, 'xdg-data'), XDG_CONFIG_HOME: join(dir, 'xdg-config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const running = watch(child);
  await waitFor(async () => (await insecureGet(`https://localhost:${port}/healthz`)).status === 200, running, 'Caddy');
  return {
    ...running,
    dir,
    async stop() {
      const code = await running.stop();
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
