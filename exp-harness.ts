import { openSync, writeSync } from 'node:fs';
import { pino } from 'pino';
import { parseTrustProxy } from './src/lib/http-security';
import { createAppServer } from './src/server/http-server';
import { createMetrics, createRequestTallies } from './src/server/metrics';
import { createFastPath } from './src/server/public-fast-path';
import { gatherLines } from './src/server/request-log';

const off = new Set((process.env['OFF'] ?? '').split(',').filter(Boolean));
const fd = openSync('/tmp/exp/harness.log', 'a');
const lines = gatherLines((chunk) => writeSync(fd, chunk), 64 * 1024);
const logger = pino({ base: null });
const body = Buffer.from('BEGIN:VCALENDAR\r\n'.repeat(200));
const headers = {
  'cache-control': 'public, max-age=0, must-revalidate',
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  'content-type': 'text/calendar; charset=utf-8', etag: '"abc"', 'last-modified': 'Tue, 01 Dec 2026 03:24:18 GMT',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()', 'referrer-policy': 'strict-origin-when-cross-origin',
  'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'content-length': String(body.length),
};
const app = createAppServer({
  handler: async (_req, res) => { res.writeHead(200, headers); res.end(body); },
  clientDir: '/tmp/exp/empty',
  trustedProxies: parseTrustProxy(undefined),
  logger,
  requestLog: off.has('log') ? () => undefined : (line) => lines.line(line),
  ...(off.has('metrics') ? {} : off.has('observe') ? { metrics: { ...createMetrics(undefined, () => null), observe: () => undefined } } : off.has('defaults') ? { metrics: { observe: createRequestTallies().observe, serve: async () => false } } : { metrics: createMetrics(undefined, () => null) }),
  fastPath: createFastPath(() => '1'),
});
app.server.listen(Number(process.env['PORT']), '127.0.0.1');
