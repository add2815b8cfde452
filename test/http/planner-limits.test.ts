import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { PLANNER_LIMITS } from '../../src/planner/index.ts';
import { startTestApp } from '../support/test-app.ts';

// Every list in an explicit preview body has a limit; one past it answers 400 naming it.

let app: CanvasCalApp;
let close: () => Promise<void>;
let headers: Record<string, string>;
beforeAll(async () => {
  ({ app, close } = await startTestApp({}));
  const login = await app.http?.inject({
    method: 'POST',
    url: '/api/v1/auth/local/login',
    payload: { email: 'limits@example.edu' },
  });
  headers = { authorization: `Bearer ${login?.json().accessToken}` };
});
afterAll(() => close());

const NOW = '2026-08-24T04:00:00Z';
const iso = (ms: number) => new Date(ms).toISOString();
const deadline = (j: number) => ({ id: `d${j}`, dueAt: '2026-09-10T23:59:00Z', effortMinutes: 60 });
const interval = (j: number) => ({
  start: iso(Date.parse(NOW) + j * 3_600_000),
  end: iso(Date.parse(NOW) + j * 3_600_000 + 1_800_000),
});
const session = (j: number) => ({ deadlineId: 'd0', ...interval(j) });

async function preview(payload: Record<string, unknown>) {
  const res = await app.http?.inject({ method: 'POST', url: '/api/v1/planner/preview', headers, payload });
  return { status: res?.statusCode, body: res?.json() };
}

describe('planner preview limits', () => {
  const past = [
    ['deadlines', PLANNER_LIMITS.deadlines, deadline, /at most 500 deadlines per plan/],
    ['busy', PLANNER_LIMITS.busyIntervals, interval, /at most 5,000 busy intervals per plan/],
    ['pinned', PLANNER_LIMITS.pinnedSessions, session, /at most 1,000 pinned sessions per plan/],
    ['dropped', PLANNER_LIMITS.droppedSessions, session, /at most 1,000 dropped sessions per plan/],
  ] as const;

  it.each(past)('refuses one %s past the limit with a 400 naming it', async (field, limit, item, message) => {
    const body: Record<string, unknown> = { now: NOW, deadlines: [deadline(0)] };
    body[field] = Array.from({ length: limit + 1 }, (_, j) => item(j));
    const res = await preview(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.message).toContain(field);
  });

  it('refuses a horizon past the limit with a 400 naming it, in the body and in the settings', async () => {
    const res = await preview({ now: NOW, deadlines: [deadline(0)], preferences: { horizonDays: 181 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/preferences\.horizonDays: at most 180 days ahead/);
    const put = await app.http?.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers,
      payload: { horizonDays: 181 },
    });
    expect(put?.statusCode).toBe(400);
    expect(put?.json().error.message).toMatch(/horizonDays.*at most 180 days ahead/);
  });

  it('plans a body with exactly as many busy intervals as allowed', async () => {
    const res = await preview({
      now: NOW,
      deadlines: [deadline(0)],
      busy: Array.from({ length: PLANNER_LIMITS.busyIntervals }, (_, j) => interval(j)),
    });
    expect(res.status).toBe(200);
    expect(res.body.deadlines).toHaveLength(1);
  });
});
