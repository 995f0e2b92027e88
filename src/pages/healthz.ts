import type { APIRoute } from 'astro';
import { getDb, isDatabaseReachable } from '../lib/server/db';

export const GET: APIRoute = async () => {
  const ok = await isDatabaseReachable(getDb());
  return new Response(ok ? 'ok\n' : 'database unreachable\n', {
    status: ok ? 200 : 503,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  });
};
