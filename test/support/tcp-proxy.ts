import { createConnection, createServer, type Socket } from 'node:net';

/**
 * A TCP proxy the test controls, for cutting a service off mid-conversation: `blackHole()`
 * keeps every connection open but lets no byte through either way (a dead link or a
 * partitioned network), `cut()` resets every connection, `restore()` forwards again.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  let mode: 'forward' | 'blackhole' = 'forward';
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => sockets.delete(socket));
    }
    client.on('data', (chunk) => {
      if (mode === 'forward') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (mode === 'forward') client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    port: address.port,
    /** `url` with its host and port replaced by the proxy's. */
    through(url: string): string {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(address.port);
      return proxied.toString();
    },
    blackHole() {
      mode = 'blackhole';
    },
    restore() {
      mode = 'forward';
    },
    cut() {
      for (const socket of sockets) socket.destroy();
    },
    get connections() {
      return sockets.size / 2;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
