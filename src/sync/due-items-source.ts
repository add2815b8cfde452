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

export type DueItemsRead =
  | { complete: true; items: SourceItem[]; undated: Array<Omit<SourceItem, 'dueAt'>> }
  | { complete: false; failure: SourceFailure };

/** Everything due for one student, or an explicit statement that the list is incomplete. */
export interface DueItemsSource {
  /** The Canvas host, part of every event id (the same course id on two hosts is two items). */
  readonly host: string;
  readDueItems(): Promise<DueItemsRead>;
}
