import type { SourceItem } from './source-item.ts';

/** Why a read of Canvas could not be trusted as complete. */
export interface SourceFailure {
  code:
    | 'token_invalid'
    | 'forbidden'
    | 'not_found'
    | 'rate_limited'
    | 'unavailable'
    | 'malformed_response'
    | 'incomplete'
    | 'not_canvas';
  message: string;
}

/**
 * A definite answer worth telling the student about a complete read, e.g. a course whose
 * teacher hid the assignments tab (its assignments are then none, not unknown).
 */
export interface ReadNotice {
  code: 'assignments_hidden';
  courseId: string;
  courseName: string;
  message: string;
}

export type DueItemsRead =
  | {
      complete: true;
      items: SourceItem[];
      undated: Array<Omit<SourceItem, 'dueAt'>>;
      notices?: ReadNotice[];
      /**
       * Every course the student is in now, items or not; a course not among them has ended
       * or was left. Without it, the courses that have items stand in.
       */
      courseIds?: string[];
    }
  | { complete: false; failure: SourceFailure };

/** Everything due for one student, or an explicit statement that the list is incomplete. */
export interface DueItemsSource {
  /** The Canvas host, part of every event id (the same course id on two hosts is two items). */
  readonly host: string;
  readDueItems(): Promise<DueItemsRead>;
  /** The zone the student set in Canvas, when Canvas says (one request; asked only when needed). */
  timeZone?(): Promise<string | undefined>;
}
