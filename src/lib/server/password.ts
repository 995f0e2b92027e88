// The one place that knows how passwords are hashed. argon2id with the OWASP minimum parameters
// (19 MiB memory, 2 passes, 1 lane); every stored hash is a PHC string that carries its own parameters and salt.
import { hash, verify, type Algorithm } from '@node-rs/argon2';

// `Algorithm` is a const enum in the package's types, which isolated modules cannot read; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

const OPTIONS = {
  algorithm: ARGON2ID,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
} as const;

/** Long inputs cost nothing extra to hash, but nobody needs more, and it keeps form posts bounded. */
export const PASSWORD_MAX_LENGTH = 256;
export const PASSWORD_MIN_LENGTH = 12;

export async function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False for a wrong password and for a stored value that is not an argon2 hash at all. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * What is wrong with a new password, in words a person can act on, or null when it is fine.
 * Length does the real work (a few ordinary words beat symbols); the other checks catch the obvious mistakes.
 */
export function passwordProblem(password: string, email?: string | null): string | null {
  const characters = [...password];
  if (characters.length < PASSWORD_MIN_LENGTH) {
    return `Adgangskoden skal være mindst ${PASSWORD_MIN_LENGTH} tegn. Tip: nogle få almindelige ord i træk er lette at huske og svære at gætte.`;
  }
  if (characters.length > PASSWORD_MAX_LENGTH) {
    return `Adgangskoden må højst være ${PASSWORD_MAX_LENGTH} tegn.`;
  }
  if (new Set(characters).size === 1) {
    return 'Adgangskoden må ikke være det samme tegn igen og igen.';
  }
  if (email) {
    const typed = password.trim().toLowerCase();
    const address = email.trim().toLowerCase();
    const localPart = address.split('@')[0] ?? '';
    if (typed === address || (localPart !== '' && typed === localPart)) {
      return 'Adgangskoden må ikke være din e-mailadresse.';
    }
  }
  return null;
}
