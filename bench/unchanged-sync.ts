// An unchanged Canvas sync (issue 18): what a sync costs when nothing changed in Canvas, for the
// demo student with 85, 500 and 2,000 items, through the whole app (API, job, both built-in
// emulators, PGlite or Postgres). Beside it, in the same run and on the same data, the naive
// baseline of the path before issue 18: a `calendars.get` every sync, a Canvas read without
// conditional requests, and every deadline row rewritten (delete the missing, upsert all).
//
// Google quota: the emulator runs with its per-user limit raised, because the setup's first
// sync of 2,000 items would hit the standard 600 a minute (issue 18's quota part, not this
// bench). The measured unchanged sync sends 0 Google requests (the baseline 1), so the standard
// quota gives the same figures.
//
// On Postgres when BENCH_DATABASE_URL (or TEST_DATABASE_URL) is set, else on PGlite.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { and, eq, notInArray, sql } from 'drizzle-orm';
import { startCanvasEmulator } from '../emulators/canvas/canvas-emulator.ts';
import { DEMO_STUDENT_EMAIL } from '../emulators/google/demo-seed.ts';
import { startGoogleEmulator } from '../emulators/google/google-emulator.ts';
import { createApp } from '../src/app.ts';
import { createCanvasClient } from '../src/canvas/canvas-client.ts';
import { parseConfig } from '../src/config.ts';
import { createDeadlinesRepo } from '../src/db/deadlines-repo.ts';
import { deadlines } from '../src/db/schema.ts';
import { createTestDatabase } from '../test/support/postgres.ts';

const SIZES = [85, 500, 2000];
const COLUMNS = {
  kind: 'kind',
  courseId: 'course_id',
  courseName: 'course_name',
  title: 'title',
  dueAt: 'due_at',
  allDay: 'all_day',
  allDayDate: 'all_day_date',
  pointsPossible: 'points_possible',
  submitted: 'submitted',
  htmlUrl: 'html_url',
  updatedAt: 'updated_at',
};
const HOUR = 3_600_000;

type Run = { status: string; startedAt: string | null; finishedAt: string | null; googleCalls: number };

