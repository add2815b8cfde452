import pg from 'pg';

/**
 * A pg Pool whose checked-out clients may be released more than once (the second time does
 * nothing), so a connection given up on can be returned at once by `dropOnReadTimeout`
 * while its user still releases it later as usual. Drizzle's transaction never releases a
 * client whose `begin` failed: without this, each such failure would leak a pool slot until
 * the process hung.
 */
export class BoundedPool extends pg.Pool {
  override connect(): Promise<pg.PoolClient>;
  override connect(
    callback: (
      err: Error | undefined,
      client: pg.PoolClient | undefined,
      done: (release?: unknown) => void,
    ) => void,
  ): void;
  override connect(
    callback?: (
      err: Error | undefined,
      client: pg.PoolClient | undefined,
      done: (release?: unknown) => void,
    ) => void,
  ): Promise<pg.PoolClient> | undefined {
    // pg-pool's own query() uses the callback form and releases with the error itself.
    if (callback) {
      super.connect(callback);
      return undefined;
    }
    return super.connect().then((client) => {
      const release = client.release.bind(client);
      let released = false;
      client.release = (error?: Error | boolean) => {
        if (released) return;
        released = true;
        release(error);
      };
      return client;
    });
  }
}

const READ_TIMEOUT = 'Query read timeout';

/**
 * pg answers a query that outlived `query_timeout` with an error but keeps the connection,
 * still waiting for the lost answer: every later query on it would time out too, and a
 * transaction would return it to the pool as if healthy. This closes it and takes it out of
 * the pool, which opens a new one, so the process recovers by itself once the database is
 * reachable again.
 */
export function dropOnReadTimeout(
  client: pg.PoolClient,
  onError: ((error: Error) => void) | undefined,
): void {
  const connection = (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection;
  // A checked-out client whose link dies emits 'error' with nobody listening: the query it
  // was running already failed with it, so this listener only keeps the process up.
  client.on('error', () => {});
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const isReadTimeout = (error: unknown): error is Error =>
    error instanceof Error && error.message === READ_TIMEOUT;
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === 'function') {
      // pg-pool's query(): it releases the client with this error, which removes it.
      const callback = last as (error: unknown, result: unknown) => void;
      args[args.length - 1] = (error: unknown, result: unknown) => {
        if (isReadTimeout(error)) {
          onError?.(error);
          connection?.stream?.destroy();
        }
        callback(error, result);
      };
      return query(...args);
    }
    const result = query(...args);
    if (result instanceof Promise)
      result.catch((error: unknown) => {
        if (!isReadTimeout(error)) return;
        onError?.(error);
        connection?.stream?.destroy();
        client.release(error);
      });
    return result;
  };
}
