import type { DeveloperKey } from './canvas-oauth-endpoints.ts';
import type {
  CanvasAssignment,
  CanvasCalendarEvent,
  CanvasState,
  CanvasTerm,
  CourseTab,
  EnrollmentState,
  EnrollmentType,
  SyllabusFact,
} from './canvas-state.ts';
import type { ExpectedDueItem } from './expected-due-items.ts';

/** Seeded random faults: each authenticated request is throttled or fails with these odds. */
export interface RandomFaults {
  seed: number;
  throttleRate?: number;
  serverErrorRate?: number;
}

/**
 * What tests and the demo use to act as a teacher and to observe the emulator. Every call's
 * arguments are checked (canvas-control-arguments.ts): a misfit throws ControlArgumentError
 * naming the field, and a call about a user, course or item that does not exist throws.
 */
export interface CanvasControl {
  readonly state: CanvasState;
  createUser(name: string, timeZone: string): number;
  issueToken(userId: number, options?: { expiresAt?: number }): string;
  revokeToken(token: string): void;
  /** OAuth2: a school's developer key, as an admin creates it. */
  registerDeveloperKey(key: DeveloperKey): void;
  /** OAuth2: the student (default: the demo one) approves or denies `authUrl`; returns the redirect. */
  approveConsent(authUrl: string, options?: { userId?: number; deny?: boolean }): string;
  /** The token keeps working for `requests` more answers, then is revoked (mid-sync). */
  revokeTokenAfter(token: string, requests: number): void;
  createCourse(options: {
    name: string;
    courseCode: string;
    restricted?: boolean;
    syllabusBody?: string;
    /** The dates `syllabusBody` states (the truth's syllabus items); none when absent. */
    syllabusDates?: SyllabusFact[];
    /** The zone teachers edit in (default America/Chicago). */
    timeZone?: string;
    term?: Omit<CanvasTerm, 'id'> & { id?: number };
  }): number;
  /** A teacher rewrites the syllabus; `dates` are the dates the new body states. */
  setSyllabus(courseId: number, body: string | null, dates: SyllabusFact[]): void;
  /**
   * The teacher hides (or shows again) a course tab from students: its listing API answers
   * 404 `{"message":"That page has been disabled for this course"}`. A hidden assignments tab
   * takes the course's assignments out of the truth.
   */
  hideTab(courseId: number, tab: CourseTab, hidden?: boolean): void;
  enroll(userId: number, courseId: number, as?: { type?: EnrollmentType; state?: EnrollmentState }): void;
  addAssignment(
    courseId: number,
    a: {
      name: string;
      dueAt: string | null;
      pointsPossible?: number;
      submissionTypes?: string[];
      published?: boolean;
    },
  ): number;
  updateAssignment(
    id: number,
    patch: Partial<Pick<CanvasAssignment, 'name' | 'dueAt' | 'pointsPossible' | 'published'>>,
  ): void;
  unpublishAssignment(id: number): void;
  /** Deletes the assignment and the quiz or discussion it backs. */
  deleteAssignment(id: number): void;
  /** A graded quiz (backed by a new assignment) or a practice quiz (no assignment). */
  addQuiz(
    courseId: number,
    q: {
      title: string;
      dueAt: string | null;
      pointsPossible?: number;
      published?: boolean;
      practice?: boolean;
    },
  ): { id: number; assignmentId: number | null };
  updateQuiz(id: number, patch: { title?: string; dueAt?: string | null; published?: boolean }): void;
  deleteQuiz(id: number): void;
  /** Graded when `graded` is true (backed by a new assignment); else an ungraded topic, maybe with a to-do date. */
  addDiscussion(
    courseId: number,
    d: {
      title: string;
      graded?: boolean;
      dueAt?: string | null;
      todoDate?: string | null;
      pointsPossible?: number;
      published?: boolean;
    },
  ): { id: number; assignmentId: number | null };
  updateDiscussion(id: number, patch: { title?: string; dueAt?: string | null; published?: boolean }): void;
  deleteDiscussion(id: number): void;
  setOverride(assignmentId: number, userId: number, dueAt: string | null): void;
  submit(userId: number, assignmentId: number, state?: 'submitted' | 'graded'): void;
  addCalendarEvent(courseId: number, e: Omit<CanvasCalendarEvent, 'id' | 'courseId'>): number;
  updateCalendarEvent(id: number, patch: Partial<Omit<CanvasCalendarEvent, 'id' | 'courseId'>>): void;
  deleteCalendarEvent(id: number): void;
  /** The next `count` requests whose path starts with `prefix` fail with `status`. */
  failNext(prefix: string, status: number | { status: number; count?: number }, count?: number): void;
  /**
   * The next `count` requests under `prefix` that ask for a later page of a listing
   * (a `page` parameter other than 1) fail with `status`: a listing that breaks halfway.
   */
  failPage(prefix: string, fault: { status: number; count?: number }): void;
  /** The next `count` requests are throttled (403, plain text). */
  throttleNext(count?: number): void;
  /** Seeded random throttling and 5xx on every request; `null` turns them off. */
  randomFaults(faults: RandomFaults | null): void;
  /** Drops every scripted and random fault and the latency. */
  clearFaults(): void;
  /**
   * Whether Canvas throttles this token's requests (default on). Off, as for requests Canvas
   * exempts, answers carry no `X-Rate-Limit-Remaining` and are never throttled by the bucket.
   */
  setThrottling(enabled: boolean): void;
  /** Every answer waits this long first (0 for none). */
  setLatency(ms: number): void;
  /** Sets a token's leaky-bucket level (0..700), e.g. to make `X-Rate-Limit-Remaining` low. */
  fillBucket(token: string, level: number): void;
  demo: { userId: number; token: string; courseIds: number[] } | undefined;
  /** The emulator's own truth of everything due for this student. */
  expectedDueItems(userId: number): ExpectedDueItem[];
  /** Requests answered, per route, and the sum of the `X-Request-Cost` units charged. */
  requestCounts(): { total: number; byRoute: Record<string, number>; cost: number };
  resetCounts(): void;
}
