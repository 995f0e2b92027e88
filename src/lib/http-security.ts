import { BlockList, isIP } from 'node:net';

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
const PRIVATE_PREFIXES = ['/personale', '/logind', '/logud', '/adgang', '/familie', '/beskeder'];

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
  if (['/adgang', '/familie', '/beskeder', '/personale/kalender'].some((p) => underPrefix(pathname, p))) return 'same-origin';
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
 * TRUST_PROXY: the addresses of the reverse proxies in front of the app, whose X-Forwarded-For and X-Forwarded-Proto
 * are believed. `1` (or `true`, `loopback`) means the loopback addresses, a proxy on the same machine; otherwise a
 * comma-separated list of addresses and CIDR ranges (`10.0.0.5, 10.1.0.0/16, fd00::/8`). Unset: no proxy, the
 * forwarded headers are ignored whoever sends them.
 */
export function parseTrustProxy(value: string | undefined): BlockList {
  const trusted = new BlockList();
  for (const raw of (value ?? '').split(',')) {
    const item = raw.trim().toLowerCase();
    if (item === '' || item === '0' || item === 'false') continue;
    if (item === '1' || item === 'true' || item === 'loopback') {
      trusted.addSubnet('127.0.0.0', 8, 'ipv4');
      trusted.addAddress('::1', 'ipv6');
      continue;
    }
    const [address = '', prefix] = item.split('/');
    const family = isIP(address);
    if (family === 0) throw new Error(`TRUST_PROXY: "${raw.trim()}" is not an address or a CIDR range.`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      trusted.addAddress(address, type);
      continue;
    }
    const bits = Number(prefix);
    if (!Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) {
      throw new Error(`TRUST_PROXY: "${raw.trim()}" has no valid prefix length.`);
    }
    trusted.addSubnet(address, bits, type);
  }
  return trusted;
}

/** An IPv4 address written as IPv6 (`::ffff:127.0.0.1`, as a dual-stack socket reports it) in its IPv4 form. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped?.[1] ?? address;
}

export function isTrustedProxy(trusted: BlockList, address: string | null | undefined): boolean {
  if (!address) return false;
  const plain = plainAddress(address);
  const family = isIP(plain);
  if (family === 0) return false;
  return trusted.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The client's address. X-Forwarded-For is believed only when the request came straight from a trusted proxy, and
 * then read from the right: each trusted proxy appended the address it saw, so the first address from the right
 * that is not a trusted proxy is the client. Anything left of it is whatever the client claimed.
 */
export function clientIp(socketAddress: string | null, forwardedFor: string | null, trusted: BlockList): string | null {
  const socket = socketAddress ? plainAddress(socketAddress) : null;
  if (socket && forwardedFor && isTrustedProxy(trusted, socket)) {
    const hops = forwardedFor.split(',').map((part) => part.trim()).filter(Boolean);
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = hops[i] ?? '';
      if (i === 0 || !isTrustedProxy(trusted, hop)) return isIP(plainAddress(hop)) ? plainAddress(hop).slice(0, 64) : socket.slice(0, 64);
    }
  }
  return socket ? socket.slice(0, 64) : null;
}

/** Whether the browser reached the site over https: the socket itself, or a trusted proxy's X-Forwarded-Proto. */
export function reachedOverHttps(socketAddress: string | null, forwardedProto: string | null, trusted: BlockList): boolean {
  if (!forwardedProto || !isTrustedProxy(trusted, socketAddress)) return false;
  return forwardedProto.split(',')[0]?.trim().toLowerCase() === 'https';
}
