import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { badRequest } from '../errors.ts';

export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/**
 * In production a student may only point CanvasCal at a Canvas on the public internet: a
 * host that resolves to a loopback, private, link-local (cloud metadata), CGNAT, multicast
 * or reserved address is refused, so the Canvas address cannot be used to make the server
 * reach its own network. Hosts the admin configured (developer keys) are trusted as given.
 * Known limit: the check is made at lookup time, not on the connection itself.
 */
export function createCanvasHostPolicy(options: { trusted: readonly string[]; lookup?: Lookup }) {
  const trusted = new Set(options.trusted.map((url) => new URL(url).origin));
  const lookup: Lookup = options.lookup ?? ((hostname) => dnsLookup(hostname, { all: true, verbatim: true }));
  return async (origin: string): Promise<void> => {
    if (trusted.has(origin)) return;
    const hostname = new URL(origin).hostname.replace(/^\[|\]$/g, '');
    const addresses = isIP(hostname)
      ? [hostname]
      : await lookup(hostname).then(
          (found) => found.map((a) => a.address),
          () => {
            throw badRequest(
              `${origin} could not be found; check the address of your school's Canvas.`,
              'canvas_unreachable',
            );
          },
        );
    if (addresses.length === 0 || addresses.some(isInternalAddress))
      throw badRequest(
        `${origin} is not on the public internet; CanvasCal only connects to Canvas servers it can reach publicly. If your school's Canvas is internal, ask the admin to configure it (CANVAS_DEVELOPER_KEYS).`,
        'canvas_internal_address',
      );
  };
}

export type CanvasHostPolicy = ReturnType<typeof createCanvasHostPolicy>;

/** Loopback, private, link-local, CGNAT, multicast, reserved or documentation ranges. */
export function isInternalAddress(address: string): boolean {
  if (isIP(address) === 4) return internalV4(address);
  const v6 = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (mapped?.[1]) return internalV4(mapped[1]);
  if (v6 === '::' || v6 === '::1') return true;
  const first = Number.parseInt(v6.split(':')[0] || '0', 16);
  return (
    (first & 0xfe00) === 0xfc00 || // fc00::/7 unique local
    (first & 0xffc0) === 0xfe80 || // fe80::/10 link-local
    (first & 0xff00) === 0xff00 || // multicast
    v6.startsWith('2001:db8:') || // documentation
    v6.startsWith('64:ff9b:') // NAT64 can reach IPv4 internals
  );
}

function internalV4(address: string): boolean {
  const [a = 0, b = 0] = address.split('.').map(Number);
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}
