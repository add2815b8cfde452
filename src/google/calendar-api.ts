import type { EventBody } from './event-body.ts';

/**
 * The Google Calendar operations CanvasCal uses, for one user. The core depends on this
 * interface only; failures are `GoogleApiError` values with a `kind` to act on.
 */
export interface CalendarApi {
  insertCalendar(calendar: {
    summary: string;
    timeZone: string;
    description?: string;
  }): Promise<{ id: string }>;
  /** Resolves undefined when the calendar no longer exists (the user deleted it). */
  getCalendar(calendarId: string): Promise<{ id: string; timeZone: string } | undefined>;
  /** At most 50 operations; one HTTP request; one result per operation, in order. */
  batch(operations: readonly BatchOperation[]): Promise<BatchResult[]>;
  /** HTTP requests made through this client so far (a batch is one). */
  readonly requestCount: number;
}

export type BatchOperation =
  | { kind: 'insert'; calendarId: string; event: EventBody }
  | { kind: 'patch'; calendarId: string; eventId: string; event: EventBody }
  | { kind: 'delete'; calendarId: string; eventId: string };

export type BatchResult =
  | { ok: true; status: number; etag: string | undefined }
  | { ok: false; status: number; reason: string | undefined; message: string };

export const MAX_BATCH_SIZE = 50;
