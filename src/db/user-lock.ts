import type { Database } from './client.ts';

/** Runs `fn` while holding a lock on (name, user) that every process on this database respects. */
export type WithUserLock = <T>(name: string, userId: string, fn: () => Promise<T>) => Promise<T>;

/**
 * On Postgres: a session advisory lock on a dedicated connection, so work held under it
 * (an OAuth refresh) does not keep a transaction open. On PGlite there is one process, and
 * one connection every query shares, so an in-process queue per key is the lock.
 */
export function createUserLock(db: Database): WithUserLock {
  if (db.kind === 'pglite') return createInProcessUserLock();
  return (name, userId, fn) =>
    db.withSession(async (session) => {
      await session.query('select pg_advisory_lock(hashtext($1))', [`${name}:${userId}`]);
      try {
        return await fn();
      } finally {
        await session.query('select pg_advisory_unlock(hashtext($1))', [`${name}:${userId}`]);
      }
    });
}

/**
 * A lock that holds only within this process: calls on the same (name, user) run one after
 * another in call order (a failed holder still hands on), other keys never wait.
 */
export function createInProcessUserLock(): WithUserLock {
  const tails = new Map<string, Promise<unknown>>();
  return async (name, userId, fn) => {
    const key = `${name}:${userId}`;
    const run = (tails.get(key) ?? Promise.resolve()).then(fn, fn);
    const tail = run.catch(() => undefined);
    tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (tails.get(key) === tail) tails.delete(key);
    }
  };
}
