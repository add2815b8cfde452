/** One page Canvas answered with an ETag: what a 304 for that ETag means. */
export interface CachedCanvasPage {
  etag: string;
  /** The body as Canvas sent it (JSON text). */
  text: string;
  /** The page's `Link` header (its next page), which a 304 need not repeat. */
  link: string | null;
}

/** The pages one student's reads may revalidate, by URL. */
export interface CanvasPageStore {
  get(url: string): CachedCanvasPage | undefined;
  set(url: string, page: CachedCanvasPage): void;
}

/** Every student's pages in this process, under one byte bound. */
export interface CanvasPageCache {
  /** The store of one student (pages are personal: the same URL answers each student differently). */
  scope(userId: string): CanvasPageStore;
  readonly bytes: number;
}

/**
 * Canvas pages kept for conditional requests (`If-None-Match`), least recently used first
 * out once the bodies pass `maxBytes`. A lost entry costs only a full answer next time, so the
 * cache lives in memory, per process: a restart or another worker simply asks unconditionally.
 */
export function createCanvasPageCache(options: { maxBytes?: number } = {}): CanvasPageCache {
  const maxBytes = options.maxBytes ?? 16 * 1024 * 1024;
  const pages = new Map<string, CachedCanvasPage>();
  let bytes = 0;
  const size = (page: CachedCanvasPage) => page.text.length + page.etag.length + (page.link?.length ?? 0);
  const drop = (key: string) => {
    const old = pages.get(key);
    if (!old) return;
    bytes -= size(old);
    pages.delete(key);
  };
  return {
    get bytes() {
      return bytes;
    },
    scope(userId) {
      const keyOf = (url: string) => `${userId}\n${url}`;
      return {
        get(url) {
          const key = keyOf(url);
          const page = pages.get(key);
          if (page) {
            // Map order is the recency order: a page read again moves to the back.
            pages.delete(key);
            pages.set(key, page);
          }
          return page;
        },
        set(url, page) {
          const key = keyOf(url);
          drop(key);
          if (size(page) > maxBytes) return;
          pages.set(key, page);
          bytes += size(page);
          for (const oldest of pages.keys()) {
            if (bytes <= maxBytes) break;
            drop(oldest);
          }
        },
      };
    },
  };
}
