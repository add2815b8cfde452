import { randomBytes } from 'node:crypto';

/** A typed cipher failure; its message never holds key material, plaintext or the envelope. */
export class CipherError extends Error {
  override readonly name = 'CipherError';
  constructor(
    readonly code:
      | 'invalid_key_ring'
      | 'malformed'
      | 'unknown_key'
      | 'decrypt_failed'
      | 'unsupported_version',
    message: string,
    /** The key id an envelope names, for `unknown_key` and `decrypt_failed`. */
    readonly kid?: string,
  ) {
    super(message);
  }
}

export interface KeyRing {
  /** The key that encrypts; always the first of the ring. */
  readonly primaryKid: string;
  key(kid: string): Buffer | undefined;
  readonly kids: readonly string[];
}

const KID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `kid:base64key,kid2:base64key`; every key must be exactly 32 bytes (AES-256). */
export function keyRingFromString(value: string): KeyRing {
  const entries = value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 0)
    throw new CipherError(
      'invalid_key_ring',
      'the key ring is empty; expected kid:base64key[,kid:base64key…]',
    );
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const kid = colon > 0 ? entry.slice(0, colon) : '';
    // Entries are named by position and kid only: the key text must never reach a message.
    const where = `entry ${index + 1}${KID.test(kid) ? ` ("${kid}")` : ''}`;
    if (!KID.test(kid))
      throw new CipherError(
        'invalid_key_ring',
        `${where}: expected kid:base64key with a kid of 1–32 letters, digits, _ or -`,
      );
    if (keys.has(kid)) throw new CipherError('invalid_key_ring', `${where}: the kid is used twice`);
    const material = entry.slice(colon + 1).trim();
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(material) ? Buffer.from(material, 'base64') : Buffer.alloc(0);
    if (key.length !== 32)
      throw new CipherError('invalid_key_ring', `${where}: the key must be 32 bytes, base64-encoded`);
    keys.set(kid, key);
  });
  const kids = [...keys.keys()];
  return {
    primaryKid: kids[0] ?? '',
    kids,
    key: (kid) => keys.get(kid),
  };
}

/**
 * A new key and its ring entry, for `canvascal keys generate`. The default kid is the date
 * and a random suffix (`k20261202-3fa9c1`), so two keys made the same day can share a ring
 * during a rotation.
 */
export function generateKey(kid = defaultKid()): {
  kid: string;
  base64: string;
  entry: string;
} {
  const base64 = randomBytes(32).toString('base64');
  return { kid, base64, entry: `${kid}:${base64}` };
}

function defaultKid(): string {
  return `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex')}`;
}
