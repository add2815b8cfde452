import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpApp } from '../../src/http/http-app.ts';
import { TEST_GOOGLE_CLIENT } from '../support/connected-user.ts';
import { startTestApp } from '../support/test-app.ts';

// What the OpenAPI fuzz test (openapi-fuzz.test.ts) found, kept fixed. (Google's rate limit
// answered as a 5xx is in src/http/error-handler.test.ts.)

let app: Awaited<ReturnType<typeof startTestApp>>;
let http: HttpApp;
beforeAll(async () => {
  app = await startTestApp(TEST_GOOGLE_CLIENT);
  if (!app.app.http) throw new Error('no HTTP');
  http = app.app.http;
});
afterAll(() => app.close());

// URLs that Fastify's router refuses before any route runs were answered in Fastify's own
// shape (`"error": "Bad Request"`, no `error.message` for a client to show), the path quoted back.
describe('URLs the router refuses', () => {
  it('a path parameter past the length limit is 414 in the API error shape, the path not quoted', async () => {
    const segment = `secret-${'x'.repeat(200)}`;
    const res = await http.inject(`/api/v1/sync/runs/${segment}`);
    expect(res.statusCode).toBe(414);
    expect(res.json()).toEqual({
      error: { code: 'uri_too_long', message: expect.stringMatching(/too long/) },
    });
    expect(res.body).not.toContain('secret-');
  });

  it('a malformed percent-escape in the path is 400 in the API error shape', async () => {
    const res = await http.inject('/api/v1/sync/runs/%E0%A4%A');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: { code: 'bad_url', message: expect.stringMatching(/percent-escape/) },
    });
  });
});

// ISO 8601 allows years 0000 to 9999; the database refuses year 0, and a range built from a
// date near 9999 overflows a timestamp: both were 500s.
describe('instants outside what a timestamp holds', () => {
  it('are a 400 naming the field, on every route that takes one', async () => {
    const login = await http.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {} });
    const headers = { authorization: `Bearer ${login.json().accessToken}` };
    for (const edge of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z']) {
      for (const url of [
        `/api/v1/deadlines?from=${edge}&to=2027-01-01T00:00:00Z`,
        `/api/v1/availability?from=2027-01-01T00:00:00Z&to=${edge}`,
      ]) {
        const res = await http.inject({ url, headers });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.message).toMatch(/(from|to): must be between 1970-01-01 and 9000-01-01/);
      }
      const plan = await http.inject({
        method: 'POST',
        url: '/api/v1/planner/preview',
        headers,
        payload: { now: edge },
      });
      expect(plan.statusCode).toBe(400);
      expect(plan.json().error.message).toMatch(/now: must be between 1970-01-01 and 9000-01-01/);
    }
  });
});
