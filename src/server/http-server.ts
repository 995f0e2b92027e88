// The project's own HTTP server (node:http). Astro renders pages and endpoints (the node adapter in middleware
// mode hands us `handler`); what belongs to the server lives here: which proxy is believed, the body-size limits,
// static files, one log line per request, and a graceful stop.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import type { Logger } from 'pino';
import sirv from 'sirv';
import { clientIp, isTrustedProxy, reachedOverHttps } from '../lib/http-security';
import type { Metrics } from './metrics';
import type { FastPath } from './public-fast-path';
import { requestLogLine } from './request-log';

/** What the server hands Astro as `locals`, and reads back once the answer has gone out (for the log line). */
export interface EdgeLocals {
  ip: string | null;
  edge: { requestId: string; route: string | null; userId: string | null };
}

export type AstroHandler = (req: IncomingMessage, res: ServerResponse, next: () => void, locals: object) => Promise<void>;

export interface AppServerOptions {
  handler: AstroHandler;
  /** dist/client: the built static files. */
  clientDir: string;
  trustedProxies: BlockList;
  /** Errors and events (pino). */
  logger: Logger;
  /**
   * Where the one line per request goes (src/server/request-log.ts builds it); `urgent` for an answer of 500 or more
   * (an error line, written at once).
   */
  requestLog: (line: string, urgent: boolean) => void;
  /** Called once every request in flight has been answered during a stop (close the database here). */
  onDrained?: () => Promise<void>;
  /** Anonymous public pages and feeds answered from memory (src/server/public-fast-path.ts). */
  fastPath?: FastPath;
  /** Request counts and durations, and GET /metrics. */
  metrics?: Metrics;
}

/**
 * Body limits. Forms are a few kilobytes (the longest, the referral form, is under 10 KB filled in with the longest
 * allowed texts); the attendance sheet's JSON for a full group with mutation ids is under 20 KB.
 */
export const FORM_BODY_LIMIT = 64 * 1024;
export const JSON_BODY_LIMIT = 256 * 1024;

export function bodyLimitFor(pathname: string): number {
  return pathname.endsWith('.json') ? JSON_BODY_LIMIT : FORM_BODY_LIMIT;
}

/**
 * Refuses a body before reading it: the answer goes out at once, on the request's headers alone. The connection is
 * then closed: first our side (the client sees the answer and the end), then, a moment later, for good. Whatever
 * arrives meanwhile is dropped as it comes (Node discards it), never collected, so memory stays flat. Destroying the
 * socket at once would make the client's kernel throw the answer away with the connection (a reset).
 */
function refuse(res: ServerResponse, status: number, text: string): void {
  // No "Connection: close" header: with it node:http destroys the socket as soon as the answer is written, while the
  // body still streams in, and the client's kernel then throws the unread answer away (seen as "no answer" about one
  // time in four). Our own end() below closes our side instead, and the socket goes a second later.
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text, () => {
    const socket = res.socket;
    if (!socket) return;
    socket.end();
    setTimeout(() => socket.destroy(), 1_000).unref();
  });
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('Siden findes ikke.\n');
}

