import { CipherError } from './key-ring.ts';

/**
 * Whether `error` says a stored secret cannot be opened with this key ring: damaged, made for
 * another row, under a key id the ring no longer has, or in an unknown format. Retrying
 * cannot change that; only connecting the account again (or restoring the key) can.
 */
export function isUnopenableSecret(error: unknown): error is CipherError {
  return error instanceof CipherError && error.code !== 'invalid_key_ring';
}

/** Why, in words for the student and the connection's status; never the envelope. */
export function unopenableReason(error: CipherError, what: string): string {
  return error.code === 'unknown_key'
    ? `the saved ${what} was sealed with an encryption key this server no longer has`
    : `the saved ${what} cannot be opened: it is damaged or was sealed for another account`;
}

/** What the error-level log line carries: the cipher's verdict and key id, never the blob. */
export const unopenableLogFields = (error: CipherError) => ({
  cipherError: error.code,
  ...(error.kid !== undefined ? { kid: error.kid } : {}),
});
