// POST: the authenticator's answer to a passkey sign-in; a correct one starts a signed-in session.
import type { APIRoute } from 'astro';
import { safeNextPath } from '../../../features/auth/auth';
import { passkeyAnswerSchema } from '../../../features/passkeys/passkeys';
import { finishPasskeySignIn } from '../../../features/passkeys/passkeys.service';
import { getDb } from '../../../lib/server/db';
import { json, readJsonPost } from '../../../lib/server/json-post';
import { setSessionCookie } from '../../../lib/server/session-cookie';
import { publicOrigin } from '../../../lib/server/sign-in-attempt-cookie';

export const POST: APIRoute = async ({ request, url, locals, cookies }) => {
  const read = await readJsonPost(request, url);
  if (!read.ok) return read.response;
  const answer = passkeyAnswerSchema.safeParse(read.body);
  if (!answer.success) return json({ error: 'Svaret fra adgangsnøglen kunne ikke læses.' }, 400);
  const next = safeNextPath(typeof (read.body as { next?: unknown }).next === 'string' ? (read.body as { next: string }).next : null);
  const result = await finishPasskeySignIn(getDb(), publicOrigin(url), answer.data, {
    ip: locals.ip,
    userAgent: request.headers.get('user-agent'),
  }, new Date());
  if (!result.ok) return json({ error: result.message }, 403);
  setSessionCookie(cookies, url, result.token, result.expiresAt);
  return json({ next }, 200);
};
