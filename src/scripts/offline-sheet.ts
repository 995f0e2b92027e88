// Registers the staff pages' service worker (public/sw.js, scope /personale/) from the attendance pages, and asks it
// to keep today's sheets and the files this page loaded, so the sheet opens with no network. The page was fetched
// before the worker ran, so it is named here once more. Pages work the same without it.

export function keepSheetsOffline(): void {
  const marker = document.querySelector<HTMLElement>('[data-offline-sheet]');
  if (!marker || !('serviceWorker' in navigator)) return;
  navigator.serviceWorker
    .register('/sw.js', { scope: '/personale/' })
    .then(async () => {
      const registration = await navigator.serviceWorker.ready;
      const pages = [location.pathname, ...Array.from(document.querySelectorAll<HTMLAnchorElement>('a[data-offline-keep]'), (a) => new URL(a.href).pathname)];
      const files = performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name))
        .filter((url) => url.origin === location.origin)
        .map((url) => url.pathname);
      registration.active?.postMessage({ type: 'keep', pages, files: [...files, '/styles.css', '/favicon.svg'] });
    })
    .catch(() => undefined);
}
