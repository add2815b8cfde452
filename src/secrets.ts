/**
 * What a stored secret is bound to. The cipher uses it as associated data, so an envelope
 * copied to another user's row, or to another column, does not decrypt.
 */
export interface SecretBinding {
  userId: string;
  provider: 'google' | 'canvas';
  purpose: 'refresh_token' | 'access_token' | 'code_verifier';
  /**
   * The service the secret is sent to (a Canvas token: its Canvas origin). Bound too, so a
   * row pointed at another host does not hand that host the token.
   */
  origin?: string;
}

/** Encrypts secrets for storage; the key ring behind it never leaves the process. */
export interface SecretSealer {
  seal(plaintext: string, binding: SecretBinding): string;
  /** `stale` is true when the envelope was made under an older key and should be re-sealed. */
  open(envelope: string, binding: SecretBinding): { plaintext: string; stale: boolean };
}
