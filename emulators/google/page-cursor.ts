/** A position in a sorted listing: the sort key of the last item a page returned. */
export type SortKey = Array<string | number>;

/**
 * A listing position as an opaque page or sync token: Google's tokens are opaque strings,
 * so clients must not parse ours either. The position is a key, not an offset, so that a
 * change between two pages (an edit, a delete, an insert) never shifts the items still to
 * come: the next page starts after the last item served, wherever that item now is.
 */
export interface PageCursor {
  /** The sort key of the last item served; the next page starts after it. */
  k: SortKey;
  /** The change sequence at the listing's first page: its nextSyncToken, so every change made while paging comes in the next incremental listing. */
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

/** A page token we issued, checked, or undefined. */
export function decodePageCursor(text: string): PageCursor | undefined {
  const cursor = decodeCursor<PageCursor>(text);
  if (
    !cursor ||
    !isSortKey(cursor.k) ||
    typeof cursor.s !== 'number' ||
    (cursor.f !== null && typeof cursor.f !== 'number')
  )
    return undefined;
  return cursor;
}

export function isSortKey(value: unknown): value is SortKey {
  return Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number');
}

/** Orders two keys part by part: numbers as numbers, strings by code unit. */
export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}
