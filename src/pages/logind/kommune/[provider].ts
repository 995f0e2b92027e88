// "Log ind med Ishøj Kommune": starts the sign-in at the municipality's own login and sends the browser there.
import type { APIRoute } from 'astro';
import { findProvider, startProviderSignIn } from '../../../features/oidc/oidc.service';
import { getDb } from '../../../lib/server/db';
import { publicOrigin, setSignInAttemptCookie } from '../../../lib/server/sign-in-attempt-cookie';

export const GET: APIRoute = async (context) => {
  const config = findProvider(context.params['provider']);
  if (!config) return new Response('Siden findes ikke.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
  const next = context.url.searchParams.get('naeste');
  if (context.locals.user) return context.redirect('/personale', 303);
  const started = await startProviderSignIn(getDb(), config, publicOrigin(context.url), next, new Date());
  if (!started.ok) return context.redirect(`/logind/kommune/${config.name}/retur?fejl=forbindelse`, 303);
  setSignInAttemptCookie(context.cookies, context.url, started.attemptSecret, started.expiresAt);
  return context.redirect(started.redirectTo.href, 303);
};
