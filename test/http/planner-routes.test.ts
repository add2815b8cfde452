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

async function tokenFor(email: string): Promise<string> {
  const res = await app.http?.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: { email } });
  return res?.json().accessToken;
}

describe('planner routes', () => {
  it('reads default preferences and stores valid ones per user', async () => {
    const alice = await tokenFor('alice@example.edu');
    const bob = await tokenFor('bob@example.edu');
    const headers = { authorization: `Bearer ${alice}` };
    const defaults = (await app.http?.inject({ url: '/api/v1/settings/planner', headers }))?.json();
    expect(defaults).toMatchObject({ timeZone: 'UTC', dailyCapMinutes: 240, slotMinutes: 15 });

    const put = await app.http?.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers,
      payload: { timeZone: 'America/New_York', dailyCapMinutes: 180 },
    });
    expect(put?.statusCode).toBe(200);
    expect((await app.http?.inject({ url: '/api/v1/settings/planner', headers }))?.json()).toMatchObject({
      timeZone: 'America/New_York',
      dailyCapMinutes: 180,
    });
    const bobs = (
      await app.http?.inject({ url: '/api/v1/settings/planner', headers: { authorization: `Bearer ${bob}` } })
    )?.json();
    expect(bobs.timeZone).toBe('UTC');
  });

  it('rejects impossible preferences with a message naming the field', async () => {
    const headers = { authorization: `Bearer ${await tokenFor('carol@example.edu')}` };
    const res = await app.http?.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers,
      payload: { timeZone: 'Mars/Olympus', minSessionMinutes: 90, maxSessionMinutes: 60 },
    });
    expect(res?.statusCode).toBe(400);
    expect(res?.json().error.message).toMatch(/timeZone/);
  });

  it('refuses a misspelt field instead of ignoring it', async () => {
    const headers = { authorization: `Bearer ${await tokenFor('erin@example.edu')}` };
    const res = await app.http?.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers,
      payload: { studyWindows: { monday: [{ start: '09:00', end: '17:00' }] } },
    });
    expect(res?.statusCode).toBe(400);
    expect(res?.json().error.message).toMatch(/monday/);
  });

  it('previews a plan from an explicit body', async () => {
    const headers = { authorization: `Bearer ${await tokenFor('dan@example.edu')}` };
    const res = await app.http?.inject({
      method: 'POST',
      url: '/api/v1/planner/preview',
      headers,
      payload: {
        now: '2026-12-01T08:00:00Z',
        deadlines: [{ id: 'essay', dueAt: '2026-12-05T23:59:00Z', effortMinutes: 180 }],
        busy: [{ start: '2026-12-01T16:00:00Z', end: '2026-12-01T22:00:00Z' }],
      },
    });
    expect(res?.statusCode).toBe(200);
    const plan = res?.json();
    expect(plan.deadlines).toEqual([
      expect.objectContaining({ deadlineId: 'essay', status: 'planned', plannedMinutes: 180 }),
    ]);
    expect(plan.sessions.length).toBeGreaterThan(0);
    for (const s of plan.sessions)
      expect(s.start >= '2026-12-01T22:00:00Z' || s.end <= '2026-12-01T16:00:00Z').toBe(true);
  });

  it('previews from stored deadlines, skipping submitted work, and reports a shortfall honestly', async () => {
    const token = await tokenFor('erin@example.edu');
    const headers = { authorization: `Bearer ${token}` };
    const me = (await app.http?.inject({ url: '/api/v1/me', headers }))?.json();
    const deadline = (key: string, due: string, submitted: boolean) => ({
      sourceKey: key,
      kind: 'assignment',
      courseId: '1',
      courseName: 'Course',
      title: key,
      dueAt: new Date(due),
      allDay: false,
      allDayDate: null,
      pointsPossible: 100,
      submitted,
      htmlUrl: null,
    });
    await createDeadlinesRepo(app.db.orm).replaceAll(me.id, [
      deadline('assignment:1:big', '2026-12-01T20:00:00Z', false),
      deadline('assignment:1:done', '2026-12-03T20:00:00Z', true),
    ]);
    const res = await app.http?.inject({
      method: 'POST',
      url: '/api/v1/planner/preview',
      headers,
      payload: { now: '2026-12-01T08:00:00Z' },
    });
    expect(res?.statusCode).toBe(200);
    const plan = res?.json();
    expect(plan.deadlines.map((d: { deadlineId: string }) => d.deadlineId)).toEqual(['assignment:1:big']);
    const [big] = plan.deadlines;
    expect(big.status).toBe('shortfall');
    expect(big.plannedMinutes + big.shortfall.minutes).toBe(big.requiredMinutes);
    expect(big.shortfall.message).toMatch(/needs/);
    expect(big).toMatchObject({ title: 'assignment:1:big', course: 'Course' });
  });

  it('without Google, plans nothing into time it knows nothing about', async () => {
    const headers = { authorization: `Bearer ${await tokenFor('fay@example.edu')}` };
    const me = (await app.http?.inject({ url: '/api/v1/me', headers }))?.json();
    await createDeadlinesRepo(app.db.orm).replaceAll(me.id, [
      {
        sourceKey: 'assignment:1:later',
        kind: 'assignment',
        courseId: '1',
        courseName: 'Course',
        title: 'Essay',
        dueAt: new Date('2026-12-10T20:00:00Z'),
        allDay: false,
        allDayDate: null,
        pointsPossible: 100,
        submitted: false,
        htmlUrl: null,
      },
    ]);
    const res = await app.http?.inject({
      method: 'POST',
      url: '/api/v1/planner/preview',
      headers,
      payload: { now: '2026-12-01T08:00:00Z' },
    });
    expect(res?.statusCode).toBe(200);
    expect(res?.json().sessions).toEqual([]);
    expect(res?.json().deadlines[0]).toMatchObject({ title: 'Essay', status: 'shortfall' });
  });
});
