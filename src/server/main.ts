// `npm start` runs this after `cli boot`: the built site (dist/server/entry.mjs, Astro's node adapter in middleware
// mode) behind the project's own node:http server. Started as `exec node --import tsx src/server/main.ts`, so
// SIGTERM from systemd (or a test) reaches this process.
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { parseTrustProxy } from '../lib/http-security';
import { createAppServer, type AstroHandler } from './http-server';

const CLOSE_DATABASE = Symbol.for('gruppeforlob.closeDatabase');
const STOP_DEADLINE_MS = 9_000;

const logger = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime });
const root = resolve(import.meta.dirname, '../..');
const outDir = resolve(root, process.env['ASTRO_OUT_DIR'] ?? 'dist');
// The built site must not start its own server: we are the server.
process.env['ASTRO_NODE_AUTOSTART'] = 'disabled';
const { handler } = (await import(pathToFileURL(join(outDir, 'server/entry.mjs')).href)) as { handler: AstroHandler };

const port = Number(process.env['PORT'] ?? 4321);
const host = process.env['HOST'] ?? 'localhost';
const app = createAppServer({
  handler,
  clientDir: join(outDir, 'client'),
  trustedProxies: parseTrustProxy(process.env['TRUST_PROXY']),
  logger,
  onDrained: async () => {
    const close = Reflect.get(globalThis, CLOSE_DATABASE) as (() => Promise<void>) | undefined;
    await close?.();
  },
});

app.server.listen(port, host, () => logger.info({ port, host }, 'listening'));

let stopping = false;
function stop(signal: string): void {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'stopping: no new connections, finishing requests in flight');
  const deadline = setTimeout(() => {
    logger.error('requests still in flight after 9 s: closing them');
    app.server.closeAllConnections();
    process.exit(1);
  }, STOP_DEADLINE_MS);
  deadline.unref();
  app.stop().then(
    () => {
      logger.info('stopped');
      process.exit(0);
    },
    (error: unknown) => {
      logger.error({ err: error }, 'stop failed');
      process.exit(1);
    },
  );
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
