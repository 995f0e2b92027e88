import type { APIRoute } from 'astro';
import { conditionalResponse, httpDate, publicCacheControl } from '../../features/feeds/feeds';
import { publicGroupFeed } from '../../features/feeds/feeds.service';
import { getDb } from '../../lib/server/db';

// A group's public calendar feed (/grupper/<slug>.ics): dates, times and place, never a name.
// Calendar apps poll it; a 304 answers "nothing new" without the body.

const respond: APIRoute = async ({ params, request }) => {
  const feed = await publicGroupFeed(getDb(), params['slug'] ?? '', new Date());
  if (!feed) {
    return new Response('Kalenderen findes ikke.\n', {
      status: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
    });
  }
  const headers = new Headers({
    'content-type': 'text/calendar; charset=utf-8',
    'cache-control': publicCacheControl(request.headers, 0),
    etag: feed.etag,
  });
  if (feed.lastModified) headers.set('last-modified', httpDate(feed.lastModified));
  if (conditionalResponse(request.headers, feed.etag, feed.lastModified) === 304) {
    return new Response(null, { status: 304, headers });
  }
  headers.set('content-disposition', `inline; filename="${params['slug'] ?? 'kalender'}.ics"`);
  return new Response(request.method === 'HEAD' ? null : feed.body, { status: 200, headers });
};

export const GET = respond;
export const HEAD = respond;
