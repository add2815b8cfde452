import { describe, expect, it } from 'vitest';
import type { BatchOperation, BatchResult, CalendarApi } from '../google/calendar-api.ts';
import { GoogleApiError } from '../google/google-api-error.ts';
import { type AppliedChanges, applyPlan } from './apply-plan.ts';
import { desiredEventFor } from './desired-events.ts';
import { planSync } from './diff.ts';
import type { SourceItem } from './source-item.ts';

/** A calendar that keeps events in memory and fails the parts a test scripts. */
class ScriptedCalendar implements Pick<CalendarApi, 'batch'> {
  readonly events = new Map<string, { deleted: boolean }>();
  readonly batchSizes: number[] = [];
  requestCount = 0;
  /** Called per part; return a failure to inject it. */
  fault: (op: BatchOperation, call: number) => BatchResult | undefined = () => undefined;
  private calls = 0;

  async batch(operations: readonly BatchOperation[]): Promise<BatchResult[]> {
    this.requestCount += 1;
    this.batchSizes.push(operations.length);
    return operations.map((op) => this.fault(op, this.calls++) ?? this.apply(op));
  }
  private apply(op: BatchOperation): BatchResult {
    const fail = (status: number, reason: string): BatchResult => ({
      ok: false,
      status,
      reason,
      message: reason,
    });
    const id = op.kind === 'insert' ? (op.event.id ?? '') : op.eventId;
    const existing = this.events.get(id);
    if (op.kind === 'insert') {
      if (existing) return fail(409, 'duplicate');
      this.events.set(id, { deleted: false });
    } else if (op.kind === 'patch') {
      if (!existing) return fail(404, 'notFound');
      existing.deleted = false;
    } else {
      if (!existing) return fail(404, 'notFound');
      if (existing.deleted) return fail(410, 'deleted');
      existing.deleted = true;
    }
    return { ok: true, status: op.kind === 'delete' ? 204 : 200, etag: '"1"' };
  }
}

const context = {
  userId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
  canvasHost: 'canvas.example.edu',
  timeZone: 'UTC',
};
const item = (n: number): SourceItem => ({
  key: `assignment:1:${n}`,
  kind: 'assignment',
  courseId: '1',
  courseName: 'Course',
  courseCode: 'C1',
  title: `Item ${n}`,
  dueAt: '2026-12-01T12:00:00Z',
  allDay: false,
  allDayDate: null,
  pointsPossible: 10,
  submitted: false,
  missing: false,
  htmlUrl: `https://canvas.example.edu/courses/1/assignments/${n}`,
});
const desired = (count: number) => Array.from({ length: count }, (_, n) => desiredEventFor(item(n), context));

function harness() {
  const commits: AppliedChanges[] = [];
  const sleeps: number[] = [];
  return {
    commits,
    sleeps,
    options: {
      commit: async (changes: AppliedChanges) => void commits.push(changes),
      sleep: async (ms: number) => void sleeps.push(ms),
      backoffMs: (attempt: number) => 1000 * 2 ** (attempt - 1),
    },
  };
}

