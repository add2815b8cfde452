import { randomBytes } from 'node:crypto';

/** One Google account the emulator knows. */
export interface Account {
  email: string;
  timeZone: string;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
  /** Exact redirect URIs registered for it; absent: any loopback URI (an installed app). */
  redirectUris?: string[];
}

export interface AuthorizationCode {
  code: string;
  clientId: string;
  redirectUri: string;
  email: string;
  scopes: string[];
  codeChallenge: string | undefined;
  codeChallengeMethod: 'S256' | 'plain';
  offline: boolean;
  forceConsent: boolean;
  expiresAt: number;
  used: boolean;
}

export interface RefreshGrant {
  token: string;
  clientId: string;
  email: string;
  scopes: string[];
  issuedAt: number;
  revoked: boolean;
}

export interface AccessToken {
  token: string;
  clientId: string;
  email: string;
  scopes: string[];
  expiresAt: number;
  refreshToken: string | undefined;
  revoked: boolean;
}

export interface Calendar {
  id: string;
  summary: string;
  description?: string;
  timeZone: string;
  owner: string;
  /** The OAuth client that created it: `calendar.app.created` only reaches these. */
  createdByClient: string | undefined;
  deleted: boolean;
  etagSeq: number;
}

export interface CalendarListEntryState {
  calendarId: string;
  accessRole: 'owner' | 'writer' | 'reader' | 'freeBusyReader';
  selected: boolean;
  hidden: boolean;
  primary: boolean;
}

/** A calendar list entry as its account last listed it, with the change sequence of its last visible change. */
export interface CalendarListChange {
  entry: CalendarListEntryState;
  deleted: boolean;
  fingerprint: string;
  seq: number;
}

/** An event as stored: the resource as Google would return it, plus bookkeeping. */
export interface StoredEvent {
  resource: Record<string, unknown> & { id: string; status: string };
  /** The change sequence of its last write; sync tokens are positions in this sequence. */
  seq: number;
  /**
   * A cancelled instance written because a change to its series master removed it (an
   * EXDATE, a shorter rule): shown only in `singleEvents=true` incremental results.
   */
  ruleTombstone?: boolean;
}

/** Everything the emulator holds; in memory, reset by the control API. */
export class GoogleState {
  readonly accounts = new Map<string, Account>();
  readonly clients = new Map<string, OAuthClient>();
  readonly codes = new Map<string, AuthorizationCode>();
  readonly refreshGrants = new Map<string, RefreshGrant>();
  readonly accessTokens = new Map<string, AccessToken>();
  /**
   * Per email|clientId, the scopes the account has granted that client so far: a repeat
   * consent gets no refresh token without prompt=consent, and include_granted_scopes adds
   * these (this client's, never another's). Revoking the grant forgets them.
   */
  readonly consents = new Map<string, Set<string>>();
  readonly calendars = new Map<string, Calendar>();
  readonly calendarLists = new Map<string, Map<string, CalendarListEntryState>>();
  readonly events = new Map<string, Map<string, StoredEvent>>();
  /** Tokens issued before this sequence number per calendar answer 410. */
  readonly syncTokenFloor = new Map<string, number>();
  /** When each calendar's change history was last purged (`expireSyncTokens`): older `updatedMin` answers 410. */
  readonly historyPurgedAt = new Map<string, number>();
  /** Per account, each calendar list entry's last change, for calendarList sync tokens. */
  readonly calendarListChanges = new Map<string, Map<string, CalendarListChange>>();
  /** Calendar list sync tokens issued before this sequence per account answer 410. */
  readonly calendarListTokenFloor = new Map<string, number>();
  seq = 1;

  /** Forgets everything (control `reset`); the sequence keeps counting so no old token becomes valid again. */
  clear(): void {
    for (const value of Object.values(this)) if (value instanceof Map || value instanceof Set) value.clear();
  }

  nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  addAccount(email: string, timeZone: string): Calendar {
    this.accounts.set(email, { email, timeZone });
    const primary: Calendar = {
      id: email,
      summary: email,
      timeZone,
      owner: email,
      createdByClient: undefined,
      deleted: false,
      etagSeq: this.nextSeq(),
    };
    this.calendars.set(primary.id, primary);
    this.events.set(primary.id, new Map());
    this.listOf(email).set(primary.id, {
      calendarId: primary.id,
      accessRole: 'owner',
      selected: true,
      hidden: false,
      primary: true,
    });
    return primary;
  }

  addCalendar(owner: string, summary: string, timeZone: string, createdByClient?: string): Calendar {
    const calendar: Calendar = {
      id: `${randomBytes(16).toString('hex')}@group.calendar.google.com`,
      summary,
      timeZone,
      owner,
      createdByClient,
      deleted: false,
      etagSeq: this.nextSeq(),
    };
    this.calendars.set(calendar.id, calendar);
    this.events.set(calendar.id, new Map());
    this.listOf(owner).set(calendar.id, {
      calendarId: calendar.id,
      accessRole: 'owner',
      selected: true,
      hidden: false,
      primary: false,
    });
    return calendar;
  }

  listOf(email: string): Map<string, CalendarListEntryState> {
    let list = this.calendarLists.get(email);
    if (!list) {
      list = new Map();
      this.calendarLists.set(email, list);
    }
    return list;
  }

  /** The calendar as `email` can reach it, resolving "primary". */
  calendarFor(
    email: string,
    calendarId: string,
  ): { calendar: Calendar; entry: CalendarListEntryState } | undefined {
    const id = calendarId === 'primary' ? email : calendarId;
    const calendar = this.calendars.get(id);
    const entry = this.listOf(email).get(id);
    if (!calendar || calendar.deleted || !entry) return undefined;
    return { calendar, entry };
  }
}
