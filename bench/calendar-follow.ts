// Following a calendar: Google requests and time for a full sync of 500 and 2000 events,
// then an incremental sync after 10 changes, beside a naive follower that re-lists the whole
// calendar (at Google's default page size) every time. Against the emulator on loopback,
// with the cache in an in-memory PGlite.
import { randomUUID } from 'node:crypto';
import { startGoogleEmulator } from '../emulators/google/google-emulator.ts';
import { createCalendarCacheRepo } from '../src/db/calendar-cache-repo.ts';
import { syncCalendar } from '../src/google/delta-sync.ts';
import { createGoogleCalendarClient } from '../src/google/google-calendar-client.ts';
import { SCOPES } from '../src/google/scopes.ts';
import { emulatorAccessToken } from '../test/support/emulator-token.ts';
import { migratedPglite } from '../test/support/pglite.ts';

const CHANGES = 10;

export async function runCalendarFollowBench(): Promise<Record<string, unknown>[]> {
  const emulator = await startGoogleEmulator({ rateLimitPerMinute: 1_000_000, seed: false });
  const db = await migratedPglite();
  const rows: Record<string, unknown>[] = [];
  try {
    const cache = createCalendarCacheRepo(db.orm);
    for (const count of [500, 2000]) {
      const email = `bench-${count}@example.edu`;
      const calendarId = emulator.control.addAccount(email, 'America/Chicago');
      const ids: string[] = [];
      for (let n = 0; n < count; n++) {
        const start = Date.UTC(2026, 11, 1) + n * 3_600_000;
        ids.push(
          emulator.control.userInsertEvent(calendarId, {
            summary: `Event ${n}`,
            start: { dateTime: new Date(start).toISOString() },
            end: { dateTime: new Date(start + 1_800_000).toISOString() },
          }),
        );
      }
      const token = await emulatorAccessToken(emulator, [SCOPES.eventsOwnedReadonly], email);
      const api = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
      const userId = randomUUID();
      await db.withSession((s) => s.query('insert into users (id, email) values ($1, $2)', [userId, email]));
      const target = { calendarId: 'primary', role: 'primary' as const, timeZone: 'America/Chicago' };
      const measure = async (fn: () => Promise<unknown>) => {
        const before = api.requestCount;
        const started = performance.now();
        await fn();
        return { requests: api.requestCount - before, ms: Math.round(performance.now() - started) };
      };

      const full = await measure(() => syncCalendar(api, cache, userId, target));
      for (const id of ids.slice(0, CHANGES))
        emulator.control.userPatchEvent(calendarId, id, { summary: 'moved' });
      const incremental = await measure(() => syncCalendar(api, cache, userId, target));

      // Baseline: re-list everything at Google's default page size (250) on every poll.
      const naive = await measure(async () => {
        let pageToken: string | undefined;
        do {
          const page = await api.listEvents('primary', {
            singleEvents: true,
            maxResults: 250,
            ...(pageToken ? { pageToken } : {}),
          });
          pageToken = page.nextPageToken;
        } while (pageToken);
      });
      rows.push({
        events: count,
        'full sync requests': full.requests,
        'full sync ms': full.ms,
        [`incremental (${CHANGES} changes) requests`]: incremental.requests,
        'incremental ms': incremental.ms,
        'naive re-list requests': naive.requests,
        'naive ms': naive.ms,
      });
    }
  } finally {
    await db.close();
    await emulator.close();
  }
  console.table(rows);
  return rows;
}
