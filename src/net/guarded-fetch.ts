import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { Readable } from 'node:stream';
import { isSpecialPurposeAddress } from './special-address.ts';

/** How a host name becomes addresses; injected in tests to play a rebinding resolver. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;

/** What the connection was refused with; a fetch failure carries it as its `cause`. */
export class InternalAddressError extends Error {
  override readonly name = 'InternalAddressError';
  readonly code = 'ERR_INTERNAL_ADDRESS';
  constructor(readonly host: string) {
    super(`${host} is not on the public internet; the connection was refused`);
  }
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

/**
 * A `fetch` that connects only to public addresses. The address is judged when the socket
 * is opened, after resolution and for every address the resolver returned, so a name that
 * passed an earlier check and now resolves inside (DNS rebinding) is refused too; an IP
 * literal, which the socket layer never resolves, is judged before connecting. Origins the
 * admin configured are trusted as given. Follows no redirects (callers ask for `manual`).
 */
export function createGuardedFetch(
  options: { trusted?: readonly string[]; resolve?: Resolve } = {},
): typeof fetch {
  const trusted = new Set((options.trusted ?? []).map((url) => new URL(url).origin));
  const lookup = guardedLookup(options.resolve);
  const agents = {
    guarded: {
      http: new http.Agent({ keepAlive: true, lookup }),
      https: new https.Agent({ keepAlive: true, lookup }),
    },
    trusted: { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) },
  };
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError('fetch failed', { cause: new Error(`${url.protocol} is not http or https`) });
    const isTrusted = trusted.has(url.origin);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!isTrusted && isIP(host) !== 0 && isSpecialPurposeAddress(host))
      throw new TypeError('fetch failed', { cause: new InternalAddressError(url.host) });
    const agent = (isTrusted ? agents.trusted : agents.guarded)[url.protocol === 'https:' ? 'https' : 'http'];
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = init.body === undefined || init.body === null ? undefined : String(init.body);
    if (body !== undefined && init.body instanceof URLSearchParams)
      headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    const request = (url.protocol === 'https:' ? https : http).request;
    return new Promise<Response>((resolve, reject) => {
      const req = request(
        url,
        { method: init.method ?? 'GET', headers, agent, ...(init.signal ? { signal: init.signal } : {}) },
        (res) => {
          const responseHeaders = new Headers();
          for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
            responseHeaders.append(res.rawHeaders[i] ?? '', res.rawHeaders[i + 1] ?? '');
          const status = res.statusCode ?? 502;
          const empty = NULL_BODY_STATUSES.has(status);
          if (empty) res.resume();
          const stream = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
          resolve(
            new Response(stream, { status, statusText: res.statusMessage ?? '', headers: responseHeaders }),
          );
        },
      );
      req.on('error', (error) =>
        reject(init.signal?.aborted ? init.signal.reason : new TypeError('fetch failed', { cause: error })),
      );
      req.end(body);
    });
  };
}

/**
 * A socket `lookup` that resolves as usual and then refuses the whole answer if any address
 * in it is special: judging only the one the socket picks would let a mixed answer through
 * on a retry or on the next family tried.
 */
export function guardedLookup(resolve?: Resolve): LookupFunction {
  const resolveAll: Resolve =
    resolve ??
    ((hostname) =>
      new Promise((done, fail) =>
        dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
          error ? fail(error) : done(addresses),
        ),
      ));
  return (hostname, options, callback) => {
    resolveAll(hostname).then(
      (addresses) => {
        const family = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = addresses.filter((a) => family === undefined || a.family === family);
        if (addresses.some((a) => isSpecialPurposeAddress(a.address))) {
          callback(new InternalAddressError(hostname), '', 0);
          return;
        }
        if (usable.length === 0) {
          callback(notFound(hostname), '', 0);
          return;
        }
        if (options.all) callback(null, usable);
        else callback(null, usable[0]?.address ?? '', usable[0]?.family ?? 4);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 0),
    );
  };
}

function notFound(hostname: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname });
}
