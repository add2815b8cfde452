import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type CalendarCacheRepo, createCalendarCacheRepo } from '../../src/db/calendar-cache-repo.ts';
import { createDeadlinesRepo } from '../../src/db/deadlines-repo.ts';
import { createEventMappingsRepo } from '../../src/db/event-mappings-repo.ts';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { type FollowCalendarsDeps, followCalendars } from '../../src/sync/follow-calendars.ts';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// Following the student's calendars: the app calendar and the primary one, incrementally,
// through the HTTP API against both emulators; and the student's own edits to our events.

let e2e: EmulatedApp;
let headers: Record<string, string>;

const http = () => e2e.http;
const google = () => e2e.google;
const canvas = () => e2e.canvas.control;
const run = (path: '/api/v1/sync/canvas' | '/api/v1/sync/calendars') => e2e.run(headers, path);

const appCalendarId = () =>
  [...google().state.calendars.values()].find((c) => c.summary === 'CanvasCal' && !c.deleted)?.id ?? '';

const ours = () =>
  [...(google().state.events.get(appCalendarId())?.values() ?? [])]
    .map((e) => e.resource as Record<string, unknown> & { id: string; status: string })
    .filter((e) => e.status !== 'cancelled' && (e.end as { dateTime?: string } | undefined)?.dateTime);

const cachedCount = async (calendarId: string) =>
  Number(
    (
      await e2e.app.db.withSession((s) =>
        s.query<{ n: string }>('select count(*) as n from calendar_events where calendar_id = $1', [
          calendarId,
        ]),
      )
    )[0]?.n,
  );

beforeAll(async () => {
  e2e = await startEmulatedApp();
  headers = await e2e.signIn('follow@example.edu');
  // Following the primary calendar needs the opt-in events scope.
  const google = await e2e.connectGoogle(headers, { includePrimaryEvents: true });
  expect(google.features.primaryCalendarSync).toBe(true);
  await http().inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
  expect((await run('/api/v1/sync/canvas')).status).toBe('succeeded');
});
afterAll(() => e2e.close());

describe('following the app calendar and the primary calendar', () => {
  it('the first follow is a full sync of both calendars into the cache', async () => {
    const result = await run('/api/v1/sync/calendars');
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ calendars: 2, fullSyncs: 2, recovered: 0 });
    const live = (calendarId: string) =>
      [...(google().state.events.get(calendarId)?.values() ?? [])].filter(
        (e) => e.resource.status !== 'cancelled' && !e.resource.recurrence,
      ).length;
    expect(await cachedCount(appCalendarId())).toBe(live(appCalendarId()));
    expect(await cachedCount('primary')).toBeGreaterThan(0);
  });

  it('an unchanged follow is one events.list per calendar and changes nothing', async () => {
    google().resetCounts();
    const result = await run('/api/v1/sync/calendars');
    expect(result.counts).toMatchObject({ calendars: 2, fullSyncs: 0, upserts: 0, removals: 0 });
    expect(result.googleCalls).toBe(2);
    expect(google().requestCounts().byMethod['calendar.events.list']).toBe(2);
  });

  it('a change in the primary calendar is fetched alone, in the same two calls', async () => {
    const day = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    google().userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'Dentist',
      start: { dateTime: `${day}T15:00:00Z` },
      end: { dateTime: `${day}T16:00:00Z` },
    });
    google().resetCounts();
    const before = await cachedCount('primary');
    const result = await run('/api/v1/sync/calendars');
    expect(result.counts).toMatchObject({ upserts: 1, removals: 0, fullSyncs: 0 });
    expect(result.googleCalls).toBe(2);
    expect(await cachedCount('primary')).toBe(before + 1);
  });

  it('an expired sync token (410) recovers with a full sync to a complete cache', async () => {
    google().expireSyncTokens(DEMO_STUDENT_EMAIL);
    const before = await cachedCount('primary');
    const result = await run('/api/v1/sync/calendars');
    expect(result.status).toBe('succeeded');
    expect(result.counts).toMatchObject({ recovered: 1, fullSyncs: 1 });
    expect(await cachedCount('primary')).toBe(before);
  });
});