const FORWARDED = ['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'forwarded'];
const TRUSTED = Symbol('from a trusted proxy');
/** The route patterns of kept answers in the log and the metrics. */
const KEPT_FEED = '/grupper/[slug].ics (kept)';
const KEPT_PAGE = '/grupper/[slug] (kept)';

export interface AppServer {
  server: Server;
  /** Stops accepting, waits for the requests in flight, then calls onDrained. Resolves when done. */
  stop(): Promise<void>;
}

export function createAppServer(options: AppServerOptions): AppServer {
  const { handler, logger, trustedProxies } = options;
  const assets = sirv(options.clientDir, {
    dev: false,
    etag: true,
    gzip: false,
    brotli: false,
    setHeaders(res, pathname) {
      // Hashed names change with their content: a browser may keep them for a year without asking again.
      if (pathname.startsWith('/_astro/')) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else res.setHeader('Cache-Control', 'public, max-age=3600');
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });

  let inFlight = 0;
  let stopping = false;
  let drained: (() => void) | null = null;

  /** The answer has gone out: its log line and its count. */
  function finished(route: string, method: string, status: number, started: number, requestId: string, userId: string | null): void {
    const seconds = (performance.now() - started) / 1000;
    options.requestLog(requestLogLine({ requestId, method, route, status, ms: Math.round(seconds * 10_000) / 10, userId }), status >= 500);
    options.metrics?.observe(route, method, status, seconds);
  }

  /** Whether the connection comes from a trusted proxy: asked once per connection (a kept-alive one carries many). */
  function fromTrustedProxy(req: IncomingMessage): boolean {
    const socket = req.socket as typeof req.socket & { [TRUSTED]?: boolean };
    let trusted = socket[TRUSTED];
    if (trusted === undefined) {
      trusted = isTrustedProxy(trustedProxies, socket.remoteAddress ?? null);
      socket[TRUSTED] = trusted;
    }
    return trusted;
  }

  /** Whether the visitor reached the proxy over https: a forwarded scheme is believed only from a trusted proxy. */
  function httpsOf(req: IncomingMessage): boolean {
    const forwardedProto = req.headers['x-forwarded-proto'];
    return typeof forwardedProto === 'string' && fromTrustedProxy(req) && reachedOverHttps(req.socket.remoteAddress ?? null, forwardedProto, trustedProxies);
  }

  async function serve(req: IncomingMessage, res: ServerResponse, locals: EdgeLocals): Promise<void> {
    const socketAddress = req.socket.remoteAddress ?? null;
    const fromProxy = fromTrustedProxy(req);
    const forwardedFor = typeof req.headers['x-forwarded-for'] === 'string' ? req.headers['x-forwarded-for'] : null;
    locals.ip = clientIp(socketAddress, forwardedFor, trustedProxies);
    // Astro builds the request's URL from the socket: "https" only for a TLS socket. Behind a trusted proxy that
    // terminated TLS it must be https too, or its origin check refuses every form post, cookies are not Secure and
    // no HSTS goes out. Set for every request on the socket (a kept-alive connection carries several), and read
    // by Astro synchronously when the handler starts. From anyone else the forwarded headers are dropped unread.
    const https = fromProxy && httpsOf(req);
    if (fromProxy) {
      (req.socket as { encrypted?: boolean }).encrypted = https;
    } else {
      // Only where one was sent: deleting a property makes every later read of the headers object slower.
      for (const name of FORWARDED) if (req.headers[name] !== undefined) delete req.headers[name];
    }

    // X-Request-Id on every answer; the fast path writes it with its kept headers (one writeHead, node:http's fast case).
    const fast = options.fastPath?.eligible(req) ? options.fastPath : undefined;
    res.setHeader('x-request-id', locals.edge.requestId);
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    if (stopping) res.setHeader('connection', 'close');

    if (method !== 'GET' && method !== 'HEAD') {
      const length = req.headers['content-length'];
      if (length === undefined && req.headers['transfer-encoding'] !== undefined) {
        locals.edge.route = 'refused';
        return refuse(res, 411, 'Send en Content-Length.\n');
      }
      if (length !== undefined && Number(length) > bodyLimitFor(pathname)) {
        locals.edge.route = 'refused';
        return refuse(res, 413, 'For meget data.\n');
      }
    }
    // Astro's image endpoint would fetch and resize on request; this site has no images for it.
    if (pathname === '/_image' || pathname.startsWith('/_image/')) {
      locals.edge.route = '/_image';
      return notFound(res);
    }
    if (options.metrics && pathname === '/metrics') {
      locals.edge.route = '/metrics';
      if (await options.metrics.serve(req, res)) return;
      locals.edge.route = null;
    }
    if (method === 'GET' || method === 'HEAD') {
      const served = await new Promise<boolean>((done) => {
        assets(req, res, () => done(false));
        if (res.headersSent || res.writableEnded) done(true);
        else res.once('finish', () => done(true));
      });
      if (served) {
        locals.edge.route = pathname.startsWith('/_astro/') ? '/_astro/*' : 'static';
        return;
      }
    }
    fast?.capture(req, res, https);
    await handler(req, res, () => notFound(res), locals);
  }

  /**
   * A kept public answer (src/server/public-fast-path.ts), sent in the same turn as the request arrived: no promise,
   * no listener, no header set before the one writeHead. It is complete when this returns, so it is logged and counted
   * here. False when there is none: the request takes the full path below.
   */
  function answerFromMemory(req: IncomingMessage, res: ServerResponse, started: number, requestId: string): boolean {
    const fast = options.fastPath;
    if (fast === undefined || stopping || !fast.serve(req, res, httpsOf(req), requestId)) return false;
    finished((req.url ?? '').endsWith('.ics') ? KEPT_FEED : KEPT_PAGE, req.method ?? 'GET', res.statusCode, started, requestId, null);
    return true;
  }

  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 30_000 }, (req, res) => {
    const started = performance.now();
    const requestId = randomUUID();
    if (answerFromMemory(req, res, started, requestId)) return;
    const locals: EdgeLocals = { ip: null, edge: { requestId, route: null, userId: null } };
    inFlight += 1;
    let counted = true;
    const done = (): void => {
      if (!counted) return;
      counted = false;
      inFlight -= 1;
      finished(locals.edge.route ?? 'unmatched', req.method ?? 'GET', res.statusCode, started, locals.edge.requestId, locals.edge.userId);
      if (stopping && inFlight === 0) drained?.();
    };
    res.once('finish', done);
    res.once('close', done);
    serve(req, res, locals).catch((error: unknown) => {
      logger.error({ reqId: locals.edge.requestId, err: error }, 'request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Der skete en fejl.\n');
      } else {
        res.destroy();
      }
    });
  });

  async function stop(): Promise<void> {
    stopping = true;
    const closed = new Promise<void>((done) => server.close(() => done()));
    server.closeIdleConnections();
    if (inFlight > 0) await new Promise<void>((done) => (drained = done));
    // Kept-alive connections that sent nothing more: close them now, so server.close() can finish.
    server.closeIdleConnections();
    await options.onDrained?.();
    await closed;
  }

  return { server, stop };
}
