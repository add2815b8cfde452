import { Temporal } from 'temporal-polyfill';

/** The Canvas data the emulator serves, as a teacher and the school's admin set it up. */
export interface CanvasUser {
  id: number;
  name: string;
  timeZone: string;
}

export interface CanvasTerm {
  id: number;
  name: string;
  startAt: string | null;
  endAt: string | null;
}

export interface CanvasCourse {
  id: number;
  name: string;
  courseCode: string;
  /** A course whose dates exclude the student now: listed only as an id stub. */
  restricted: boolean;
  syllabusBody: string | null;
  /** The zone teachers edit in: "end of day" (23:59:59 there) makes a deadline all-day. */
  timeZone: string;
  term: CanvasTerm | null;
  /** Course navigation tabs the teacher hid from students: their APIs answer 404. */
  hiddenTabs: Set<CourseTab>;
  /** The dates the syllabus body states, as its author knows them (the truth for syllabus items). */
  syllabusDates: SyllabusFact[];
  /** The course's one assignment group ("Assignments"), as Canvas creates it with the course. */
  assignmentGroupId: number;
  /** The teacher Canvas lists under `include[]=teachers` and as the grader of graded work. */
  teacher: { id: number; name: string };
  createdAt: string;
}

/** Tabs whose listing API Canvas disables when the teacher hides them from students. */
export type CourseTab = 'assignments' | 'quizzes' | 'discussions';

/** One dated line of a syllabus: a local date (and time), a title, and whether it is a day off. */
export interface SyllabusFact {
  title: string;
  /** `YYYY-MM-DD` in the course's zone. */
  date: string;
  /** `HH:MM` local, only when the syllabus gives a time. */
  time?: string;
  holiday: boolean;
}

export type EnrollmentState = 'active' | 'invited' | 'completed';
export type EnrollmentType = 'student' | 'teacher' | 'ta' | 'observer' | 'designer';

export interface CanvasAssignment {
  id: number;
  courseId: number;
  name: string;
  dueAt: string | null;
  pointsPossible: number | null;
  published: boolean;
  submissionTypes: string[];
  /** Per-student due dates; a student sees only their own, already applied. */
  overrides: Map<number, string | null>;
  /** Order in the course's assignment list (Canvas's `position`). */
  position: number;
  createdAt: string;
}

/**
 * A graded quiz is backed by an assignment (its due date and publication live there); an
 * ungraded one (a practice quiz) has no assignment and keeps its own due date and points.
 */
export interface CanvasQuiz {
  id: number;
  courseId: number;
  title: string;
  quizType: 'assignment' | 'practice_quiz' | 'graded_survey' | 'survey';
  assignmentId: number | null;
  /** The due date of a quiz no assignment backs; null for a graded quiz (its assignment's). */
  dueAt: string | null;
  /** The points of a quiz no assignment backs; null for a graded quiz (its assignment's). */
  pointsPossible: number | null;
  published: boolean;
}

/** A graded discussion is backed by an assignment; an ungraded one may carry a to-do date. */
export interface CanvasDiscussion {
  id: number;
  courseId: number;
  title: string;
  assignmentId: number | null;
  todoDate: string | null;
  published: boolean;
}

export interface CanvasCalendarEvent {
  id: number;
  courseId: number;
  title: string;
  startAt: string;
  endAt: string;
  allDay: boolean;
  allDayDate: string | null;
}

export interface CanvasToken {
  token: string;
  userId: number;
  expiresAt: number | null;
  revoked: boolean;
  /** Revoked once this many more requests have been answered (a token revoked mid-sync). */
  revokeAfter: number | null;
}

