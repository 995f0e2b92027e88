// The filtered audit log as a CSV file for Danish Excel (coordinator only; the export is itself logged).
import type { APIRoute } from 'astro';
import { auditFilterSchema, toAuditFilter } from '../../../features/audit/audit';
import { exportAuditCsv } from '../../../features/audit/audit.service';
import { ForbiddenError } from '../../../lib/errors';
import { parseForm } from '../../../lib/forms';
import { getDb } from '../../../lib/server/db';
import { todayInZone } from '../../../lib/time';

export const GET: APIRoute = async ({ locals, url }) => {
  const user = locals.user;
  if (!user) return new Response(null, { status: 303, headers: { Location: '/logind' } });
  const parsed = parseForm(auditFilterSchema, Object.fromEntries(url.searchParams));
  if (!parsed.ok) {
    return new Response(`Filteret er ikke gyldigt: ${Object.values(parsed.errors).join(' ')}`, {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
    });
  }
  const now = new Date();
  try {
    const csv = await exportAuditCsv(getDb(), { user, ip: locals.ip }, toAuditFilter(parsed.data), now);
    return new Response(csv, {
      headers: {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="log-${todayInZone(now)}.csv"`,
      },
    });
  } catch (error) {
    if (error instanceof ForbiddenError) return new Response(error.message, { status: 403 });
    throw error;
  }
};
