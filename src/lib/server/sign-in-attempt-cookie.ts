// The cookie that ties a provider's return to the browser that started the sign-in (features/oidc): a random secret,
// only its SHA-256 is stored. SameSite=Lax: the provider sends the browser back with a top-level GET.
import type { AstroCookies } from 'astro';
import { useSecureCookie } from '../http-security';

export const SIGN_IN_ATTEMPT_COOKIE = 'login_attempt';
const PATH = '/logind/kommune';

function secure(url: URL): boolean {
  return useSecureCookie(url, import.meta.env.PROD, process.env['INSECURE_COOKIES']);
}

export function setSignInAttemptCookie(cookies: AstroCookies, url: URL, secret: string, expiresAt: Date): void {
  cookies.set(SIGN_IN_ATTEMPT_COOKIE, secret, { httpOnly: true, sameSite: 'lax', secure: secure(url), path: PATH, expires: expiresAt });
}

export function takeSignInAttemptCookie(cookies: AstroCookies, url: URL): string | null {
  const value = cookies.get(SIGN_IN_ATTEMPT_COOKIE)?.value ?? null;
  cookies.set(SIGN_IN_ATTEMPT_COOKIE, '', { httpOnly: true, sameSite: 'lax', secure: secure(url), path: PATH, maxAge: 0 });
  return value;
}

/** The site's public address (behind a proxy: PUBLIC_ORIGIN), which the provider knows the return address by. */
export function publicOrigin(url: URL): string {
  return process.env['PUBLIC_ORIGIN'] ?? url.origin;
}
