/**
 * One thing due, as the sync engine needs it: a Canvas item (assignment, quiz, discussion,
 * calendar event) or a date found in a syllabus. `dueAt` is UTC; an all-day item carries the
 * local date Canvas (or the syllabus) gives, never one derived from the UTC instant.
 */
export interface SourceItem {
  /** Stable across syncs, unique per user and Canvas host, e.g. `assignment:123:456`. */
  key: string;
  kind: 'assignment' | 'quiz' | 'discussion' | 'calendar_event' | 'syllabus';
  courseId: string;
  courseName: string;
  courseCode: string;
  title: string;
  dueAt: string;
  allDay: boolean;
  allDayDate: string | null;
  pointsPossible: number | null;
  submitted: boolean;
  missing: boolean;
  htmlUrl: string;
}
