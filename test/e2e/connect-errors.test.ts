import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// Connecting goes wrong in ways a student can fix; each answer must say how, and store nothing.

let e2e: EmulatedApp;
let headers: Record<string, string>;

beforeAll(async () => {
  e2e = await startEmulatedApp();
  headers = await e2e.signIn('connect-errors@example.edu');
});
afterAll(() => e2e.close());

const putCanvas = (payload: Record<string, unknown>) =>
  e2e.http.inject({ method: 'PUT', url: '/api/v1/canvas/connection', headers, payload });

describe('a saved Canvas token is bound to its Canvas', () => {
  it('a row pointed at another host is never sent the token: the student is asked to reconnect', async () => {
    const seen: string[] = [];
    const elsewhere = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? ''}`);
      res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
    try {
      const student = await e2e.signIn('moved-canvas@example.edu');
      await e2e.connectGoogle(student);
      const put = await e2e.http.inject({
        method: 'POST',
        url: '/api/v1/canvas/connection/demo',
        headers: student,
      });
      expect(put.json().status).toBe('connected');
      // Someone with write access to the database points the row at their own server.
      const { port } = elsewhere.address() as AddressInfo;
      const me = (await e2e.http.inject({ url: '/api/v1/me', headers: student })).json();
      await e2e.app.db.withSession((sql) =>
        sql.query('update canvas_connections set base_url = $1 where user_id = $2', [
          `http://127.0.0.1:${port}`,
          me.id,
        ]),
      );
      const run = await e2e.run(student, '/api/v1/sync/canvas');
      expect(run.status).toBe('failed');
      expect(run.error?.code).toBe('canvas_reconnect_needed');
      expect(seen).toEqual([]);
      const status = (await e2e.http.inject({ url: '/api/v1/canvas/connection', headers: student })).json();
      expect(status.status).toBe('reconnect_needed');
    } finally {
      elsewhere.close();
    }
  });
});

describe('connecting Canvas with a personal token', () => {
  it('a token Canvas does not accept: 400 canvas_token_invalid, with where to make a new one', async () => {
    const res = await putCanvas({ baseUrl: e2e.canvas.url, token: '1234~notarealtokenatall' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('canvas_token_invalid');
    expect(res.json().error.message).toMatch(/Approved Integrations/);
  });

  it('a host that does not answer: 400 canvas_unreachable naming the address', async () => {
    const res = await putCanvas({ baseUrl: 'http://127.0.0.1:1', token: '1234~notarealtokenatall' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('canvas_unreachable');
    expect(res.json().error.message).toContain('http://127.0.0.1:1');
  });

  it('a web server that is not Canvas: 400 canvas_not_canvas', async () => {
    // The Google emulator answers HTTP, but not like Canvas.
    const res = await putCanvas({ baseUrl: e2e.app.emulators?.google.url, token: '1234~notarealtokenatall' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('canvas_not_canvas');
  });

  it('an address that is not a URL: 400 naming the problem; nothing was stored by any of these', async () => {
    const res = await putCanvas({ baseUrl: 'not a url at all', token: '1234~notarealtokenatall' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_canvas_url');
    const status = await e2e.http.inject({ url: '/api/v1/canvas/connection', headers });
    expect(status.json().status).toBe('not_connected');
  });

  it('shows the expiry the student gives for their token', async () => {
    const expiresAt = '2027-03-01T00:00:00.000Z';
    const res = await putCanvas({
      baseUrl: e2e.canvas.url,
      token: e2e.canvas.control.demo?.token,
      expiresAt,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'connected', tokenExpiresAt: expiresAt });
  });
});

describe('connecting Google', () => {
  it('a consent that sends no refresh token is refused with what to do, and stores nothing', async () => {
    // The student consented before (here from another CanvasCal account) and never revoked
    // it; without prompt=consent Google sends no refresh token.
    await e2e.connectGoogle(await e2e.signIn('connect-errors-other@example.edu'));
    const start = await e2e.http.inject({ url: '/api/v1/auth/google/url', headers });
    const url = new URL(start.json().url);
    url.searchParams.delete('prompt');
    const redirect = new URL(e2e.google.approveConsent(url.toString(), { email: DEMO_STUDENT_EMAIL }));
    const res = await e2e.http.inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('no_refresh_token');
    expect(res.json().error.message).toMatch(/myaccount\.google\.com\/permissions/);
    const status = await e2e.http.inject({ url: '/api/v1/auth/google', headers });
    expect(status.json().status).not.toBe('connected');
  });
});
