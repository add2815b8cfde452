import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createCalendarCacheRepo } from '../../src/db/calendar-cache-repo.ts';
import type { Database } from '../../src/db/client.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { syncCalendar } from '../../src/google/delta-sync.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { migratedPglite } from '../support/pglite.ts';

const USER = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
let emulator: GoogleEmulator;
let db: Database;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
  db = await migratedPglite();
  await createUsersRepo(db.orm).ensure(USER, DEMO_STUDENT_EMAIL);
});
afterEach(async () => {
  await emulator.close();
  await db.close();
});

async function client() {
  const accessToken = await emulatorAccessToken(emulator, [SCOPES.eventsOwnedReadonly]);
  return createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => accessToken });
}

const primary = { calendarId: DEMO_STUDENT_EMAIL, role: 'primary' as const, timeZone: 'America/Chicago' };
const cachedIds = async (cache: ReturnType<typeof createCalendarCacheRepo>) =>
  (await cache.busyEvents(USER, [DEMO_STUDENT_EMAIL], new Date('2020-01-01'), new Date('2030-01-01')))
    .map((e) => e.eventId)
    .sort();

describe('delta sync against the emulator', () => {
  it('fetches everything once, then only what changed, in counted calls', async () => {
    const api = await client();
    const cache = createCalendarCacheRepo(db.orm);
    const full = await syncCalendar(api, cache, USER, primary);
    expect(full).toMatchObject({ mode: 'full', recovered: false, pages: 1 });
    const before = await cachedIds(cache);
    expect(before.length).toBeGreaterThan(30);

    const callsBefore = api.requestCount;
    const added = emulator.control.userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'Dentist',
      start: { dateTime: '2026-12-02T15:00:00Z' },
      end: { dateTime: '2026-12-02T16:00:00Z' },
    });
    emulator.control.userDeleteEvent(DEMO_STUDENT_EMAIL, before[0] ?? '');
    const delta = await syncCalendar(api, cache, USER, primary);
    expect(delta).toMatchObject({ mode: 'incremental', pages: 1 });
    // Exactly the two changes: the new event, and the deleted one (a removal, or a kept
    // cancelled row when it was an instance of a recurring series).
    expect(delta.upserts + delta.removals).toBe(2);
    // One request: the listing that carried the two changes and the next token.
    expect(api.requestCount - callsBefore).toBe(1);
    const after = await cachedIds(cache);
    expect(after).toContain(added);
    expect(after).not.toContain(before[0]);

    const idle = await syncCalendar(api, cache, USER, primary);
    expect(idle).toMatchObject({ mode: 'incremental', upserts: 0, removals: 0 });
  });

  it('recovers from 410 with a complete cache, and mirrors the primary token into users.last_sync_token', async () => {
    const api = await client();
    const cache = createCalendarCacheRepo(db.orm);
    await syncCalendar(api, cache, USER, primary);
    const complete = await cachedIds(cache);
    emulator.control.expireSyncTokens(DEMO_STUDENT_EMAIL);
    const recovered = await syncCalendar(api, cache, USER, primary);
    expect(recovered).toMatchObject({ mode: 'full', recovered: true });
    expect(await cachedIds(cache)).toEqual(complete);
    const state = await cache.state(USER, DEMO_STUDENT_EMAIL);
    const [row] = await db.withSession((s) =>
      s.query<{ t: string }>('select last_sync_token as t from users where id = $1', [USER]),
    );
    expect(row?.t).toBe(state?.syncToken);
  });

  it('keeps the old cache when a sync fails midway, and resumes from the previous token', async () => {
    const api = await client();
    const cache = createCalendarCacheRepo(db.orm);
    await syncCalendar(api, cache, USER, primary);
    const token = (await cache.state(USER, DEMO_STUDENT_EMAIL))?.syncToken;
    emulator.control.userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'X',
      start: { dateTime: '2026-12-03T15:00:00Z' },
      end: { dateTime: '2026-12-03T16:00:00Z' },
    });
    emulator.control.failNext('calendar.events.list', 503);
    await expect(syncCalendar(api, cache, USER, primary)).rejects.toMatchObject({ kind: 'transient' });
    expect((await cache.state(USER, DEMO_STUDENT_EMAIL))?.syncToken).toBe(token);
    expect(await syncCalendar(api, cache, USER, primary)).toMatchObject({ mode: 'incremental', upserts: 1 });
  });
});
