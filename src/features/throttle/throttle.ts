// Rate limits as pure arithmetic: a fixed window that counts attempts, and a block once the count reaches the limit.
// The state lives in the `rate_limits` table (see throttle.service.ts) so every app process sees the same counts.

export interface RateLimitPolicy {
  /** Attempts allowed in one window; the attempt that reaches this number starts the block. */
  max: number;
  windowSeconds: number;
  /** How long the key is refused once it has reached `max`. */
  blockSeconds: number;
}

export interface RateLimitState {
  attempts: number;
  windowStartedAt: Date;
  blockedUntil: Date | null;
}

export interface RateLimitDecision {
  allowed: boolean;
  /** Whole seconds until the key is allowed again; 0 when allowed. */
  retryAfterSeconds: number;
}

// Sign-in attempts are counted before the password is checked (see signIn), so a burst of simultaneous attempts
// gets no more checks than `max`. A correct password clears the account's counts.

/** Attempts at one account from one address: 5 in 15 minutes, then 15 minutes' pause (for that address only). */
export const LOGIN_ACCOUNT_ADDRESS_POLICY: RateLimitPolicy = { max: 5, windowSeconds: 15 * 60, blockSeconds: 15 * 60 };
/**
 * Attempts at one account from any address: 20 in an hour, then a 5-minute pause. Slower, so many addresses cannot
 * guess fast; short, so a stranger's wrong passwords lock the owner out for minutes, not for a quarter of an hour.
 */
export const LOGIN_ACCOUNT_POLICY: RateLimitPolicy = { max: 20, windowSeconds: 60 * 60, blockSeconds: 5 * 60 };
/** Attempts from one address (an office shares one): 30 in 15 minutes, then 15 minutes' pause. */
export const LOGIN_IP_POLICY: RateLimitPolicy = { max: 30, windowSeconds: 15 * 60, blockSeconds: 15 * 60 };

export function loginAccountKey(email: string): string {
  return `login:account:${email.trim().toLowerCase()}`;
}

export function loginAccountAddressKey(email: string, ip: string | null): string {
  return `login:account-ip:${email.trim().toLowerCase()}|${ip ?? 'unknown'}`;
}

export function loginIpKey(ip: string | null): string {
  return `login:ip:${ip ?? 'unknown'}`;
}

/**
 * Starting a sign-in at a municipality's login, from one address: 30 in 5 minutes, then 5 minutes' pause. Each start
 * writes a row and asks the provider's discovery document, so a loop of starts is stopped early; a whole office behind
 * one address signs in once a day each, and a finished sign-in gives its count back.
 */
export const PROVIDER_START_IP_POLICY: RateLimitPolicy = { max: 30, windowSeconds: 5 * 60, blockSeconds: 5 * 60 };

export function providerStartKey(ip: string | null): string {
  return `oidc-start:ip:${ip ?? 'unknown'}`;
}

function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

/** Is the key refused right now? Does not count anything. */
export function rateLimitStatus(state: RateLimitState | null, now: Date): RateLimitDecision {
  if (state?.blockedUntil && state.blockedUntil.getTime() > now.getTime()) {
    return { allowed: false, retryAfterSeconds: secondsUntil(state.blockedUntil, now) };
  }
  return { allowed: true, retryAfterSeconds: 0 };
}

/**
 * Counts one attempt. A refused attempt (the key is blocked) changes nothing, so hammering a blocked key does not
 * stretch the block. A window that has run out, or a block that is over, starts a fresh count.
 */
export function applyRateLimitHit(
  state: RateLimitState | null,
  policy: RateLimitPolicy,
  now: Date,
): { state: RateLimitState; decision: RateLimitDecision } {
  const current = rateLimitStatus(state, now);
  if (state && !current.allowed) return { state, decision: current };

  const nowMs = now.getTime();
  const windowOver = !state || nowMs - state.windowStartedAt.getTime() >= policy.windowSeconds * 1000;
  const blockOver = Boolean(state?.blockedUntil);
  const fresh = windowOver || blockOver;
  const attempts = fresh ? 1 : state.attempts + 1;
  const windowStartedAt = fresh ? now : state.windowStartedAt;
  const blockedUntil = attempts >= policy.max ? new Date(nowMs + policy.blockSeconds * 1000) : null;
  return { state: { attempts, windowStartedAt, blockedUntil }, decision: { allowed: true, retryAfterSeconds: 0 } };
}

/** Minutes for a person, rounded up: "prøv igen om 15 minutter". */
export function retryAfterMinutes(retryAfterSeconds: number): number {
  return Math.max(1, Math.ceil(retryAfterSeconds / 60));
}
