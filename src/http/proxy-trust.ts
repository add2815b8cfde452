import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';

/**
 * What a proxy header means, decided once. CanvasCal believes `X-Forwarded-For`,
 * `X-Forwarded-Proto` and `X-Forwarded-Host` only from a peer in the configured trusted-proxy
 * list (`TRUST_PROXY`, handed to Fastify's `trustProxy`): then `request.ip`,
 * `request.protocol` and `request.host` say what the proxy saw; from anyone else they are
 * ignored and the socket speaks. `Forwarded` and the vendor headers below (`True-Client-IP`,
 * `CF-Connecting-IP`, `X-Real-IP`…) are never believed: a CDN in front must set
 * `X-Forwarded-For` like any proxy. Any of them, though, proves a request was relayed.
 */
export const PROXY_HEADERS = [
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'x-client-ip',
  'x-cluster-client-ip',
  'fastly-client-ip',
  'via',
] as const;

/** Whether a proxy (any proxy, trusted or not) says it relayed this request. */
export function cameThroughProxy(headers: FastifyRequest['headers']): boolean {
  return PROXY_HEADERS.some((name) => headers[name] !== undefined);
}

/** Whether the browser reached us over HTTPS: the socket, or a trusted proxy's X-Forwarded-Proto. */
export const reachedOverHttps = (request: FastifyRequest): boolean => request.protocol === 'https';

// Names proxy-addr (Fastify's trustProxy) knows for ranges.
const RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * Parses `TRUST_PROXY`: `false` (no proxy), `true` (every peer: only where nothing else can
 * reach the port), or a comma-separated list of addresses, CIDR ranges and
 * `loopback`/`linklocal`/`uniquelocal`. Returns the problem in words, or the list.
 */
export function parseTrustedProxies(value: string): { list: string[] } | { problem: string } {
  const text = value.trim().toLowerCase();
  if (['', 'false', '0', 'no', 'off'].includes(text)) return { list: [] };
  if (['true', '1', 'yes', 'on'].includes(text)) return { list: ['0.0.0.0/0', '::/0'] };
  const list = text.split(',').map((entry) => entry.trim());
  const bad = list.filter((entry) => !RANGE_NAMES.has(entry) && !isAddressOrRange(entry));
  if (bad.length > 0)
    return {
      problem: `"${bad.join('", "')}" is not an address or CIDR range; list your proxies, e.g. TRUST_PROXY=10.0.0.0/8,loopback`,
    };
  return { list };
}

function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (prefix === undefined) return true;
  const bits = Number(prefix);
  return /^\d+$/.test(prefix) && bits <= (family === 4 ? 32 : 128);
}
