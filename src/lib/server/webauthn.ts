// The one wrapper around `@simplewebauthn/server`: passkey registration and sign-in options, and the checks of what
// the browser's authenticator answered. User verification is required (a passkey replaces password and code).
import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
  type AuthenticationResponseJSON, type PublicKeyCredentialCreationOptionsJSON, type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { decodeBase64urlIgnorePadding, encodeBase64urlNoPadding } from '@oslojs/encoding';

export type { AuthenticationResponseJSON, RegistrationResponseJSON };

const RP_NAME = 'Gruppeforløb';
const TIMEOUT_MS = 120_000;

/** The relying party: the site's public origin, and its host name as the RP id. */
export interface RelyingParty {
  origin: string;
  rpId: string;
}

export function relyingParty(publicOrigin: string): RelyingParty {
  const url = new URL(publicOrigin);
  return { origin: url.origin, rpId: url.hostname };
}

export interface StoredPasskey {
  id: string;
  publicKey: string;
  counter: number;
  transports: string[];
}

export async function registrationOptions(
  rp: RelyingParty,
  user: { id: string; email: string; displayName: string },
  existing: readonly StoredPasskey[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.rpId,
    userName: user.email,
    userDisplayName: user.displayName,
    userID: new TextEncoder().encode(user.id),
    timeout: TIMEOUT_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  });
}

/** What both checks demand of an answer: our challenge, our origin and site, and a verified user. */
function expected(rp: RelyingParty, expectedChallenge: string) {
  return { expectedChallenge, expectedOrigin: rp.origin, expectedRPID: rp.rpId, requireUserVerification: true };
}

export async function checkRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
): Promise<StoredPasskey | null> {
  try {
    const result = await verifyRegistrationResponse({ response, ...expected(rp, expectedChallenge) });
    if (!result.verified) return null;
    const { credential } = result.registrationInfo;
    return {
      id: credential.id,
      publicKey: encodeBase64urlNoPadding(credential.publicKey),
      counter: credential.counter,
      transports: credential.transports ?? [],
    };
  } catch {
    return null;
  }
}

export async function authenticationOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  // No allowCredentials: the browser offers the passkeys it holds for this site (discoverable credentials).
  return generateAuthenticationOptions({ rpID: rp.rpId, timeout: TIMEOUT_MS, userVerification: 'required' });
}

/** The new signature counter when the answer checks out, else null. */
export async function checkAuthentication(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  passkey: StoredPasskey,
): Promise<{ newCounter: number } | null> {
  try {
    const result = await verifyAuthenticationResponse({
      response,
      ...expected(rp, expectedChallenge),
      credential: { id: passkey.id, publicKey: new Uint8Array(decodeBase64urlIgnorePadding(passkey.publicKey)), counter: passkey.counter, transports: passkey.transports as never },
    });
    return result.verified ? { newCounter: result.authenticationInfo.newCounter } : null;
  } catch {
    return null;
  }
}
