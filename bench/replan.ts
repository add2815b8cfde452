// The study plan's repair (issue 15): from a change in Google (a meeting on one session) to
// the repaired calendar, the Google requests and the server time, for a student with 40
// deadlines and 200 busy events, beside a naive baseline that deletes and rewrites the
// whole plan. The debounce window (the queue's coalescing) is not in the time: the repair is
// called directly. Against the emulator at its standard per-user quota (600 calls a minute).

import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { BatchOperation } from '../src/google/calendar-api.ts';
import { MAX_BATCH_SIZE } from '../src/google/calendar-api.ts';
import { previewStudyPlan } from '../src/study-plan/plan-preview.ts';
import { migratedPglite } from '../test/support/pglite.ts';
import { startStudyPlanHarness } from '../test/support/study-plan-harness.ts';

// A fixed Monday: the bench is the same on any day.
const NOW = new Date('2027-03-01T07:00:00Z');
const HOUR = 3_600_000;

export async function runReplanBench(): Promise<Record<string, unknown>[]> {
  const db = await migratedPglite();
  const h = await startStudyPlanHarness(db, NOW);
  const rows: Record<string, unknown>[] = [];
  try {
    // 40 deadlines over four weeks, 1–4 h of work each.
    await h.setDeadlines(
      Array.from({ length: 40 }, (_, n) => ({
        sourceKey: `assignment_${n}`,
        dueAt: new Date(NOW.getTime() + (18 + n * 15) * HOUR),
        effortMinutes: 60 + (n % 4) * 60,
      })),
    );
    // 200 busy events, a deterministic scatter over the same four weeks (classes, shifts).
    let seed = 7;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let n = 0; n < 200; n++) {
      const start = NOW.getTime() + Math.floor(next() * 28 * 24) * HOUR;
      h.google.userInsertEvent(h.primaryId, {
        summary: `Busy ${n}`,
        start: { dateTime: new Date(start).toISOString() },
        end: { dateTime: new Date(start + (1 + Math.floor(next() * 2)) * HOUR).toISOString() },
      });
    }
    await h.setPreferences({ autoPlan: true });
    const first = await h.repair('settings');
    rows.push({
      step: 'plan written (autoPlan on)',
      sessions: first.added,
      googleCalls: first.googleCalls,
      batches: first.batches,
    });

    // By start, so the session the meeting lands on is the same on every run.
    const sessions = (await h.studyEvents()).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    const victim = sessions.find((e) => Date.parse(e.end) - Date.parse(e.start) >= HOUR) ?? sessions[0];
    if (!victim) throw new Error('the plan has no session');
    h.google.userInsertEvent(h.primaryId, {
      summary: 'Meeting',
      start: { dateTime: new Date(Date.parse(victim.start) + 15 * 60_000).toISOString() },
      end: { dateTime: new Date(Date.parse(victim.start) + 30 * 60_000).toISOString() },
    });
    h.google.resetCounts();
    const started = performance.now();
    const repair = await h.repair('calendar-follow');
    const ms = performance.now() - started;
    const counts = h.google.requestCounts().byMethod;
    rows.push({
      step: 'repair after a meeting',
      requests: repair.googleCalls,
      'events.list': counts['calendar.events.list'] ?? 0,
      'freebusy.query': counts['calendar.freebusy.query'] ?? 0,
      batches: repair.batches,
      writes: repair.moved + repair.added + repair.removed,
      other: Object.entries(counts)
        .filter(([m]) => !/events\.(list|patch|insert|delete)|freebusy/.test(m))
        .map(([m, c]) => `${m.replace('calendar.', '')}×${c}`)
        .join(' '),
      serverMs: Math.round(ms),
    });

    // The naive baseline: delete every session and insert the repaired plan afresh.
    const { calendarId } = await h.plans.getState(h.userId);
    const after = await h.studyEvents();
    const ops: BatchOperation[] = [
      ...after.map((e): BatchOperation => ({ kind: 'delete', calendarId: calendarId ?? '', eventId: e.id })),
      ...after.map(
        (e): BatchOperation => ({
          kind: 'insert',
          calendarId: calendarId ?? '',
          event: {
            id: randomUUID().replace(/-/g, ''),
            summary: 'Study',
            start: { dateTime: e.start },
            end: { dateTime: e.end },
          },
        }),
      ),
    ];
    const before = h.api.requestCount;
    const naiveStart = performance.now();
    // The naive repair still reads the change and plans afresh (free/busy included).
    await h.api.listEvents(h.primaryId, { singleEvents: true, maxResults: 2500 });
    await previewStudyPlan(h.deps, h.userId, { now: NOW });
    for (let at = 0; at < ops.length; at += MAX_BATCH_SIZE)
      await h.api.batch(ops.slice(at, at + MAX_BATCH_SIZE));
    rows.push({
      step: 'naive: delete and rewrite the plan',
      requests: h.api.requestCount - before,
      batches: Math.ceil(ops.length / MAX_BATCH_SIZE),
      writes: ops.length,
      serverMs: Math.round(performance.now() - naiveStart),
    });
  } finally {
    await h.close();
    await db.close();
  }
  console.table(rows);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runReplanBench();
