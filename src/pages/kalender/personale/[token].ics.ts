import type { APIRoute } from 'astro';
import { conditionalResponse, httpDate } from '../../../features/feeds/feeds';
import { staffFeed } from '../../../features/feeds/feeds.service';
import { getDb } from '../../../lib/server/db';

// A staff member's personal feed behind a secret link. The token is the only key: never cached by others,
// never sent on as a referrer.

const respond: APIRoute = async ({ params, request }) => {
  const feed = await staffFeed(getDb(), params['token'] ?? '', new Date());
  const privateHeaders = { 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer' };
  if (!feed) {
    return new Response('Kalenderen findes ikke. Linket kan være skiftet ud.\n', {
      status: 404,
      headers: { ...privateHeaders, 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  const headers = new Headers({ ...privateHeaders, 'content-type': 'text/calendar; charset=utf-8', etag: feed.etag });
  if (feed.lastModified) headers.set('last-modified', httpDate(feed.lastModified));
  if (conditionalResponse(request.headers, feed.etag, feed.lastModified) === 304) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(request.method === 'HEAD' ? null : feed.body, { status: 200, headers });
};

export const GET = respond;
export const HEAD = respond;
