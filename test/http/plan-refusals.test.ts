import { randomUUID } from 'node:crypto';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanvasCalApp } from '../../src/app.ts';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { createStudyPlanRepo } from '../../src/db/study-plan-repo.ts';
import { connectedUser, TEST_GOOGLE_CLIENT } from '../support/connected-user.ts';
import { startTestApp } from '../support/test-app.ts';

// What the plan routes refuse, and what they say. A replan or a session edit is written to
// Google in the background: without a working Google connection it could only fail there, so
// the request is refused at once with what to do, and nothing is queued (the pending repair
// triggers count what was queued).

let app: CanvasCalApp;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ app, close } = await startTestApp(TEST_GOOGLE_CLIENT));
});
afterAll(() => close());

const inject = (options: InjectOptions) => {
  if (!app.http) throw new Error('the app has no HTTP server');
  return app.http.inject(options);
};
const plans = () => createStudyPlanRepo(app.db.orm);

async function signIn(email: string) {
  const login = await inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: { email } });
  const headers = { authorization: `Bearer ${login.json().accessToken}` };
  return { headers, userId: (await inject({ url: '/api/v1/me', headers })).json().id as string };
}

/** One planned session on the user's study calendar (fixed times: no route compares them with now). */
async function seedSession(userId: string): Promise<string> {
  const eventId = `ccs${randomUUID().replaceAll('-', '')}`;
  await plans().saveSessions(userId, {
    upserts: [
      {
        id: randomUUID(),
        deadlineKey: 'canvas:1:assignment:1',
        slotKey: 's1',
        start: new Date('2030-03-04T14:00:00Z'),
        end: new Date('2030-03-04T15:00:00Z'),
        status: 'planned',
        googleEventId: eventId,
        calendarId: 'study',
        googleEtag: null,
        fingerprint: null,
        titledByStudent: false,
      },
    ],
    deletes: [],
  });
  return eventId;
}

const move = { start: '2030-03-04T16:00:00Z', end: '2030-03-04T17:00:00Z' };

describe('plan routes that write to Google', () => {
  it('refuses a replan with 409 and how to connect Google, queuing nothing, until Google is connected', async () => {
    const { headers, userId } = await signIn('never-connected@example.edu');
    const refused = await inject({ method: 'POST', url: '/api/v1/plan/replan', headers });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      error: {
        code: 'google_not_connected',
        message: 'Connect your Google account: GET /api/v1/auth/google/url.',
      },
    });
    expect(await plans().takeTriggers(userId)).toEqual([]);

    const connected = await connectedUser(app, 'connected@example.edu');
    const accepted = await inject({ method: 'POST', url: '/api/v1/plan/replan', headers: connected.headers });
    expect(accepted.statusCode).toBe(202);
    expect(await plans().takeTriggers(connected.userId)).toEqual(['manual']);
  });

  it('refuses to move or remove a session while Google needs reconnecting, and leaves it as it was', async () => {
    const { headers, userId } = await connectedUser(app, 'revoked@example.edu');
    const eventId = await seedSession(userId);
    await createGoogleConnectionsRepo(app.db.orm).markReconnectNeeded(userId, 'the grant was revoked');
    const url = `/api/v1/plan/sessions/${eventId}`;
    const expected = {
      error: {
        code: 'google_reconnect_needed',
        message: "Google no longer accepts CanvasCal's access (the grant was revoked); connect Google again.",
      },
    };

    const moved = await inject({ method: 'PATCH', url, headers, payload: move });
    expect(moved.statusCode).toBe(409);
    expect(moved.json()).toEqual(expected);
    const removed = await inject({ method: 'DELETE', url, headers });
    expect(removed.statusCode).toBe(409);
    expect(removed.json()).toEqual(expected);

    expect((await plans().listSessions(userId)).map((s) => [s.googleEventId, s.status])).toEqual([
      [eventId, 'planned'],
    ]);
    expect(await plans().takeTriggers(userId)).toEqual([]);
  });

  it('refuses the same after the student disconnected Google, naming the route to connect again', async () => {
    const { headers, userId } = await connectedUser(app, 'disconnected@example.edu');
    const eventId = await seedSession(userId);
    const before = await inject({
      method: 'PATCH',
      url: `/api/v1/plan/sessions/${eventId}`,
      headers,
      payload: move,
    });
    expect(before.statusCode).toBe(202);
    expect(await plans().takeTriggers(userId)).toEqual(['manual']);

    await createGoogleConnectionsRepo(app.db.orm).disconnect(userId);
    const expected = {
      error: {
        code: 'google_not_connected',
        message: 'Google is disconnected; connect it again with GET /api/v1/auth/google/url.',
      },
    };
    for (const request of [
      { method: 'POST' as const, url: '/api/v1/plan/replan' },
      { method: 'PATCH' as const, url: `/api/v1/plan/sessions/${eventId}`, payload: move },
      { method: 'DELETE' as const, url: `/api/v1/plan/sessions/${eventId}` },
    ]) {
      const res = await inject({ ...request, headers });
      expect(res.statusCode, `${request.method} ${request.url}`).toBe(409);
      expect(res.json()).toEqual(expected);
    }
    expect(await plans().takeTriggers(userId)).toEqual([]);
  });
});

describe('a bad instant in a session move', () => {
  it('is one 400 message naming the field once, whatever is wrong with the value', async () => {
    const { headers, userId } = await connectedUser(app, 'bad-start@example.edu');
    const url = `/api/v1/plan/sessions/${await seedSession(userId)}`;
    const answers = async (start: unknown) =>
      (await inject({ method: 'PATCH', url, headers, payload: { ...move, start } })).json();
    for (const notADate of ['abc', '', '2030-03-04T16:00:00']) {
      expect(await answers(notADate), notADate).toEqual({
        error: {
          code: 'validation_failed',
          message:
            'Invalid body: body.start: must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T09:00:00-05:00',
        },
      });
    }
    expect(await answers('0001-01-01T00:00:00Z')).toEqual({
      error: {
        code: 'validation_failed',
        message: 'Invalid body: body.start: must be between 1970-01-01 and 9000-01-01',
      },
    });
    expect(await plans().takeTriggers(userId)).toEqual([]);
  });
});
