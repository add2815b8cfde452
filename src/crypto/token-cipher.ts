import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretBinding, SecretSealer } from '../secrets.ts';
import { CipherError, type KeyRing } from './key-ring.ts';

// v1 binds user, provider and purpose; v2 also the origin the secret is sent to.
const VERSION = 'v1';
const VERSION_WITH_ORIGIN = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM with a random 96-bit IV per encryption and the row's binding as associated
 * data. The envelope is one text value, `v1.<kid>.<iv>.<ciphertext+tag>` (base64url), so it
 * says which key made it and the format can change under a new version prefix. A binding
 * with an origin makes a `v2` envelope, whose associated data includes the origin; a `v1`
 * envelope opened for a binding with an origin opens (it predates origins) but is stale, so
 * `canvascal keys rotate` re-seals it bound to its origin.
 */
export class TokenCipher implements SecretSealer {
  constructor(private readonly ring: KeyRing) {}

  seal(plaintext: string, binding: SecretBinding): string {
    const kid = this.ring.primaryKid;
    const key = this.ring.key(kid);
    if (!key) throw new CipherError('unknown_key', 'the primary key is missing from the ring');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const version = binding.origin === undefined ? VERSION : VERSION_WITH_ORIGIN;
    cipher.setAAD(associatedData(binding, version));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${version}.${kid}.${iv.toString('base64url')}.${body.toString('base64url')}`;
  }

  open(envelope: string, binding: SecretBinding): { plaintext: string; stale: boolean } {
    const parts = typeof envelope === 'string' ? envelope.split('.') : [];
    if (parts.length !== 4)
      throw new CipherError('malformed', 'the stored secret is not a CanvasCal envelope');
    const [version, kid = '', ivText = '', bodyText = ''] = parts;
    if (version !== VERSION && version !== VERSION_WITH_ORIGIN)
      throw new CipherError(
        'unsupported_version',
        'the stored secret has an envelope version this build does not read',
      );
    const key = this.ring.key(kid);
    if (!key)
      throw new CipherError(
        'unknown_key',
        `the stored secret was encrypted with key "${kid.slice(0, 32)}", which is not in the key ring`,
        kid.slice(0, 32),
      );
    const iv = decode(ivText);
    const body = decode(bodyText);
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES)
      throw new CipherError('malformed', 'the stored secret is truncated');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(associatedData(binding, version));
      decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
      const plaintext = Buffer.concat([
        decipher.update(body.subarray(0, body.length - TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
      const unbound = version === VERSION && binding.origin !== undefined;
      return { plaintext, stale: kid !== this.ring.primaryKid || unbound };
    } catch {
      throw new CipherError(
        'decrypt_failed',
        'the stored secret does not decrypt: it was altered, or belongs to another row',
        kid,
      );
    }
  }

  /** The envelope under the primary key; the same envelope when it already is. */
  reseal(envelope: string, binding: SecretBinding): string {
    const { plaintext, stale } = this.open(envelope, binding);
    return stale ? this.seal(plaintext, binding) : envelope;
  }

  /**
   * A key for another purpose (e.g. signing OAuth states), derived from the primary key with
   * HKDF, so every process with the same ring derives the same key and none is stored.
   */
  deriveKey(purpose: string): Buffer {
    const key = this.ring.key(this.ring.primaryKid);
    if (!key) throw new CipherError('unknown_key', 'the primary key is missing from the ring');
    return derive(key, purpose);
  }

  /**
   * The key for `purpose` from every key of the ring, the primary's first: what the primary
   * signed is checked against all of them, so a key rotation does not void what an older
   * primary signed minutes before (an OAuth state in flight).
   */
  deriveKeys(purpose: string): [Buffer, ...Buffer[]] {
    const others = this.ring.kids.filter((kid) => kid !== this.ring.primaryKid);
    return [
      this.deriveKey(purpose),
      ...others.flatMap((kid) => {
        const key = this.ring.key(kid);
        return key ? [derive(key, purpose)] : [];
      }),
    ];
  }

  toJSON(): string {
    return '[TokenCipher]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `TokenCipher { keys: ${this.ring.kids.length}, primary: ${this.ring.primaryKid} }`;
  }
}

function derive(key: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `canvascal:${purpose}`, 32));
}

function associatedData(binding: SecretBinding, version: string): Buffer {
  // Fixed field order: the same binding always gives the same bytes. A v2 envelope needs an
  // origin: opened without one (or with another) it does not decrypt.
  const fields: unknown[] = [binding.userId, binding.provider, binding.purpose];
  if (version === VERSION_WITH_ORIGIN) fields.push(binding.origin ?? null);
  return Buffer.from(JSON.stringify(fields), 'utf8');
}

function decode(text: string): Buffer {
  const bytes = /^[A-Za-z0-9_-]*$/.test(text) ? Buffer.from(text, 'base64url') : undefined;
  // Only the canonical encoding is accepted: the last character's unused bits could
  // otherwise change without changing the bytes, and an altered envelope must never open.
  if (!bytes || bytes.toString('base64url') !== text)
    throw new CipherError('malformed', 'the stored secret is not a CanvasCal envelope');
  return bytes;
}
