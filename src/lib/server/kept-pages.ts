// Rendered pages kept in memory, for pages that are costly to build and read far more often than their data
// changes (the yearly figures: 400 KB of tables and charts on ten years of data). The page decides the key (who it
// was rendered for and which version of the data) and until when it holds; the middleware keeps the bytes once
// the page has rendered (see `keepRendered` in App.Locals). Each process keeps its own; nothing is written to disk.

export interface KeptPage {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** Not shown after this instant (ms since the epoch). */
  until: number;
}

const MAX_BYTES = 32 * 1024 * 1024;
const MAX_PAGE_BYTES = 4 * 1024 * 1024;

const pages = new Map<string, KeptPage>();
let bytes = 0;

function forget(key: string): void {
  const page = pages.get(key);
  if (!page) return;
  pages.delete(key);
  bytes -= page.body.byteLength;
}

/** The page kept under `key`, if it still holds at `now`. */
export function keptPage(key: string, now: Date): KeptPage | null {
  const page = pages.get(key);
  if (!page) return null;
  if (now.getTime() >= page.until) {
    forget(key);
    return null;
  }
  // Most recently used last: the first entries are the ones to let go.
  pages.delete(key);
  pages.set(key, page);
  return page;
}

export function keepPage(key: string, page: KeptPage): void {
  forget(key);
  if (page.body.byteLength > MAX_PAGE_BYTES) return;
  for (const oldest of pages.keys()) {
    if (bytes + page.body.byteLength <= MAX_BYTES) break;
    forget(oldest);
  }
  pages.set(key, page);
  bytes += page.body.byteLength;
}

/**
 * A kept page as a response (a new one each time: the middleware adds its headers to it). The bytes go out as one
 * chunk of a stream: a Uint8Array body would be copied first (half a millisecond for the figures page).
 */
export function keptResponse(page: KeptPage): Response {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(page.body);
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': page.contentType, 'content-length': String(page.body.byteLength) } });
}
