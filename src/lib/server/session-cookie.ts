// The session cookie, the one way it is written and removed (the middleware, sign-in, sign-out and the link page).
import type { AstroCookies } from 'astro';
import { useSecureCookie } from '../http-security';

export const SESSION_COOKIE = 'session';

function secure(url: URL): boolean {
  return useSecureCookie(url, import.meta.env.PROD, process.env['INSECURE_COOKIES']);
}

export function setSessionCookie(cookies: AstroCookies, url: URL, token: string, expiresAt: Date): void {
  cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: secure(url), path: '/', expires: expiresAt });
}

export function deleteSessionCookie(cookies: AstroCookies, url: URL): void {
  cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: secure(url), path: '/', maxAge: 0 });
}

/** Whether the browser sent a session cookie at all (to tell "signed out by inactivity" from "never signed in"). */
export function sentSessionCookie(request: Request): boolean {
  return /(?:^|;\s*)session=[^;]/.test(request.headers.get('cookie') ?? '');
}
