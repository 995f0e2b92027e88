// The staff pages' service worker: today's attendance sheets open and work with no network (issue 11).
//
// Registered with scope /personale/ by src/scripts/offline-sheet.ts from the attendance pages. It keeps only:
// - the attendance pages (/personale/fremmoede and /personale/fremmoede/<meeting>), in a cache named for the signed-in
//   session: every staff page the server answers carries that name (header X-Offline-Cache), so a page is served
//   from the cache only to the session it was fetched for, and pages kept for any other session are deleted as soon
//   as a staff page is answered for a new one;
// - the static files those pages load (/_astro/*, /styles.css, /favicon.svg), which hold no personal data.
// Pages are always asked from the network first; the cache answers only when the network does not. A sheet answered
// with a redirect (signed out, not allowed) empties the kept pages, and signing out (/logud) sends
// Clear-Site-Data: "cache", "storage", which removes this worker and everything it kept.
// Posts (the marks) are never touched: the sheet keeps unsent marks itself and sends them when the network is back.

const PAGES = 'fremmoede-sider-';
const FILES = 'fremmoede-filer';
const META = 'fremmoede-meta';
const KEY_ENTRY = '/personale/fremmoede/__cache-key';
const HEADER = 'X-Offline-Cache';
const SHEET = /^\/personale\/fremmoede(\/[A-Za-z0-9-]+)?\/?$/;
const FILE = /^\/(_astro\/[^/]+\.(js|css|svg|woff2)|styles\.css|favicon\.svg)$/;

/** The session the kept pages belong to; undefined until read from META (the worker may be restarted any time). */
let current;

async function currentKey() {
  if (current === undefined) {
    const hit = await (await caches.open(META)).match(KEY_ENTRY);
    current = hit ? await hit.text() : null;
  }
  return current;
}

/** A page was answered for session `key` (null: nobody signed in): pages kept for anyone else go. */
async function setKey(key) {
  if (key === (await currentKey())) return;
  current = key;
  const meta = await caches.open(META);
  if (key) await meta.put(KEY_ENTRY, new Response(key));
  else await meta.delete(KEY_ENTRY);
  for (const name of await caches.keys()) {
    if (name.startsWith(PAGES) && name !== PAGES + key) await caches.delete(name);
  }
}

/** Learns from a staff page's answer who is signed in, and keeps it when it is an attendance page. */
async function remember(url, response) {
  if (response.type === 'opaqueredirect') {
    // A staff page sends a signed-in leader's sheet nowhere else: a redirect here means signed out or not allowed.
    if (SHEET.test(url.pathname)) await setKey(null);
    return;
  }
  const key = response.headers.get(HEADER);
  await setKey(key);
  if (key && response.status === 200 && SHEET.test(url.pathname)) {
    await (await caches.open(PAGES + key)).put(url.pathname, response.clone());
  }
}

async function page(request, url) {
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    const key = await currentKey();
    const kept = key && SHEET.test(url.pathname) ? await (await caches.open(PAGES + key)).match(url.pathname) : undefined;
    if (kept) return kept;
    throw error;
  }
  await remember(url, response);
  return response;
}

async function file(request, url) {
  const cache = await caches.open(FILES);
  // Hashed names never change their content.
  if (url.pathname.startsWith('/_astro/')) {
    const hit = await cache.match(request);
    if (hit) return hit;
  }
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const hit = await cache.match(request);
    if (hit) return hit;
    throw error;
  }
}

/** The page asks for today's sheets and the files it loaded to be kept (they were fetched before this worker ran). */
async function keep(message) {
  for (const path of Array.isArray(message.pages) ? message.pages : []) {
    const url = new URL(String(path), self.location.origin);
    if (url.origin !== self.location.origin || !SHEET.test(url.pathname)) continue;
    try {
      await remember(url, await fetch(url.pathname, { credentials: 'same-origin', redirect: 'manual' }));
    } catch {
      // No network now: kept next time.
    }
  }
  for (const path of Array.isArray(message.files) ? message.files : []) {
    const url = new URL(String(path), self.location.origin);
    if (url.origin !== self.location.origin || !FILE.test(url.pathname)) continue;
    try {
      await file(new Request(url.pathname), url);
    } catch {
      // As above.
    }
  }
}

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  if (event.origin && event.origin !== self.location.origin) return;
  if (event.data && event.data.type === 'keep') event.waitUntil(keep(event.data));
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate' && url.pathname.startsWith('/personale/')) event.respondWith(page(request, url));
  else if (FILE.test(url.pathname)) event.respondWith(file(request, url));
});
