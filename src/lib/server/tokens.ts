// Random secrets and their hashes, for session tokens, one-time links and feed links.
// Secrets are base32 (a-z, 2-7): safe in URLs and cookies, easy to read aloud if it comes to that.
import { sha256 } from '@oslojs/crypto/sha2';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { decodeHex, encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

/** A cryptographically random secret; 24 bytes = 192 bits, far past the 120 bits Lucia's guide asks for. */
export function generateSecret(bytes = 24): string {
  const buffer = new Uint8Array(bytes);
  crypto.getRandomValues(buffer);
  return encodeBase32LowerCaseNoPadding(buffer);
}

/**
 * SHA-256 of a secret as lowercase hex. A fast hash is right here (not argon2): the secrets are random with
 * 120+ bits of entropy, so there is nothing to brute-force; the hash only keeps a database leak from handing
 * out working tokens.
 */
export function sha256Hex(secret: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(secret)));
}

/** Compares two hex digests without leaking, through timing, how many leading bytes match. */
export function constantTimeEqualHex(a: string, b: string): boolean {
  let left: Uint8Array;
  let right: Uint8Array;
  try {
    left = decodeHex(a);
    right = decodeHex(b);
  } catch {
    return false;
  }
  if (left.byteLength !== right.byteLength || left.byteLength === 0) return false;
  return constantTimeEqual(left, right);
}
