import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { emulatedAppOnServices } from '../support/emulated-app-on-services.ts';
import { describeWithPostgres, describeWithRedis } from '../support/services.ts';

// The API over the whole service: the demo student's seed is laid relative to the
// emulator's clock, which is the service's, so the two never meet by chance.

function planRoutesSuite(start: () => Promise<EmulatedApp>, cleanup: () => Promise<void> = async () => {}) {
  let e2e: EmulatedApp;
  let headers: Record<string, string>;

  beforeAll(async () => {
    e2e = await start();
    headers = await e2e.signIn('plan-api@example.edu');
    await e2e.connectGoogle(headers);
    await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
  });
  afterAll(async () => {
    await e2e.close();
    await cleanup();
  });

  describe('GET /api/v1/plan and POST /api/v1/plan/replan', () => {
    it('shows no plan while planning is off, then the sessions written once autoPlan is on', async () => {
      const off = await e2e.http.inject({ url: '/api/v1/plan', headers });
      expect(off.statusCode).toBe(200);
      expect(off.json()).toMatchObject({ autoPlan: false, sessions: [], pinned: [], dropped: [] });

      const settings = (await e2e.http.inject({ url: '/api/v1/settings/planner', headers })).json();
      expect(settings.autoPlan).toBe(false);
      const put = await e2e.http.inject({
        method: 'PUT',
        url: '/api/v1/settings/planner',
        headers,
        payload: { ...settings, autoPlan: true },
      });
      expect(put.statusCode).toBe(200);
      // The settings change queued a repair: a replan now joins it instead of adding a second.
      const replan = await e2e.http.inject({ method: 'POST', url: '/api/v1/plan/replan', headers });
      expect(replan.statusCode).toBe(202);
      expect(replan.json().joined).toBe(true);

      await vi.waitFor(
        async () => {
          const plan = (await e2e.http.inject({ url: '/api/v1/plan', headers })).json();
          expect(plan.lastRepair?.outcome).toBe('written');
        },
        { timeout: 30_000, interval: 200 },
      );
      const plan = (await e2e.http.inject({ url: '/api/v1/plan', headers })).json();
      expect(plan.autoPlan).toBe(true);
      expect(plan.calendarId).toEqual(expect.any(String));
      expect(plan.sessions.length).toBeGreaterThan(0);
      expect(plan.sessions.length).toBe(plan.lastRepair.added);
      expect(plan.lastRepair.batches).toBe(Math.ceil(plan.lastRepair.added / 50));
      // Every call of the repair is counted: the calendar made, its listing, free/busy, the batch.
      expect(plan.lastRepair.googleCalls).toBeGreaterThanOrEqual(3 + plan.lastRepair.batches);
    });

    it('re-plans when the student chooses other busy calendars', async () => {
      const before = (await e2e.http.inject({ url: '/api/v1/plan', headers })).json();
      const put = await e2e.http.inject({
        method: 'PUT',
        url: '/api/v1/settings/calendars',
        headers,
        payload: { preferredCalendars: ['primary'] },
      });
      expect(put.statusCode).toBe(200);
      // The choice queued a repair: a replan now joins it, and it runs for "settings".
      const replan = await e2e.http.inject({ method: 'POST', url: '/api/v1/plan/replan', headers });
      expect(replan.json().joined).toBe(true);
      await vi.waitFor(
        async () => {
          const plan = (await e2e.http.inject({ url: '/api/v1/plan', headers })).json();
          expect(plan.lastRepair?.at).not.toBe(before.lastRepair?.at);
          expect(plan.lastRepair?.trigger).toBe('settings');
        },
        { timeout: 30_000, interval: 200 },
      );
    });

    it('refuses minutes out of range in words naming the field and the range, and keeps the settings', async () => {
      const before = (await e2e.http.inject({ url: '/api/v1/settings/planner', headers })).json();
      const put = await e2e.http.inject({
        method: 'PUT',
        url: '/api/v1/settings/planner',
        headers,
        payload: { ...before, dailyCapMinutes: 2000, bufferMinutes: null, minSessionMinutes: 150 },
      });
      expect(put.statusCode).toBe(400);
      const { message } = put.json().error;
      expect(message).toContain('body.dailyCapMinutes: at most 1440 minutes (a whole day)');
      expect(message).toContain('body.bufferMinutes: expected a whole number of minutes from 0 to 240');
      expect((await e2e.http.inject({ url: '/api/v1/settings/planner', headers })).json()).toEqual(before);
    });

    it('rejects a non-boolean autoPlan with a message naming the field', async () => {
      const put = await e2e.http.inject({
        method: 'PUT',
        url: '/api/v1/settings/planner',
        headers,
        payload: { autoPlan: 'yes' },
      });
      expect(put.statusCode).toBe(400);
      expect(put.json().error.message).toMatch(/autoPlan/);
    });
  });
}

describe('the plan API (PGlite, in-process queue)', () => {
  planRoutesSuite(() => startEmulatedApp());
});

describeWithPostgres('the plan API (PostgreSQL)', (adminUrl) => {
  describeWithRedis('and Redis (BullMQ)', (redisUrl) => {
    const { start, cleanUp } = emulatedAppOnServices(adminUrl, redisUrl, 'plan');
    planRoutesSuite(start, cleanUp);
  });
});
