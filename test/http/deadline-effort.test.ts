import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { createDeadlinesRepo } from '../../src/db/deadlines-repo.ts';
import { startTestApp } from '../support/test-app.ts';

// The student's own effort estimate per deadline: set, read back, planned with, cleared.

let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp({}));
});
afterAll(() => close());

async function inject(options: InjectOptions): Promise<LightMyRequestResponse> {
  if (!app.http) throw new Error('no HTTP server');
  return app.http.inject(options);
}

async function signIn(email: string) {
  const login = await inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: { email } });
  const headers = { authorization: `Bearer ${login.json().accessToken}` };
  return { headers, id: (await inject({ url: '/api/v1/me', headers })).json().id as string };
}

const essay = {
  sourceKey: 'assignment:essay-3',
  kind: 'assignment',
  courseId: '1',
  courseName: 'Composition I',
  title: 'Essay 3',
  dueAt: new Date('2031-03-14T23:59:00Z'),
  allDay: false,
  allDayDate: null,
  pointsPossible: 100,
  submitted: false,
  htmlUrl: null,
};
const RANGE = `from=${encodeURIComponent('2031-03-01T00:00:00Z')}&to=${encodeURIComponent('2031-04-01T00:00:00Z')}`;
const effortUrl = `/api/v1/deadlines/${encodeURIComponent(essay.sourceKey)}/effort`;

describe('PUT /api/v1/deadlines/:sourceKey/effort', () => {
  it('stores the estimate the planner then plans with, and null returns to the planner’s own', async () => {
    const dana = await signIn('effort-dana@example.edu');
    await createDeadlinesRepo(app.db.orm).replaceAll(dana.id, [essay]);
    const listed = async () =>
      (await inject({ url: `/api/v1/deadlines?${RANGE}`, headers: dana.headers })).json().deadlines[0];
    expect((await listed()).effortMinutes).toBeNull();

    const set = await inject({
      method: 'PUT',
      url: effortUrl,
      headers: dana.headers,
      payload: { effortMinutes: 420 },
    });
    expect(set.statusCode).toBe(200);
    expect(set.json()).toEqual({ sourceKey: essay.sourceKey, effortMinutes: 420 });
    expect((await listed()).effortMinutes).toBe(420);

    const planned = async () =>
      (
        await inject({
          method: 'POST',
          url: '/api/v1/planner/preview',
          headers: dana.headers,
          payload: { now: '2031-03-01T12:00:00Z' },
        })
      ).json().deadlines[0];
    expect(await planned()).toMatchObject({
      deadlineId: essay.sourceKey,
      effortMinutes: 420,
      effortEstimated: false,
    });

    // A Canvas sync replaces the set and keeps the student's estimate.
    await createDeadlinesRepo(app.db.orm).replaceAll(dana.id, [{ ...essay, title: 'Essay 3 (revised)' }]);
    expect((await listed()).effortMinutes).toBe(420);

    const cleared = await inject({
      method: 'PUT',
      url: effortUrl,
      headers: dana.headers,
      payload: { effortMinutes: null },
    });
    expect(cleared.statusCode).toBe(200);
    expect((await listed()).effortMinutes).toBeNull();
    expect((await planned()).effortEstimated).toBe(true);
  });

  it('refuses another student’s deadline, a bad value naming the field, and no token', async () => {
    const erin = await signIn('effort-erin@example.edu');
    const frank = await signIn('effort-frank@example.edu');
    await createDeadlinesRepo(app.db.orm).replaceAll(erin.id, [essay]);
    const stolen = await inject({
      method: 'PUT',
      url: effortUrl,
      headers: frank.headers,
      payload: { effortMinutes: 60 },
    });
    expect(stolen.statusCode).toBe(404);
    expect(stolen.json().error.code).toBe('deadline_not_found');
    expect(
      (await inject({ url: `/api/v1/deadlines?${RANGE}`, headers: erin.headers })).json().deadlines[0]
        .effortMinutes,
    ).toBeNull();

    for (const effortMinutes of [1.5, 0, 100_000, 'lots']) {
      const bad = await inject({
        method: 'PUT',
        url: effortUrl,
        headers: erin.headers,
        payload: { effortMinutes },
      });
      expect(bad.statusCode, String(effortMinutes)).toBe(400);
      expect(bad.json().error.message, String(effortMinutes)).toMatch(/effortMinutes/);
    }
    // A NUL byte in the key reached the database and answered 500 (found by the OpenAPI fuzz test).
    const nul = await inject({
      method: 'PUT',
      url: '/api/v1/deadlines/%00/effort',
      headers: erin.headers,
      payload: { effortMinutes: 60 },
    });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().error.message).toMatch(/sourceKey/);
    const extra = await inject({
      method: 'PUT',
      url: effortUrl,
      headers: erin.headers,
      payload: { effortMinutes: 60, hours: 1 },
    });
    expect(extra.statusCode).toBe(400);
    expect((await inject({ method: 'PUT', url: effortUrl, payload: { effortMinutes: 60 } })).statusCode).toBe(
      401,
    );
  });

  it('is in the OpenAPI document with its body schema', async () => {
    const spec = (await inject({ url: '/docs/json' })).json();
    const put = spec.paths['/api/v1/deadlines/{sourceKey}/effort']?.put;
    expect(put).toBeDefined();
    expect(JSON.stringify(put.requestBody)).toContain('effortMinutes');
  });
});
