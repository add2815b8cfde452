import { createHash } from 'node:crypto';

/** RFC 4122 UUIDv5 (SHA-1, name-based): the same namespace and name always give the same id. */
export function uuidv5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError('namespace must be a UUID');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** CanvasCal's own namespace for name-based ids (random, fixed forever). */
export const CANVASCAL_NAMESPACE = '5b0f6c1e-8a43-4f7e-9d2a-63c1f0e4b7a9';
