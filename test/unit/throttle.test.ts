import { describe, expect, it } from 'vitest';
import {
  applyRateLimitHit,
  loginAccountKey,
  rateLimitStatus,
  retryAfterMinutes,
  type RateLimitPolicy,
  type RateLimitState,
} from '../../src/features/throttle/throttle';

const policy: RateLimitPolicy = { max: 3, windowSeconds: 60, blockSeconds: 300 };
const t0 = new Date('2026-03-01T10:00:00Z');
const after = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

function hits(times: number[]): { state: RateLimitState | null; allowed: boolean[] } {
  let state: RateLimitState | null = null;
  const allowed: boolean[] = [];
  for (const t of times) {
    const result = applyRateLimitHit(state, policy, after(t));
    state = result.state;
    allowed.push(result.decision.allowed);
  }
  return { state, allowed };
}

describe('applyRateLimitHit', () => {
  it('allows `max` attempts in a window and refuses the next', () => {
    expect(hits([0, 1, 2, 3]).allowed).toEqual([true, true, true, false]);
  });

  it('says how long the block lasts', () => {
    const { state } = hits([0, 1, 2]);
    expect(rateLimitStatus(state, after(3))).toEqual({ allowed: false, retryAfterSeconds: 299 });
    expect(applyRateLimitHit(state, policy, after(102)).decision).toEqual({ allowed: false, retryAfterSeconds: 200 });
  });

  it('does not stretch the block when the blocked key keeps trying', () => {
    const { state } = hits([0, 1, 2, 50, 100, 200]);
    expect(state?.blockedUntil).toEqual(after(302));
  });

  it('starts a fresh count when the block is over', () => {
    const { allowed, state } = hits([0, 1, 2, 303, 304]);
    expect(allowed).toEqual([true, true, true, true, true]);
    expect(state?.attempts).toBe(2);
  });

  it('forgets attempts from a window that has run out', () => {
    const { allowed, state } = hits([0, 1, 60, 61]);
    expect(allowed).toEqual([true, true, true, true]);
    expect(state?.attempts).toBe(2);
    expect(state?.windowStartedAt).toEqual(after(60));
  });

  it('lets a key with no history through', () => {
    expect(rateLimitStatus(null, t0)).toEqual({ allowed: true, retryAfterSeconds: 0 });
  });
});

describe('words for people', () => {
  it('rounds the wait up to whole minutes', () => {
    expect(retryAfterMinutes(1)).toBe(1);
    expect(retryAfterMinutes(60)).toBe(1);
    expect(retryAfterMinutes(61)).toBe(2);
    expect(retryAfterMinutes(900)).toBe(15);
  });

  it('keys an account by its e-mail, whatever the case', () => {
    expect(loginAccountKey(' Mette@Ishoj.dk')).toBe(loginAccountKey('mette@ishoj.dk'));
  });
});
