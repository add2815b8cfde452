import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

// calendarList.watch: the Channel answer, the sync message, then one `exists` per change to
// the account's calendar list, whichever way it was made (the API or the user in Google).

const START = Date.parse('2026-12-01T15:00:00Z');
let clock = START;
let emulator: GoogleEmulator;
let received: IncomingHttpHeaders[] = [];
let receiverUrl = '';
let closeReceiver: () => Promise<void> = async () => {};

beforeEach(async () => {
  clock = START;
  emulator = await startGoogleEmulator({ now: () => clock });
  received = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.headers);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  closeReceiver = () => new Promise<void>((resolve) => server.close(() => resolve()));
});
afterEach(async () => {
  await emulator.close();
  await closeReceiver();
});

const states = () => received.map((h) => h['x-goog-resource-state']);
const googHeaders = (h: IncomingHttpHeaders) =>
  Object.fromEntries(Object.entries(h).filter(([name]) => name.startsWith('x-goog-')));

async function watchList(scopes: string[] = [SCOPES.calendarListReadonly, SCOPES.appCreated]) {
  const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, scopes));
  const channel = (
    await api.calendarList.watch({
      requestBody: { id: 'list-1', type: 'web_hook', address: receiverUrl, token: 'tok=list' },
    })
  ).data;
  await emulator.control.flushDeliveries();
  return { api, channel };
}

describe('calendarList.watch', () => {
  it('answers the Channel on the list, sends the sync message with exact headers first', async () => {
    const { channel } = await watchList();
    expect(channel).toEqual({
      kind: 'api#channel',
      id: 'list-1',
      resourceId: expect.stringMatching(/^[A-Za-z0-9_-]{10,}$/),
      resourceUri: `${emulator.url}/calendar/v3/users/me/calendarList?alt=json`,
      token: 'tok=list',
      expiration: String(START + 604_800_000),
    });
    expect(received).toHaveLength(1);
    expect(googHeaders(received[0] ?? {})).toEqual({
      'x-goog-channel-id': 'list-1',
      'x-goog-channel-token': 'tok=list',
      'x-goog-channel-expiration': 'Tue, 08 Dec 2026 15:00:00 GMT',
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': channel.resourceUri,
      'x-goog-resource-state': 'sync',
      'x-goog-message-number': '1',
    });
    expect(emulator.control.requestCounts().byOutcome['calendar.calendarList.watch 200']).toBe(1);
    expect(emulator.control.channels()[0]).toMatchObject({ kind: 'calendarList', calendarId: '' });
  });

  it('sends one exists per change to the list, through the control API and the API alike', async () => {
    const { api, channel } = await watchList();
    const control = emulator.control;
    // The user adds a calendar, unticks it, hides it; a no-op and an event change are not list changes.
    const added = control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Work shifts' });
    control.userUpdateCalendarListEntry(DEMO_STUDENT_EMAIL, added, { selected: false });
    control.userUpdateCalendarListEntry(DEMO_STUDENT_EMAIL, added, { selected: false });
    control.userUpdateCalendarListEntry(DEMO_STUDENT_EMAIL, added, { hidden: true });
    control.userInsertEvent(DEMO_STUDENT_EMAIL, {
      summary: 'not a list change',
      start: { dateTime: '2026-12-02T10:00:00Z' },
      end: { dateTime: '2026-12-02T11:00:00Z' },
    });
    await control.flushDeliveries();
    expect(states()).toEqual(['sync', 'exists', 'exists', 'exists']);
    // Through the API: a calendar created, renamed, deleted; then deleted by the user in Google.
    const created = (await api.calendars.insert({ requestBody: { summary: 'CanvasCal' } })).data.id ?? '';
    await api.calendars.patch({ calendarId: created, requestBody: { summary: 'CanvasCal deadlines' } });
    await api.calendars.delete({ calendarId: created });
    control.userDeleteCalendar(added);
    await control.flushDeliveries();
    expect(states()).toEqual(['sync', ...Array(7).fill('exists')]);
    expect(received.map((h) => Number(h['x-goog-message-number']))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const headers of received)
      expect(googHeaders(headers)).toMatchObject({
        'x-goog-channel-id': 'list-1',
        'x-goog-resource-id': channel.resourceId,
        'x-goog-resource-uri': `${emulator.url}/calendar/v3/users/me/calendarList?alt=json`,
      });
  });

  it('reaches only the watching account’s channel, and no events channel', async () => {
    const { api } = await watchList([SCOPES.calendarListReadonly, SCOPES.eventsFreebusy]);
    await api.events.watch({
      calendarId: 'primary',
      requestBody: { id: 'events-1', type: 'web_hook', address: receiverUrl },
    });
    await emulator.control.flushDeliveries();
    received = [];
    emulator.control.addAccount('other@example.com', 'UTC');
    emulator.control.addCalendar('other@example.com', { summary: 'Not yours' });
    await emulator.control.flushDeliveries();
    expect(received).toEqual([]);
    emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'Yours' });
    await emulator.control.flushDeliveries();
    expect(received.map((h) => h['x-goog-channel-id'])).toEqual(['list-1']);
  });

  it('goes quiet once stopped or expired', async () => {
    const { api, channel } = await watchList();
    await api.channels.stop({ requestBody: { id: 'list-1', resourceId: channel.resourceId ?? '' } });
    emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'After stop' });
    await api.calendarList.watch({
      requestBody: { id: 'list-2', type: 'web_hook', address: receiverUrl, params: { ttl: '60' } },
    });
    await emulator.control.flushDeliveries();
    expect(states()).toEqual(['sync', 'sync']);
    clock += 61_000;
    emulator.control.addCalendar(DEMO_STUDENT_EMAIL, { summary: 'After expiry' });
    await emulator.control.flushDeliveries();
    expect(states()).toEqual(['sync', 'sync']);
  });

  it('refuses a grant that cannot list calendars (403 insufficientPermissions)', async () => {
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [SCOPES.appCreated]));
    expect(
      await googleReason(
        api.calendarList.watch({ requestBody: { id: 'x', type: 'web_hook', address: receiverUrl } }),
      ),
    ).toBe('403 insufficientPermissions');
    expect(received).toEqual([]);
  });
});
