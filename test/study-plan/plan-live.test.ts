import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { movableSession } from '../../src/study-plan/demo-steps.ts';
import { type LiveApp, startLiveApp } from '../live/live-app.ts';

// With no click: the emulated Google pushes a change, the follow runs, and the study plan is
// repaired. The demo student's seed is laid relative to the emulator's clock, the service's.

let live: LiveApp;
interface Plan {
  calendarId: string | null;
  sessions: Array<{ deadlineId: string; start: string; end: string; eventId: string }>;
  shortfalls: Array<{ deadlineId: string }>;
  dropped: Array<{ eventId: string }>;
  lastRepair: { at: string; trigger: string; moved: number; studentEdits: { dropped: number } } | null;
}
const plan = async (): Promise<Plan> =>
  (await live.http.inject({ url: '/api/v1/plan', headers: live.headers })).json();
const nextRepair = async (after: Plan['lastRepair']) => {
  let seen: Plan | undefined;
  await vi.waitFor(
    async () => {
      seen = await plan();
      expect(seen.lastRepair).not.toBeNull();
      expect(JSON.stringify(seen.lastRepair)).not.toBe(JSON.stringify(after));
    },
    { timeout: 30_000, interval: 100 },
  );
  if (!seen) throw new Error('no repair');
  return seen;
};

beforeAll(async () => {
  live = await startLiveApp({ listen: true, pushDebounceMs: 200 });
}, 60_000);
afterAll(() => live.close());

describe('the study plan repairs itself on push', () => {
  it('a meeting added in Google moves the session it lands on; a session deleted by the student is dropped', async () => {
    const settings = (
      await live.http.inject({ url: '/api/v1/settings/planner', headers: live.headers })
    ).json();
    await live.http.inject({
      method: 'PUT',
      url: '/api/v1/settings/planner',
      headers: live.headers,
      payload: { ...settings, autoPlan: true },
    });
    let current = await nextRepair(null);
    expect(current.sessions.length).toBeGreaterThan(1);
    // Creating the study calendar opened its push channel at once (no Canvas sync or channel
    // check in between), so a student's edit there is heard within the debounce.
    await vi.waitFor(() => expect(live.live().some((c) => c.calendarId === current.calendarId)).toBe(true), {
      timeout: 10_000,
      interval: 50,
    });
    // A Canvas sync that changed no deadline queues no repair: the next one seen is the follow's.
    expect((await live.run(live.headers, '/api/v1/sync/canvas')).status).toBe('succeeded');

    // A session well ahead (the service's clock is the process's: one that has begun is never
    // moved) with room before its deadline, on whatever day this runs.
    const { deadlines } = (
      await live.http.inject({
        url: `/api/v1/deadlines?from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 364 * 86_400_000).toISOString()}`,
        headers: live.headers,
      })
    ).json();
    const victim = movableSession(current, deadlines, Date.now());
    if (!victim) throw new Error('no session with room before its deadline');
    live.google.userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'Meeting',
      start: { dateTime: victim.start },
      end: { dateTime: victim.end },
    });
    await live.google.flushDeliveries();
    current = await nextRepair(current.lastRepair);
    expect(current.lastRepair).toMatchObject({ trigger: 'calendar-follow' });
    expect(current.lastRepair?.moved).toBeGreaterThanOrEqual(1);
    expect(current.sessions.find((s) => s.eventId === victim.eventId)?.start).not.toBe(victim.start);

    const gone = current.sessions[current.sessions.length - 1];
    if (!gone) throw new Error('no session');
    live.google.userDeleteEvent(current.calendarId ?? '', gone.eventId);
    await live.google.flushDeliveries();
    current = await nextRepair(current.lastRepair);
    expect(current.lastRepair?.studentEdits.dropped).toBe(1);
    expect(current.dropped.map((d) => d.eventId)).toContain(gone.eventId);
  }, 120_000);
});
