import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCanvasClient } from '../../src/canvas/canvas-client.ts';
import type { DueItemsRead } from '../../src/sync/due-items-source.ts';

/**
 * A Canvas that accepts every connection, reads the request and then answers `reply` (nothing
 * at all by default) and never more: the hung server the per-request timeout is for. Counts
 * the requests it was sent.
 */
async function hungCanvas(
  reply = '',
): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  let requests = 0;
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.once('data', () => {
      requests += 1;
      if (reply) socket.write(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * The read, and a way to move the fake clock under it in `step` ms strides: before each stride
 * real I/O runs until `ready()` says the server side has caught up. `advance` stops early once
 * the read has settled and answers what it settled to (undefined while it is still pending).
 */
function drive(read: Promise<DueItemsRead>, ready: () => boolean) {
  let result: DueItemsRead | undefined;
  void read.then((r) => {
    result = r;
  });
  return async (step: number, strides: number): Promise<DueItemsRead | undefined> => {
    for (let i = 0; i < strides && result === undefined; i++) {
      for (let spins = 0; spins < 1_000 && !ready(); spins++) await new Promise((r) => setImmediate(r));
      await vi.advanceTimersByTimeAsync(step);
    }
    return result;
  };
}

describe('a Canvas that accepts the connection and never answers', () => {
  let canvas: Awaited<ReturnType<typeof hungCanvas>> | undefined;
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await canvas?.close();
    canvas = undefined;
  });

  it('gives up each try after 30 s by default, retries with backoff, then fails as unavailable', async () => {
    canvas = await hungCanvas();
    const sleeps: number[] = [];
    const client = createCanvasClient({
      baseUrl: canvas.url,
      token: 'secret-token',
      attempts: 3,
      random: () => 0,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const advance = drive(client.readDueItems(), () => canvas?.requests() === client.requests);
    // Not a moment before the 30 s are up…
    expect(await advance(1_000, 29)).toBeUndefined();
    expect(client.requests).toBe(1);
    // …and in well under the 5 minutes Node's fetch would have waited for each of the 3 tries.
    const read = await advance(1_000, 100);
    expect(read).toEqual({
      complete: false,
      failure: {
        code: 'unavailable',
        message:
          'Canvas did not answer within 30 s when asked to list your courses (3 tries); try again later, or check that the Canvas address is right',
      },
    });
    expect(client.requests).toBe(3);
    expect(canvas.requests()).toBe(3);
    // The same backoff as a 5xx: 1 s, 2 s, scaled by the jitter roll 0.
    expect(sleeps).toEqual([500, 1000]);
  });

  it('times out a Canvas that sends the headers and then stalls in the body', async () => {
    canvas = await hungCanvas(
      'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n[{"id":',
    );
    let headers = 0;
    const client = createCanvasClient({
      baseUrl: canvas.url,
      token: 'secret-token',
      attempts: 2,
      timeoutMs: 1_000,
      sleep: async () => {},
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        headers += 1;
        return response;
      },
    });
    const read = await drive(client.readDueItems(), () => headers === client.requests)(250, 50);
    // Both tries got their headers: it was the body that never came.
    expect(headers).toBe(2);
    expect(read).toMatchObject({
      complete: false,
      failure: { code: 'unavailable', message: expect.stringContaining('did not answer within 1 s') },
    });
    expect(client.requests).toBe(2);
    expect(JSON.stringify(read)).not.toContain('secret-token');
  });

  it('refuses a timeout that is not a positive number when the client is built', () => {
    for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY])
      expect(() =>
        createCanvasClient({ baseUrl: 'https://canvas.example.edu', token: 't', timeoutMs }),
      ).toThrow(/timeoutMs must be a positive number/);
  });
});
