import type { GoogleState } from './google-state.ts';

export type FaultKind = 500 | 503 | 429 | 403 | 'reset';

/** What tests, the demo and benchmarks use to drive and observe the emulator. */
export interface GoogleEmulatorControl {
  readonly state: GoogleState;
  addAccount(email: string, timeZone: string): string;
  addCalendar(
    email: string,
    options: {
      summary: string;
      timeZone?: string;
      accessRole?: 'owner' | 'writer' | 'reader' | 'freeBusyReader';
      selected?: boolean;
      hidden?: boolean;
      owner?: string;
    },
  ): string;
  /** Acts as the user in Google Calendar: add, change or delete an event (no scopes involved). */
  userInsertEvent(calendarId: string, event: Record<string, unknown>): string;
  userPatchEvent(calendarId: string, eventId: string, patch: Record<string, unknown>): void;
  userDeleteEvent(calendarId: string, eventId: string): void;
  userDeleteCalendar(calendarId: string): void;
  /** Approves (or denies) a consent screen as `email`; returns the redirect URL with code and state. */
  approveConsent(authUrl: string, options: { email: string; grantScopes?: string[]; deny?: boolean }): string;
  revokeGrants(email: string): void;
  expireAccessTokens(): void;
  expireSyncTokens(calendarId?: string): void;
  failNext(method: string, kind: FaultKind, count?: number): void;
  setLatency(ms: number): void;
  requestCounts(): { total: number; byMethod: Record<string, number>; byOutcome: Record<string, number> };
  resetCounts(): void;
}
