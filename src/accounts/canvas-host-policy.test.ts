import { describe, expect, it } from 'vitest';
import { createGuardedFetch } from '../net/guarded-fetch.ts';
import { createCanvasHostPolicy, isInternalAddress } from './canvas-host-policy.ts';
import { createCanvasProbe } from './canvas-probe.ts';

describe('isInternalAddress', () => {
  it('knows the internal ranges and leaves public addresses alone', () => {
    for (const address of [
      '127.0.0.1',
      '10.0.0.5',
      '172.16.3.4',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '::1',
      '::',
      'fd00::1',
      'fe80::1',
      '::ffff:10.1.2.3',
    ])
      expect(isInternalAddress(address), address).toBe(true);
    for (const address of [
      '93.184.216.34',
      '8.8.8.8',
      '172.32.0.1',
      '2606:4700::6810:84e5',
      '::ffff:8.8.8.8',
    ])
      expect(isInternalAddress(address), address).toBe(false);
  });
});

describe('the Canvas host policy', () => {
  const policy = createCanvasHostPolicy({
    trusted: ['https://canvas.internal.school.edu'],
    lookup: async (hostname) =>
      hostname === 'canvas.school.edu'
        ? [{ address: '93.184.216.34', family: 4 }]
        : hostname === 'sneaky.example'
          ? [
              { address: '93.184.216.34', family: 4 },
              { address: '10.0.0.7', family: 4 },
            ]
          : [],
  });

  it('lets a public Canvas through, and an internal one the admin configured', async () => {
    await expect(policy('https://canvas.school.edu')).resolves.toBeUndefined();
    await expect(policy('https://canvas.internal.school.edu')).resolves.toBeUndefined();
  });

  it('refuses loopback, metadata and names that resolve (even partly) inside, saying what to do', async () => {
    for (const origin of [
      'https://127.0.0.1:6379',
      'https://[::1]:8080',
      'https://169.254.169.254',
      'https://sneaky.example',
      // Spellings the URL parser turns into something other than the dotted form.
      'https://[::ffff:127.0.0.1]:9443',
      'https://[::ffff:7f00:1]:9443',
      'https://[::ffff:a9fe:a9fe]',
      'https://[::127.0.0.1]',
      'https://[64:ff9b::a00:1]',
      'https://[2002:7f00:1::]',
      'https://2130706433:9443',
      'https://0x7f.1',
      'https://0251.0376.0251.0376',
      'https://[fec0::1]',
    ])
      await expect(policy(origin), origin).rejects.toMatchObject({ code: 'canvas_internal_address' });
    await expect(policy('https://sneaky.example')).rejects.toThrow(/ask the admin/);
  });
});

describe('connecting Canvas in production', () => {
  it('refuses an internal address before anything is sent to it', async () => {
    const { CanvasAccount } = await import('./canvas-account.ts');
    let probed = false;
    const account = new CanvasAccount({
      connections: {
        get: async () => undefined,
        save: async () => {
          throw new Error('nothing may be stored');
        },
        updateAccessToken: async () => {},
        markReconnectNeeded: async () => {},
        markLoopbackReconnectNeeded: async () => 0,
        remove: async () => false,
      },
      sealer: { seal: (p: string) => p, open: (p: string) => ({ plaintext: p, stale: false }) },
      probe: {
        whoAmI: async () => {
          probed = true;
          return { ok: true, id: '1', name: 'x' };
        },
      },
      allowHttp: false,
      hostPolicy: createCanvasHostPolicy({
        trusted: [],
        lookup: async () => [{ address: '10.1.2.3', family: 4 }],
      }),
    });
    await expect(
      account.connectWithToken('u', { baseUrl: 'https://canvas.corp.example', token: '1234~abcdefghijkl' }),
    ).rejects.toMatchObject({ code: 'canvas_internal_address', status: 400 });
    expect(probed).toBe(false);
  });

  it('refuses a name that passes the check and then rebinds inside, when connecting', async () => {
    const { CanvasAccount } = await import('./canvas-account.ts');
    let saved = false;
    // The host check sees a public answer; the socket, resolving again, gets loopback.
    let lookups = 0;
    const resolve = async () =>
      lookups++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    const account = new CanvasAccount({
      connections: {
        get: async () => undefined,
        save: async () => {
          saved = true;
        },
        updateAccessToken: async () => {},
        markReconnectNeeded: async () => {},
        markLoopbackReconnectNeeded: async () => 0,
        remove: async () => false,
      },
      sealer: { seal: (p: string) => p, open: (p: string) => ({ plaintext: p, stale: false }) },
      probe: createCanvasProbe({ fetch: createGuardedFetch({ resolve }) }),
      allowHttp: false,
      hostPolicy: createCanvasHostPolicy({ trusted: [], lookup: resolve }),
    });
    await expect(
      account.connectWithToken('u', { baseUrl: 'https://canvas.rebind.example', token: '1234~abcdefghijkl' }),
    ).rejects.toMatchObject({ code: 'canvas_internal_address', status: 400 });
    expect(saved).toBe(false);
  });
});
