import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { createTestDatabase } from '../support/postgres.ts';
import { describeWithPostgres } from '../support/services.ts';
import { startTestApp } from '../support/test-app.ts';

// When PostgreSQL goes away, the API says so with a 503 the client can retry, not a 500.
describeWithPostgres('when PostgreSQL is unreachable', (adminUrl) => {
  let app: CanvasCalApp;
  let close: () => Promise<void>;
  let drop: () => Promise<void>;
  let headers: Record<string, string>;

  beforeAll(async () => {
    const database = await createTestDatabase(adminUrl);
    drop = database.drop;
    ({ app, close } = await startTestApp({ DATABASE_URL: database.url ?? '' }));
    const login = await app.http?.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {} });
    headers = { authorization: `Bearer ${login?.json().accessToken}` };
    expect((await app.http?.inject({ url: '/api/v1/me', headers }))?.statusCode).toBe(200);
  });
  afterAll(async () => {
    await close();
    await drop();
  });

  it('answers 503 database_unavailable with Retry-After, and readiness fails', async () => {
    // The pool is gone: every query now fails at the connection level.
    await app.db.close();
    const res = await app.http?.inject({ url: '/api/v1/me', headers });
    expect(res?.statusCode).toBe(503);
    expect(res?.json().error).toEqual({
      code: 'database_unavailable',
      message: 'The database cannot be reached right now; try again shortly.',
    });
    expect(res?.headers['retry-after']).toBe('5');
    expect((await app.http?.inject({ url: '/readyz' }))?.statusCode).toBe(503);
  });
});
