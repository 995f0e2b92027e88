import { describe, expect, it } from 'vitest';
import { clientIp, isTrustedProxy, parseTrustProxy, reachedOverHttps, securityHeaders, useSecureCookie } from '../../src/lib/http-security';

describe('securityHeaders', () => {
  it('sends the strict policy and the usual guards on every page', () => {
    const h = securityHeaders('/', false);
    expect(h['Content-Security-Policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
    );
    expect(h['X-Content-Type-Options']).toBe('nosniff');
    expect(h['X-Frame-Options']).toBe('DENY');
    expect(h['Referrer-Policy']).toBe('strict-origin-when-cross-origin');
    expect(h['Permissions-Policy']).toBe('camera=(), microphone=(), geolocation=()');
    expect(h['Cache-Control']).toBeUndefined();
  });

  it('sends HSTS only over HTTPS', () => {
    expect(securityHeaders('/', false)['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders('/', true)['Strict-Transport-Security']).toMatch(/^max-age=\d+/);
  });

  it('keeps one-time links out of the Referer header', () => {
    expect(securityHeaders('/adgang/abcdefghijklmnopqrst', false)['Referrer-Policy']).toBe('same-origin');
    expect(securityHeaders('/familie/abcdefghijklmnopqrst', false)['Referrer-Policy']).toBe('same-origin');
    expect(securityHeaders('/personale/kalender', false)['Referrer-Policy']).toBe('same-origin');
    expect(securityHeaders('/kalender/personale/abcdefghijklmnopqrst.ics', false)['Referrer-Policy']).toBe('no-referrer');
    expect(securityHeaders('/grupper/pigegruppen', false)['Referrer-Policy']).toBe('strict-origin-when-cross-origin');
  });

  it.each(['/personale', '/personale/brugere', '/logind', '/adgang/abc', '/logud'])('%s is never cached', (path) => {
    expect(securityHeaders(path, false)['Cache-Control']).toBe('private, no-store');
  });

  it('does not mark a public page like /personalet private', () => {
    expect(securityHeaders('/personalet', false)['Cache-Control']).toBeUndefined();
  });
});

describe('useSecureCookie', () => {
  it('is Secure in production', () => {
    expect(useSecureCookie(new URL('https://grupper.example.dk/logind'), true, undefined)).toBe(true);
    expect(useSecureCookie(new URL('http://grupper.example.dk/logind'), true, undefined)).toBe(true);
  });

  it('is not Secure on http://localhost or 127.0.0.1, nor in development, nor when the operator says so', () => {
    expect(useSecureCookie(new URL('http://localhost:4400/logind'), true, undefined)).toBe(false);
    expect(useSecureCookie(new URL('http://127.0.0.1:4400/logind'), true, undefined)).toBe(false);
    expect(useSecureCookie(new URL('https://grupper.example.dk/'), false, undefined)).toBe(false);
    expect(useSecureCookie(new URL('http://intranet/'), true, '1')).toBe(false);
  });

  it('stays Secure on https://localhost', () => {
    expect(useSecureCookie(new URL('https://localhost/'), true, undefined)).toBe(true);
  });
});

describe('clientIp', () => {
  const none = parseTrustProxy(undefined);
  const loopback = parseTrustProxy('1');
  const office = parseTrustProxy('10.0.0.0/8, 192.168.1.7');

  it('uses the socket address when no proxy is trusted, whatever the client sends', () => {
    expect(clientIp('10.0.0.5', '1.2.3.4', none)).toBe('10.0.0.5');
    expect(clientIp(null, null, none)).toBeNull();
  });

  it('believes X-Forwarded-For only from a trusted proxy address', () => {
    expect(clientIp('127.0.0.1', '203.0.113.7', loopback)).toBe('203.0.113.7');
    expect(clientIp('::ffff:127.0.0.1', '203.0.113.7', loopback)).toBe('203.0.113.7');
    expect(clientIp('198.51.100.9', '203.0.113.7', loopback)).toBe('198.51.100.9');
    expect(clientIp('10.3.4.5', '203.0.113.7', office)).toBe('203.0.113.7');
    expect(clientIp('192.168.1.8', '203.0.113.7', office)).toBe('192.168.1.8');
  });

  it('takes the first address from the right that is not a trusted proxy, not what the client claimed', () => {
    expect(clientIp('10.0.0.5', '6.6.6.6, 203.0.113.7', office)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.5', '6.6.6.6, 203.0.113.7, 10.0.0.9', office)).toBe('203.0.113.7');
    expect(clientIp('10.0.0.5', '', office)).toBe('10.0.0.5');
    expect(clientIp('10.0.0.5', 'not-an-address', office)).toBe('10.0.0.5');
  });
});

describe('parseTrustProxy', () => {
  it('takes addresses, lists and CIDR ranges, and 1 for loopback', () => {
    expect(isTrustedProxy(parseTrustProxy('1'), '::1')).toBe(true);
    expect(isTrustedProxy(parseTrustProxy('1'), '127.0.0.2')).toBe(true);
    expect(isTrustedProxy(parseTrustProxy('1'), '10.0.0.1')).toBe(false);
    expect(isTrustedProxy(parseTrustProxy('10.0.0.0/8'), '10.200.1.1')).toBe(true);
    expect(isTrustedProxy(parseTrustProxy('fd00::/8'), 'fd12::1')).toBe(true);
    expect(isTrustedProxy(parseTrustProxy(''), '127.0.0.1')).toBe(false);
  });

  it('refuses what is not an address, so a typo does not silently trust nobody', () => {
    expect(() => parseTrustProxy('proxy.local')).toThrow(/TRUST_PROXY/);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/TRUST_PROXY/);
  });
});

describe('reachedOverHttps', () => {
  it('believes X-Forwarded-Proto only from a trusted proxy', () => {
    const loopback = parseTrustProxy('1');
    expect(reachedOverHttps('127.0.0.1', 'https', loopback)).toBe(true);
    expect(reachedOverHttps('203.0.113.7', 'https', loopback)).toBe(false);
    expect(reachedOverHttps('127.0.0.1', 'http', loopback)).toBe(false);
    expect(reachedOverHttps('127.0.0.1', 'https', parseTrustProxy(undefined))).toBe(false);
  });
});
