// The public pages and feeds at the speed of Node itself. An anonymous GET of a group's feed (/grupper/<slug>.ics)
// or public page (/grupper/<slug>, /en/grupper/<slug>) is answered from the bytes Astro rendered for the same
// address at the same data version, before Astro's pipeline: same status, headers, ETag and body, so the privacy
// rules are the pages' own. A conditional request whose ETag matches gets a 304 from the same kept headers.
//
// What is kept is keyed by address, host and scheme, and holds while the 'public' data version (moved by the database
// driver in the same transaction as any write to the tables these pages read, see lib/server/data-version.ts) is
// the one it was rendered at, and at most a minute (the pages also show "the next meetings" from now).
// Requests with a cookie or credentials always go to Astro: a staff member's answer is never kept nor served.
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export const PUBLIC_FAST_PATH = /^\/(?:en\/)?grupper\/[a-z0-9-]{1,80}(?:\.ics)?$/;
const HOLD_MS = 60_000;
const MAX_ENTRIES = 200;
const MAX_BODY = 1024 * 1024;

/**
 * The current 'public' data version, counting every change committed before the call, or null when it is not known:
 * then nothing is served from memory. Synchronous (src/server/data-versions.ts keeps it in memory), so a kept answer
 * goes out in the same turn of the event loop as the request arrived.
 */
export type VersionSource = () => string | null;

interface Kept {
  /** The scheme and host it was rendered for (the page's calendar links are made from the Host when PUBLIC_ORIGIN is unset). */
  https: boolean;
  host: string;
  version: string;
  until: number;
  status: number;
  /** Flat [name, value, …] lists (writeHead's cheapest form), with the request id's place left at the end. */
  headers: string[];
  /** The same without the headers that describe a body, for a 304 (made once, when kept). */
  notModified: string[];
  etag: string | null;
  body: Buffer;
}

/** Headers of the kept answer that belong to one request only, or to the body (not sent with a 304). */
const PER_REQUEST = new Set(['x-request-id', 'date', 'connection', 'keep-alive', 'transfer-encoding']);
const BODY_ONLY = new Set(['content-length', 'content-disposition']);

export interface FastPath {
  /**
   * Answers from memory if it can, with the request's id; true when it did (nothing is written when false). Only an
   * eligible request's answer is ever kept, so finding one is the address check; the request's own (method, cookie,
   * credentials) are checked here.
   */
  serve(req: IncomingMessage, res: ServerResponse, https: boolean, requestId: string): boolean;
  /** For a request that may be kept: wraps `res` so Astro's answer is kept as it goes out. */
  capture(req: IncomingMessage, res: ServerResponse, https: boolean): void;
  /** Whether this request may be answered from memory at all. */
  eligible(req: IncomingMessage): boolean;
}

/** Headers as writeHead's flat list [name, value, …], a list-valued header as one pair per value, then a place for the request id. */
function flat(headers: OutgoingHttpHeaders, keep: (name: string) => boolean): string[] {
  const list: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || !keep(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) list.push(name, String(one));
  }
  list.push('x-request-id', '');
  return list;
}

/**
 * The kept list with this request's id in its place. Written into the kept list itself, not a copy: writeHead turns
 * a list into the header block before it returns (no header was set before it), so the next request's id cannot
 * reach this answer.
 */
function withRequestId(kept: string[], requestId: string): string[] {
  kept[kept.length - 1] = requestId;
  return kept;
}

/** A GET or HEAD without a cookie or credentials: the only requests whose answers are kept or served from memory. */
function anonymousRead(req: IncomingMessage): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && req.headers.cookie === undefined && req.headers.authorization === undefined;
}

function etagMatches(ifNoneMatch: string, etag: string): boolean {
  // The usual case first: the browser sends back exactly the tag it was given.
  if (ifNoneMatch === etag) return true;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => opaque(tag) === opaque(etag));
}

/** Whether a request's If-None-Match is answered 304 from what was kept. */
function answersNotModified(entry: Kept, ifNoneMatch: string | undefined): boolean {
  return ifNoneMatch !== undefined && entry.etag !== null && etagMatches(ifNoneMatch, entry.etag);
}

/**
 * `now` tells the hold's milliseconds; by default the monotonic clock (a fast call, and a minute is a minute even if
 * the wall clock is set).
 */
