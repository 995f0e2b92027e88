// The one wrapper around `openid-client` (the relying party): discovery, the authorization request with PKCE, state
// and nonce, the code exchange with the ID token checked, and the end-session address. Everything else in the app
// sees plain values and a small set of failure kinds.
import * as client from 'openid-client';

/** What the relying party needs to know of one provider (features/oidc's RelyingPartyConfig has these and more). */
export interface RelyingPartyConfig {
  name: string;
  issuer: URL;
  clientId: string;
  clientSecret: string;
}

/** Seconds of clock difference tolerated on the ID token's exp/iat (servers run NTP; the library's default is 30). */
export const ID_TOKEN_CLOCK_TOLERANCE_S = 5;

const discovered = new Map<string, Promise<client.Configuration>>();

/** The provider's metadata, fetched once per process (a failed fetch is tried again next time). */
function configurationOf(config: RelyingPartyConfig): Promise<client.Configuration> {
  const key = `${config.name}|${config.issuer.href}|${config.clientId}`;
  let pending = discovered.get(key);
  if (!pending) {
    pending = client
      .discovery(
        config.issuer,
        config.clientId,
        { client_secret: config.clientSecret, [client.clockTolerance]: ID_TOKEN_CLOCK_TOLERANCE_S },
        client.ClientSecretPost(config.clientSecret),
        config.issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests], timeout: 10 } : { timeout: 10 },
      )
      .catch((error: unknown) => {
        discovered.delete(key);
        throw error;
      });
    discovered.set(key, pending);
  }
  return pending;
}

export class ProviderUnavailableError extends Error {
  constructor(cause: unknown) {
    super('The identity provider could not be reached.', { cause });
    this.name = 'ProviderUnavailableError';
  }
}

export interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** The address to send the browser to, with fresh state, nonce and PKCE verifier (keep all three for the return). */
export async function buildAuthorizationRequest(config: RelyingPartyConfig, redirectUri: string): Promise<AuthorizationRequest> {
  let configuration: client.Configuration;
  try {
    configuration = await configurationOf(config);
  } catch (error) {
    throw new ProviderUnavailableError(error);
  }
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(configuration, {
    redirect_uri: redirectUri,
    scope: 'openid email profile',
    response_type: 'code',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, state, nonce, codeVerifier };
}

export type CodeExchangeResult =
  | { ok: true; claims: Record<string, unknown>; idToken: string }
  /** The person cancelled or the provider refused (an `error` in the return address). */
  | { ok: false; kind: 'denied'; detail: string }
  /** Anything that does not check out: state, nonce, PKCE, signature, issuer, audience, expiry. */
  | { ok: false; kind: 'invalid'; detail: string }
  | { ok: false; kind: 'unavailable'; detail: string };

/**
 * Checks the return address against the expected state, exchanges the code (with the PKCE verifier) and verifies
 * the ID token: signature, issuer, audience, expiry and nonce. `currentUrl` is the return address as the browser
 * called it, with the site's public origin.
 */
export async function exchangeAuthorizationCode(
  config: RelyingPartyConfig,
  currentUrl: URL,
  expected: { state: string; nonce: string; codeVerifier: string },
): Promise<CodeExchangeResult> {
  let configuration: client.Configuration;
  try {
    configuration = await configurationOf(config);
  } catch (error) {
    return { ok: false, kind: 'unavailable', detail: String(error) };
  }
  try {
    const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
      pkceCodeVerifier: expected.codeVerifier,
      expectedState: expected.state,
      expectedNonce: expected.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims || !tokens.id_token) return { ok: false, kind: 'invalid', detail: 'no ID token' };
    return { ok: true, claims: { ...claims }, idToken: tokens.id_token };
  } catch (error) {
    if (error instanceof client.AuthorizationResponseError) {
      return { ok: false, kind: 'denied', detail: `${error.error}: ${error.error_description ?? ''}` };
    }
    if (error instanceof client.ClientError || error instanceof client.ResponseBodyError) {
      const code = 'code' in error ? String(error.code) : error.name;
      // The library's own words say which check failed (e.g. 'unexpected ID Token "nonce" claim value').
      const reason = error.cause instanceof Error ? error.cause.message : error.message;
      return { ok: false, kind: 'invalid', detail: `${code}: ${reason}` };
    }
    return { ok: false, kind: 'unavailable', detail: String(error) };
  }
}

/** The provider's end-session address (RP-initiated logout), or null when it offers none or cannot be reached. */
export async function buildEndSessionUrl(config: RelyingPartyConfig, idToken: string | null, postLogoutRedirectUri: string): Promise<URL | null> {
  try {
    const configuration = await configurationOf(config);
    if (!configuration.serverMetadata().end_session_endpoint) return null;
    const params: Record<string, string> = { post_logout_redirect_uri: postLogoutRedirectUri, client_id: config.clientId };
    if (idToken) params['id_token_hint'] = idToken;
    return client.buildEndSessionUrl(configuration, params);
  } catch {
    return null;
  }
}

/** For tests: forget discovered metadata (a provider restarted on a new port). */
export function forgetDiscoveredProviders(): void {
  discovered.clear();
}
