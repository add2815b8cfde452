import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { hasFixtures, readJsonFixture } from '../support/fixtures.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

let emulator: GoogleEmulator;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ now: () => Date.parse('2026-12-01T15:00:00Z') });
});
afterEach(() => emulator.close());

async function client(): Promise<calendar_v3.Calendar> {
  const token = await emulatorAccessToken(emulator, [
    SCOPES.calendarListReadonly,
    SCOPES.appCreated,
    SCOPES.eventsOwnedReadonly,
  ]);
  return officialCalendar(emulator.url, token);
}

/** Every page of a calendarList.list, as the pages came. */
async function allPages(api: calendar_v3.Calendar, params: calendar_v3.Params$Resource$Calendarlist$List) {
  const pages: calendar_v3.Schema$CalendarList[] = [];
  let pageToken: string | undefined;
  do {
    const page = (await api.calendarList.list({ ...params, ...(pageToken ? { pageToken } : {}) })).data;
    pages.push(page);
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return pages;
}

const summaries = (items: calendar_v3.Schema$CalendarListEntry[] | undefined) =>
  (items ?? []).map((e) => e.summary).sort();

describe('calendarList.list sync tokens', () => {
  it('gives nextSyncToken on the last page only, then exactly the entries added, changed and removed', async () => {
    const api = await client();
    const doomed = (await api.calendars.insert({ requestBody: { summary: 'Doomed' } })).data.id ?? '';
    const pages = await allPages(api, { maxResults: 2, showHidden: true });
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.map((p) => Boolean(p.nextSyncToken))).toEqual([...pages.slice(1).map(() => false), true]);
    const full = pages.flatMap((p) => p.items ?? []);
    const work = full.find((e) => e.summary === 'Work');
    expect(work).toMatchObject({ selected: true });
    const syncToken = pages.at(-1)?.nextSyncToken ?? '';

    // Nothing changed: an empty page and a fresh token.
    const idle = (await api.calendarList.list({ syncToken })).data;
    expect(idle.items).toEqual([]);
    expect(idle.nextSyncToken).toBeTruthy();

    emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Added by the user' });
    emulator.control.userUpdateCalendarListEntry(DEMO_STUDENT_EMAIL, work?.id ?? '', {
      selected: false,
      hidden: true,
    });
    await api.calendars.delete({ calendarId: doomed });
    await api.calendars.insert({ requestBody: { summary: 'Created by the app' } });
    const delta = (await api.calendarList.list({ syncToken })).data;
    expect(summaries(delta.items)).toEqual(['Added by the user', 'Created by the app', 'Doomed', 'Work']);
    const by = (summary: string) => delta.items?.find((e) => e.summary === summary);
    expect(by('Doomed')).toMatchObject({ id: doomed, deleted: true });
    expect(by('Work')).toMatchObject({ id: work?.id, hidden: true });
    expect(by('Work')?.selected).toBeUndefined();
    expect(by('Work')?.etag).not.toBe(work?.etag);
    expect(by('Added by the user')?.deleted).toBeUndefined();

    // The next incremental call starts after these changes; a deleted calendar is gone from full lists.
    const after = (await api.calendarList.list({ syncToken: delta.nextSyncToken ?? '' })).data;
    expect(after.items).toEqual([]);
    const plain = (await api.calendarList.list({ showHidden: true })).data;
    expect(summaries(plain.items)).not.toContain('Doomed');
    const withDeleted = (await api.calendarList.list({ showDeleted: true })).data;
    expect(withDeleted.items?.find((e) => e.id === doomed)).toMatchObject({ deleted: true });
  });

  it('reports a calendar the user deletes in Google Calendar', async () => {
    const api = await client();
    const lab = (await api.calendarList.list()).data.items?.find((e) => e.accessRole === 'freeBusyReader');
    const syncToken = (await api.calendarList.list()).data.nextSyncToken ?? '';
    emulator.control.userDeleteCalendar(lab?.id ?? '');
    const delta = (await api.calendarList.list({ syncToken })).data;
    expect(delta.items?.map((e) => [e.id, e.deleted])).toEqual([[lab?.id, true]]);
  });

  it('refuses parameters that would break the mirror, and answers 410 fullSyncRequired like events.list', async () => {
    const api = await client();
    const syncToken = (await api.calendarList.list()).data.nextSyncToken ?? '';
    expect(await googleReason(api.calendarList.list({ syncToken, minAccessRole: 'owner' }))).toBe(
      '400 invalid',
    );
    expect(await googleReason(api.calendarList.list({ syncToken, showHidden: false }))).toBe('400 invalid');
    expect(await googleReason(api.calendarList.list({ syncToken: 'garbage' }))).toBe('400 invalid');
    expect(await googleReason(api.calendarList.list({ syncToken }))).toBe('no error');

    emulator.control.expireCalendarListSyncTokens(DEMO_STUDENT_EMAIL);
    const listGone = await api.calendarList.list({ syncToken }).catch((e: unknown) => e);
    const eventsToken = (await api.events.list({ calendarId: 'primary' })).data.nextSyncToken ?? '';
    emulator.control.expireSyncTokens(DEMO_STUDENT_EMAIL);
    const eventsGone = await api.events
      .list({ calendarId: 'primary', syncToken: eventsToken })
      .catch((e: unknown) => e);
    const body = (e: unknown) => (e as { response?: { status?: number; data?: unknown } }).response;
    expect(body(listGone)?.status).toBe(410);
    expect(body(listGone)?.data).toEqual(body(eventsGone)?.data);
    if (hasFixtures)
      expect(body(listGone)?.data).toMatchObject(
        readJsonFixture<object>('google/errors/410-fullSyncRequired.json'),
      );
    else expect(body(listGone)?.data).toMatchObject({ error: { errors: [{ reason: 'fullSyncRequired' }] } });
    // A full sync gives a token that works again.
    const fresh = (await api.calendarList.list()).data.nextSyncToken ?? '';
    expect(await googleReason(api.calendarList.list({ syncToken: fresh }))).toBe('no error');
  });
});
