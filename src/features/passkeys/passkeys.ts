// Passkeys (WebAuthn) for local staff accounts: the rules, no I/O. An account tied to a municipality's login signs in
// there only, so the day the municipality turns the login off, no passkey keeps the door open here.
import { z } from 'astro/zod';

/** A challenge handed to the browser must be answered within this long. */
export const CHALLENGE_LIFETIME_MS = 5 * 60 * 1000;

/** At most this many passkeys per person (a phone, a laptop, a spare security key, ...). */
export const MAX_PASSKEYS = 10;

export const PASSKEYS_PATH = '/personale/adgangsnoegler';

export const passkeyNameSchema = z.object({
  name: z
    .string()
    .trim()
    .max(60, 'Navnet må højst være 60 tegn.')
    .transform((v) => v || 'Adgangsnøgle'),
});

/** What the browser posts back: the challenge id we gave it and the authenticator's answer (checked by the library). */
export const passkeyAnswerSchema = z.object({
  challengeId: z.string().regex(/^[a-z2-7]{16,128}$/),
  response: z.object({ id: z.string().min(1).max(1024) }).passthrough(),
  name: z.string().max(200).optional(),
});
export type PasskeyAnswer = z.output<typeof passkeyAnswerSchema>;

/** Why a passkey cannot be added for this person, or null when it can. */
export function passkeyNotAllowed(facts: { linkedProvider: string | null; passkeyCount: number }): string | null {
  if (facts.linkedProvider !== null) return 'Du logger ind med din kommunes login. Adgangsnøgler er til konti med egen adgangskode.';
  if (facts.passkeyCount >= MAX_PASSKEYS) return `Du kan højst have ${MAX_PASSKEYS} adgangsnøgler. Fjern en, før du tilføjer en ny.`;
  return null;
}

/** The short name a new passkey gets: what the person typed, or a plain default. */
export function passkeyName(typed: string | undefined): string {
  const parsed = passkeyNameSchema.safeParse({ name: typed ?? '' });
  return parsed.success ? parsed.data.name : 'Adgangsnøgle';
}
