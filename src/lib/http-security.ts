// The HTTP edge's security rules as pure functions, so they can be tested without a server:
// which headers every response carries, when the session cookie is Secure, and whose address a request came from.

const POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "object-src 'none'",
];

export const CONTENT_SECURITY_POLICY = POLICY.join('; ');

/**
 * The policy with more places a form may lead to: Chrome checks form-action on the redirects after a post too, and
 * signing out (a post to /logud) ends with a redirect to the municipality's login to sign out there as well.
 */
export function contentSecurityPolicy(formTargets: readonly string[]): string {
  if (formTargets.length === 0) return CONTENT_SECURITY_POLICY;
  return POLICY.map((d) => (d === "form-action 'self'" ? `form-action 'self' ${formTargets.join(' ')}` : d)).join('; ');
}

/** Pages with personal data or secrets in them: never kept by a shared browser cache or the back button's cache. */
const PRIVATE_PREFIXES = ['/personale', '/logind', '/logud', '/adgang', '/familie'];

function underPrefix(pathname: string, prefix: string): boolean {
  const path = pathname.toLowerCase();
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * Pages whose address holds a secret (one-time links, family links, personal feeds) must not leak it to another site.
 * Feeds post nothing and get no referrer at all; pages with their own forms get same-origin (see above).
 */
function referrerPolicyFor(pathname: string): string {
  if (underPrefix(pathname, '/kalender')) return 'no-referrer';
  if (['/adgang', '/familie', '/personale/kalender'].some((p) => underPrefix(pathname, p))) return 'same-origin';
  return 'strict-origin-when-cross-origin';
}

export function securityHeaders(pathname: string, https: boolean, formTargets: readonly string[] = []): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': contentSecurityPolicy(formTargets),
    'X-Content-Type-Options': 'nosniff',
    // A one-time link must not leak to another site through the Referer header. Not 'no-referrer': under it the
    // browser sends `Origin: null` with the page's own form posts, and the origin check then refuses them.
    'Referrer-Policy': referrerPolicyFor(pathname),
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
  };
  // Only over HTTPS: HSTS sent over plain HTTP is ignored anyway, and on a test machine it would stick to localhost.
  if (https) headers['Strict-Transport-Security'] = 'max-age=31536000; includeSubDomains';
  if (PRIVATE_PREFIXES.some((prefix) => underPrefix(pathname, prefix))) headers['Cache-Control'] = 'private, no-store';
  return headers;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The session cookie is Secure in production, except when the site itself is reached as http://localhost (the test
 * runs and a first try on the server itself), where browsers would drop or refuse to send a Secure cookie.
 * INSECURE_COOKIES=1 is the operator's escape hatch for a plain-HTTP intranet host, and is said to be one.
 */
export function useSecureCookie(url: URL, production: boolean, insecureCookies: string | undefined): boolean {
  if (!production || insecureCookies === '1') return false;
  return !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname));
}

/**
 * The client's address. X-Forwarded-For is believed only when TRUST_PROXY=1 (the app sits behind our own proxy),
 * and then only its last entry: the one our proxy added. Earlier entries are whatever the client claimed.
 */
export function clientIp(socketAddress: string | null, forwardedFor: string | null, trustProxy: boolean): string | null {
  if (trustProxy && forwardedFor) {
    const last = forwardedFor.split(',').map((part) => part.trim()).filter(Boolean).pop();
    if (last) return last.slice(0, 64);
  }
  return socketAddress ? socketAddress.slice(0, 64) : null;
}
