import type { APIRoute } from 'astro';
import { signOut } from '../features/auth/auth.service';
import { getDb } from '../lib/server/db';
import { deleteSessionCookie } from '../lib/server/session-cookie';
import { providerSignOutUrl } from '../features/oidc/oidc.service';
import { publicOrigin } from '../lib/server/sign-in-attempt-cookie';
import { CLEAR_SITE_DATA } from '../lib/server/offline-cache';

// Only POST signs out: a link or an image on another page must not be able to do it.
export const POST: APIRoute = async (context) => {
  const { user, sessionId, ip, secondFactor } = context.locals;
  // A session from a municipality's login also ends there, where the provider offers it (asked before the session goes).
  const atProvider = sessionId ? await providerSignOutUrl(getDb(), sessionId, publicOrigin(context.url)) : null;
  if (user && sessionId) {
    const form = await context.request.formData().catch(() => null);
    const everywhere = form?.get('overalt') === '1';
    await signOut(getDb(), { user, ip }, sessionId, { everywhere }, new Date());
  } else if (secondFactor) {
    // A password-only session (the second factor never given) ends too.
    await signOut(getDb(), { user: secondFactor.user, ip }, secondFactor.sessionId, { everywhere: false }, new Date());
  }
  deleteSessionCookie(context.cookies, context.url);
  return new Response(null, { status: 303, headers: { Location: atProvider?.href ?? '/logind?logget-ud=1', 'Clear-Site-Data': CLEAR_SITE_DATA } });
};

export const GET: APIRoute = (context) => context.redirect(context.locals.user ? '/personale' : '/logind', 303);
