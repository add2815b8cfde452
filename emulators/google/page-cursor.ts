/**
 * A listing position as an opaque page or sync token: Google's tokens are opaque strings,
 * so clients must not parse ours either.
 */
export interface PageCursor {
  /** Position in the listing. */
  o: number;
  /** The change sequence the listing is a snapshot of (its nextSyncToken). */
  s: number;
  /** The sync token's sequence, for an incremental listing. */
  f: number | null;
}

export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

/** The decoded token, or undefined for anything we did not issue. */
export function decodeCursor<T>(text: string): T | undefined {
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as T;
  } catch {
    return undefined;
  }
}
