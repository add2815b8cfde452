/** The Canvas data the emulator serves, as a teacher and the school's admin set it up. */
export interface CanvasUser {
  id: number;
  name: string;
  timeZone: string;
}

export interface CanvasCourse {
  id: number;
  name: string;
  courseCode: string;
  /** A course whose dates exclude the student now: listed only as an id stub. */
  restricted: boolean;
  syllabusBody: string | null;
}

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
}

export class CanvasState {
  readonly users = new Map<number, CanvasUser>();
  readonly tokens = new Map<string, CanvasToken>();
  readonly courses = new Map<number, CanvasCourse>();
  readonly enrollments = new Map<number, Set<number>>();
  readonly assignments = new Map<number, CanvasAssignment>();
  /** `${userId}:${assignmentId}` → workflow_state. */
  readonly submissions = new Map<string, 'submitted' | 'graded'>();
  readonly calendarEvents = new Map<number, CanvasCalendarEvent>();
  private nextId = 1000;

  id(): number {
    this.nextId += 1;
    return this.nextId;
  }

  coursesOf(userId: number): CanvasCourse[] {
    return [...(this.enrollments.get(userId) ?? [])]
      .map((id) => this.courses.get(id))
      .filter((c): c is CanvasCourse => c !== undefined)
      .sort((a, b) => a.id - b.id);
  }

  /** The due date this student sees: their override if any, else the assignment's. */
  dueAtFor(assignment: CanvasAssignment, userId: number): string | null {
    return assignment.overrides.has(userId) ? (assignment.overrides.get(userId) ?? null) : assignment.dueAt;
  }
}
