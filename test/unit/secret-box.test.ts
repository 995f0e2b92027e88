import { afterEach, describe, expect, it } from 'vitest';
import { forgetSecretKeys, isSealed, open, seal } from '../../src/lib/server/secret-box';

const KEY = new Uint8Array(Array.from({ length: 20 }, (_, i) => i + 1));

function withSecrets(current: string, previous?: string): void {
  process.env['APP_SECRET'] = current;
  if (previous === undefined) delete process.env['APP_SECRET_PREVIOUS'];
  else process.env['APP_SECRET_PREVIOUS'] = previous;
  forgetSecretKeys();
}

describe('secrets at rest (AES-256-GCM under APP_SECRET)', () => {
  afterEach(() => {
    delete process.env['APP_SECRET'];
    delete process.env['APP_SECRET_PREVIOUS'];
    forgetSecretKeys();
  });

  it('seals so that the key is not in the text, differently each time, and opens again', () => {
    withSecrets('første-hemmelighed-som-er-lang-nok');
    const a = seal(KEY);
    const b = seal(KEY);
    expect(isSealed(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(a).not.toContain(Buffer.from(KEY).toString('base64'));
    expect(open(a)).toEqual(KEY);
  });

  it('does not open under another secret, nor when altered', () => {
    withSecrets('første-hemmelighed-som-er-lang-nok');
    const sealed = seal(KEY);
    // One character of the sealed text changed (to another one: it failed 1 time in 64 when the choice looked at the wrong one).
    const at = sealed.length - 2;
    const tampered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    expect(tampered).not.toBe(sealed);
    expect(open(tampered)).toBeNull();
    withSecrets('en-helt-anden-hemmelighed-her');
    expect(open(sealed)).toBeNull();
  });

  it('during a rotation opens what the previous secret sealed, and seals with the new one', () => {
    withSecrets('gammel-hemmelighed-som-er-lang');
    const old = seal(KEY);
    withSecrets('ny-hemmelighed-som-er-lang-nok', 'gammel-hemmelighed-som-er-lang');
    expect(open(old)).toEqual(KEY);
    const fresh = seal(KEY);
    withSecrets('ny-hemmelighed-som-er-lang-nok');
    expect(open(fresh)).toEqual(KEY);
    expect(open(old)).toBeNull();
  });
});
