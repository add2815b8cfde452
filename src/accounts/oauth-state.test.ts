import { describe, expect, it } from 'vitest';
import { generateKey, keyRingFromString } from '../crypto/key-ring.ts';
import { TokenCipher } from '../crypto/token-cipher.ts';
import { issueOAuthState, verifyOAuthState } from './oauth-state.ts';

const oldKey = generateKey('old');
const newKey = generateKey('new');
const before = new TokenCipher(keyRingFromString(oldKey.entry)).deriveKeys('oauth-state');
// The rotation's ring: the new key first, the old one kept to read what it sealed.
const during = new TokenCipher(keyRingFromString(`${newKey.entry},${oldKey.entry}`)).deriveKeys(
  'oauth-state',
);
const after = new TokenCipher(keyRingFromString(newKey.entry)).deriveKeys('oauth-state');

describe('OAuth states across a key rotation', () => {
  it('a state issued just before the rotation still completes its sign-in after it', () => {
    const { state, hash } = issueOAuthState(before, 'google');
    expect(verifyOAuthState(during, 'google', state)).toBe(hash);
  });

  it('is signed with the new key during the rotation, and refused once the key that signed it is gone', () => {
    const { state, hash } = issueOAuthState(during, 'canvas');
    expect(verifyOAuthState(after, 'canvas', state)).toBe(hash);
    expect(verifyOAuthState(before, 'canvas', state)).toBeUndefined();
    const old = issueOAuthState(before, 'canvas');
    expect(verifyOAuthState(after, 'canvas', old.state)).toBeUndefined();
  });

  it('refuses a state for the other provider, a tampered one and a malformed one', () => {
    const { state } = issueOAuthState(during, 'google');
    expect(verifyOAuthState(during, 'canvas', state)).toBeUndefined();
    expect(verifyOAuthState(during, 'google', `x${state}`)).toBeUndefined();
    expect(verifyOAuthState(during, 'google', `${state}.extra`)).toBeUndefined();
    expect(verifyOAuthState(during, 'google', 'no-dot')).toBeUndefined();
  });
});
