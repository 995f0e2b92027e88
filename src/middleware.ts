// Every request: (1) security headers on the way out, (2) the session cookie → locals, (3) the role guard.
import { defineMiddleware, sequence } from 'astro:middleware';
import { guardRequest } from './features/auth/auth';
import { validateSessionToken } from './features/auth/auth.service';
import { clientIp, parseTrustProxy, securityHeaders } from './lib/http-security';
import { getDb } from './lib/server/db';
import { keepPage } from './lib/server/kept-pages';
import { startNightlyJobs } from './features/retention/nightly';
import { startOutboxWorker } from './features/messages/messages.worker';
import { providerOrigins } from './features/oidc/oidc.service';
import { deleteSessionCookie, SESSION_COOKIE, sentSessionCookie, setSessionCookie } from './lib/server/session-cookie';
import { OFFLINE_CACHE_HEADER, offlineCacheKey } from './lib/server/offline-cache';

const headers = defineMiddleware(async (context, next) => {
  const response = await next();
  const extra = securityHeaders(context.url.pathname, context.url.protocol === 'https:', providerOrigins());
  // The staff pages' service worker (public/sw.js) keeps attendance pages only under the name of the session they
  // were fetched for, and serves them only while that is the session the latest staff page was answered for.
  const sessionId = context.locals.sessionId;
  if (sessionId && context.url.pathname.startsWith('/personale/')) extra[OFFLINE_CACHE_HEADER] = offlineCacheKey(sessionId);
  try {
    for (const [name, value] of Object.entries(extra)) response.headers.set(name, value);
    return response;
  } catch {
    // Some responses (e.g. Response.redirect()) have immutable headers: copy them into a new one.
    const copy = new Response(response.body, response);
    for (const [name, value] of Object.entries(extra)) copy.headers.set(name, value);
    return copy;
  }
});

const trustedProxies = parseTrustProxy(process.env['TRUST_PROXY']);

/**
 * Bodies a page can read. A form page reads a form: anything else (JSON, a file of some other type) is 415, and a
 * form it cannot parse (a broken multipart body) is 400, before the page runs, instead of a 500 from inside it.
 * Endpoints ending in .json read JSON themselves. The size limit is the server's (src/server/http-server.ts).
 */
const bodies = defineMiddleware(async (context, next) => {
  if (context.locals.edge) context.locals.edge.route = context.routePattern;
  const method = context.request.method;
  if (method === 'GET' || method === 'HEAD' || context.url.pathname.endsWith('.json')) return next();
  const type = (context.request.headers.get('content-type') ?? '').toLowerCase();
  if (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data')) {
    try {
      await context.request.clone().formData();
    } catch {
      return new Response('Formularen kunne ikke læses.\n', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    return next();
  }
  if (!context.request.body) return next();
  return new Response('Siden tager kun imod formularer.\n', { status: 415, headers: { 'content-type': 'text/plain; charset=utf-8' } });
});

const session = defineMiddleware(async (context, next) => {
  let socketAddress: string | null = null;
  try {
    socketAddress = context.clientAddress;
  } catch {
    // No address when there is no socket (prerendering); nothing to record then.
  }
  // Under the project's server (src/server) the address is already worked out there, from the socket and a trusted
  // proxy's X-Forwarded-For; under `astro dev` the same rule runs here.
  if (context.locals.edge === undefined) {
    context.locals.ip = clientIp(socketAddress, context.request.headers.get('x-forwarded-for'), trustedProxies);
  }
  context.locals.user = null;
  context.locals.sessionId = null;
  context.locals.secondFactor = null;
  context.locals.keepRendered = null;

  const token = context.cookies.get(SESSION_COOKIE)?.value;
  if (token) {
    const valid = await validateSessionToken(getDb(), token, new Date());
    if (valid) {
      if (context.locals.edge) context.locals.edge.userId = valid.user.id;
      if (valid.twoFactorVerified) {
        context.locals.user = valid.user;
        context.locals.sessionId = valid.sessionId;
      } else {
        context.locals.secondFactor = { user: valid.user, sessionId: valid.sessionId, hasTotpKey: valid.userHasTotpKey };
      }
      if (valid.refreshed) setSessionCookie(context.cookies, context.url, token, valid.expiresAt);
    } else {
      deleteSessionCookie(context.cookies, context.url);
    }
  }
  return next();
});

const guard = defineMiddleware(async (context, next) => {
  const decision = guardRequest(context.url.pathname, context.url.search, {
    user: context.locals.user,
    pending: context.locals.secondFactor,
    sentCookie: sentSessionCookie(context.request),
  });
  if (decision.kind === 'redirect') return new Response(null, { status: 303, headers: { Location: decision.location } });
  if (decision.kind === 'forbidden') {
    const page = await next('/ingen-adgang');
    return new Response(page.body, { status: 403, headers: page.headers });
  }
  return next();
});

// A page that asked to be kept (Astro.locals.keepRendered): keep a copy of its bytes once rendered. The answer
// itself goes out untouched (its cookies are attached to it).
const keep = defineMiddleware(async (context, next) => {
  const response = await next();
  const wanted = context.locals.keepRendered;
  if (!wanted || response.status !== 200 || context.request.method !== 'GET') return response;
  const body = new Uint8Array(await response.clone().arrayBuffer());
  keepPage(wanted.key, { body, contentType: response.headers.get('content-type') ?? 'text/html; charset=utf-8', until: wanted.until.getTime() });
  return response;
});

startNightlyJobs();
// Messages: one outbox worker per server process; src/server/main.ts stops it on shutdown, before the database closes.
startOutboxWorker();

export const onRequest = sequence(headers, bodies, session, guard, keep);
