import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredEventFor } from './desired-events.ts';
import { planSync } from './diff.ts';
import { googleEventIdFor } from './event-id.ts';
import type { SourceItem } from './source-item.ts';

const context = {
  userId: '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f',
  canvasHost: 'canvas.example.edu',
  timeZone: 'America/Chicago',
};

const essay: SourceItem = {
  key: 'assignment:101:5001',
  kind: 'assignment',
  courseId: '101',
  courseName: 'Composition I',
  courseCode: 'ENG 101',
  title: 'Essay 2',
  dueAt: '2026-12-04T05:59:59Z',
  allDay: false,
  allDayDate: null,
  pointsPossible: 50,
  submitted: false,
  missing: false,
  htmlUrl: 'https://canvas.example.edu/courses/101/assignments/5001',
};

describe('desiredEventFor', () => {
  it('writes a transparent 30-minute block ending at the deadline, marked as ours', () => {
    const event = desiredEventFor(essay, context);
    expect(event.body).toMatchObject({
      id: event.eventId,
      summary: 'ENG 101: Essay 2',
      start: { dateTime: '2026-12-04T05:29:59Z', timeZone: 'America/Chicago' },
      end: { dateTime: '2026-12-04T05:59:59Z', timeZone: 'America/Chicago' },
      transparency: 'transparent',
      source: { title: 'Canvas', url: essay.htmlUrl },
      extendedProperties: {
        private: { canvascal: '1', sourceKey: essay.key, contentHash: event.contentHash },
      },
    });
    expect(event.body.description).toContain('Points: 50');
    expect(event.body.description).toContain(essay.htmlUrl);
  });

  it('makes an all-day event from the local date Canvas gives, not from the UTC instant', () => {
    // 23:59:59 in Chicago on Dec 3 is already Dec 4 in UTC.
    const event = desiredEventFor({ ...essay, allDay: true, allDayDate: '2026-12-03' }, context);
    expect(event.body.start).toEqual({ date: '2026-12-03' });
    expect(event.body.end).toEqual({ date: '2026-12-04' });
  });

  it('marks submitted work as done in the title and colour', () => {
    const event = desiredEventFor({ ...essay, submitted: true }, context);
    expect(event.body.summary).toBe('✓ ENG 101: Essay 2');
    expect(event.body.colorId).toBe('8');
  });

  it('gives the same id and hash for the same item, and a new hash when anything shown changes', () => {
    const a = desiredEventFor(essay, context);
    expect(desiredEventFor({ ...essay }, context)).toEqual(a);
    expect(desiredEventFor({ ...essay, dueAt: '2026-12-05T05:59:59Z' }, context).contentHash).not.toBe(
      a.contentHash,
    );
    expect(desiredEventFor({ ...essay, title: 'Essay 2 (revised)' }, context).contentHash).not.toBe(
      a.contentHash,
    );
    expect(desiredEventFor({ ...essay, submitted: true }, context).contentHash).not.toBe(a.contentHash);
  });
});

describe('googleEventIdFor', () => {
  it('is 32 characters of Google base32hex, unique per user, host and item', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.domain(), fc.string({ minLength: 1 }), (user, host, key) => {
        const id = googleEventIdFor(user, host, key);
        expect(id).toMatch(/^[a-v0-9]{32}$/);
        expect(googleEventIdFor(user, host.toUpperCase(), key)).toBe(id);
        expect(googleEventIdFor(user, host, `${key}x`)).not.toBe(id);
      }),
    );
  });
});

describe('planSync', () => {
  const a = desiredEventFor(essay, context);
  const b = desiredEventFor({ ...essay, key: 'quiz:101:77', kind: 'quiz', title: 'Quiz 3' }, context);
  const mappingOf = (e: typeof a, hash = e.contentHash) => ({
    sourceKey: e.sourceKey,
    googleEventId: e.eventId,
    contentHash: hash,
  });

  it('sends nothing when nothing changed', () => {
    expect(planSync([a, b], [mappingOf(a), mappingOf(b)], { deleteMissing: true })).toEqual({
      inserts: [],
      patches: [],
      deletes: [],
      unchanged: 2,
      keptUserEdits: 0,
    });
  });

  it('leaves an event the student moved or deleted alone while Canvas is unchanged, and rewrites it when Canvas changes', () => {
    const kept = planSync([a, b], [{ ...mappingOf(a), userEdit: 'deleted' as const }, mappingOf(b)], {
      deleteMissing: true,
    });
    expect(kept).toMatchObject({ inserts: [], patches: [], unchanged: 2, keptUserEdits: 1 });
    const changed = planSync([a], [{ ...mappingOf(a, 'old'), userEdit: 'moved' as const }], {
      deleteMissing: true,
    });
    expect(changed.patches.map((p) => p.desired.sourceKey)).toEqual([a.sourceKey]);
  });

  it('inserts new items, patches changed ones and deletes vanished ones', () => {
    const gone = { sourceKey: 'assignment:101:9', googleEventId: 'abc12', contentHash: 'x' };
    const plan = planSync([a, b], [mappingOf(a, 'old'), gone], { deleteMissing: true });
    expect(plan.inserts.map((e) => e.sourceKey)).toEqual([b.sourceKey]);
    expect(plan.patches.map((p) => p.desired.sourceKey)).toEqual([a.sourceKey]);
    expect(plan.deletes).toEqual([gone]);
  });

  it('deletes nothing after an incomplete read of Canvas', () => {
    const plan = planSync([], [mappingOf(a), mappingOf(b)], { deleteMissing: false });
    expect(plan.deletes).toEqual([]);
  });
});
