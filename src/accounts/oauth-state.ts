import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Signing keys for OAuth states: the first signs, every one verifies (keys being rotated out). */
export type StateKeys = readonly [Buffer, ...Buffer[]];

/**
 * OAuth `state` values: a random nonce with an HMAC over provider and nonce, so a forged or
 * cross-provider state is refused before the database is asked. Only the hash is stored,
 * so a leaked table row cannot complete anyone's sign-in.
 */
export function issueOAuthState(
  keys: StateKeys,
  provider: 'google' | 'canvas',
): { state: string; hash: string } {
  const nonce = randomBytes(24).toString('base64url');
  const state = `${nonce}.${sign(keys[0], provider, nonce)}`;
  return { state, hash: hashOAuthState(state) };
}

/** The stored hash of `state` if its signature is ours (under any key) for `provider`, else undefined. */
export function verifyOAuthState(
  keys: StateKeys,
  provider: 'google' | 'canvas',
  state: string,
): string | undefined {
  const [nonce, signature, extra] = state.split('.');
  if (!nonce || !signature || extra !== undefined) return undefined;
  const given = Buffer.from(signature);
  const signedByUs = keys.some((key) => {
    const expected = Buffer.from(sign(key, provider, nonce));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  return signedByUs ? hashOAuthState(state) : undefined;
}

function sign(key: Buffer, provider: string, nonce: string): string {
  return createHmac('sha256', key).update(`${provider}|${nonce}`).digest('base64url');
}

function hashOAuthState(state: string): string {
  return createHash('sha256').update(state).digest('base64url');
}
