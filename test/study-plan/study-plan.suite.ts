import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import type { Queue } from '../../src/queue/queue.ts';
import { registerRepairJobs, repairEnqueuer, STUDY_REPAIR_JOB } from '../../src/study-plan/repair-jobs.ts';
import { writeStudyPlan } from '../../src/study-plan/repair-plan.ts';
import { type StudyPlanHarness, startStudyPlanHarness } from '../support/study-plan-harness.ts';

// A Monday 07:00 UTC, fixed: the plan, the emulator and "now" never meet the wall clock.
export const NOW = new Date('2027-03-01T07:00:00Z');
const day = 86_400_000;
const at = (days: number, hour: number) => new Date(NOW.getTime() + days * day + (hour - 7) * 3_600_000);

export const DEADLINES = [
  { sourceKey: 'assignment_1', dueAt: at(3, 23), effortMinutes: 180 },
  { sourceKey: 'assignment_2', dueAt: at(4, 23), effortMinutes: 180 },
  { sourceKey: 'assignment_3', dueAt: at(5, 23), effortMinutes: 120 },
  { sourceKey: 'assignment_4', dueAt: at(8, 23), effortMinutes: 240 },
];

const patches = (h: StudyPlanHarness) => h.google.requestCounts().byMethod['calendar.events.patch'] ?? 0;
const inserts = (h: StudyPlanHarness) => h.google.requestCounts().byMethod['calendar.events.insert'] ?? 0;
const deletes = (h: StudyPlanHarness) => h.google.requestCounts().byMethod['calendar.events.delete'] ?? 0;
const writes = (h: StudyPlanHarness) => patches(h) + inserts(h) + deletes(h);
const overlaps = (a: { start: string; end: string }, b: { start: string; end: string }) =>
  Date.parse(a.start) < Date.parse(b.end) && Date.parse(b.start) < Date.parse(a.end);
const sameInstant = (a: string, b: string) => Date.parse(a) === Date.parse(b);

