// HTTP validators and caching headers for pages and feeds (RFC 9110 §13.1): pure, no I/O. The ETag itself is a hash
// of the bytes, made on the server (lib/server/etag.ts).

/** An HTTP date ("Wed, 14 Jan 2026 15:00:00 GMT"); HTTP dates have whole seconds. */
export function httpDate(at: Date): string {
  return at.toUTCString();
}

function etagOpaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

/**
 * 304 or 200 for a conditional GET/HEAD (RFC 9110 §13.1). If-None-Match wins: when it is present,
 * If-Modified-Since is not looked at. If-None-Match compares weakly, as the RFC says it must.
 */
export function conditionalResponse(requestHeaders: Headers, etag: string, lastModified: Date | null): 304 | 200 {
  const ifNoneMatch = requestHeaders.get('if-none-match');
  if (ifNoneMatch !== null) {
    if (ifNoneMatch.trim() === '*') return 304;
    const ours = etagOpaque(etag);
    return ifNoneMatch.split(',').some((tag) => etagOpaque(tag) === ours) ? 304 : 200;
  }
  const ifModifiedSince = requestHeaders.get('if-modified-since');
  if (ifModifiedSince !== null && lastModified !== null) {
    const since = Date.parse(ifModifiedSince);
    if (Number.isNaN(since)) return 200;
    const modifiedSecond = Math.floor(lastModified.getTime() / 1000) * 1000;
    return modifiedSecond <= since ? 304 : 200;
  }
  return 200;
}

/**
 * Cache-Control for a public page or feed: shared caches may keep it (for `maxAge` seconds, then ask again),
 * unless the request carried a cookie. Then the answer may set or refresh a staff member's session cookie,
 * and a shared cache must not hand that to anyone else.
 */
export function publicCacheControl(requestHeaders: Headers, maxAge: number): string {
  return `${requestHeaders.has('cookie') ? 'private' : 'public'}, max-age=${maxAge}, must-revalidate`;
}