describe("the student's own edits to CanvasCal's events", () => {
  let moved: { id: string; sourceKey: string };
  let deleted: { id: string; sourceKey: string };

  it('a moved and a deleted event are recorded, and the status lists them', async () => {
    const [first, second] = ours();
    if (!first || !second) throw new Error('the first sync wrote too few timed events');
    const key = (e: Record<string, unknown>) =>
      (e.extendedProperties as { private: { sourceKey: string } }).private.sourceKey;
    moved = { id: first.id, sourceKey: key(first) };
    deleted = { id: second.id, sourceKey: key(second) };
    const end = new Date((first.end as { dateTime: string }).dateTime);
    google().userPatchEvent(appCalendarId(), first.id, {
      start: { dateTime: new Date(end.getTime() - 3 * 3600_000).toISOString() },
      end: { dateTime: new Date(end.getTime() - 2 * 3600_000).toISOString() },
    });
    google().userDeleteEvent(appCalendarId(), second.id);

    const result = await run('/api/v1/sync/calendars');
    expect(result.counts).toMatchObject({ movedByUser: 1, deletedByUser: 1 });
    const status = (await http().inject({ url: '/api/v1/sync/status', headers })).json();
    expect(status.userEdits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ sourceKey: moved.sourceKey, edit: 'moved' }),
        expect.objectContaining({ sourceKey: deleted.sourceKey, edit: 'deleted' }),
      ]),
    );
    expect(status.userEdits).toHaveLength(2);
  });

  it('a re-sync with Canvas unchanged leaves both as the student left them: zero writes', async () => {
    google().resetCounts();
    const result = await run('/api/v1/sync/canvas');
    expect(result.status).toBe('succeeded');
    expect(google().requestCounts().byMethod.batch ?? 0).toBe(0);
    expect(google().state.events.get(appCalendarId())?.get(deleted.id)?.resource.status).toBe('cancelled');
  });

  it('when Canvas changes the deleted item, the sync restores it at the new time and clears the mark', async () => {
    const assignmentId = Number(deleted.sourceKey.split(':').at(-1));
    const assignment = canvas().state.assignments.get(assignmentId);
    if (!assignment) throw new Error(`no assignment behind ${deleted.sourceKey}`);
    const newDue = new Date(Date.now() + 20 * 86_400_000);
    newDue.setUTCHours(17, 0, 0, 0);
    canvas().updateAssignment(assignmentId, { dueAt: newDue.toISOString() });
    google().resetCounts();
    const result = await run('/api/v1/sync/canvas');
    expect(result.counts).toMatchObject({ updated: 1, created: 0, deleted: 0 });
    const restored = google().state.events.get(appCalendarId())?.get(deleted.id)?.resource as Record<
      string,
      unknown
    >;
    expect(restored.status).toBe('confirmed');
    expect(new Date((restored.end as { dateTime: string }).dateTime).getTime()).toBe(newDue.getTime());
    const status = (await http().inject({ url: '/api/v1/sync/status', headers })).json();
    expect(status.userEdits.map((e: { sourceKey: string }) => e.sourceKey)).toEqual([moved.sourceKey]);
  });

  it('our own writes are never mistaken for the student’s edits', async () => {
    const result = await run('/api/v1/sync/calendars');
    expect(result.counts).toMatchObject({ movedByUser: 0, deletedByUser: 0 });
  });
});

