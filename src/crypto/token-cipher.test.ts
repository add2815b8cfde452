import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SecretBinding } from '../secrets.ts';
import { CipherError, generateKey, keyRingFromString } from './key-ring.ts';
import { loadOrCreateLocalKeyRing } from './local-key-file.ts';
import { TokenCipher } from './token-cipher.ts';

const oldKey = generateKey('old');
const newKey = generateKey('new');
const row: SecretBinding = {
  userId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
  provider: 'google',
  purpose: 'refresh_token',
};
const cipher = new TokenCipher(keyRingFromString(oldKey.entry));
const secret = '1//0gRefreshToken-abc_DEF';

function cipherError(fn: () => unknown): CipherError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CipherError) return error;
    throw error;
  }
  throw new Error('expected a CipherError');
}

describe('TokenCipher', () => {
  it('round-trips any string, with a fresh IV every time', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (plaintext) => {
        const a = cipher.seal(plaintext, row);
        const b = cipher.seal(plaintext, row);
        expect(a).not.toBe(b);
        expect(cipher.open(a, row)).toEqual({ plaintext, stale: false });
      }),
      { numRuns: 200 },
    );
  });

  it('rejects any single-character change to an envelope', () => {
    const envelope = cipher.seal(secret, row);
    fc.assert(
      fc.property(
        fc.nat({ max: envelope.length - 1 }),
        fc.constantFrom(...'AZaz09_-.x'),
        (index, replacement) => {
          fc.pre(envelope[index] !== replacement);
          const tampered = envelope.slice(0, index) + replacement + envelope.slice(index + 1);
          const error = cipherError(() => cipher.open(tampered, row));
          expect(error.message).not.toContain(secret);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('rejects truncation, garbage and another version with a typed error', () => {
    const envelope = cipher.seal(secret, row);
    for (const cut of [1, 4, 5, 23]) {
      expect(['malformed', 'decrypt_failed']).toContain(
        cipherError(() => cipher.open(envelope.slice(0, envelope.length - cut), row)).code,
      );
    }
    expect(cipherError(() => cipher.open(envelope.slice(0, 30), row)).code).toBe('malformed');
    expect(cipherError(() => cipher.open('not an envelope', row)).code).toBe('malformed');
    expect(cipherError(() => cipher.open(envelope.replace(/^v1/, 'v9'), row)).code).toBe(
      'unsupported_version',
    );
  });

  it('refuses an envelope copied to another row or column', () => {
    const envelope = cipher.seal(secret, row);
    expect(
      cipherError(() => cipher.open(envelope, { ...row, userId: '00000000-0000-4000-8000-000000000000' }))
        .code,
    ).toBe('decrypt_failed');
    expect(cipherError(() => cipher.open(envelope, { ...row, provider: 'canvas' })).code).toBe(
      'decrypt_failed',
    );
    expect(cipherError(() => cipher.open(envelope, { ...row, purpose: 'access_token' })).code).toBe(
      'decrypt_failed',
    );
  });

  it("binds a secret with an origin to that origin: another host's row, or none, does not open it", () => {
    const canvas: SecretBinding = { ...row, provider: 'canvas', purpose: 'access_token' };
    const bound = { ...canvas, origin: 'https://school.instructure.com' };
    const envelope = cipher.seal(secret, bound);
    expect(envelope).toMatch(/^v2\./);
    expect(cipher.open(envelope, bound)).toEqual({ plaintext: secret, stale: false });
    expect(
      cipherError(() => cipher.open(envelope, { ...bound, origin: 'https://attacker.example' })).code,
    ).toBe('decrypt_failed');
    expect(cipherError(() => cipher.open(envelope, canvas)).code).toBe('decrypt_failed');
    // Passed off as an envelope from before origins, it does not open either.
    expect(cipherError(() => cipher.open(envelope.replace(/^v2/, 'v1'), bound)).code).toBe('decrypt_failed');
  });

  it('opens a secret sealed before origins as stale, and reseal binds it to its origin', () => {
    const canvas: SecretBinding = { ...row, provider: 'canvas', purpose: 'access_token' };
    const legacy = cipher.seal(secret, canvas);
    expect(legacy).toMatch(/^v1\./);
    const bound = { ...canvas, origin: 'https://school.instructure.com' };
    expect(cipher.open(legacy, bound)).toEqual({ plaintext: secret, stale: true });
    const resealed = cipher.reseal(legacy, bound);
    expect(resealed).toMatch(/^v2\./);
    expect(cipher.open(resealed, bound)).toEqual({ plaintext: secret, stale: false });
    expect(cipherError(() => cipher.open(resealed, { ...bound, origin: 'https://other.example' })).code).toBe(
      'decrypt_failed',
    );
  });

  it('fails with a wrong key or an unknown key id', () => {
    const envelope = cipher.seal(secret, row);
    const other = new TokenCipher(keyRingFromString(`old:${generateKey().base64}`));
    expect(cipherError(() => other.open(envelope, row)).code).toBe('decrypt_failed');
    expect(cipherError(() => new TokenCipher(keyRingFromString(newKey.entry)).open(envelope, row)).code).toBe(
      'unknown_key',
    );
  });

  it('rotates: the old key still decrypts (stale), reseal moves to the new key, an old-only ring cannot read it', () => {
    const envelope = cipher.seal(secret, row);
    const rotated = new TokenCipher(keyRingFromString(`${newKey.entry},${oldKey.entry}`));
    expect(rotated.open(envelope, row)).toEqual({ plaintext: secret, stale: true });
    const resealed = rotated.reseal(envelope, row);
    expect(resealed.startsWith('v1.new.')).toBe(true);
    expect(rotated.open(resealed, row)).toEqual({ plaintext: secret, stale: false });
    expect(rotated.reseal(resealed, row)).toBe(resealed);
    expect(cipherError(() => cipher.open(resealed, row)).code).toBe('unknown_key');
  });

  it('shows no key or plaintext when inspected, serialised or failing', () => {
    const shown = `${inspect(cipher)} ${JSON.stringify({ cipher })} ${String(cipher)}`;
    expect(shown).not.toContain(oldKey.base64);
    const error = cipherError(() =>
      cipher.open(cipher.seal(secret, row), { ...row, purpose: 'access_token' }),
    );
    expect(`${error.message} ${inspect(error)}`).not.toContain(secret);
  });
});

describe('key ring parsing', () => {
  it('names the bad entry without echoing key material', () => {
    const short = Buffer.alloc(16, 7).toString('base64');
    const error = cipherError(() => keyRingFromString(`${oldKey.entry},bad:${short}`));
    expect(error.message).toContain('entry 2 ("bad")');
    expect(error.message).not.toContain(short);
    expect(cipherError(() => keyRingFromString(`${oldKey.entry},${oldKey.entry}`)).message).toContain(
      'used twice',
    );
    expect(cipherError(() => keyRingFromString('')).code).toBe('invalid_key_ring');
    expect(cipherError(() => keyRingFromString('no-colon-here')).code).toBe('invalid_key_ring');
  });
});

describe('loadOrCreateLocalKeyRing', () => {
  it('creates one key file with mode 0600 and reuses it, even when two processes race', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'canvascal-keys-'));
    const results = await Promise.all([loadOrCreateLocalKeyRing(dir), loadOrCreateLocalKeyRing(dir)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0]?.ring).toBe(results[1]?.ring);
    expect((await stat(join(dir, 'encryption-keys'))).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateLocalKeyRing(dir);
    expect(again).toMatchObject({ created: false, ring: results[0]?.ring });
    expect(keyRingFromString(again.ring).primaryKid).toBe('local1');
    expect((await readFile(join(dir, 'encryption-keys'), 'utf8')).trim()).toBe(again.ring);
  });
});
