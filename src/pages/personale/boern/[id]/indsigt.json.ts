// Insight (GDPR art. 15) as a JSON download. Coordinator only; the export is recorded in the audit trail.
import type { APIRoute } from 'astro';
import { insightFileName, insightJson } from '../../../../features/insight/insight';
import { getChildInsight } from '../../../../features/insight/insight.service';
import { ForbiddenError, NotFoundError } from '../../../../lib/errors';
import { getDb } from '../../../../lib/server/db';

export const GET: APIRoute = async ({ locals, params }) => {
  const user = locals.user;
  if (!user) return new Response(null, { status: 303, headers: { Location: '/logind' } });
  try {
    const report = await getChildInsight(getDb(), { user, ip: locals.ip }, params.id ?? '', 'json', new Date());
    return new Response(insightJson(report), {
      headers: {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Disposition': `attachment; filename="${insightFileName(report)}"`,
      },
    });
  } catch (error) {
    const text = { 'Content-Type': 'text/plain; charset=utf-8' };
    if (error instanceof ForbiddenError) return new Response(error.message, { status: 403, headers: text });
    if (error instanceof NotFoundError) return new Response(error.message, { status: 404, headers: text });
    throw error;
  }
};
