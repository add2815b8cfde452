import { errors } from './google-errors.ts';
import type { CalendarListChange, GoogleState } from './google-state.ts';
import type { EmulatorResponse } from './oauth-endpoints.ts';
import {
  compareKeys,
  decodeCursor,
  decodePageCursor,
  encodeCursor,
  type PageCursor,
  type SortKey,
} from './page-cursor.ts';

const ROLE_RANK = { freeBusyReader: 0, reader: 1, writer: 2, owner: 3 } as const;
// Google refuses these together with a syncToken, so that a client's mirror stays complete.
const NOT_WITH_SYNC_TOKEN = ['minAccessRole', 'showOwnOrganizationOnly'];

/** calendarList.list with pagination, `showDeleted`/`showHidden`/`minAccessRole`, and its own sync token. */
export class CalendarListEndpoint {
  constructor(private readonly state: GoogleState) {}

  list(email: string, query: URLSearchParams): EmulatorResponse {
    const maxResults = Number(query.get('maxResults') ?? 100);
    if (!Number.isInteger(maxResults) || maxResults < 1)
      throw errors.invalid('Invalid value for maxResults', 'maxResults');
    const pageSize = Math.min(maxResults, 250);
    const minRole = query.get('minAccessRole') as keyof typeof ROLE_RANK | null;
    if (minRole !== null && !(minRole in ROLE_RANK))
      throw errors.invalid('Invalid value for minAccessRole', 'minAccessRole');
    const syncToken = query.get('syncToken');
    const pageToken = query.get('pageToken');
    const changes = this.reconcile(email);
    let cursor: PageCursor;
    if (pageToken) {
      const decoded = decodePageCursor(pageToken);
      if (!decoded) throw errors.invalid('Invalid page token value.', 'pageToken');
      cursor = decoded;
    } else if (syncToken) {
      const bad = NOT_WITH_SYNC_TOKEN.find((name) => query.has(name));
      if (bad) throw errors.invalid(`The ${bad} parameter cannot be used together with syncToken.`, bad);
      // Deleted and hidden entries always come back in an incremental listing.
      const off = ['showDeleted', 'showHidden'].find((name) => query.get(name) === 'false');
      if (off) throw errors.invalid(`The ${off} parameter cannot be false together with syncToken.`, off);
      const token = decodeCursor<{ u: string; s: number }>(syncToken);
      if (!token || token.u !== email || typeof token.s !== 'number')
        throw errors.invalid('Invalid sync token value.', 'syncToken');
      if (token.s < (this.state.calendarListTokenFloor.get(email) ?? 0)) throw errors.fullSyncRequired();
      cursor = { k: [], s: this.state.seq, f: token.s };
    } else {
      cursor = { k: [], s: this.state.seq, f: null };
    }
    const incremental = cursor.f !== null;
    const showDeleted = incremental || query.get('showDeleted') === 'true';
    const showHidden = incremental || query.get('showHidden') === 'true';
    // Primary first, then by id. Entries as they are now: one changed while a client pages
    // neither shifts the pages after it nor is lost (the change comes again after the token).
    const sortKey = (c: CalendarListChange): SortKey => [c.entry.primary ? 0 : 1, c.entry.calendarId];
    const entries = [...changes.values()]
      .filter((c) => cursor.f === null || c.seq > cursor.f)
      .filter((c) => showDeleted || !c.deleted)
      .filter((c) => showHidden || !c.entry.hidden)
      .filter((c) => minRole === null || ROLE_RANK[c.entry.accessRole] >= ROLE_RANK[minRole])
      .filter((c) => cursor.k.length === 0 || compareKeys(sortKey(c), cursor.k) > 0)
      .sort((a, b) => compareKeys(sortKey(a), sortKey(b)));
    const page = entries.slice(0, pageSize);
    const more = pageSize < entries.length;
    const last = page[page.length - 1];
    return {
      status: 200,
      body: {
        kind: 'calendar#calendarList',
        etag: `"${cursor.s}"`,
        items: page.map((change) => this.resource(change)),
        // Like events.list, the sync token comes only with the last page.
        ...(more
          ? { nextPageToken: encodeCursor({ ...cursor, k: last ? sortKey(last) : [] } satisfies PageCursor) }
          : { nextSyncToken: encodeCursor({ u: email, s: cursor.s }) }),
      },
    };
  }

  /**
   * Brings the account's change journal up to date with its calendar list. Done at every
   * listing rather than at every write, so that each way an entry can change (seeding,
   * calendars.insert|delete, the control API) is caught without hooks in each: a change
   * made between two listings gets a sequence above the first listing's token.
   */
  private reconcile(email: string): Map<string, CalendarListChange> {
    let journal = this.state.calendarListChanges.get(email);
    if (!journal) {
      journal = new Map();
      this.state.calendarListChanges.set(email, journal);
    }
    const list = this.state.listOf(email);
    for (const entry of list.values()) {
      const deleted = this.state.calendars.get(entry.calendarId)?.deleted ?? true;
      // Only what the user sets on the entry counts; calendar properties and ACLs do not (Google's rule).
      const fingerprint = JSON.stringify([entry.selected, entry.hidden, deleted]);
      const known = journal.get(entry.calendarId);
      if (!known || known.fingerprint !== fingerprint)
        journal.set(entry.calendarId, {
          entry: { ...entry },
          deleted,
          fingerprint,
          seq: this.state.nextSeq(),
        });
      else known.entry = { ...entry };
    }
    for (const [calendarId, known] of journal)
      if (!list.has(calendarId) && !known.deleted)
        journal.set(calendarId, {
          ...known,
          deleted: true,
          fingerprint: 'removed',
          seq: this.state.nextSeq(),
        });
    return journal;
  }

  private resource({ entry, deleted, seq }: CalendarListChange) {
    const calendar = this.state.calendars.get(entry.calendarId);
    return {
      kind: 'calendar#calendarListEntry',
      etag: `"${seq}"`,
      id: entry.calendarId,
      summary: calendar?.summary ?? entry.calendarId,
      ...(calendar?.description ? { description: calendar.description } : {}),
      timeZone: calendar?.timeZone ?? 'UTC',
      colorId: '14',
      backgroundColor: '#9fe1e7',
      foregroundColor: '#000000',
      accessRole: entry.accessRole,
      defaultReminders: [],
      ...(entry.selected ? { selected: true } : {}),
      ...(entry.hidden ? { hidden: true } : {}),
      ...(entry.primary ? { primary: true } : {}),
      ...(deleted ? { deleted: true } : {}),
    };
  }
}

/**
 * The account's calendar list as a calendarList.watch channel sees it: a change here (an
 * entry added or removed, its calendar deleted, renamed, selected or hidden) is one `exists`
 * message. Wider than the sync-token rule above (which ignores calendar properties such as
 * the summary): a watch reports a change to any field of the listed resources.
 */
export function calendarListFingerprint(state: GoogleState, email: string): string {
  const entries = [...state.listOf(email).values()]
    .map((entry) => {
      const calendar = state.calendars.get(entry.calendarId);
      return [
        entry.calendarId,
        entry.accessRole,
        entry.selected,
        entry.hidden,
        calendar?.deleted ?? true,
        calendar?.summary ?? '',
      ] as const;
    })
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return JSON.stringify(entries);
}
