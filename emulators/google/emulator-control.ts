import type { GoogleState } from './google-state.ts';
import type { ChannelInfo, DeliveryCounts } from './push-channels.ts';
import type { RequestCountSnapshot } from './request-counts.ts';

/** `userRateLimit`: 403 `userRateLimitExceeded`, Google's answer once a per-user quota set in the Cloud Console is used up. */
export type FaultKind = 500 | 503 | 429 | 403 | 'userRateLimit' | 'reset';

export interface LatencyOptions {
  /** A method id (`calendar.events.list`, `oauth.token`, `batch`, ...) or `*` (default). */
  method?: string;
  /** How many matching requests to delay (default: all from now on). */
  count?: number;
}

export interface RandomFaultOptions {
  /** Share of matching calls that fail, 0..1. */
  rate: number;
  seed: number;
  /** Kinds drawn from, uniformly (default 500, 503, 429, 403). */
  kinds?: FaultKind[];
  /**
   * Method ids the faults apply to: discovery ids, `oauth.token`, `oauth.revoke`, or `*`.
   * Default: every Calendar method (OAuth calls only when listed, or with `*`).
   */
  methods?: string[];
}

/**
 * What tests, the demo and benchmarks use to drive and observe the emulator. Every method
 * is also `POST /_emulator/<name>` with a JSON array of arguments (answer `{ result }`).
 * Event and calendar list changes made here are pushed to watching channels like the API's own.
 */
export interface GoogleEmulatorControl {
  readonly state: GoogleState;
  /** Registers an OAuth client whose redirect URIs must match exactly (without them: any loopback URI). */
  addClient(client: { clientId: string; clientSecret: string; redirectUris?: string[] }): void;
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
  /** The user ticks or hides a calendar in their list; shows up in calendarList incremental syncs. */
  userUpdateCalendarListEntry(
    email: string,
    calendarId: string,
    change: { selected?: boolean; hidden?: boolean },
  ): void;
  /** Approves (or denies) a consent screen as `email`; returns the redirect URL with code and state. */
  approveConsent(authUrl: string, options: { email: string; grantScopes?: string[]; deny?: boolean }): string;
  revokeGrants(email: string): void;
  expireAccessTokens(): void;
  /** Every events.list sync token issued so far (for one calendar, or all) answers 410 fullSyncRequired. */
  expireSyncTokens(calendarId?: string): void;
  /** Every calendarList sync token issued so far (to one account, or all) answers 410 fullSyncRequired. */
  expireCalendarListSyncTokens(email?: string): void;
  /**
   * The next `count` calls of `method` (or `*`) fail with `kind`; `reset` drops the connection
   * of a direct call. `method` may be `oauth.token` or `oauth.revoke` (answered in OAuth's error shape).
   */
  failNext(method: string, kind: FaultKind, count?: number): void;
  /**
   * Calls fail at random at `rate`, the same ones for the same seed and call sequence (a
   * fresh sequence each time this is called); `undefined` stops them. Scripted `failNext`
   * faults come first. In a batch part a drawn `reset` answers 503.
   */
  randomFaults(options: RandomFaultOptions | undefined): void;
  /** The next `drop` push deliveries are lost (their message numbers skipped); the next `duplicate` arrive twice. */
  failDeliveries(faults: { drop?: number; duplicate?: number }): void;
  /** Resolves when every push delivery queued so far has been answered or has failed; tests await it instead of sleeping. */
  flushDeliveries(): Promise<void>;
  /** Every channel ever opened, stopped and expired ones included. */
  channels(): ChannelInfo[];
  deliveryCounts(): DeliveryCounts;
  /**
   * Holds requests `ms` before answering them. Without options: every request from now on
   * (replacing earlier latency; 0 removes it). With `{ method, count }`: the next `count`
   * requests of that method (OAuth and `batch` included), after the rules already set.
   */
  setLatency(ms: number, options?: LatencyOptions): void;
  /**
   * Requests `setLatency` is holding right now, by method id: a test sees that a call has
   * reached Google (and not yet been applied) before it kills the caller.
   */
  heldRequests(): Record<string, number>;
  /**
   * Every request answered (control calls excepted), by method id and by `"<method> <status>"`:
   * Calendar methods, each batch part on its own plus `batch` with the batch's own status,
   * `oauth.authorize`, `oauth.consent`, `oauth.token`, `oauth.revoke`, and `unknown`.
   */
  requestCounts(): RequestCountSnapshot;
  resetCounts(): void;
  /** Forgets all accounts, tokens, channels, faults and counts, then seeds the demo student again (unless started with `seed: false`). */
  reset(): void;
}