export class CanvasState {
  readonly users = new Map<number, CanvasUser>();
  readonly tokens = new Map<string, CanvasToken>();
  readonly courses = new Map<number, CanvasCourse>();
  readonly enrollments = new Map<number, Set<number>>();
  /** `${userId}:${courseId}` → how the user is enrolled; absent means an active student. */
  readonly enrollmentDetails = new Map<string, { type: EnrollmentType; state: EnrollmentState }>();
  readonly assignments = new Map<number, CanvasAssignment>();
  readonly quizzes = new Map<number, CanvasQuiz>();
  readonly discussions = new Map<number, CanvasDiscussion>();
  /** `${userId}:${assignmentId}` → workflow_state. */
  readonly submissions = new Map<string, 'submitted' | 'graded'>();
  /** `${userId}:${assignmentId}` → when the work was turned in. */
  readonly submittedAt = new Map<string, string>();
  /** The account's enrollment terms: courses of one term share it (and its id). */
  readonly terms = new Map<number, CanvasTerm>();
  /** `${assignmentId}:${userId}` → the id of the student's due-date override. */
  readonly overrideIds = new Map<string, number>();
  /** `${userId}:${assignmentId}` → the id of the student's submission row. */
  private readonly submissionIds = new Map<string, number>();
  // Submission rows are numerous in Canvas: their own id range, so reading them never moves
  // the ids the control API hands out.
  private nextSubmissionId = 10_000_050_000_000;
  readonly calendarEvents = new Map<number, CanvasCalendarEvent>();
  /** `${userId}:${plannableType}:${id}`: planner items with activity the student has not seen. */
  readonly newActivity = new Set<string>();
  // Canvas ids are 64-bit global ids (shard × 10^13 + local id): start past 32 bits so every
  // test sees ids no 32-bit integer holds.
  private nextId = 10_000_000_001_000;

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  /** The id of a student's submission row for an assignment, the same on every read. */
  submissionId(userId: number, assignmentId: number): number {
    const key = `${userId}:${assignmentId}`;
    let id = this.submissionIds.get(key);
    if (id === undefined) {
      this.nextSubmissionId += 1;
      id = this.nextSubmissionId;
      this.submissionIds.set(key, id);
    }
    return id;
  }

  /**
   * The account's term with this name and these dates, created on first use: Canvas terms
   * belong to the account, and every course of a term points at the same one.
   */
  termFor(spec: Omit<CanvasTerm, 'id'> & { id?: number }): CanvasTerm {
    if (spec.id !== undefined) {
      const known = this.terms.get(spec.id);
      if (known) return known;
      const term = { id: spec.id, name: spec.name, startAt: spec.startAt, endAt: spec.endAt };
      this.terms.set(term.id, term);
      return term;
    }
    for (const t of this.terms.values())
      if (t.name === spec.name && t.startAt === spec.startAt && t.endAt === spec.endAt) return t;
    const term = { id: this.id(), name: spec.name, startAt: spec.startAt, endAt: spec.endAt };
    this.terms.set(term.id, term);
    return term;
  }

  coursesOf(userId: number): CanvasCourse[] {
    return [...(this.enrollments.get(userId) ?? [])]
      .map((id) => this.courses.get(id))
      .filter((c): c is CanvasCourse => c !== undefined)
      .sort((a, b) => a.id - b.id);
  }

  enrollmentOf(userId: number, courseId: number): { type: EnrollmentType; state: EnrollmentState } {
    return this.enrollmentDetails.get(`${userId}:${courseId}`) ?? { type: 'student', state: 'active' };
  }

  /** Courses whose content the user can read now: enrolled, active, not date-restricted. */
  openCoursesOf(userId: number): CanvasCourse[] {
    return this.coursesOf(userId).filter(
      (c) => !c.restricted && this.enrollmentOf(userId, c.id).state === 'active',
    );
  }

  /** The due date this student sees: their override if any, else the assignment's. */
  dueAtFor(assignment: CanvasAssignment, userId: number): string | null {
    return assignment.overrides.has(userId) ? (assignment.overrides.get(userId) ?? null) : assignment.dueAt;
  }

  quizOf(assignmentId: number): CanvasQuiz | undefined {
    for (const q of this.quizzes.values()) if (q.assignmentId === assignmentId) return q;
    return undefined;
  }

  discussionOf(assignmentId: number): CanvasDiscussion | undefined {
    for (const d of this.discussions.values()) if (d.assignmentId === assignmentId) return d;
    return undefined;
  }

  /**
   * Canvas's all-day rule (`Assignment.all_day_interpretation`, app/models/assignment.rb):
   * in the zone the teacher edits in, a due date at 23:59 is all-day, and every due date has
   * its local date as `all_day_date`, all-day or not.
   */
  allDayOf(dueAt: string | null, courseId: number): { allDay: boolean; date: string | null } {
    if (dueAt === null) return { allDay: false, date: null };
    const zone = this.courses.get(courseId)?.timeZone ?? 'UTC';
    const local = Temporal.Instant.from(dueAt).toZonedDateTimeISO(zone);
    return { allDay: local.hour === 23 && local.minute === 59, date: local.toPlainDate().toString() };
  }

  /** The local date of an all-day due date; null for a timed or undated one. */
  allDayDate(dueAt: string | null, courseId: number): string | null {
    const { allDay, date } = this.allDayOf(dueAt, courseId);
    return allDay ? date : null;
  }
}
