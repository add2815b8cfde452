import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { calendar_v3 } from '@googleapis/calendar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { createGoogleCalendarClient } from '../../src/google/google-calendar-client.ts';
import { SCOPES } from '../../src/google/scopes.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';
import { itWithFixtures, readFixture } from '../support/fixtures.ts';
import { googleReason, officialCalendar } from '../support/official-calendar.ts';

interface Delivery {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A loopback webhook receiver that records every POST in arrival order, and how many it held at once. */
async function startReceiver() {
  const received: Delivery[] = [];
  const load = { now: 0, max: 0 };
  const server = createServer((req, res) => {
    load.now += 1;
    load.max = Math.max(load.max, load.now);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      // A slow receiver: a sender that does not wait for each answer would have several in
      // flight. (The delay is the receiver's; the test itself waits on flushDeliveries.)
      setTimeout(() => {
        load.now -= 1;
        res.writeHead(200).end();
      }, 3);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    load,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const START = Date.parse('2026-12-01T15:00:00Z');
let clock = START;
let emulator: GoogleEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

beforeEach(async () => {
  clock = START;
  emulator = await startGoogleEmulator({ now: () => clock });
  receiver = await startReceiver();
});
afterEach(async () => {
  await emulator.close();
  await receiver.close();
});

const googHeaders = (d: Delivery) =>
  Object.fromEntries(Object.entries(d.headers).filter(([name]) => name.startsWith('x-goog-')));
const states = () => receiver.received.map((d) => d.headers['x-goog-resource-state']);
const numbers = () => receiver.received.map((d) => Number(d.headers['x-goog-message-number']));

async function ownCalendar(api: calendar_v3.Calendar): Promise<string> {
  return (await api.calendars.insert({ requestBody: { summary: 'CanvasCal' } })).data.id ?? '';
}

const timed = (day: number) => ({
  summary: `E${day}`,
  start: { dateTime: `2026-12-${String(day).padStart(2, '0')}T10:00:00Z` },
  end: { dateTime: `2026-12-${String(day).padStart(2, '0')}T11:00:00Z` },
});

describe('events.watch deliveries', () => {
  it('answers the Channel, sends the sync message first with exact headers, then one exists per change', async () => {
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [SCOPES.appCreated]));
    const cal = await ownCalendar(api);
    const channel = (
      await api.events.watch({
        calendarId: cal,
        requestBody: { id: 'chan-1', type: 'web_hook', address: receiver.url, token: 'tok=abc' },
      })
    ).data;
    const expiration = START + 604_800_000;
    expect(channel).toEqual({
      kind: 'api#channel',
      id: 'chan-1',
      resourceId: expect.stringMatching(/^[A-Za-z0-9_-]{10,}$/),
      resourceUri: `${emulator.url}/calendar/v3/calendars/${cal}/events?alt=json`,
      token: 'tok=abc',
      expiration: String(expiration),
    });

    await emulator.control.flushDeliveries();
    expect(receiver.received).toHaveLength(1);
    const [sync] = receiver.received;
    expect(sync?.method).toBe('POST');
    expect(sync?.path).toBe('/hook');
    expect(sync?.body).toBe('');
    expect(sync && googHeaders(sync)).toEqual({
      'x-goog-channel-id': 'chan-1',
      'x-goog-channel-token': 'tok=abc',
      'x-goog-channel-expiration': 'Tue, 08 Dec 2026 15:00:00 GMT',
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': channel.resourceUri,
      'x-goog-resource-state': 'sync',
      'x-goog-message-number': '1',
    });

    // Three changes through the API, three as the user in Google Calendar, one elsewhere.
    const inserted = (await api.events.insert({ calendarId: cal, requestBody: timed(2) })).data.id ?? '';
    await api.events.patch({ calendarId: cal, eventId: inserted, requestBody: { summary: 'moved' } });
    await api.events.delete({ calendarId: cal, eventId: inserted });
    const mine = emulator.control.userInsertEvent(cal, timed(3));
    emulator.control.userPatchEvent(cal, mine, { summary: 'renamed' });
    emulator.control.userDeleteEvent(cal, mine);
    emulator.control.userInsertEvent(DEMO_STUDENT_EMAIL, timed(4));
    await emulator.control.flushDeliveries();

    expect(states()).toEqual(['sync', 'exists', 'exists', 'exists', 'exists', 'exists', 'exists']);
    expect(numbers()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const delivery of receiver.received) {
      expect(delivery.body).toBe('');
      expect(googHeaders(delivery)).toMatchObject({
        'x-goog-channel-id': 'chan-1',
        'x-goog-channel-token': 'tok=abc',
        'x-goog-resource-id': channel.resourceId,
      });
    }
    expect(emulator.control.requestCounts().byOutcome['calendar.events.watch 200']).toBe(1);
    expect(emulator.control.deliveryCounts()).toEqual({ sent: 7, failed: 0, dropped: 0, duplicated: 0 });
  });

  itWithFixtures('sends the same X-Goog headers as the guide’s sync example', async () => {
    const example = readFixture('google/push-notification-examples.txt');
    const block = example.slice(
      example.indexOf('-----BEGIN sync-----'),
      example.indexOf('-----END sync-----'),
    );
    const documented = [...block.matchAll(/^(X-Goog-[A-Za-z-]+):/gm)].map((m) => m[1]?.toLowerCase());
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [SCOPES.eventsFreebusy]));
    await api.events.watch({
      calendarId: 'primary',
      requestBody: { id: 'primary-1', type: 'webhook', address: receiver.url, token: 't' },
    });
    await emulator.control.flushDeliveries();
    const [sync] = receiver.received;
    expect(Object.keys(sync ? googHeaders(sync) : {}).sort()).toEqual(documented.sort());
  });

  it('omits X-Goog-Channel-Token when the channel has none, and keeps a receiver’s deliveries in order', async () => {
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [SCOPES.appCreated]));
    const cal = await ownCalendar(api);
    await api.events.watch({
      calendarId: cal,
      requestBody: { id: 'c2', type: 'web_hook', address: receiver.url },
    });
    for (let day = 1; day <= 20; day++) emulator.control.userInsertEvent(cal, timed(day));
    await emulator.control.flushDeliveries();
    expect(numbers()).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
    expect(receiver.load.max).toBe(1);
    expect(receiver.received.every((d) => d.headers['x-goog-channel-token'] === undefined)).toBe(true);
  });

  it('sends one message per write: a batch part, and a series shortened (its removed instances ride along)', async () => {
    const token = await emulatorAccessToken(emulator, [SCOPES.appCreated]);
    const api = officialCalendar(emulator.url, token);
    const cal = await ownCalendar(api);
    await api.events.watch({
      calendarId: cal,
      requestBody: { id: 'c7', type: 'web_hook', address: receiver.url },
    });
    const ours = createGoogleCalendarClient({ rootUrl: `${emulator.url}/`, accessToken: async () => token });
    await ours.batch([
      { kind: 'insert', calendarId: cal, event: { id: 'batch00001', ...timed(11) } },
      { kind: 'insert', calendarId: cal, event: { id: 'batch00002', ...timed(12) } },
    ]);
    const series = emulator.control.userInsertEvent(cal, {
      ...timed(14),
      start: { dateTime: '2026-12-14T10:00:00Z', timeZone: 'UTC' },
      end: { dateTime: '2026-12-14T11:00:00Z', timeZone: 'UTC' },
      recurrence: ['RRULE:FREQ=WEEKLY;COUNT=4'],
    });
    emulator.control.userPatchEvent(cal, series, { recurrence: ['RRULE:FREQ=WEEKLY;COUNT=2'] });
    await emulator.control.flushDeliveries();
    expect(states()).toEqual(['sync', 'exists', 'exists', 'exists', 'exists']);
  });

  it('stops delivering after channels.stop, and answers 404 for an unknown id/resourceId pair', async () => {
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [SCOPES.appCreated]));
    const cal = await ownCalendar(api);
    const { resourceId } = (
      await api.events.watch({
        calendarId: cal,
        requestBody: { id: 'c3', type: 'web_hook', address: receiver.url },
      })
    ).data;
    expect(await googleReason(api.channels.stop({ requestBody: { id: 'c3', resourceId: 'other' } }))).toBe(
      '404 notFound',
    );
    expect((await api.channels.stop({ requestBody: { id: 'c3', resourceId } })).status).toBe(204);
    emulator.control.userInsertEvent(cal, timed(5));
    await emulator.control.flushDeliveries();
    expect(states()).toEqual(['sync']);
    expect(await googleReason(api.channels.stop({ requestBody: { id: 'c3', resourceId } }))).toBe(
      '404 notFound',
    );
    expect(emulator.control.requestCounts().byOutcome).toMatchObject({
      'calendar.channels.stop 204': 1,
      'calendar.channels.stop 404': 2,
    });
  });

  it('delivers nothing once the channel has expired by the emulator clock, and frees its id', async () => {
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [SCOPES.appCreated]));
    const cal = await ownCalendar(api);
    const channel = (
      await api.events.watch({
        calendarId: cal,
        requestBody: { id: 'c4', type: 'web_hook', address: receiver.url, params: { ttl: '60' } },
      })
    ).data;
    expect(channel.expiration).toBe(String(START + 60_000));
    clock = START + 60_000;
    emulator.control.userInsertEvent(cal, timed(6));
    await emulator.control.flushDeliveries();
    expect(states()).toEqual(['sync']);
    const again = await api.events.watch({
      calendarId: cal,
      requestBody: { id: 'c4', type: 'web_hook', address: receiver.url },
    });
    expect(again.status).toBe(200);
  });

  it('validates the channel as Google does', async () => {
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [SCOPES.appCreated]));
    const cal = await ownCalendar(api);
    const watch = (body: calendar_v3.Schema$Channel) =>
      googleReason(api.events.watch({ calendarId: cal, requestBody: body }));
    const ok = { id: 'valid-id_+/=', type: 'web_hook', address: receiver.url };
    expect(await watch({ ...ok, id: 'x'.repeat(65) })).toBe('400 push.channelIdInvalid');
    expect(await watch({ ...ok, id: 'has space' })).toBe('400 push.channelIdInvalid');
    expect(await watch({ ...ok, id: undefined })).toBe('400 required');
    expect(await watch({ ...ok, type: 'email' })).toBe('400 invalid');
    expect(await watch({ ...ok, address: 'http://example.com/hook' })).toBe('400 push.webhookUrlNotHttps');
    expect(await watch({ ...ok, address: 'not a url' })).toBe('400 push.webhookUrlNoHostOrAddress');
    expect(await watch({ ...ok, token: 't'.repeat(257) })).toBe('400 invalid');
    expect(await watch({ ...ok, params: { ttl: 'soon' } })).toBe('400 invalid');
    expect(await watch({ ...ok, id: 'x'.repeat(64), token: 't'.repeat(256) })).toBe('no error');
    expect(await watch(ok)).toBe('no error');
    expect(await watch(ok)).toBe('400 channelIdNotUnique');
    expect(await watch({ ...ok, id: 'https-ok', address: 'https://localhost:1/hook' })).toBe('no error');
    // Outside the token's scopes, or on a calendar the account cannot reach.
    const listOnly = officialCalendar(
      emulator.url,
      await emulatorAccessToken(emulator, [SCOPES.calendarListReadonly]),
    );
    expect(await googleReason(listOnly.events.watch({ calendarId: 'primary', requestBody: ok }))).toBe(
      '403 insufficientPermissions',
    );
    expect(
      await googleReason(
        api.events.watch({ calendarId: 'nobody@group.calendar.google.com', requestBody: ok }),
      ),
    ).toBe('404 notFound');
  });
});

