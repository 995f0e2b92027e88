// POST: the authenticator's answer for a new passkey; checked, then kept.
import type { APIRoute } from 'astro';
import { passkeyAnswerSchema } from '../../../features/passkeys/passkeys';
import { finishPasskeyRegistration } from '../../../features/passkeys/passkeys.service';
import { ConflictError } from '../../../lib/errors';
import { getDb } from '../../../lib/server/db';
import { json, readJsonPost } from '../../../lib/server/json-post';
import { publicOrigin } from '../../../lib/server/sign-in-attempt-cookie';

export const POST: APIRoute = async ({ request, url, locals }) => {
  const read = await readJsonPost(request, url);
  if (!read.ok) return read.response;
  if (!locals.user) return json({ error: 'Du er ikke logget ind.' }, 401);
  const answer = passkeyAnswerSchema.safeParse(read.body);
  if (!answer.success) return json({ error: 'Svaret fra adgangsnøglen kunne ikke læses.' }, 400);
  try {
    const saved = await finishPasskeyRegistration(getDb(), { user: locals.user, ip: locals.ip }, publicOrigin(url), answer.data, new Date());
    return json({ name: saved.name }, 200);
  } catch (error) {
    if (error instanceof ConflictError) return json({ error: error.message }, 409);
    throw error;
  }
};
