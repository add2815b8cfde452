import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { createDeadlinesRepo } from '../../src/db/deadlines-repo.ts';
import { startTestApp } from '../support/test-app.ts';

let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp({}));
});
afterAll(() => close());

const inject = async (options: { url: string; headers?: Record<string, string> }) => {
  if (!app.http) throw new Error('no HTTP server');
  return app.http.inject(options);
};

describe('the web page routes', () => {
  it('serves the page at / with a CSP that allows no inline script', async () => {
    const res = await inject({ url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('<script type="module" src="/web/app.js"></script>');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
  });

  it('serves its modules and the vendored calendar, and nothing else from disk', async () => {
    for (const url of ['/web/app.js', '/web/week-view.js', '/vendor/fullcalendar.js']) {
      const res = await inject({ url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/javascript/);
    }
    expect((await inject({ url: '/web/styles.css' })).headers['content-type']).toMatch(/^text\/css/);
    for (const url of ['/web/missing.js', '/web/../package.json', '/web/%2e%2e/package.json', '/web/']) {
      expect((await inject({ url })).statusCode, url).toBe(404);
    }
  });
});

describe('GET /api/v1/deadlines', () => {
  const deadline = (sourceKey: string, dueAt: string | null) => ({
    sourceKey,
    kind: 'assignment',
    courseId: '1',
    courseName: 'Composition I',
    title: sourceKey,
    dueAt: dueAt ? new Date(dueAt) : null,
    allDay: false,
    allDayDate: null,
    pointsPossible: 10,
    submitted: false,
    htmlUrl: null,
  });

  it("lists the user's dated deadlines in the range, in UTC", async () => {
    const login = await app.http?.inject({
      method: 'POST',
      url: '/api/v1/auth/local/login',
      payload: { email: 'dana@example.edu' },
    });
    const headers = { authorization: `Bearer ${login?.json().accessToken}` };
    const me = (await inject({ url: '/api/v1/me', headers })).json();
    await createDeadlinesRepo(app.db.orm).replaceAll(me.id, [
      deadline('before', '2027-03-07T05:59:00Z'),
      deadline('inside', '2027-03-09T05:59:00Z'),
      deadline('undated', null),
      deadline('after', '2027-03-15T05:00:00Z'),
    ]);
    const res = await inject({
      url: `/api/v1/deadlines?from=${encodeURIComponent('2027-03-08T00:00:00-06:00')}&to=${encodeURIComponent('2027-03-15T00:00:00-05:00')}`,
      headers,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().deadlines).toEqual([
      expect.objectContaining({
        sourceKey: 'inside',
        dueAt: '2027-03-09T05:59:00.000Z',
        courseName: 'Composition I',
      }),
    ]);

    const backwards = await inject({
      url: '/api/v1/deadlines?from=2027-03-15T00:00:00Z&to=2027-03-08T00:00:00Z',
      headers,
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.code).toBe('invalid_range');
    const noOffset = await inject({
      url: '/api/v1/deadlines?from=2027-03-08T00:00:00&to=2027-03-09T00:00:00Z',
      headers,
    });
    expect(noOffset.statusCode).toBe(400);
    expect(noOffset.json().error.message).toMatch(/offset/);
    expect(
      (await inject({ url: '/api/v1/deadlines?from=2027-03-08T00:00:00Z&to=2027-03-09T00:00:00Z' }))
        .statusCode,
    ).toBe(401);
  });
});
