import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { startTestApp } from '../support/test-app.ts';

// Behind a proxy (TRUST_PROXY=true) every visitor may look local, so the password-less local
// sign-in must not exist at all there.
let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp({ TRUST_PROXY: 'true' }));
});
afterAll(() => close());

describe('behind a proxy', () => {
  it('has no local sign-in, whatever address the request claims', async () => {
    const res = await app.http?.inject({
      method: 'POST',
      url: '/api/v1/auth/local/login',
      payload: { email: 'victim@example.edu' },
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    expect(res?.statusCode).toBe(404);
  });
});
