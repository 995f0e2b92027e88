// POST /personale/fremmoede/<meetingId>/marks.json: the attendance page's instant saves.
// Astro's checkOrigin covers form posts only, so a JSON post checks its Origin here: same origin or nothing.
// The middleware has already required a signed-in coordinator or leader; the service checks the group.
import type { APIRoute } from 'astro';
import { currentMarks, saveMarks } from '../../../../features/attendance/attendance.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../../lib/errors';
import { withoutNul } from '../../../../lib/forms';
import { getDb } from '../../../../lib/server/db';
import { json, sameOrigin } from '../../../../lib/server/json-post';

/** The open sheet asks now and then, so an afbud a family sends while it is open shows up without a reload. */
export const GET: APIRoute = async ({ params, locals }) => {
  if (!locals.user) return json({ error: 'Du er ikke logget ind.' }, 401);
  try {
    return json({ marks: await currentMarks(getDb(), { user: locals.user, ip: locals.ip }, params['meetingId'] ?? '') }, 200);
  } catch (error) {
    if (error instanceof ForbiddenError) return json({ error: error.message }, 403);
    if (error instanceof NotFoundError) return json({ error: error.message }, 404);
    throw error;
  }
};

export const POST: APIRoute = async ({ request, url, params, locals }) => {
  if (!sameOrigin(request, url)) return json({ error: 'Forespørgslen kom fra en anden side.' }, 403);
  if (!locals.user) return json({ error: 'Du er ikke logget ind.' }, 401);
  if (!(request.headers.get('content-type') ?? '').includes('application/json')) return json({ error: 'Send JSON.' }, 415);
  let body: unknown;
  try {
    // NUL characters dropped from every string (PostgreSQL refuses them), as forms.ts does for form posts.
    body = JSON.parse(await request.text(), (_key, value: unknown) => (typeof value === 'string' ? withoutNul(value) : value));
  } catch {
    return json({ error: 'Ugyldig JSON.' }, 400);
  }
  try {
    const saved = await saveMarks(getDb(), { user: locals.user, ip: locals.ip }, params['meetingId'] ?? '', body, new Date());
    return json(saved, 200);
  } catch (error) {
    if (error instanceof ValidationError) return json({ error: error.message, fields: error.fields }, 400);
    if (error instanceof ForbiddenError) return json({ error: error.message }, 403);
    if (error instanceof NotFoundError) return json({ error: error.message }, 404);
    if (error instanceof ConflictError) return json({ error: error.message }, 409);
    throw error;
  }
};
