import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGuardedFetch, InternalAddressError, type Resolve } from './guarded-fetch.ts';

let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader('x-seen', req.headers.authorization ?? '');
    res.end(JSON.stringify({ method: req.method, body: req.headers['content-type'] ?? '' }));
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const refusal = (error: unknown) => (error as { cause?: unknown }).cause;

describe('the guarded fetch used for Canvas', () => {
  it('never opens a connection to loopback, however the address is spelled', async () => {
    const guarded = createGuardedFetch();
    const before = connections;
    for (const host of [
      '127.0.0.1',
      '127.1',
      '2130706433',
      '0x7f.0.0.1',
      '0177.0.0.1',
      '[::ffff:127.0.0.1]',
      '[::ffff:7f00:1]',
      '[::127.0.0.1]',
      '[64:ff9b::127.0.0.1]',
      'localhost',
    ]) {
      const error = await guarded(`http://${host}:${port}/api/v1/users/self`).catch((e: unknown) => e);
      expect(refusal(error), host).toBeInstanceOf(InternalAddressError);
    }
    expect(connections).toBe(before);
  });

  it('judges the address at connect time, so a name that rebinds inside is refused', async () => {
    // The first answer (what an earlier host check saw) is public; the one the socket gets is loopback.
    const answers = [[{ address: '93.184.216.34', family: 4 }], [{ address: '127.0.0.1', family: 4 }]];
    const resolve: Resolve = async () => answers.shift() ?? [];
    await resolve('canvas.rebind.example');
    const before = connections;
    const error = await createGuardedFetch({ resolve })(`http://canvas.rebind.example:${port}/`).catch(
      (e: unknown) => e,
    );
    expect(refusal(error)).toBeInstanceOf(InternalAddressError);
    expect(connections).toBe(before);
  });

  it('refuses a name whose answer is only partly inside', async () => {
    const resolve: Resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '::ffff:10.0.0.7', family: 6 },
    ];
    const error = await createGuardedFetch({ resolve })(`http://mixed.example:${port}/`).catch(
      (e: unknown) => e,
    );
    expect(refusal(error)).toBeInstanceOf(InternalAddressError);
  });

  it('connects to an origin the admin configured, with headers and a form body', async () => {
    const guarded = createGuardedFetch({ trusted: [`http://127.0.0.1:${port}`] });
    const response = await guarded(`http://127.0.0.1:${port}/login/oauth2/token`, {
      method: 'POST',
      headers: { authorization: 'Bearer t' },
      body: new URLSearchParams({ a: 'b' }),
      redirect: 'manual',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-seen')).toBe('Bearer t');
    expect(await response.json()).toEqual({
      method: 'POST',
      body: 'application/x-www-form-urlencoded;charset=UTF-8',
    });
  });
});
