// POST: options for adding a passkey (the page's script hands them to the browser's authenticator).
import type { APIRoute } from 'astro';
import { startPasskeyRegistration } from '../../../features/passkeys/passkeys.service';
import { ConflictError } from '../../../lib/errors';
import { getDb } from '../../../lib/server/db';
import { json, readJsonPost } from '../../../lib/server/json-post';
import { publicOrigin } from '../../../lib/server/sign-in-attempt-cookie';

export const POST: APIRoute = async ({ request, url, locals }) => {
  const read = await readJsonPost(request, url);
  if (!read.ok) return read.response;
  if (!locals.user) return json({ error: 'Du er ikke logget ind.' }, 401);
  try {
    return json(await startPasskeyRegistration(getDb(), { user: locals.user, ip: locals.ip }, publicOrigin(url), new Date()), 200);
  } catch (error) {
    if (error instanceof ConflictError) return json({ error: error.message }, 409);
    throw error;
  }
};