async function measureOne(target: number, databaseUrl: string | undefined): Promise<Record<string, unknown>> {
  const google = await startGoogleEmulator({ port: 0, rateLimitPerMinute: 1_000_000 });
  const canvas = await startCanvasEmulator({ port: 0 });
  const dir = await mkdtemp(join(tmpdir(), 'canvascal-bench-unchanged-'));
  const demo = canvas.control.demo;
  if (!demo) throw new Error('the Canvas emulator seeded no demo student');
  const base = canvas.control.expectedDueItems(demo.userId).length;
  // The courses the demo student reads now (the truth's), each given its share of extra work.
  const courses = [...new Set(canvas.control.expectedDueItems(demo.userId).map((t) => Number(t.courseId)))];
  for (let n = 0; n < target - base; n++) {
    const course = courses[n % courses.length] ?? demo.courseIds[0] ?? 0;
    canvas.control.addAssignment(course, {
      name: `Bench work ${n}`,
      dueAt: new Date(Date.now() + (n + 1) * (HOUR / 6)).toISOString(),
      pointsPossible: 10,
    });
  }
  const app = await createApp({
    config: parseConfig({
      CANVASCAL_DATA_DIR: dir,
      CANVASCAL_EMULATORS: 'on',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SYNC_INTERVAL_MINUTES: '0',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    }),
    sharedEmulators: { google, canvas },
    retryBaseMs: { google: 5 },
  });
  try {
    const http = app.http;
    if (!http || !app.google) throw new Error('the app started without HTTP or Google');
    const login = await http.inject({
      method: 'POST',
      url: '/api/v1/auth/local/login',
      payload: { email: 'bench@example.edu' },
    });
    const headers = { authorization: `Bearer ${login.json().accessToken}` };
    const start = await http.inject({ url: '/api/v1/auth/google/url', headers });
    const redirect = new URL(google.control.approveConsent(start.json().url, { email: DEMO_STUDENT_EMAIL }));
    await http.inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    await http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    const userId: string = (await http.inject({ url: '/api/v1/me', headers })).json().id;
    const run = async (path: string): Promise<Run> => {
      const { runId } = (await http.inject({ method: 'POST', url: path, headers })).json();
      for (;;) {
        const result: Run = (await http.inject({ url: `/api/v1/sync/runs/${runId}`, headers })).json();
        if (result.status === 'succeeded' || result.status === 'failed') return result;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const first = await run('/api/v1/sync/canvas');
    if (first.status !== 'succeeded') throw new Error(`the first sync of ${target} items failed`);
    // In service the follow (periodic or pushed) has read the app calendar by now.
    await run('/api/v1/sync/calendars');
    const rowVersions = async () =>
      (
        await app.db.withSession((s) =>
          s.query<{ version: string }>(
            `select xmin::text as version from deadlines where user_id = $1
             union all select xmin::text from event_mappings where user_id = $1`,
            [userId],
          ),
        )
      ).map((r) => r.version);
    const rowsWritten = (before: string[], after: string[]) => {
      const kept = new Set(before);
      return after.filter((v) => !kept.has(v)).length;
    };
    const rows = (
      await app.db.withSession((s) =>
        s.query<{ n: number }>('select count(*)::int as n from deadlines where user_id = $1', [userId]),
      )
    )[0]?.n;

    // Today: one unchanged sync through the API and the job (one warm-up first, so the
    // Canvas pages are known as they are after any earlier sync).
    await run('/api/v1/sync/canvas');
    const versions = await rowVersions();
    google.control.resetCounts();
    const canvasBefore = canvas.control.requestCounts();
    const unchanged = await run('/api/v1/sync/canvas');
    const canvasAfter = canvas.control.requestCounts();
    const ms = Date.parse(unchanged.finishedAt ?? '') - Date.parse(unchanged.startedAt ?? '');
    const now = {
      google: google.control.requestCounts().total,
      canvas: canvasAfter.total - canvasBefore.total,
      cost: Math.round((canvasAfter.cost - canvasBefore.cost) * 100) / 100,
      written: rowsWritten(versions, await rowVersions()),
      ms,
    };

    // The baseline, on the same data: the three things the old path did on every sync.
    const naiveStarted = performance.now();
    const api = app.google.calendarFor(userId);
    const calendarId = [...google.control.state.calendars.values()].find(
      (c) => c.summary === 'CanvasCal' && !c.deleted,
    )?.id;
    await api.getCalendar(calendarId ?? '');
    const reader = createCanvasClient({ baseUrl: canvas.url, token: demo.token });
    await reader.readDueItems();
    const naiveVersions = await rowVersions();
    const rewriteStarted = performance.now();
    await naiveRewrite(app.db.orm, userId);
    const rewriteMs = Math.round(performance.now() - rewriteStarted);
    const naive = {
      google: api.requestCount,
      canvas: reader.requests,
      cost: reader.costUnits,
      written: rowsWritten(naiveVersions, await rowVersions()),
      ms: Math.round(performance.now() - naiveStarted),
    };
    // The deadline write alone, as the sync now makes it (the same rows, unchanged).
    const repo = createDeadlinesRepo(app.db.orm);
    const unchangedRows = (await repo.list(userId)).map(({ effortMinutes: _e, ...row }) => row);
    const compareStarted = performance.now();
    await repo.replaceAll(userId, unchangedRows);
    const compareMs = Math.round(performance.now() - compareStarted);
    return {
      items: rows,
      'Google requests': now.google,
      'naive Google': naive.google,
      'Canvas requests': now.canvas,
      'naive Canvas': naive.canvas,
      'Canvas cost units': now.cost,
      'naive cost units': naive.cost,
      'rows written': now.written,
      'naive rows written': naive.written,
      'deadline write ms': compareMs,
      'naive deadline ms': rewriteMs,
      'sync ms': now.ms,
      'naive ms (get + read + rewrite)': naive.ms,
    };
  } finally {
    await app.close();
    await canvas.close();
    await google.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The deadline write before issue 18: delete what is missing, upsert every row whatever it holds. */
async function naiveRewrite(orm: Parameters<typeof createDeadlinesRepo>[0], userId: string): Promise<void> {
  const current = await createDeadlinesRepo(orm).list(userId);
  await orm.transaction(async (tx) => {
    await tx.delete(deadlines).where(
      and(
        eq(deadlines.userId, userId),
        notInArray(
          deadlines.sourceKey,
          current.map((d) => d.sourceKey),
        ),
      ),
    );
    for (let i = 0; i < current.length; i += 500) {
      const rows = current
        .slice(i, i + 500)
        .map(({ effortMinutes: _e, ...row }) => ({ ...row, userId, updatedAt: new Date() }));
      await tx
        .insert(deadlines)
        .values(rows)
        .onConflictDoUpdate({
          target: [deadlines.userId, deadlines.sourceKey],
          set: Object.fromEntries(
            Object.entries(COLUMNS).map(([key, column]) => [key, sql.raw(`excluded.${column}`)]),
          ),
        });
    }
  });
}

export async function runUnchangedSyncBench(): Promise<Record<string, unknown>[]> {
  const adminUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
  const rows: Record<string, unknown>[] = [];
  for (const size of SIZES) {
    const database = adminUrl ? await createTestDatabase(adminUrl) : undefined;
    try {
      rows.push(await measureOne(size, database?.url));
    } finally {
      await database?.drop();
    }
  }
  console.log(`database: ${adminUrl ? 'PostgreSQL' : 'PGlite (embedded default)'}`);
  console.table(rows);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runUnchangedSyncBench();
