import type { APIRoute } from 'astro';
import { familyCalendar } from '../../../features/families/families.service';
import { conditionalResponse, httpDate } from '../../../features/feeds/feeds';
import { getDb } from '../../../lib/server/db';

// The family's calendar (/familie/<token>/kalender.ics): the child's group meetings and booked conversations.
// The child's first name at most, in a conversation's description. Closed together with the family link.

const respond: APIRoute = async ({ params, request, locals }) => {
  const result = await familyCalendar(getDb(), params['token'], locals.ip, new Date());
  const base = { 'cache-control': 'private, no-store', 'x-robots-tag': 'noindex, nofollow' };
  if (result.kind === 'limited') {
    return new Response('Prøv igen senere.\n', {
      status: 429,
      headers: { ...base, 'content-type': 'text/plain; charset=utf-8', 'retry-after': String(result.retryAfterSeconds) },
    });
  }
  if (result.kind === 'gone') {
    return new Response('Kalenderen findes ikke.\n', { status: 404, headers: { ...base, 'content-type': 'text/plain; charset=utf-8' } });
  }
  const feed = result.value;
  const headers = new Headers({ ...base, 'content-type': 'text/calendar; charset=utf-8', etag: feed.etag });
  if (feed.lastModified) headers.set('last-modified', httpDate(feed.lastModified));
  if (conditionalResponse(request.headers, feed.etag, feed.lastModified) === 304) return new Response(null, { status: 304, headers });
  headers.set('content-disposition', 'inline; filename="gruppeforloeb.ics"');
  return new Response(request.method === 'HEAD' ? null : feed.body, { status: 200, headers });
};

export const GET = respond;
export const HEAD = respond;
