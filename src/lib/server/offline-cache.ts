// The name the staff pages' service worker (public/sw.js) keeps a session's attendance pages under. Derived from the
// session id (never its secret), so it changes at every sign-in and says nothing about the session to whoever reads it.
import { sha256Hex } from './tokens';

export const OFFLINE_CACHE_HEADER = 'X-Offline-Cache';

export function offlineCacheKey(sessionId: string): string {
  return sha256Hex(`offline-cache:${sessionId}`).slice(0, 32);
}

/**
 * Signing out empties what the browser kept for this site (the service worker, its caches, unsent marks in
 * localStorage): the next person on the phone gets none of it.
 */
export const CLEAR_SITE_DATA = '"cache", "storage"';
