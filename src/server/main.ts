// `npm start` runs this after `cli boot`: the built site (dist/server/entry.mjs, Astro's node adapter in middleware
// mode) behind the project's own node:http server. `npm run build` bundles this file into <outDir>/server/main.mjs,
// beside Astro's entry (scripts/build-server.mjs), and `exec node scripts/server.mjs` starts it, so SIGTERM from
// systemd (or a test) reaches this process.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { parseTrustProxy } from '../lib/http-security';
import { watchPublicVersion } from './data-versions';
import { createAppServer, type AstroHandler } from './http-server';
import { createMetrics, type PoolStats } from './metrics';
import { createFastPath } from './public-fast-path';
import { gatherLines, isoTime } from './request-log';

const CLOSE_DATABASE = Symbol.for('gruppeforlob.closeDatabase');
const STOP_OUTBOX_WORKER = Symbol.for('gruppeforlob.stopOutboxWorker');
const DATABASE_POOL_STATS = Symbol.for('gruppeforlob.databasePoolStats');
const STOP_DEADLINE_MS = 9_000;

// Gathered, synchronous writes to stdout: every line, pino's own and the one per request (built by
// src/server/request-log.ts), passes through one gatherer and so reaches stdout in the order written: up to 64 KB in
// one write(2) (about 350 request lines), or at the latest 250 ms after the first line; a warning or an error at once.
// Synchronous, as pino's own default: an asynchronous write went through libuv's thread pool and back, each time
// waking a thread, and at 27,000 kept answers a second that cost a tenth of the throughput (docs/performance.md,
// session 6); one write(2) of 64 KB to a pipe or a file is shorter than the round trip. The time is ISO text, made
// once per millisecond (many requests share one when busy).
const LOG_CHUNK_BYTES = 64 * 1024;
const destination = pino.destination({ dest: 1, sync: true });
const lines = gatherLines((chunk) => destination.write(chunk), LOG_CHUNK_BYTES);
/**
 * pino's lines start `{"level":NN`, its numeric level: from 40 (a warning, an error) a line is written at once. The
 * request lines say so themselves (requestLog below): reading a character of one would make the engine copy the
 * line, built of pieces, into one string first, for every request.
 */
const LEVEL_AT = '{"level":'.length;
const logger = pino({ base: null, timestamp: isoTime }, { write: (line: string) => (line.charCodeAt(LEVEL_AT) >= 52 /* '4' */ ? lines.urgent(line) : lines.line(line)) });
// What has gathered goes out when the process exits, however it exits.
process.on('exit', () => {
  lines.flush();
  try {
    destination.flushSync();
  } catch {
    // stdout gone: nothing to tell anyone
  }
});
// Bundled to <outDir>/server/main.mjs: Astro's build is right here.
const outDir = resolve(import.meta.dirname, '..');
// The built site must not start its own server: we are the server.
process.env['ASTRO_NODE_AUTOSTART'] = 'disabled';
const { handler } = (await import(pathToFileURL(join(outDir, 'server/entry.mjs')).href)) as { handler: AstroHandler };

const port = Number(process.env['PORT'] ?? 4321);
const host = process.env['HOST'] ?? 'localhost';
// PUBLIC_FAST_PATH=off: every request through Astro (to compare, or to rule the fast path out).
const versions = process.env['PUBLIC_FAST_PATH'] === 'off' ? null : await watchPublicVersion(process.env['DATABASE_URL'], logger);
const metrics = createMetrics(process.env['METRICS_TOKEN'], () => {
  const stats = Reflect.get(globalThis, DATABASE_POOL_STATS) as (() => PoolStats | null) | undefined;
  return stats?.() ?? null;
});
const app = createAppServer({
  handler,
  clientDir: join(outDir, 'client'),
  trustedProxies: parseTrustProxy(process.env['TRUST_PROXY']),
  logger,
  requestLog: (line, urgent) => (urgent ? lines.urgent(line) : lines.line(line)),
  metrics,
  ...(versions ? { fastPath: createFastPath(() => versions.current()) } : {}),
  onDrained: async () => {
    await versions?.close();
    // The outbox worker finishes the batch it is sending before the database goes.
    const stopWorker = Reflect.get(globalThis, STOP_OUTBOX_WORKER) as (() => Promise<void>) | undefined;
    await stopWorker?.();
    const close = Reflect.get(globalThis, CLOSE_DATABASE) as (() => Promise<void>) | undefined;
    await close?.();
  },
});

app.server.listen(port, host, () => logger.info({ port, host }, 'listening'));

let stopping = false;
function safeLog(write: () => void): void {
  try {
    write();
  } catch {
    // stdout closed: nothing to tell anyone
  }
}
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  // The deadline first, and kept referenced: whatever happens below (even a log line that cannot be written because
  // whoever read our stdout is gone), the process ends.
  setTimeout(() => {
    safeLog(() => logger.error('requests still in flight after 9 s: closing them'));
    app.server.closeAllConnections();
    process.exit(1);
  }, STOP_DEADLINE_MS);
  safeLog(() => logger.info({ signal }, 'stopping: no new connections, finishing requests in flight'));
  app.stop().then(
    () => {
      safeLog(() => logger.info('stopped'));
      process.exit(0);
    },
    (error: unknown) => {
      safeLog(() => logger.error({ err: error }, 'stop failed'));
      process.exit(1);
    },
  );
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
