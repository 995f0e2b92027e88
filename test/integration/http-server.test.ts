// The project's own HTTP server in front of a stand-in for Astro: one log line per request, with the right level,
// for answers from Astro, from memory and for failures.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustProxy } from '../../src/lib/http-security';
import { createAppServer, type AppServer, type EdgeLocals } from '../../src/server/http-server';
import { createFastPath } from '../../src/server/public-fast-path';

describe('the request log of the server', () => {
  const logged: { line: Record<string, unknown>; urgent: boolean }[] = [];
  const clientDir = mkdtempSync(join(tmpdir(), 'gf-client-'));
  let app: AppServer;
  let base: string;

  beforeAll(async () => {
    app = createAppServer({
      handler: async (req, res, _next, locals) => {
        const edge = (locals as EdgeLocals).edge;
        if (req.url === '/fejl') throw new Error('broken on purpose');
        edge.route = req.url?.endsWith('.ics') ? '/grupper/[slug].ics' : '/personale';
        edge.userId = req.url === '/personale' ? 'u-1' : null;
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', etag: '"v1"' });
        res.end('svar');
      },
      clientDir,
      trustedProxies: parseTrustProxy(undefined),
      logger: pino({ enabled: false }),
      requestLog: (line, urgent) => logged.push({ line: JSON.parse(line) as Record<string, unknown>, urgent }),
      fastPath: createFastPath(() => '1'),
    });
    await new Promise<void>((done) => app.server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await app.stop();
    rmSync(clientDir, { recursive: true, force: true });
  });

  const lastLine = async (): Promise<{ line: Record<string, unknown>; urgent: boolean }> => {
    // The line is written when the answer has gone out, which may be a moment after the client has it.
    for (let i = 0; i < 50 && logged.length === 0; i++) await new Promise((done) => setTimeout(done, 10));
    const last = logged.pop();
    if (!last) throw new Error('no log line');
    return last;
  };

  it('writes one line for an answer from Astro, with the route pattern, the status and the user', async () => {
    logged.length = 0;
    const res = await fetch(`${base}/personale`);
    await res.text();
    const { line, urgent } = await lastLine();
    expect(urgent).toBe(false);
    expect(line).toMatchObject({ level: 30, method: 'GET', route: '/personale', status: 200, userId: 'u-1', reqId: res.headers.get('x-request-id') });
    expect(logged).toHaveLength(0);
  });

  it('writes a kept answer’s line under its own route, with the request’s own id', async () => {
    await (await fetch(`${base}/grupper/pigegruppen.ics`)).text();
    logged.length = 0;
    const res = await fetch(`${base}/grupper/pigegruppen.ics`, { headers: { 'if-none-match': '"v1"' } });
    expect(res.status).toBe(304);
    const { line, urgent } = await lastLine();
    expect(urgent).toBe(false);
    expect(line).toMatchObject({ level: 30, route: '/grupper/[slug].ics (kept)', status: 304, reqId: res.headers.get('x-request-id') });
    expect(line).not.toHaveProperty('userId');
  });

  it('writes a failed request’s line as an error, to be written at once', async () => {
    logged.length = 0;
    const res = await fetch(`${base}/fejl`);
    expect(res.status).toBe(500);
    const { line, urgent } = await lastLine();
    expect(urgent).toBe(true);
    expect(line).toMatchObject({ level: 50, status: 500 });
  });
});
