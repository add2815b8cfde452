import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// Moving or removing one session through the API writes it to the emulated Google and is
// recorded as the student's own edit there would be: pinned where they put it, or dropped.
// The demo seed is laid relative to the emulator's clock, the service's; sessions are picked
// a day ahead of that clock, never by a fixed date.

let e2e: EmulatedApp;
let headers: Record<string, string>;
interface Session {
  deadlineId: string;
  start: string;
  end: string;
  eventId: string;
}
interface Plan {
  calendarId: string;
  sessions: Session[];
  pinned: Session[];
  dropped: Session[];
  lastRepair: { at: string } | null;
}
const plan = async (): Promise<Plan> => (await e2e.http.inject({ url: '/api/v1/plan', headers })).json();
const onGoogle = (calendarId: string, eventId: string) =>
  e2e.google.state.events.get(calendarId)?.get(eventId)?.resource as
    | { status?: string; start?: { dateTime?: string }; end?: { dateTime?: string } }
    | undefined;

beforeAll(async () => {
  e2e = await startEmulatedApp({}, { retryBaseMs: { canvas: 1, job: 1 } });
  headers = await e2e.signIn('plan-edits@example.edu');
  await e2e.connectGoogle(headers);
  await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
  expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');
  const settings = (await e2e.http.inject({ url: '/api/v1/settings/planner', headers })).json();
  await e2e.http.inject({
    method: 'PUT',
    url: '/api/v1/settings/planner',
    headers,
    payload: { ...settings, autoPlan: true },
  });
  await vi.waitFor(async () => expect((await plan()).sessions.length).toBeGreaterThan(2), {
    timeout: 30_000,
    interval: 100,
  });
}, 90_000);
afterAll(() => e2e?.close());

describe('moving and removing one study session', () => {
  it('a moved session is pinned at its new time in Google and kept there by the next repair', async () => {
    const before = await plan();
    const ahead = Date.now() + 24 * 3600_000;
    const victim = before.sessions.find((s) => Date.parse(s.start) > ahead);
    if (!victim) throw new Error('no session a day ahead');
    const start = new Date(Date.parse(victim.start) + 3600_000).toISOString();
    const end = new Date(Date.parse(victim.end) + 3600_000).toISOString();
    const moved = await e2e.http.inject({
      method: 'PATCH',
      url: `/api/v1/plan/sessions/${encodeURIComponent(victim.eventId)}`,
      headers,
      payload: { start, end },
    });
    expect(moved.statusCode).toBe(202);
    await vi.waitFor(
      async () => expect((await plan()).pinned.map((s) => s.eventId)).toContain(victim.eventId),
      {
        timeout: 15_000,
        interval: 50,
      },
    );
    const pinned = (await plan()).pinned.find((s) => s.eventId === victim.eventId);
    expect(pinned).toMatchObject({ start, end });
    const event = onGoogle(before.calendarId, victim.eventId);
    expect(Date.parse(event?.start?.dateTime ?? '')).toBe(Date.parse(start));
    expect(Date.parse(event?.end?.dateTime ?? '')).toBe(Date.parse(end));

    // A repair afterwards reads our own write as no edit of the student's and leaves it there.
    const last = (await plan()).lastRepair?.at;
    await e2e.http.inject({ method: 'POST', url: '/api/v1/plan/replan', headers });
    await vi.waitFor(async () => expect((await plan()).lastRepair?.at).not.toBe(last), {
      timeout: 15_000,
      interval: 50,
    });
    const after = await plan();
    expect(after.pinned.find((s) => s.eventId === victim.eventId)).toMatchObject({ start, end });
    expect(Date.parse(onGoogle(before.calendarId, victim.eventId)?.start?.dateTime ?? '')).toBe(
      Date.parse(start),
    );
  }, 60_000);

  it('a removed session is deleted in Google and dropped for good', async () => {
    const before = await plan();
    const victim = before.sessions.find((s) => Date.parse(s.start) > Date.now() + 24 * 3600_000);
    if (!victim) throw new Error('no session a day ahead');
    const removed = await e2e.http.inject({
      method: 'DELETE',
      url: `/api/v1/plan/sessions/${encodeURIComponent(victim.eventId)}`,
      headers,
    });
    expect(removed.statusCode).toBe(202);
    await vi.waitFor(
      async () => expect((await plan()).dropped.map((s) => s.eventId)).toContain(victim.eventId),
      {
        timeout: 15_000,
        interval: 50,
      },
    );
    expect(onGoogle(before.calendarId, victim.eventId)?.status).toBe('cancelled');
    expect((await plan()).sessions.map((s) => s.eventId)).not.toContain(victim.eventId);
  }, 60_000);

  it('says what to fix: an unknown session is 404, an end before its start 400', async () => {
    const unknown = await e2e.http.inject({
      method: 'DELETE',
      url: '/api/v1/plan/sessions/nosuchevent',
      headers,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toContain('GET /api/v1/plan');
    const [session] = (await plan()).sessions;
    const backwards = await e2e.http.inject({
      method: 'PATCH',
      url: `/api/v1/plan/sessions/${encodeURIComponent(session?.eventId ?? 'x')}`,
      headers,
      payload: { start: session?.end, end: session?.start },
    });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().error.message).toContain('end must be after start');
  });
});
