import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

const EMAIL = 'writer@example.edu';
const NOW = '2026-12-01T15:00:00.000Z';
let emulator: GoogleEmulator;
let api: calendar_v3.Calendar;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: false, now: () => Date.parse(NOW) });
  emulator.control.addAccount(EMAIL, 'UTC');
  api = officialCalendar(
    emulator.url,
    await emulatorAccessToken(emulator, ['https://www.googleapis.com/auth/calendar'], EMAIL),
  );
});
afterEach(() => emulator.close());

const times = { start: { dateTime: '2026-12-02T10:00:00Z' }, end: { dateTime: '2026-12-02T11:00:00Z' } };
const forged = {
  etag: '"client"',
  updated: '2000-01-01T00:00:00Z',
  created: '2000-01-01T00:00:00Z',
  kind: 'nonsense',
  htmlLink: 'https://evil.example/',
  creator: { email: 'someone@else.example' },
  organizer: { email: 'someone@else.example' },
};

describe('calendars.insert', () => {
  it('answers 400 invalid for a time zone that is not one, and keeps a real one', async () => {
    for (const timeZone of ['Mars/Olympus', '+01:00'])
      expect(
        await googleReason(api.calendars.insert({ requestBody: { summary: 'Bad', timeZone } })),
        timeZone,
      ).toBe('400 invalid');
    const made = await api.calendars.insert({ requestBody: { summary: 'Good', timeZone: 'Asia/Kolkata' } });
    expect(made.data.timeZone).toBe('Asia/Kolkata');
    expect((await api.calendarList.list()).data.items?.map((c) => c.summary).sort()).toEqual(['Good', EMAIL]);
  });
});

describe('calendars.patch and calendars.update', () => {
  it('patch changes only what it sends; update replaces, so it needs a summary', async () => {
    const made = (
      await api.calendars.insert({ requestBody: { summary: 'Mine', description: 'notes', timeZone: 'UTC' } })
    ).data;
    const id = made.id ?? '';
    const patched = (
      await api.calendars.patch({ calendarId: id, requestBody: { timeZone: 'America/Chicago' } })
    ).data;
    expect(patched).toMatchObject({ id, summary: 'Mine', description: 'notes', timeZone: 'America/Chicago' });
    expect(patched.etag).not.toBe(made.etag);
    expect((await api.calendars.get({ calendarId: id })).data.timeZone).toBe('America/Chicago');
    expect(
      await googleReason(api.calendars.patch({ calendarId: id, requestBody: { timeZone: 'Mars/Olympus' } })),
    ).toBe('400 invalid');
    expect(
      await googleReason(api.calendars.update({ calendarId: id, requestBody: { timeZone: 'UTC' } })),
    ).toBe('400 required');
    const replaced = (await api.calendars.update({ calendarId: id, requestBody: { summary: 'Renamed' } }))
      .data;
    expect(replaced).toMatchObject({ summary: 'Renamed', timeZone: 'America/Chicago' });
    expect(replaced.description).toBeUndefined();
    expect(
      await googleReason(api.calendars.patch({ calendarId: 'nobody@example.edu', requestBody: {} })),
    ).toBe('404 notFound');
  });
});

describe('read-only event fields', () => {
  it("events.insert keeps the server's values, whatever the client sent", async () => {
    const event = (
      await api.events.insert({
        calendarId: 'primary',
        requestBody: { id: 'abcde1', iCalUID: 'mine@example.edu', summary: 'x', ...forged, ...times },
      })
    ).data;
    expect(event).toMatchObject({
      kind: 'calendar#event',
      created: NOW,
      updated: NOW,
      creator: { email: EMAIL },
      organizer: { email: EMAIL },
      // An id was given, so the iCalUID is the server's.
      iCalUID: 'abcde1@google.com',
    });
    expect(event.etag).not.toBe('"client"');
    expect(event.htmlLink).toMatch(/^https:\/\/www\.google\.com\/calendar\/event\?eid=/);
    // The client's etag is not the event's: If-Match with it fails, with the real one passes.
    expect(
      await googleReason(
        api.events.patch(
          { calendarId: 'primary', eventId: 'abcde1', requestBody: { summary: 'y' } },
          { headers: { 'If-Match': '"client"' } },
        ),
      ),
    ).toBe('412 conditionNotMet');
    // updatedMin sees it as written now.
    const since = (await api.events.list({ calendarId: 'primary', updatedMin: '2026-12-01T00:00:00Z' })).data;
    expect(since.items?.map((e) => e.id)).toEqual(['abcde1']);
  });

  it('keeps an iCalUID given without an id, and patch and update cannot overwrite read-only fields', async () => {
    const event = (
      await api.events.insert({
        calendarId: 'primary',
        requestBody: { iCalUID: 'mine@example.edu', ...times },
      })
    ).data;
    expect(event.iCalUID).toBe('mine@example.edu');
    const patched = (
      await api.events.patch({
        calendarId: 'primary',
        eventId: event.id ?? '',
        requestBody: { summary: 'p', iCalUID: 'other@example.edu', ...forged },
      })
    ).data;
    const updated = (
      await api.events.update({
        calendarId: 'primary',
        eventId: event.id ?? '',
        requestBody: { summary: 'u', iCalUID: 'other@example.edu', ...forged, ...times },
      })
    ).data;
    for (const written of [patched, updated])
      expect(written).toMatchObject({
        kind: 'calendar#event',
        created: NOW,
        updated: NOW,
        htmlLink: event.htmlLink,
        creator: { email: EMAIL },
        organizer: { email: EMAIL },
        iCalUID: 'mine@example.edu',
      });
  });
});
