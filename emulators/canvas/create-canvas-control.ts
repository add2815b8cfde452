import { randomBytes } from 'node:crypto';
import type { CanvasControl } from './canvas-control.ts';
import type { CanvasFaults } from './canvas-faults.ts';
import type { CanvasAssignment, CanvasState } from './canvas-state.ts';
import { expectedDueItems } from './expected-due-items.ts';

export interface RequestCounts {
  total: number;
  byRoute: Record<string, number>;
  cost: number;
}

/** The control API over the emulator's state: a teacher's edits, faults, and counters. */
export function createCanvasControl(
  state: CanvasState,
  faults: CanvasFaults,
  counts: RequestCounts,
  origin: () => string,
  now: () => number,
): Omit<CanvasControl, 'registerDeveloperKey' | 'approveConsent'> {
  // A call naming something that does not exist is refused, naming it, instead of doing nothing.
  const must = <T>(found: T | undefined, what: string, id: number | string): T => {
    if (found === undefined) throw new Error(`No ${what} ${id}.`);
    return found;
  };
  const course = (id: number) => must(state.courses.get(id), 'course', id);
  const user = (id: number) => must(state.users.get(id), 'user', id);
  const addAssignment: CanvasControl['addAssignment'] = (courseId, a) => {
    course(courseId);
    const id = state.id();
    const position = [...state.assignments.values()].filter((x) => x.courseId === courseId).length + 1;
    state.assignments.set(id, {
      id,
      courseId,
      name: a.name,
      dueAt: a.dueAt,
      pointsPossible: a.pointsPossible ?? null,
      published: a.published ?? true,
      submissionTypes: a.submissionTypes ?? ['online_upload'],
      overrides: new Map(),
      position,
      createdAt: createdBefore(a.dueAt),
    });
    return id;
  };
  // Created a week before it is due (or now, if that is earlier): a plausible created_at that
  // never lies in the future of the clock.
  const createdBefore = (dueAt: string | null) =>
    new Date(Math.min(now(), dueAt === null ? now() : Date.parse(dueAt) - 7 * 86_400_000))
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  // A teacher's change shows as new activity on the planner of every student who can see it.
  const touch = (type: string, id: number, courseId: number) => {
    for (const [userId, courses] of state.enrollments)
      if (courses.has(courseId)) state.newActivity.add(`${userId}:${type}:${id}`);
  };
  const updateAssignment = (id: number, patch: Partial<CanvasAssignment>) => {
    const assignment = must(state.assignments.get(id), 'assignment', id);
    Object.assign(assignment, patch);
    const quiz = state.quizOf(id);
    const topic = state.discussionOf(id);
    if (quiz) quiz.published = assignment.published;
    if (topic) topic.published = assignment.published;
    touch(
      quiz ? 'quiz' : topic ? 'discussion_topic' : 'assignment',
      quiz?.id ?? topic?.id ?? id,
      assignment.courseId,
    );
  };

  return {
    state,
    demo: undefined,
    createUser(name, timeZone) {
      const id = state.id();
      state.users.set(id, { id, name, timeZone });
      return id;
    },
    issueToken(userId, o = {}) {
      user(userId);
      const token = `${userId}~${randomBytes(24).toString('base64url')}`;
      state.tokens.set(token, {
        token,
        userId,
        expiresAt: o.expiresAt ?? null,
        revoked: false,
        revokeAfter: null,
      });
      return token;
    },
    revokeToken(token) {
      must(state.tokens.get(token), 'token', 'of that value').revoked = true;
    },
    revokeTokenAfter(token, requests) {
      must(state.tokens.get(token), 'token', 'of that value').revokeAfter = requests;
    },
    createCourse(o) {
      const id = state.id();
      state.courses.set(id, {
        id,
        name: o.name,
        courseCode: o.courseCode,
        restricted: o.restricted ?? false,
        syllabusBody: o.syllabusBody ?? null,
        timeZone: o.timeZone ?? 'America/Chicago',
        term: o.term ? state.termFor(o.term) : null,
        hiddenTabs: new Set(),
        syllabusDates: o.syllabusDates ?? [],
        assignmentGroupId: state.id(),
        teacher: { id: state.id(), name: `Instructor of ${o.courseCode}` },
        createdAt: createdBefore(o.term?.startAt ?? null),
      });
      return id;
    },
    setSyllabus(courseId, body, dates) {
      const found = course(courseId);
      found.syllabusBody = body;
      found.syllabusDates = dates;
    },
    hideTab(courseId, tab, hidden = true) {
      const tabs = course(courseId).hiddenTabs;
      if (hidden) tabs.add(tab);
      else tabs.delete(tab);
    },
    enroll(userId, courseId, as = {}) {
      user(userId);
      course(courseId);
      const set = state.enrollments.get(userId) ?? new Set<number>();
      set.add(courseId);
      state.enrollments.set(userId, set);
      state.enrollmentDetails.set(`${userId}:${courseId}`, {
        type: as.type ?? 'student',
        state: as.state ?? 'active',
      });
    },
    addAssignment,
    updateAssignment,
    unpublishAssignment: (id) => updateAssignment(id, { published: false }),
    deleteAssignment(id) {
      const quiz = state.quizOf(id);
      const topic = state.discussionOf(id);
      if (quiz) state.quizzes.delete(quiz.id);
      if (topic) state.discussions.delete(topic.id);
      state.assignments.delete(id);
    },
    addQuiz(courseId, q) {
      course(courseId);
      const id = state.id();
      const assignmentId = q.practice
        ? null
        : addAssignment(courseId, {
            name: q.title,
            dueAt: q.dueAt,
            pointsPossible: q.pointsPossible ?? 10,
            submissionTypes: ['online_quiz'],
            published: q.published ?? true,
          });
      state.quizzes.set(id, {
        id,
        courseId,
        title: q.title,
        quizType: q.practice ? 'practice_quiz' : 'assignment',
        assignmentId,
        // A practice quiz keeps its own date and points: Canvas lists it on the planner by them.
        dueAt: q.practice ? q.dueAt : null,
        pointsPossible: q.practice ? (q.pointsPossible ?? null) : null,
        published: q.published ?? true,
      });
      return { id, assignmentId };
    },
    updateQuiz(id, patch) {
      const quiz = must(state.quizzes.get(id), 'quiz', id);
      if (patch.title !== undefined) quiz.title = patch.title;
      if (patch.published !== undefined) quiz.published = patch.published;
      if (quiz.assignmentId === null) {
        if (patch.dueAt !== undefined) quiz.dueAt = patch.dueAt;
        touch('quiz', quiz.id, quiz.courseId);
      } else
        updateAssignment(quiz.assignmentId, {
          ...(patch.title !== undefined ? { name: patch.title } : {}),
          ...(patch.dueAt !== undefined ? { dueAt: patch.dueAt } : {}),
          ...(patch.published !== undefined ? { published: patch.published } : {}),
        });
    },
    deleteQuiz(id) {
      const quiz = state.quizzes.get(id);
      if (quiz?.assignmentId != null) state.assignments.delete(quiz.assignmentId);
      state.quizzes.delete(id);
    },
    addDiscussion(courseId, d) {
      course(courseId);
      const id = state.id();
      const assignmentId = d.graded
        ? addAssignment(courseId, {
            name: d.title,
            dueAt: d.dueAt ?? null,
            pointsPossible: d.pointsPossible ?? 5,
            submissionTypes: ['discussion_topic'],
            published: d.published ?? true,
          })
        : null;
      state.discussions.set(id, {
        id,
        courseId,
        title: d.title,
        assignmentId,
        todoDate: d.graded ? null : (d.todoDate ?? null),
        published: d.published ?? true,
      });
      return { id, assignmentId };
    },
    updateDiscussion(id, patch) {
      const topic = must(state.discussions.get(id), 'discussion', id);
      if (patch.title !== undefined) topic.title = patch.title;
      if (patch.published !== undefined) topic.published = patch.published;
      if (topic.assignmentId !== null)
        updateAssignment(topic.assignmentId, {
          ...(patch.title !== undefined ? { name: patch.title } : {}),
          ...(patch.dueAt !== undefined ? { dueAt: patch.dueAt } : {}),
          ...(patch.published !== undefined ? { published: patch.published } : {}),
        });
      else if (patch.dueAt !== undefined) topic.todoDate = patch.dueAt;
    },
    deleteDiscussion(id) {
      const topic = state.discussions.get(id);
      if (topic?.assignmentId != null) state.assignments.delete(topic.assignmentId);
      state.discussions.delete(id);
    },
    setOverride(assignmentId, userId, dueAt) {
      const assignment = must(state.assignments.get(assignmentId), 'assignment', assignmentId);
      user(userId);
      assignment.overrides.set(userId, dueAt);
      const key = `${assignmentId}:${userId}`;
      if (!state.overrideIds.has(key)) state.overrideIds.set(key, state.id());
    },
    submit(userId, assignmentId, workflowState = 'submitted') {
      user(userId);
      must(state.assignments.get(assignmentId), 'assignment', assignmentId);
      const key = `${userId}:${assignmentId}`;
      state.submissions.set(key, workflowState);
      // Turned in on time: an hour before a due date already past, else now.
      const assignment = state.assignments.get(assignmentId);
      const dueAt = assignment ? state.dueAtFor(assignment, userId) : null;
      const at = dueAt !== null && Date.parse(dueAt) <= now() ? Date.parse(dueAt) - 3_600_000 : now();
      if (!state.submittedAt.has(key))
        state.submittedAt.set(key, new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    },
    addCalendarEvent(courseId, e) {
      course(courseId);
      const id = state.id();
      state.calendarEvents.set(id, { id, courseId, ...e });
      return id;
    },
    updateCalendarEvent(id, patch) {
      Object.assign(must(state.calendarEvents.get(id), 'calendar event', id), patch);
    },
    deleteCalendarEvent(id) {
      state.calendarEvents.delete(id);
    },
    failNext(prefix, status, count = 1) {
      // Both the positional form and the contract's `{ status, count }` form are accepted.
      if (typeof status === 'number') faults.failNext(prefix, status, count);
      else faults.failNext(prefix, status.status, status.count ?? 1);
    },
    failPage(prefix, fault) {
      faults.failNext(prefix, fault.status, fault.count ?? 1, true);
    },
    throttleNext(count = 1) {
      faults.throttleNext(count);
    },
    randomFaults(random) {
      faults.setRandom(random);
    },
    clearFaults() {
      faults.clear();
    },
    setThrottling(enabled) {
      faults.throttling = enabled;
    },
    setLatency(ms) {
      faults.latencyMs = Math.max(0, ms);
    },
    fillBucket(token, level) {
      must(state.tokens.get(token), 'token', 'of that value');
      faults.fill(token, level);
    },
    expectedDueItems: (userId) => {
      user(userId);
      return expectedDueItems(state, userId, origin(), now());
    },
    requestCounts: () => structuredClone(counts),
    resetCounts() {
      counts.total = 0;
      counts.byRoute = {};
      counts.cost = 0;
    },
  };
}
