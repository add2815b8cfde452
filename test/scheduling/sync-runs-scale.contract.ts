import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { createSyncRunsRepo, type SyncRunsRepo } from '../../src/db/sync-runs-repo.ts';
import { SYNC_JOB_ATTEMPTS } from '../../src/jobs/canvas-sync-jobs.ts';
import { scheduleDueRuns } from '../../src/jobs/periodic-schedule.ts';
import { syncPhaseMs } from '../../src/jobs/sync-phase.ts';
import type { BulkJob } from '../../src/queue/queue.ts';
import { seedConnectedStudents } from '../support/many-students.ts';

type Payload = { userId: string; runId: string };

const PERIOD_MS = 15 * 60_000;
const TICK_MS = 60_000;
// The scheduler's clock: a fixed instant, never the wall clock (the runs' own timestamps are
// the database's, and nothing here compares them with this one).
const PERIOD_START = Date.UTC(2027, 2, 14, 9, 0, 0);

/** The periodic tick and sync_runs at scale, run unchanged on PGlite and on Postgres. */
export function syncRunsScaleContract(open: () => Promise<{ db: Database; cleanup(): Promise<void> }>) {
  let db: Database;
  let cleanup: () => Promise<void>;
  let runs: SyncRunsRepo;
  beforeEach(async () => {
    ({ db, cleanup } = await open());
    runs = createSyncRunsRepo(db.orm);
  });
  afterEach(async () => {
    await db.close();
    await cleanup();
  });

  const recordingQueue = () => {
    const added: Array<BulkJob<Payload> & { at: number }> = [];
    let now = 0;
    return {
      added,
      setNow: (ms: number) => {
        now = ms;
      },
      queue: {
        addMany: async (jobs: ReadonlyArray<BulkJob<unknown>>) => {
          for (const job of jobs) added.push({ ...(job as BulkJob<Payload>), at: now });
        },
      },
    };
  };

  const runPeriod = async (queue: ReturnType<typeof recordingQueue>, start: number, skewMs = 0) => {
    for (let tick = 0; tick < PERIOD_MS / TICK_MS; tick += 1) {
      const now = start + tick * TICK_MS + skewMs;
      queue.setNow(now);
      await scheduleDueRuns(
        { runs, queue: queue.queue, periodMs: PERIOD_MS, tickMs: TICK_MS, pageSize: 7, backoffMs: 1000 },
        { job: 'canvas-sync', kind: 'canvas', needsCanvas: true },
        now,
      );
    }
  };

  it('over one period enqueues every due user exactly once, at their own phase inside the period', async () => {
    const ids = await db.withSession((s) => seedConnectedStudents(s, 60));
    const [canvasGone, googleGone, ...due] = ids;
    await db.withSession(async (s) => {
      await s.query(`update canvas_connections set status = 'reconnect_needed' where user_id = $1`, [
        canvasGone,
      ]);
      await s.query(`update google_connections set status = 'reconnect_needed' where user_id = $1`, [
        googleGone,
      ]);
    });
    const queue = recordingQueue();
    // 2.5 s late on every tick: each still covers its own slice.
    await runPeriod(queue, PERIOD_START, 2_500);

    expect(queue.added.map((j) => j.payload.userId).sort()).toEqual(due);
    for (const job of queue.added) {
      const startsAt = job.at + (job.options?.delayMs ?? 0);
      const phase = syncPhaseMs(job.payload.userId, PERIOD_MS);
      expect(startsAt).toBeGreaterThanOrEqual(PERIOD_START);
      expect(startsAt).toBeLessThan(PERIOD_START + PERIOD_MS + 2_500);
      expect(Math.max(PERIOD_START + phase, job.at)).toBe(startsAt);
      expect(job.options).toMatchObject({ groupKey: job.payload.userId, attempts: SYNC_JOB_ATTEMPTS });
      expect(job.options?.jobId).toBe(`canvas-sync.${job.payload.runId}`);
    }
    // Jitter: the starts are spread over the period, not bunched in one tick.
    const minutes = new Set(queue.added.map((j) => Math.floor((j.at - PERIOD_START) / TICK_MS)));
    expect(minutes.size).toBeGreaterThanOrEqual(10);
    // Every job has its own queued run of the user's.
    for (const job of queue.added) {
      const [run] = await runs.latest(job.payload.userId, 'canvas', 1);
      expect(run).toMatchObject({ id: job.payload.runId, status: 'queued' });
    }
  });

  it('joins a queued run instead of adding a second, and starts again the next period once runs are done', async () => {
    const ids = await db.withSession((s) => seedConnectedStudents(s, 25));
    const busy = ids[3] ?? '';
    const { run: queued } = await runs.createOrJoin(busy, 'canvas');
    const first = recordingQueue();
    await runPeriod(first, PERIOD_START);
    expect(first.added.map((j) => j.payload.userId).sort()).toEqual(ids.filter((id) => id !== busy));
    expect((await runs.latest(busy, 'canvas')).map((r) => r.id)).toEqual([queued.id]);

    for (const job of first.added)
      await runs.finish(job.payload.runId, { status: 'succeeded', counts: {}, googleCalls: 0 });
    await runs.finish(queued.id, { status: 'succeeded', counts: {}, googleCalls: 0 });
    const second = recordingQueue();
    await runPeriod(second, PERIOD_START + PERIOD_MS);
    expect(second.added.map((j) => j.payload.userId).sort()).toEqual(ids);
  });

  it('a tick and a student starting runs for the same users at once make one queued run each', async () => {
    const ids = await db.withSession((s) => seedConnectedStudents(s, 20));
    const [batch, ...singles] = await Promise.all([
      runs.startMany(ids, 'canvas'),
      ...ids.map((id) => runs.createOrJoin(id, 'canvas')),
    ]);
    const created = (batch?.started.length ?? 0) + singles.filter((s) => !s.joined).length;
    expect(created).toBe(ids.length);
    for (const id of ids) expect(await runs.latest(id, 'canvas')).toHaveLength(1);
  });

  it('prunes finished runs past the retention, keeping the newest ones, queued and running ones', async () => {
    const [heavy = '', light = ''] = await db.withSession((s) => seedConnectedStudents(s, 2));
    const now = new Date(PERIOD_START);
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
    await db.withSession(async (s) => {
      // heavy: 30 finished canvas runs, one every 6 hours (the oldest 7.25 days ago), a queued
      // one 5 days ago and a running one 4 days ago; 3 old calendar follows.
      for (let i = 0; i < 30; i += 1)
        await s.query(
          `insert into sync_runs (id, user_id, kind, status, created_at) values (gen_random_uuid(), $1, 'canvas', $2, $3)`,
          [heavy, i % 5 === 0 ? 'failed' : 'succeeded', hoursAgo(i * 6 + 1)],
        );
      await s.query(
        `insert into sync_runs (id, user_id, kind, status, created_at) values
          (gen_random_uuid(), $1, 'canvas', 'queued', $2), (gen_random_uuid(), $1, 'canvas', 'running', $3),
          (gen_random_uuid(), $1, 'calendars', 'succeeded', $4), (gen_random_uuid(), $1, 'calendars', 'succeeded', $5),
          (gen_random_uuid(), $1, 'calendars', 'failed', $6),
          (gen_random_uuid(), $7, 'canvas', 'succeeded', $8)`,
        [
          heavy,
          hoursAgo(120),
          hoursAgo(96),
          hoursAgo(200),
          hoursAgo(300),
          hoursAgo(400),
          light,
          hoursAgo(2000),
        ],
      );
    });
    const retention = { keepNewest: 20, keepDays: 2 };
    // heavy canvas: 32 runs; the 20 newest are kept (by count: the 20th is 109 h old); of the
    // other 12, the 11 finished ones go, the queued one stays. Calendar follows (3, all old)
    // and light's only run (83 days old) stay: fewer than 20 runs.
    expect(await runs.prune({ retention, now })).toBe(11);
    const canvasLeft = await runs.latest(heavy, 'canvas', 100);
    expect(canvasLeft).toHaveLength(21);
    expect(canvasLeft.filter((r) => r.status === 'queued' || r.status === 'running')).toHaveLength(2);
    expect(await runs.latest(heavy, 'calendars', 100)).toHaveLength(3);
    expect(await runs.latest(light, 'canvas', 100)).toHaveLength(1);
    // Idempotent.
    expect(await runs.prune({ retention, now })).toBe(0);
    // Keeping only the newest beyond two days: 11 finished canvas runs of 49–109 h go (not the
    // queued and running ones), 2 of 3 calendar follows; each user's newest run stays.
    expect(await runs.prune({ retention: { keepNewest: 1, keepDays: 2 }, now })).toBe(11 + 2);
    expect(await runs.latest(heavy, 'canvas', 100)).toHaveLength(10);
    expect(await runs.latest(light, 'canvas', 100)).toHaveLength(1);
    expect(await runs.latest(heavy, 'calendars', 100)).toHaveLength(1);
  });
}
