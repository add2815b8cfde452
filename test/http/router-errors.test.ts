import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApp } from '../../src/http/http-app.ts';
import { startTestApp } from '../support/test-app.ts';

// Found by the OpenAPI fuzz test (openapi-fuzz.test.ts): URLs that Fastify's router refuses
// before any route runs were answered in Fastify's own shape (`"error": "Bad Request"`, no
// `error.message` for a client to show) with the whole path quoted back.

let app: Awaited<ReturnType<typeof startTestApp>>;
let http: HttpApp;
beforeAll(async () => {
  app = await startTestApp();
  if (!app.app.http) throw new Error('no HTTP');
  http = app.app.http;
});
afterAll(() => app.close());

describe('URLs the router refuses', () => {
  it('a path parameter past the length limit is 414 in the API error shape, the path not quoted', async () => {
    const segment = `secret-${'x'.repeat(200)}`;
    const res = await http.inject(`/api/v1/sync/runs/${segment}`);
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({ error: { code: 'uri_too_long', message: expect.stringMatching(/too long/) } });
    expect(res.body).not.toContain('secret-');
  });

  it('a malformed percent-escape in the path is 400 in the API error shape', async () => {
    const res = await http.inject('/api/v1/sync/runs/%E0%A4%A');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'bad_url', message: expect.stringMatching(/percent-escape/) } });
  });
});
