import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { startTestApp } from '../support/test-app.ts';

// A hosted deployment (developer keys configured) must not ask students for personal tokens.
let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp({
    CANVAS_DEVELOPER_KEYS:
      '[{"baseUrl":"https://canvas.school.edu","clientId":"170000000000001","clientSecret":"s"}]',
  }));
});
afterAll(() => close());

describe('personal tokens on a hosted deployment', () => {
  it('refuses PUT /canvas/connection with a message that points to the school sign-in', async () => {
    const login = await app.http?.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {} });
    const headers = { authorization: `Bearer ${login?.json().accessToken}` };
    const res = await app.http?.inject({
      method: 'PUT',
      url: '/api/v1/canvas/connection',
      headers,
      payload: { baseUrl: 'https://canvas.school.edu', token: '1234~abcdefghijklmnop' },
    });
    expect(res?.statusCode).toBe(403);
    expect(res?.json().error.code).toBe('personal_tokens_disabled');
    expect(res?.json().error.message).toMatch(/auth\/canvas\/url/);
    const url = await app.http?.inject({
      url: '/api/v1/auth/canvas/url?baseUrl=https://canvas.school.edu',
      headers,
    });
    expect(url?.statusCode).toBe(200);
    expect(new URL(url?.json().url).searchParams.get('client_id')).toBe('170000000000001');
  });
});