describe('applyPlan', () => {
  it('sends 120 inserts as batches of 50, 50 and 20, committing after each', async () => {
    const calendar = new ScriptedCalendar();
    const h = harness();
    const outcome = await applyPlan(
      calendar,
      'cal',
      planSync(desired(120), [], { deleteMissing: true }),
      h.options,
    );
    expect(calendar.batchSizes).toEqual([50, 50, 20]);
    expect(outcome.counts).toMatchObject({ created: 120, failed: 0 });
    expect(h.commits.map((c) => c.upserts.length)).toEqual([50, 50, 20]);
  });

  it('retries only the parts that failed with 5xx, 429 or a rate-limit 403, after a backoff', async () => {
    const calendar = new ScriptedCalendar();
    const transient = new Map<number, BatchResult>([
      [3, { ok: false, status: 503, reason: 'backendError', message: 'x' }],
      [7, { ok: false, status: 429, reason: 'rateLimitExceeded', message: 'x' }],
      [9, { ok: false, status: 403, reason: 'rateLimitExceeded', message: 'x' }],
    ]);
    calendar.fault = (_op, call) => transient.get(call);
    const h = harness();
    const outcome = await applyPlan(
      calendar,
      'cal',
      planSync(desired(10), [], { deleteMissing: true }),
      h.options,
    );
    expect(calendar.batchSizes).toEqual([10, 3]);
    expect(h.sleeps).toEqual([1000]);
    expect(outcome.counts).toMatchObject({ created: 10, failed: 0 });
    expect(calendar.events.size).toBe(10);
  });

  it('turns a retried insert that meets 409 into a patch, without a duplicate', async () => {
    const calendar = new ScriptedCalendar();
    const events = desired(3);
    // Events 0 and 1 landed in Google before a crash lost our commit.
    for (const e of events.slice(0, 2)) calendar.events.set(e.eventId, { deleted: false });
    const outcome = await applyPlan(
      calendar,
      'cal',
      planSync(events, [], { deleteMissing: true }),
      harness().options,
    );
    expect(calendar.batchSizes).toEqual([3, 2]);
    expect(outcome.counts).toMatchObject({ created: 3, updated: 0, failed: 0 });
    expect(calendar.events.size).toBe(3);
  });

  it('turns a patch that meets 404 into an insert, and treats deleting a gone event as done', async () => {
    const calendar = new ScriptedCalendar();
    const [a, b] = desired(2);
    if (!a || !b) throw new Error('fixture');
    const plan = planSync(
      [a],
      [
        { sourceKey: a.sourceKey, googleEventId: a.eventId, contentHash: 'old' },
        { sourceKey: 'gone', googleEventId: 'x1234', contentHash: 'h' },
      ],
      { deleteMissing: true },
    );
    const h = harness();
    const outcome = await applyPlan(calendar, 'cal', plan, h.options);
    expect(outcome.counts).toMatchObject({ created: 1, deleted: 1, failed: 0 });
    expect(h.commits.flatMap((c) => c.deletes)).toEqual(['gone']);
    expect(calendar.events.has(a.eventId)).toBe(true);
  });

  it('stops at once on a 401 and reports a permanent failure without retrying it', async () => {
    const calendar = new ScriptedCalendar();
    calendar.fault = (_op, call) =>
      call === 1 ? { ok: false, status: 400, reason: 'invalid', message: 'Bad value' } : undefined;
    const outcome = await applyPlan(
      calendar,
      'cal',
      planSync(desired(3), [], { deleteMissing: true }),
      harness().options,
    );
    expect(outcome.counts).toMatchObject({ created: 2, failed: 1 });
    expect(outcome.failures).toEqual([
      { sourceKey: 'assignment:1:1', status: 400, reason: 'invalid', message: 'Bad value' },
    ]);
    expect(calendar.batchSizes).toEqual([3]);

    const revoked = new ScriptedCalendar();
    revoked.fault = () => ({ ok: false, status: 401, reason: 'authError', message: 'Invalid Credentials' });
    await expect(
      applyPlan(revoked, 'cal', planSync(desired(3), [], { deleteMissing: true }), harness().options),
    ).rejects.toMatchObject({
      kind: 'auth',
    });
    expect(revoked.batchSizes).toEqual([3]);
  });

  it('retries a whole batch the server failed, and gives up after the last round', async () => {
    const calendar = new ScriptedCalendar();
    let failures = 2;
    const original = calendar.batch.bind(calendar);
    calendar.batch = async (ops) => {
      if (failures-- > 0) throw new GoogleApiError('transient', 503, 'backendError', 'unavailable');
      return original(ops);
    };
    const outcome = await applyPlan(
      calendar,
      'cal',
      planSync(desired(2), [], { deleteMissing: true }),
      harness().options,
    );
    expect(outcome.counts.created).toBe(2);

    const down = new ScriptedCalendar();
    down.fault = () => ({ ok: false, status: 500, reason: 'backendError', message: 'x' });
    const h = harness();
    const gaveUp = await applyPlan(down, 'cal', planSync(desired(2), [], { deleteMissing: true }), {
      ...h.options,
      maxRounds: 3,
    });
    expect(down.batchSizes).toEqual([2, 2, 2]);
    expect(gaveUp.counts.failed).toBe(2);
  });

  it('keeps up to `concurrency` batches in flight, committing and reporting progress per batch', async () => {
    const calendar = new ScriptedCalendar();
    const original = calendar.batch.bind(calendar);
    let inFlight = 0;
    let most = 0;
    calendar.batch = async (ops) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setImmediate(resolve));
      inFlight -= 1;
      return original(ops);
    };
    const h = harness();
    const progress: string[] = [];
    const createdAtEach: Array<[number, number]> = [];
    const outcome = await applyPlan(calendar, 'cal', planSync(desired(420), [], { deleteMissing: true }), {
      ...h.options,
      concurrency: 3,
      onProgress: (settled, total, counts) => {
        progress.push(`${settled}/${total}`);
        createdAtEach.push([settled, counts.created]);
      },
    });
    expect(most).toBe(3);
    expect(outcome.counts.created).toBe(420);
    expect(calendar.events.size).toBe(420);
    expect(h.commits).toHaveLength(9);
    expect(progress.at(-1)).toBe('420/420');
    expect(progress).toHaveLength(9);
    // Every write here is a create: the counts reported are exactly what is committed.
    for (const [settled, created] of createdAtEach) expect(created).toBe(settled);
  });

  it('stops starting batches at the first error, after the batches in flight are answered and committed', async () => {
    const calendar = new ScriptedCalendar();
    const original = calendar.batch.bind(calendar);
    let calls = 0;
    calendar.batch = async (ops) => {
      calls += 1;
      if (calls === 2) throw new Error('quota wait');
      await new Promise((resolve) => setImmediate(resolve));
      return original(ops);
    };
    const h = harness();
    await expect(
      applyPlan(calendar, 'cal', planSync(desired(500), [], { deleteMissing: true }), {
        ...h.options,
        concurrency: 2,
      }),
    ).rejects.toThrow('quota wait');
    // The first batch was in flight: it landed and was committed; nothing after the error was sent.
    expect(calls).toBe(2);
    expect(calendar.events.size).toBe(50);
    expect(h.commits.flatMap((c) => c.upserts)).toHaveLength(50);
  });

  it('never gives up on parts Google refused for its rate when its client is paced, and sends each other part once', async () => {
    const calendar = new ScriptedCalendar();
    let refusals = 0;
    calendar.fault = (op) =>
      op.kind === 'insert' && op.event.id === desired(3)[1]?.eventId && refusals++ < 9
        ? { ok: false, status: 403, reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }
        : undefined;
    const outcome = await applyPlan(calendar, 'cal', planSync(desired(3), [], { deleteMissing: true }), {
      ...harness().options,
      rateLimitRounds: Number.POSITIVE_INFINITY,
    });
    expect(outcome.counts).toMatchObject({ created: 3, failed: 0 });
    expect(calendar.batchSizes).toEqual([3, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });
});