describe('deletions that only a full listing can show', () => {
  const unmarkedTimedEvent = async () => {
    const status = (await http().inject({ url: '/api/v1/sync/status', headers })).json();
    const marked = new Set(status.userEdits.map((e: { sourceKey: string }) => e.sourceKey));
    const event = ours().find(
      (e) => !marked.has((e.extendedProperties as { private: { sourceKey: string } }).private.sourceKey),
    );
    if (!event) throw new Error('no unmarked event of ours left');
    return {
      id: event.id,
      sourceKey: (event.extendedProperties as { private: { sourceKey: string } }).private.sourceKey,
    };
  };
  const editsOf = async (sourceKey: string) =>
    (
      (await http().inject({ url: '/api/v1/sync/status', headers })).json().userEdits as Array<{
        sourceKey: string;
        edit: string;
      }>
    ).filter((e) => e.sourceKey === sourceKey);

  it('a deletion followed by an expired token (410) is recorded once, and the sync leaves it deleted', async () => {
    const gone = await unmarkedTimedEvent();
    google().userDeleteEvent(appCalendarId(), gone.id);
    google().expireSyncTokens(appCalendarId());

    const recovered = await run('/api/v1/sync/calendars');
    expect(recovered.counts).toMatchObject({ recovered: 1, deletedByUser: 1, movedByUser: 0 });
    expect(await editsOf(gone.sourceKey)).toEqual([expect.objectContaining({ edit: 'deleted' })]);

    // Neither the next incremental follow nor another full one records it again.
    expect((await run('/api/v1/sync/calendars')).counts).toMatchObject({ deletedByUser: 0 });
    google().expireSyncTokens(appCalendarId());
    expect((await run('/api/v1/sync/calendars')).counts).toMatchObject({ recovered: 1, deletedByUser: 0 });
    expect(await editsOf(gone.sourceKey)).toHaveLength(1);

    google().resetCounts();
    expect((await run('/api/v1/sync/canvas')).status).toBe('succeeded');
    expect(google().requestCounts().byMethod.batch ?? 0).toBe(0);
    expect(google().state.events.get(appCalendarId())?.get(gone.id)?.resource.status).toBe('cancelled');
  });
});

describe('edits are committed with the sync token that revealed them', () => {
  let userId: string;
  const depsWith = (overrides: Partial<FollowCalendarsDeps> = {}): FollowCalendarsDeps => {
    const orm = e2e.app.db.orm;
    const setup = e2e.app.google;
    if (!setup) throw new Error('no Google setup');
    return {
      connections: createGoogleConnectionsRepo(orm),
      calendarFor: (id) => setup.calendarFor(id),
      cache: createCalendarCacheRepo(orm),
      mappings: createEventMappingsRepo(orm),
      deadlines: createDeadlinesRepo(orm),
      ...overrides,
    };
  };
  const deleteOne = async () => {
    const mappings = await createEventMappingsRepo(e2e.app.db.orm).list(userId, appCalendarId());
    const unmarked = new Set(mappings.filter((m) => !m.userEdit).map((m) => m.googleEventId));
    const event = ours().find((e) => unmarked.has(e.id));
    if (!event) throw new Error('no unmarked event of ours left');
    google().userDeleteEvent(appCalendarId(), event.id);
    return event.id;
  };
  const markOf = async (eventId: string) =>
    (await createEventMappingsRepo(e2e.app.db.orm).list(userId, appCalendarId())).find(
      (m) => m.googleEventId === eventId,
    )?.userEdit;

  beforeAll(async () => {
    userId = (await http().inject({ url: '/api/v1/me', headers })).json().id;
    await run('/api/v1/sync/calendars');
  });

  it('a follow that fails before its commit records nothing, and its retry records the edit', async () => {
    const deleted = await deleteOne();
    const real = depsWith();
    const failing = depsWith({
      deadlines: {
        list: async () => {
          throw new Error('the process died');
        },
      },
    });
    await expect(followCalendars(failing, userId)).rejects.toThrow('the process died');
    expect(await markOf(deleted)).toBeNull();

    const retry = await followCalendars(real, userId);
    expect(retry.userEdits).toEqual({ moved: 0, deleted: 1 });
    expect(await markOf(deleted)).toBe('deleted');
  });

  it('a follow that fails after its commit has recorded the edit, and its retry adds nothing', async () => {
    const deleted = await deleteOne();
    const cache = createCalendarCacheRepo(e2e.app.db.orm);
    const crashing: CalendarCacheRepo = {
      ...cache,
      async applyChanges(...args) {
        await cache.applyChanges(...args);
        throw new Error('the process died');
      },
    };
    await expect(followCalendars(depsWith({ cache: crashing }), userId)).rejects.toThrow('the process died');
    expect(await markOf(deleted)).toBe('deleted');

    const retry = await followCalendars(depsWith(), userId);
    expect(retry.userEdits).toEqual({ moved: 0, deleted: 0 });
    expect(await markOf(deleted)).toBe('deleted');
  });
});
