// JSON posts from the site's own scripts (the passkey buttons). Astro's checkOrigin covers form posts only, so a JSON
// post must carry our own Origin; the body is parsed with NUL characters dropped (PostgreSQL refuses them).
import { withoutNul } from '../forms';

export function json(body: unknown, status: number): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'private, no-store' },
  });
}

/** The post came from a page of this site (its own origin, or the public one behind a proxy). */
export function sameOrigin(request: Request, url: URL): boolean {
  const origin = request.headers.get('origin');
  if (origin === null) return false;
  const allowed = new Set([url.origin]);
  const publicOrigin = process.env['PUBLIC_ORIGIN'];
  if (publicOrigin) allowed.add(new URL(publicOrigin).origin);
  return allowed.has(origin);
}

/** The parsed body, or the answer to send instead (another origin, not JSON, unreadable). */
export async function readJsonPost(request: Request, url: URL): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  if (!sameOrigin(request, url)) return { ok: false, response: json({ error: 'Forespørgslen kom fra en anden side.' }, 403) };
  if (!(request.headers.get('content-type') ?? '').includes('application/json')) return { ok: false, response: json({ error: 'Send JSON.' }, 415) };
  const text = await request.text();
  if (text.length > 64_000) return { ok: false, response: json({ error: 'For stor.' }, 413) };
  try {
    return { ok: true, body: JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? withoutNul(value) : value)) };
  } catch {
    return { ok: false, response: json({ error: 'Ugyldig JSON.' }, 400) };
  }
}
