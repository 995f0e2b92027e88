// Secrets kept at rest (the staff's TOTP keys, the family links' tokens), encrypted with AES-256-GCM from node:crypto under a key derived
// from APP_SECRET. Without APP_SECRET (a first try with the README's two commands) a random secret is made once and
// kept in db/data/app-secret beside the embedded database; several servers must share one APP_SECRET instead.
// Rotation (docs/deploy.md): APP_SECRET=new, APP_SECRET_PREVIOUS=old, `npm run cli -- reencrypt`, then drop the old.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const SECRET_FILE = 'db/data/app-secret';
const VERSION = 'v1';

function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'gruppeforlob', 'secrets at rest v1', 32));
}

function secretFromFile(): string {
  const file = resolve(SECRET_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const made = randomBytes(32).toString('base64url');
  // 'wx': if another process made it a moment ago, read theirs.
  try {
    writeFileSync(file, `${made}\n`, { mode: 0o600, flag: 'wx' });
    return made;
  } catch {
    return readFileSync(file, 'utf8').trim();
  }
}

let keys: { current: Buffer; previous: Buffer | null } | null = null;

function currentKeys(): { current: Buffer; previous: Buffer | null } {
  if (!keys) {
    const secret = process.env['APP_SECRET']?.trim() || secretFromFile();
    if (secret.length < 16) throw new Error('APP_SECRET must be at least 16 characters (32 random bytes are best).');
    const previous = process.env['APP_SECRET_PREVIOUS']?.trim();
    keys = { current: deriveKey(secret), previous: previous ? deriveKey(previous) : null };
  }
  return keys;
}

/** `v1.<iv>.<ciphertext+tag>` (base64url), a fresh 96-bit IV each time. */
export function seal(plain: Uint8Array): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', currentKeys().current, iv);
  const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

function openWith(key: Buffer, iv: Buffer, body: Buffer): Uint8Array | null {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(body.subarray(body.length - 16));
    return new Uint8Array(Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]));
  } catch {
    return null;
  }
}

/** The plain bytes; null if the text was not sealed under the current or the previous secret (or was altered). */
export function open(sealed: string): Uint8Array | null {
  const [version, iv, body] = sealed.split('.');
  if (version !== VERSION || !iv || !body) return null;
  const { current, previous } = currentKeys();
  const ivBytes = Buffer.from(iv, 'base64url');
  const bodyBytes = Buffer.from(body, 'base64url');
  if (bodyBytes.length < 16) return null;
  return openWith(current, ivBytes, bodyBytes) ?? (previous ? openWith(previous, ivBytes, bodyBytes) : null);
}

/** A short text (a family link's token) sealed the same way. */
export function sealText(text: string): string {
  return seal(new TextEncoder().encode(text));
}

/** The text sealed by `sealText`; null when it does not open. */
export function openText(sealed: string): string | null {
  const bytes = open(sealed);
  return bytes ? new TextDecoder().decode(bytes) : null;
}

export function isSealed(text: string): boolean {
  return text.startsWith(`${VERSION}.`);
}

/** For tests that change APP_SECRET within one process. */
export function forgetSecretKeys(): void {
  keys = null;
}