describe('delivery faults', () => {
  it('drops and duplicates the next deliveries on request; a dropped message leaves a gap in the numbers', async () => {
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [SCOPES.appCreated]));
    const cal = await ownCalendar(api);
    await api.events.watch({
      calendarId: cal,
      requestBody: { id: 'c5', type: 'web_hook', address: receiver.url },
    });
    emulator.control.failDeliveries({ drop: 1, duplicate: 1 });
    emulator.control.userInsertEvent(cal, timed(7));
    emulator.control.userInsertEvent(cal, timed(8));
    emulator.control.userInsertEvent(cal, timed(9));
    await emulator.control.flushDeliveries();
    expect(numbers()).toEqual([1, 3, 3, 4]);
    expect(emulator.control.deliveryCounts()).toEqual({ sent: 4, failed: 0, dropped: 1, duplicated: 1 });
  });

  it('survives a receiver that is down: the API answers, deliveries count as failed', async () => {
    const api = officialCalendar(emulator.url, await emulatorAccessToken(emulator, [SCOPES.appCreated]));
    const cal = await ownCalendar(api);
    const gone = await startReceiver();
    const down = gone.url;
    await gone.close();
    await api.events.watch({ calendarId: cal, requestBody: { id: 'c6', type: 'web_hook', address: down } });
    expect((await api.events.insert({ calendarId: cal, requestBody: timed(10) })).status).toBe(200);
    await emulator.control.flushDeliveries();
    expect(emulator.control.deliveryCounts()).toMatchObject({ sent: 0, failed: 2 });
    expect(emulator.control.channels()).toEqual([
      expect.objectContaining({ id: 'c6', calendarId: cal, messageNumber: 2, stopped: false }),
    ]);
  });
});
