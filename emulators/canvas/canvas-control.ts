import type { CanvasAssignment, CanvasCalendarEvent, CanvasState } from './canvas-state.ts';
import type { ExpectedDueItem } from './expected-due-items.ts';

/** What tests and the demo use to act as a teacher and to observe the emulator. */
export interface CanvasControl {
  readonly state: CanvasState;
  createUser(name: string, timeZone: string): number;
  issueToken(userId: number, options?: { expiresAt?: number }): string;
  revokeToken(token: string): void;
  createCourse(options: {
    name: string;
    courseCode: string;
    restricted?: boolean;
    syllabusBody?: string;
  }): number;
  enroll(userId: number, courseId: number): void;
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
  deleteAssignment(id: number): void;
  setOverride(assignmentId: number, userId: number, dueAt: string | null): void;
  submit(userId: number, assignmentId: number): void;
  addCalendarEvent(courseId: number, e: Omit<CanvasCalendarEvent, 'id' | 'courseId'>): number;
  /** The next `count` requests whose path starts with `prefix` fail with `status`. */
  failNext(prefix: string, status: number | { status: number; count?: number }, count?: number): void;
  /** The next `count` requests are throttled (403, plain text). */
  throttleNext(count?: number): void;
  demo: { userId: number; token: string; courseIds: number[] } | undefined;
  /** The emulator's own truth of everything due for this student. */
  expectedDueItems(userId: number): ExpectedDueItem[];
  requestCounts(): { total: number; byRoute: Record<string, number>; cost: number };
  resetCounts(): void;
}
