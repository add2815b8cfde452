import type { SecretSealer } from '../secrets.ts';

type CanvasTokenPurpose = 'access_token' | 'refresh_token';

/** Seals and opens a user's Canvas tokens, each bound to its Canvas: a row pointed at another host will not open. */
export interface CanvasTokenVault {
  seal(userId: string, purpose: CanvasTokenPurpose, plaintext: string, origin: string): string;
  /** Throws an unopenable-secret error (see `isUnopenableSecret`) when the envelope does not open for this binding. */
  open(userId: string, purpose: CanvasTokenPurpose, envelope: string, origin: string): string;
}

export function canvasTokenVault(sealer: SecretSealer): CanvasTokenVault {
  return {
    seal: (userId, purpose, plaintext, origin) =>
      sealer.seal(plaintext, { userId, provider: 'canvas', purpose, origin }),
    open: (userId, purpose, envelope, origin) =>
      sealer.open(envelope, { userId, provider: 'canvas', purpose, origin }).plaintext,
  };
}
