import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../emulators/google/google-emulator.ts';
import { encodeBatchRequest, parseBatchResponse } from '../../src/google/batch-codec.ts';
import { emulatorAccessToken } from '../support/emulator-token.ts';

const STUDENT = 'student@example.edu';
let emulator: GoogleEmulator;
let token: string;
let calendarId: string;
let eventId: string;

beforeEach(async () => {
  emulator = await startGoogleEmulator({ seed: false, now: () => Date.parse('2026-12-01T15:00:00Z') });
  emulator.control.addAccount(STUDENT, 'UTC');
  calendarId = emulator.control.addCalendar(STUDENT, { summary: 'Course', timeZone: 'UTC' });
  eventId = emulator.control.userInsertEvent(calendarId, {
    summary: 'Quiz',
    start: { dateTime: '2026-12-02T10:00:00Z' },
    end: { dateTime: '2026-12-02T11:00:00Z' },
  });
  token = await emulatorAccessToken(emulator, ['https://www.googleapis.com/auth/calendar'], STUDENT);
});
afterEach(() => emulator.close());

const eventPath = () =>
  `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events/${encodeURIComponent(eventId)}`;
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

async function sendBatch(parts: Parameters<typeof encodeBatchRequest>[0]) {
  const { body, contentType } = encodeBatchRequest(parts);
  const response = await fetch(`${emulator.url}/batch/calendar/v3`, {
    method: 'POST',
    headers: { 'content-type': contentType, authorization: `Bearer ${token}` },
    body,
  });
  const text = await response.text();
  return { text, parts: parseBatchResponse(text, response.headers.get('content-type') ?? '') };
}

// "Get specific versions of resources" (https://developers.google.com/workspace/calendar/api/guides/version-resources):
// etags serve "on resource retrieval to only retrieve resource data if the resource has changed".
describe('conditional retrieval (If-None-Match)', () => {
  it('answers 304 with no body for the current etag, and 200 once the event changed', async () => {
    const first = await get(eventPath());
    const etag = ((await first.json()) as { etag: string }).etag;
    expect(first.headers.get('etag')).toBe(etag);

    const unchanged = await get(eventPath(), { 'if-none-match': etag });
    expect(unchanged.status).toBe(304);
    expect(await unchanged.text()).toBe('');
    expect(unchanged.headers.get('etag')).toBe(etag);

    emulator.control.userPatchEvent(calendarId, eventId, { summary: 'Quiz (moved)' });
    const changed = await get(eventPath(), { 'if-none-match': etag });
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { summary: string }).summary).toBe('Quiz (moved)');
  });

  it('answers 304 for a listing whose etag is current', async () => {
    const path = `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events`;
    const etag = ((await (await get(path)).json()) as { etag: string }).etag;
    expect((await get(path, { 'if-none-match': etag })).status).toBe(304);
    expect((await get(path, { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it("answers a batch part 'HTTP/1.1 304 Not Modified' with no body, as the batch guide's example does", async () => {
    // The guide's response example (fixtures/google/docs-batch-example-response.txt) has a
    // third part "HTTP/1.1 304 Not Modified" with an ETag header and no body.
    const etag = ((await (await get(eventPath())).json()) as { etag: string }).etag;
    const { text, parts } = await sendBatch([
      { contentId: 'same', method: 'GET', path: eventPath(), headers: { 'If-None-Match': etag } },
      { contentId: 'fresh', method: 'GET', path: eventPath() },
    ]);
    expect(parts.map((p) => [p.contentId, p.status, p.body === ''])).toEqual([
      ['same', 304, true],
      ['fresh', 200, false],
    ]);
    expect(parts[0]?.headers.etag).toBe(etag);
    expect(text).toContain('HTTP/1.1 304 Not Modified\r\n');
  });
});

describe('batch part status lines', () => {
  it('carry the reason phrase, so clients that split the line in three read every reply', async () => {
    // google-api-python-client splits "HTTP/1.1 200 OK" into version, status and reason
    // (its tests' BATCH_RESPONSE fixtures all have one); "HTTP/1.1 200" alone breaks it.
    const { text } = await sendBatch([
      { contentId: 'a', method: 'GET', path: eventPath() },
      {
        contentId: 'b',
        method: 'GET',
        path: `/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events/nosuchevent`,
      },
      {
        contentId: 'c',
        method: 'PATCH',
        path: eventPath(),
        headers: { 'If-Match': '"stale"' },
        body: { summary: 'x' },
      },
      { contentId: 'd', method: 'DELETE', path: eventPath() },
    ]);
    const statusLines = text.split('\r\n').filter((line) => line.startsWith('HTTP/1.1 '));
    expect(statusLines).toEqual([
      'HTTP/1.1 200 OK',
      'HTTP/1.1 404 Not Found',
      'HTTP/1.1 412 Precondition Failed',
      'HTTP/1.1 204 No Content',
    ]);
    for (const line of statusLines) expect(line.split(' ', 3)).toHaveLength(3);
  });
});

describe('conditional modification (If-Match)', () => {
  it('answers 412 conditionNotMet to a calendar patch or delete with a stale etag', async () => {
    // "Get specific versions of resources": "Otherwise, you will get a 412 (Precondition failed)".
    const path = `/calendar/v3/calendars/${encodeURIComponent(calendarId)}`;
    const send = (method: string, ifMatch: string, body?: unknown) =>
      fetch(`${emulator.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'if-match': ifMatch,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const etag = ((await (await get(path)).json()) as { etag: string }).etag;
    expect((await send('PATCH', '"stale"', { summary: 'Renamed' })).status).toBe(412);
    expect((await send('DELETE', '"stale"')).status).toBe(412);
    const renamed = await send('PATCH', etag, { summary: 'Renamed' });
    expect(renamed.status).toBe(200);
    const newTag = ((await renamed.json()) as { etag: string }).etag;
    expect((await send('DELETE', etag)).status).toBe(412);
    expect((await send('DELETE', newTag)).status).toBe(204);
  });
});
