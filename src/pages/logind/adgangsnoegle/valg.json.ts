// POST: options for signing in with a passkey (the sign-in page's script hands them to the browser).
import type { APIRoute } from 'astro';
import { startPasskeySignIn } from '../../../features/passkeys/passkeys.service';
import { getDb } from '../../../lib/server/db';
import { json, readJsonPost } from '../../../lib/server/json-post';
import { publicOrigin } from '../../../lib/server/sign-in-attempt-cookie';

export const POST: APIRoute = async ({ request, url }) => {
  const read = await readJsonPost(request, url);
  if (!read.ok) return read.response;
  return json(await startPasskeySignIn(getDb(), publicOrigin(url), new Date()), 200);
};
