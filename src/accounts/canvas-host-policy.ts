import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { badRequest } from '../errors.ts';
import { isSpecialPurposeAddress } from '../net/special-address.ts';

export type Lookup = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

/**
 * In production a student may only point CanvasCal at a Canvas on the public internet: a
 * host that resolves to a loopback, private, link-local (cloud metadata), CGNAT, multicast
 * or reserved address is refused, so the Canvas address cannot be used to make the server
 * reach its own network. Hosts the admin configured (developer keys) are trusted as given.
 * This check gives the student a clear answer early; the guarantee is the guarded fetch
 * (`net/guarded-fetch.ts`), which judges the address again on the connection itself.
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

/**
 * Loopback, private, link-local, CGNAT, multicast, reserved or documentation ranges, in
 * either family and however an IPv6 address carries an IPv4 one (see special-address.ts).
 */
export const isInternalAddress = isSpecialPurposeAddress;
