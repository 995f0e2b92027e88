// One table of the yearly figures as a CSV file for Danish Excel: /personale/tal/<table>.csv?aar=2026
import type { APIRoute } from 'astro';
import { csvFileName, isFigureTableKey } from '../../../features/figures/figures';
import { yearlyFiguresTable } from '../../../features/figures/figures.service';
import { ForbiddenError } from '../../../lib/errors';
import { attachmentHeader, CSV_CONTENT_TYPE, toExcelCsv } from '../../../lib/csv';
import { getDb } from '../../../lib/server/db';

export const GET: APIRoute = async ({ params, locals, url }) => {
  const user = locals.user;
  if (!user) return new Response(null, { status: 303, headers: { location: '/logind' } });
  const key = params.table ?? '';
  if (!isFigureTableKey(key)) return new Response('Tabellen findes ikke.', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  try {
    const { year, table } = await yearlyFiguresTable(getDb(), { user, ip: locals.ip }, key, url.searchParams.get('aar'), new Date());
    return new Response(toExcelCsv(table.headers, table.rows), {
      headers: {
        'content-type': CSV_CONTENT_TYPE,
        'content-disposition': attachmentHeader(csvFileName(key, year)),
        'cache-control': 'private, no-store',
      },
    });
  } catch (error) {
    if (error instanceof ForbiddenError) return new Response(error.message, { status: 403, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    throw error;
  }
};
