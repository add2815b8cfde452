// Canvas → Google sync, Google side: requests and time for 50, 500 and 2000 items, first
// sync and an unchanged re-sync, beside a naive baseline that sends one events.insert per
// item and re-sends everything every time. Against the emulator on loopback, with its
// per-user rate limit raised so the run measures round trips, not the quota.
import { pathToFileURL } from 'node:url';
import { startGoogleEmulator } from '../emulators/google/google-emulator.ts';
import { createGoogleCalendarClient } from '../src/google/google-calendar-client.ts';
import { SCOPES } from '../src/google/scopes.ts';
import { applyPlan } from '../src/sync/apply-plan.ts';
import { desiredEventFor } from '../src/sync/desired-events.ts';
import { type EventMapping, planSync } from '../src/sync/diff.ts';
import type { SourceItem } from '../src/sync/source-item.ts';
import { emulatorAccessToken } from '../test/support/emulator-token.ts';

const USER = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';

function items(count: number): SourceItem[] {
  return Array.from({ length: count }, (_, n) => ({
    key: `assignment:${n % 7}:${n}`,
    kind: 'assignment',
    courseId: String(n % 7),
    courseName: `Course ${n % 7}`,
    courseCode: `C${n % 7}`,
    title: `Assignment ${n}`,
    dueAt: new Date(Date.UTC(2026, 11, 1) + n * 3_600_000).toISOString(),
    allDay: false,
    allDayDate: null,
    pointsPossible: 10,
    submitted: false,
    missing: false,
    htmlUrl: `https://canvas.example.edu/courses/${n % 7}/assignments/${n}`,
  }));
}

export async function runSyncBench(): Promise<Record<string, unknown>[]> {
  const emulator = await startGoogleEmulator({ rateLimitPerMinute: 1_000_000 });
  const rows: Record<string, unknown>[] = [];
  try {
    const accessToken = await emulatorAccessToken(emulator, [SCOPES.appCreated]);

    for (const count of [50, 500, 2000]) {
      const api = createGoogleCalendarClient({
        rootUrl: `${emulator.url}/`,
        accessToken: async () => accessToken,
      });
      const { id: calendarId } = await api.insertCalendar({ summary: `bench ${count}`, timeZone: 'UTC' });
      const desired = items(count).map((item) =>
        desiredEventFor(item, { userId: USER, canvasHost: 'canvas.example.edu', timeZone: 'UTC' }),
      );
      let mappings: EventMapping[] = [];
      const options = {
        commit: async (changes: { upserts: EventMapping[]; deletes: string[] }) => {
          mappings = [
            ...mappings.filter((m) => !changes.upserts.some((u) => u.sourceKey === m.sourceKey)),
            ...changes.upserts,
          ];
        },
        sleep: async () => {},
        backoffMs: () => 0,
      };
      const measure = async (fn: () => Promise<unknown>) => {
        const before = api.requestCount;
        const started = performance.now();
        await fn();
        return { requests: api.requestCount - before, ms: Math.round(performance.now() - started) };
      };
      const first = await measure(() =>
        applyPlan(api, calendarId, planSync(desired, mappings, { deleteMissing: true }), options),
      );
      const again = await measure(() =>
        applyPlan(api, calendarId, planSync(desired, mappings, { deleteMissing: true }), options),
      );

      // Baseline: one insert request per item, every time (no ids, no diff, no batch).
      const { id: naiveCalendar } = await api.insertCalendar({ summary: `naive ${count}`, timeZone: 'UTC' });
      const naiveStarted = performance.now();
      for (const event of desired) {
        const { id: _id, ...body } = event.body;
        await fetch(`${emulator.url}/calendar/v3/calendars/${encodeURIComponent(naiveCalendar)}/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      }
      const naiveMs = Math.round(performance.now() - naiveStarted);
      rows.push({
        items: count,
        'first sync requests': first.requests,
        'first sync ms': first.ms,
        'naive requests': count,
        'naive ms': naiveMs,
        'unchanged re-sync requests': again.requests,
        'naive re-sync requests': count,
      });
    }
  } finally {
    await emulator.close();
  }
  console.table(rows);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runSyncBench();