/** Every e2e promise of issue 15, on one database kind. */
export function studyPlanSuite(openDb: () => Promise<Database>, closeDb: (db: Database) => Promise<void>) {
  let db: Database;
  let h: StudyPlanHarness;

  beforeEach(async () => {
    db = await openDb();
    h = await startStudyPlanHarness(db, NOW);
    await h.setDeadlines(DEADLINES);
    await h.setPreferences({ autoPlan: true });
  });
  afterEach(async () => {
    await h.close();
    await closeDb(db);
  });

  /** The calendar equals what we stored, and both are sorted alike. */
  const calendarAndStore = async () => {
    const events = (await h.studyEvents()).sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
    const rows = (await h.plans.listSessions(h.userId)).filter((r) => r.status !== 'dropped');
    return { events, rows };
  };

  it('turning planning on writes the whole plan in one batch, and an unchanged plan writes nothing', async () => {
    const first = await h.repair('settings');
    const { events, rows } = await calendarAndStore();
    expect(first.added).toBeGreaterThan(4);
    expect(first.added).toBeLessThanOrEqual(50);
    expect(first.batches).toBe(1);
    expect(inserts(h)).toBe(first.added);
    expect(events.map((e) => [Date.parse(e.start), Date.parse(e.end)])).toEqual(
      rows.map((r) => [r.start.getTime(), r.end.getTime()]),
    );
    h.google.resetCounts();
    const again = await h.repair('daily');
    expect(again).toMatchObject({ added: 0, moved: 0, removed: 0, batches: 0 });
    expect(writes(h)).toBe(0);
    // One incremental list of the study calendar, one free/busy query (and the calendar list it counts).
    expect(h.google.requestCounts().byMethod['calendar.events.list']).toBe(1);
    expect(h.google.requestCounts().byMethod['calendar.freebusy.query']).toBe(1);
    expect(h.google.requestCounts().byMethod['calendar.calendars.get']).toBeUndefined();
  });

  it('a meeting on one session moves that session and no other, with one patch', async () => {
    await h.repair('settings');
    const before = await h.studyEvents();
    // An hour-long session or longer: a meeting inside it, buffer included, touches no other.
    const victim = before.find((e) => Date.parse(e.end) - Date.parse(e.start) >= 60 * 60_000);
    if (!victim) throw new Error('expected a session of an hour or more');
    const meeting = {
      start: new Date(Date.parse(victim.start) + 15 * 60_000).toISOString(),
      end: new Date(Date.parse(victim.start) + 30 * 60_000).toISOString(),
    };
    h.google.userInsertEvent(h.primaryId, {
      summary: 'Meeting',
      start: { dateTime: meeting.start },
      end: { dateTime: meeting.end },
    });
    h.google.resetCounts();
    const repair = await h.repair('calendar-follow');
    expect(repair).toMatchObject({ moved: 1, added: 0, removed: 0, batches: 1 });
    expect(patches(h)).toBe(1);
    expect(writes(h)).toBe(1);
    const after = await h.studyEvents();
    const moved = after.find((e) => e.id === victim.id);
    expect(moved && sameInstant(moved.start, victim.start)).toBe(false);
    expect(moved && overlaps(moved, meeting)).toBe(false);
    for (const e of before.filter((x) => x.id !== victim.id))
      expect(after.find((x) => x.id === e.id)).toMatchObject({ start: e.start, end: e.end });
  });

  it('a session the student renamed keeps their title and description when a meeting moves it', async () => {
    await h.repair('settings');
    const before = await h.studyEvents();
    const { calendarId } = await h.plans.getState(h.userId);
    const victim = before.find((e) => Date.parse(e.end) - Date.parse(e.start) >= 60 * 60_000);
    const other = before.find((e) => e.id !== victim?.id);
    if (!calendarId || !victim || !other) throw new Error('expected an hour-long session and another');
    const resource = (id: string) =>
      h.google.state.events.get(calendarId)?.get(id)?.resource as { summary?: string; description?: string };
    const ours = { summary: resource(other.id).summary, description: resource(other.id).description };
    h.google.userPatchEvent(calendarId, victim.id, { summary: 'Read chapter 3', description: 'with Sam' });
    // A title-only edit is no move: the next repair changes nothing.
    h.google.resetCounts();
    expect(await h.repair('calendar-follow')).toMatchObject({ moved: 0, studentEdits: { pinned: 0 } });
    expect(writes(h)).toBe(0);
    h.google.userInsertEvent(h.primaryId, {
      summary: 'Meeting',
      start: { dateTime: new Date(Date.parse(victim.start) + 15 * 60_000).toISOString() },
      end: { dateTime: new Date(Date.parse(victim.start) + 30 * 60_000).toISOString() },
    });
    h.google.resetCounts();
    expect(await h.repair('calendar-follow')).toMatchObject({ moved: 1, added: 0, removed: 0 });
    expect(patches(h)).toBe(1);
    const moved = (await h.studyEvents()).find((e) => e.id === victim.id);
    expect(moved && sameInstant(moved.start, victim.start)).toBe(false);
    expect(resource(victim.id)).toMatchObject({ summary: 'Read chapter 3', description: 'with Sam' });
    expect(resource(other.id)).toMatchObject(ours);
    // Still planned by CanvasCal (not pinned): its times stay ours to manage.
    const row = (await h.plans.listSessions(h.userId)).find((r) => r.googleEventId === victim.id);
    expect(row).toMatchObject({ status: 'planned', titledByStudent: true });
    h.google.resetCounts();
    expect(await h.repair('calendar-follow')).toMatchObject({ moved: 0, added: 0, removed: 0 });
    expect(writes(h)).toBe(0);
  });

  it('a busy event in free time moves nothing and writes nothing', async () => {
    await h.repair('settings');
    const before = await h.studyEvents();
    // 08:00–09:00 on Tuesday: outside every study window.
    h.google.userInsertEvent(h.primaryId, {
      summary: 'Dentist',
      start: { dateTime: at(1, 8).toISOString() },
      end: { dateTime: at(1, 9).toISOString() },
    });
    h.google.resetCounts();
    const repair = await h.repair('calendar-follow');
    expect(repair).toMatchObject({ moved: 0, added: 0, removed: 0, batches: 0 });
    expect(writes(h)).toBe(0);
    expect(await h.studyEvents()).toEqual(before);
  });

  it('keeps a session the student moved (pinned there) and never recreates one they deleted', async () => {
    await h.repair('settings');
    const [moved, deleted] = await h.studyEvents();
    if (!moved || !deleted) throw new Error('expected two sessions');
    const { calendarId } = await h.plans.getState(h.userId);
    const newStart = at(2, 6).toISOString();
    const newEnd = at(2, 7).toISOString();
    h.google.userPatchEvent(calendarId ?? '', moved.id, {
      start: { dateTime: newStart },
      end: { dateTime: newEnd },
    });
    h.google.userDeleteEvent(calendarId ?? '', deleted.id);
    const repair = await h.repair('calendar-follow');
    expect(repair.studentEdits).toEqual({ pinned: 1, dropped: 1 });
    const after = await h.studyEvents();
    expect(after.find((e) => e.id === moved.id)).toMatchObject({});
    const kept = after.find((e) => e.id === moved.id);
    expect(kept && sameInstant(kept.start, newStart) && sameInstant(kept.end, newEnd)).toBe(true);
    expect(after.find((e) => e.id === deleted.id)).toBeUndefined();
    const rows = await h.plans.listSessions(h.userId);
    expect(rows.find((r) => r.googleEventId === moved.id)?.status).toBe('pinned');
    expect(rows.find((r) => r.googleEventId === deleted.id)?.status).toBe('dropped');
    // The dropped time is never planned again, and the slot is never written again.
    for (const e of after) expect(overlaps(e, deleted)).toBe(false);
    await h.repair('daily');
    expect((await h.studyEvents()).find((e) => e.id === deleted.id)).toBeUndefined();
  });

  it("a handed-in assignment's future sessions disappear", async () => {
    await h.repair('settings');
    const ofFirst = (await h.plans.listSessions(h.userId)).filter((r) => r.deadlineKey === 'assignment_1');
    expect(ofFirst.length).toBeGreaterThan(0);
    await h.setDeadlines(DEADLINES.map((d) => ({ ...d, submitted: d.sourceKey === 'assignment_1' })));
    h.google.resetCounts();
    const repair = await h.repair('canvas-sync');
    expect(repair.removed).toBe(ofFirst.length);
    const ids = new Set((await h.studyEvents()).map((e) => e.id));
    for (const row of ofFirst) expect(ids.has(row.googleEventId)).toBe(false);
  });

  it('a 412 on a write re-reads the event and re-plans around the edit, never clobbering it', async () => {
    await h.repair('settings');
    const before = await h.studyEvents();
    const victim = before[0];
    if (!victim) throw new Error('expected a session');
    const { calendarId } = await h.plans.getState(h.userId);
    // A meeting lands on the first session; the student moves that very session a moment
    // before our patch arrives.
    h.google.userInsertEvent(h.primaryId, {
      summary: 'Meeting',
      start: { dateTime: victim.start },
      end: { dateTime: victim.end },
    });
    const studentStart = at(2, 6).toISOString();
    const studentEnd = at(2, 7).toISOString();
    h.beforeNextBatch(() =>
      h.google.userPatchEvent(calendarId ?? '', victim.id, {
        start: { dateTime: studentStart },
        end: { dateTime: studentEnd },
      }),
    );
    h.google.resetCounts();
    const repair = await h.repair('calendar-follow');
    expect(repair.conflicts).toBe(1);
    expect(h.google.requestCounts().byOutcome['calendar.events.patch 412']).toBe(1);
    const kept = (await h.studyEvents()).find((e) => e.id === victim.id);
    expect(kept && sameInstant(kept.start, studentStart) && sameInstant(kept.end, studentEnd)).toBe(true);
    const row = (await h.plans.listSessions(h.userId)).find((r) => r.googleEventId === victim.id);
    expect(row?.status).toBe('pinned');
  });

  it('writes a given plan (an accepted reschedule) with one patch per moved session', async () => {
    await h.repair('settings');
    const rows = await h.plans.listSessions(h.userId);
    const given = rows.map((r, n) => ({
      deadlineId: r.deadlineKey,
      start: new Date(r.start.getTime() + (n === 0 ? day : 0)).toISOString(),
      end: new Date(r.end.getTime() + (n === 0 ? day : 0)).toISOString(),
    }));
    h.google.resetCounts();
    const done = await writeStudyPlan(h.deps, h.userId, given);
    expect(done).toMatchObject({ moved: 1, added: 0, removed: 0, batches: 1, trigger: 'proposal' });
    expect(patches(h)).toBe(1);
    const key = (s: { start: string; end: string }) => `${Date.parse(s.start)}|${Date.parse(s.end)}`;
    expect((await h.studyEvents()).map(key).sort()).toEqual(given.map(key).sort());
  });

  it('recreates the study calendar the student deleted, with the plan on it', async () => {
    const first = await h.repair('settings');
    const { calendarId } = await h.plans.getState(h.userId);
    h.google.userDeleteCalendar(calendarId ?? '');
    const repair = await h.repair('daily');
    const recreated = (await h.plans.getState(h.userId)).calendarId;
    expect(recreated).not.toBe(calendarId);
    expect(repair.added).toBe(first.added);
    expect((await h.studyEvents()).length).toBe(first.added);
  });

  it('turning planning off deletes future sessions and keeps past ones', async () => {
    await h.repair('settings');
    const all = await h.studyEvents();
    const first = all[0];
    if (!first) throw new Error('expected a session');
    // Later that day: the first session has begun.
    await h.setNow(new Date(Date.parse(first.start) + 60_000));
    await h.setPreferences({ autoPlan: false });
    const repair = await h.repair('settings');
    expect(repair.outcome).toBe('planning-off');
    const left = await h.studyEvents();
    expect(left.map((e) => e.id)).toEqual(
      all.filter((e) => Date.parse(e.start) < Date.parse(first.start) + 60_000).map((e) => e.id),
    );
    expect(repair.removed).toBe(all.length - left.length);
  });

  it('a repair answering coalesced triggers records every one of them, and the next repair none of them', async () => {
    // A queue that keeps, like the real ones, only the first payload of a coalesced window.
    const added: Array<{ userId: string; trigger: string }> = [];
    let run: ((payload: { userId: string; trigger: string }) => Promise<unknown>) | undefined;
    const queue = {
      async add(_name: string, payload: { userId: string; trigger: string }) {
        added.push(payload);
        return { id: 'repair', coalesced: added.length > 1 };
      },
      process(name: string, handler: (payload: { userId: string; trigger: string }) => Promise<unknown>) {
        if (name === STUDY_REPAIR_JOB) run = handler;
      },
      async repeat() {},
    } as unknown as Queue;
    const enqueue = repairEnqueuer(queue, {
      backoffMs: 1,
      noteTrigger: (userId, trigger) => h.plans.noteTrigger(userId, trigger),
    });
    await registerRepairJobs({
      queue,
      logger: h.deps.logger,
      repair: h.deps,
      enqueue,
      connectedUserIds: async () => [],
    });
    await enqueue.repairLater(h.userId, 'canvas-sync');
    await enqueue.repairLater(h.userId, 'calendar-follow');
    await enqueue.repairLater(h.userId, 'canvas-sync');
    const first = added[0];
    if (!run || !first) throw new Error('no repair job');
    await run(first);
    const state = await h.plans.getState(h.userId);
    expect(state.lastRepair).toMatchObject({
      trigger: 'canvas-sync',
      triggers: ['canvas-sync', 'calendar-follow'],
    });

    await enqueue.repairLater(h.userId, 'daily');
    await run({ userId: h.userId, trigger: 'daily' });
    expect((await h.plans.getState(h.userId)).lastRepair).toMatchObject({ triggers: ['daily'] });
  });
}