export function createFastPath(currentVersion: VersionSource, now: () => number = () => performance.now()): FastPath {
  // By address, then its variants by scheme and host (nearly always one): the address is looked up as the request
  // brought it, without making a key string per request.
  const kept = new Map<string, Kept[]>();
  let keptCount = 0;

  const find = (url: string, https: boolean, host: string): Kept | undefined => {
    const variants = kept.get(url);
    if (variants === undefined) return undefined;
    for (const entry of variants) if (entry.https === https && entry.host === host) return entry;
    return undefined;
  };
  const forget = (url: string, entry: Kept): void => {
    const variants = kept.get(url);
    const at = variants?.indexOf(entry) ?? -1;
    if (variants === undefined || at < 0) return;
    variants.splice(at, 1);
    keptCount -= 1;
    if (variants.length === 0) kept.delete(url);
  };
  const remember = (url: string, entry: Kept): void => {
    const old = find(url, entry.https, entry.host);
    if (old !== undefined) forget(url, old);
    // Full: the address kept longest ago goes, with its variants.
    while (keptCount >= MAX_ENTRIES) {
      const oldest = kept.entries().next().value;
      if (oldest === undefined) break;
      kept.delete(oldest[0]);
      keptCount -= oldest[1].length;
    }
    const variants = kept.get(url);
    if (variants === undefined) kept.set(url, [entry]);
    else variants.push(entry);
    keptCount += 1;
  };

  return {
    eligible(req) {
      const url = req.url ?? '';
      return anonymousRead(req) && !url.includes('?') && PUBLIC_FAST_PATH.test(url);
    },

    serve(req, res, https, requestId) {
      if (!anonymousRead(req)) return false;
      const headers = req.headers;
      const url = req.url ?? '';
      const entry = find(url, https, headers.host ?? '');
      if (entry === undefined) return false;
      const version = currentVersion();
      if (version === null || entry.version !== version || now() >= entry.until) {
        forget(url, entry);
        return false;
      }
      const ifNoneMatch = headers['if-none-match'];
      if (headers['if-modified-since'] !== undefined && ifNoneMatch === undefined) return false;
      // The request id goes in with the kept headers: one writeHead with no header set before it (node:http's
      // fast case).
      if (answersNotModified(entry, ifNoneMatch)) {
        res.writeHead(304, withRequestId(entry.notModified, requestId));
        res.end();
        return true;
      }
      res.writeHead(entry.status, withRequestId(entry.headers, requestId));
      res.end(req.method === 'HEAD' ? undefined : entry.body);
      return true;
    },

    capture(req, res, https) {
      // The version before rendering: if it moves while Astro renders, what is kept is under the old one and is
      // never served (the next request finds the new version).
      const version = currentVersion();
      if (version === null || req.method !== 'GET') return;
      const ifNoneMatch = req.headers['if-none-match'];
      if (req.headers['if-modified-since'] !== undefined && ifNoneMatch === undefined) return;
      // A conditional request that finds nothing kept (a new version, or the minute is over): Astro renders the whole
      // answer (the condition is taken off the request), it is kept, and the condition is answered here from it.
      // Otherwise a calendar that only ever asks "changed?" would never be answered from memory again.
      const conditional = ifNoneMatch !== undefined;
      if (conditional) {
        // If-None-Match decides; an If-Modified-Since beside it is not asked (RFC 9110, 13.1.3).
        delete req.headers['if-none-match'];
        delete req.headers['if-modified-since'];
      }
      const chunks: Buffer[] = [];
      let size = 0;
      // Headers given to writeHead() are not always kept where getHeaders() finds them (only when some header was
      // set before): record them as they pass.
      const given: OutgoingHttpHeaders = {};
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      /** A conditional request's head, held until the whole answer is known. */
      let head: unknown[] | null = null;
      res.writeHead = ((status: number, ...rest: unknown[]) => {
        const headers = rest.find((arg) => typeof arg === 'object' && arg !== null);
        if (headers && !Array.isArray(headers)) {
          for (const [name, value] of Object.entries(headers as OutgoingHttpHeaders)) given[name.toLowerCase()] = value;
        }
        if (!conditional) return writeHead(status, ...rest);
        res.statusCode = status;
        head = [status, ...rest];
        return res;
      }) as ServerResponse['writeHead'];
      // Gathered up to the limit of what is kept; a conditional request's answer whole, as it is sent from here.
      const collect = (chunk: unknown): void => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function' || (size > MAX_BODY && !conditional)) return;
        const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
        size += buffer.length;
        chunks.push(buffer);
      };
      /** Keeps the answer if it may be kept; the entry, or null. */
      const keep = (): Kept | null => {
        if (res.statusCode !== 200 || size > MAX_BODY || res.getHeader('set-cookie') !== undefined) return null;
        const headers: OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries({ ...given, ...res.getHeaders() })) if (!PER_REQUEST.has(name)) headers[name] = value;
        if (headers['set-cookie'] !== undefined) return null;
        const body = Buffer.concat(chunks);
        headers['content-length'] = String(body.length);
        const etag = typeof headers['etag'] === 'string' ? headers['etag'] : null;
        const entry: Kept = {
          https,
          host: req.headers.host ?? '',
          version, until: now() + HOLD_MS, status: 200, headers: flat(headers, () => true), notModified: flat(headers, (name) => !BODY_ONLY.has(name)), etag, body,
        };
        remember(req.url ?? '', entry);
        return entry;
      };
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        collect(chunk);
        if (!conditional) return write(chunk, ...rest);
        const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
        if (done) process.nextTick(done);
        return true;
      }) as ServerResponse['write'];
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        collect(chunk);
        if (!conditional) return end(chunk, ...rest);
        const entry = keep();
        if (entry !== null && answersNotModified(entry, ifNoneMatch)) {
          // The request's own id: set before Astro (the server does), or given with Astro's head.
          const requestId = res.getHeader('x-request-id') ?? given['x-request-id'];
          res.removeHeader('content-length');
          writeHead(304, withRequestId(entry.notModified, requestId === undefined ? '' : String(requestId)));
          return end(...rest.filter((arg) => typeof arg === 'function'));
        }
        // Otherwise sent as Astro wrote it.
        if (head !== null) writeHead(...head);
        for (const buffer of chunks) write(buffer);
        return end(...rest.filter((arg) => typeof arg === 'function'));
      }) as ServerResponse['end'];
      if (!conditional) res.once('finish', () => void keep());
    },
  };
}
