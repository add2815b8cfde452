import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BatchFormatError,
  readBatchRequest,
  writeBatchResponse,
} from '../../emulators/google/batch-multipart.ts';
import { encodeBatchRequest, parseBatchResponse } from '../../src/google/batch-codec.ts';
import { describeWithFixtures, readFixture } from '../support/fixtures.ts';

// The emulator's batch codec and the engine's were written apart on purpose; these tests
// hold them to each other and to Google's own samples, so a bug in one shows up.

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/);
const headerValue = fc.stringMatching(/^[!-~]([ -~]{0,30}[!-~])?$/);
const contentId = fc.stringMatching(/^[A-Za-z0-9:@.+ _-]{1,30}$/).filter((s) => s.trim() === s);
/** Bodies of any text but a trailing line break (the engine's parser drops those). */
const body = fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => !/[\r\n]$/.test(s));
const headers = fc
  .dictionary(token, headerValue, { maxKeys: 4 })
  // Lower-case names without duplicates, as both sides key headers by lower-case name.
  .map((h) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v])));

/** The docs' samples are whole HTTP messages: split off the outer start line and headers. */
function outerMessage(text: string): { contentType: string; body: string } {
  const at = text.search(/\r?\n\r?\n/);
  const contentType = /content-type:\s*(.+)/i.exec(text.slice(0, at))?.[1]?.trim() ?? '';
  return { contentType, body: text.slice(at).replace(/^\r?\n\r?\n/, '') };
}

describe("the emulator's batch codec against the engine's", () => {
  it('reads every request the engine encodes, part for part', () => {
    const call = fc.record({
      contentId: fc.option(contentId, { nil: undefined }),
      method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
      path: fc
        .array(fc.stringMatching(/^[A-Za-z0-9@._%-]{1,12}$/), { minLength: 1, maxLength: 4 })
        .map((segments) => `/calendar/v3/${segments.join('/')}`),
      headers,
      body,
    });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 6 }), (calls) => {
        const encoded = encodeBatchRequest(
          calls.map((c) => ({
            ...(c.contentId !== undefined ? { contentId: c.contentId } : {}),
            method: c.method,
            path: c.path,
            headers: c.headers,
            ...(c.body !== '' ? { body: c.body } : {}),
          })),
        );
        const read = readBatchRequest(encoded.body, encoded.contentType);
        expect(read).toEqual(
          calls.map((c) => ({
            ...(c.contentId !== undefined ? { contentId: c.contentId } : {}),
            method: c.method,
            target: c.path,
            headers: c.headers,
            body: c.body,
          })),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('writes replies the engine reads back, status, Content-ID, headers and body', () => {
    const answer = fc.record({
      contentId: fc.option(contentId, { nil: undefined }),
      status: fc.constantFrom(200, 204, 304, 400, 401, 403, 404, 409, 410, 412, 429, 500, 503),
      headers: headers.map((h) => {
        const { 'content-length': _dropped, ...rest } = h;
        return rest;
      }),
      body,
    });
    const boundary = 'batch_emulator_property';
    fc.assert(
      fc.property(fc.array(answer, { minLength: 1, maxLength: 6 }), (answers) => {
        fc.pre(answers.every((a) => !a.body.includes(boundary)));
        const parsed = parseBatchResponse(
          writeBatchResponse(answers, boundary),
          `multipart/mixed; boundary=${boundary}`,
        );
        expect(parsed.map((p) => [p.contentId, p.status, p.body])).toEqual(
          answers.map((a) => [a.contentId, a.status, a.body]),
        );
        parsed.forEach((p, i) => {
          expect(p.headers).toMatchObject(answers[i]?.headers ?? {});
        });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what is not a multipart batch, as a BatchFormatError', () => {
    expect(() => readBatchRequest('x', 'application/json')).toThrow(BatchFormatError);
    expect(() => readBatchRequest('--b\r\n\r\nGET /x\r\n', 'multipart/mixed; boundary=b')).toThrow(
      BatchFormatError,
    );
    expect(() =>
      readBatchRequest('--b\r\n\r\nnot a request\r\n--b--', 'multipart/mixed; boundary=b'),
    ).toThrow(BatchFormatError);
  });
});

describeWithFixtures("the emulator's batch codec on Google's samples", () => {
  it("reads the batch guide's request: bare LF, no HTTP version, a header line without its colon", () => {
    // docs-batch-example-request.txt: the example of https://developers.google.com/workspace/calendar/api/guides/batch
    const { contentType, body: text } = outerMessage(readFixture('google/docs-batch-example-request.txt'));
    const calls = readBatchRequest(text, contentType);
    expect(calls.map((c) => [c.contentId, c.method, c.target])).toEqual([
      ['item1:12930812@barnyard.example.com', 'GET', '/farm/v1/animals/pony'],
      ['item2:12930812@barnyard.example.com', 'PUT', '/farm/v1/animals/sheep'],
      ['item3:12930812@barnyard.example.com', 'GET', '/farm/v1/animals'],
    ]);
    expect(calls[1]?.headers['if-match']).toBe('"etag/sheep"');
    expect(calls[2]?.headers['if-none-match']).toBe('"etag/animals"');
    expect(calls[1]?.body).toContain('"peltColor": "green",');
  });

  it("writes the batch guide's response so that the engine reads it as the guide's own", () => {
    const { contentType, body: text } = outerMessage(readFixture('google/docs-batch-example-response.txt'));
    const google = parseBatchResponse(text, contentType);
    const rewritten = writeBatchResponse(
      google.map((p) => ({
        ...(p.contentId !== undefined ? { contentId: p.contentId } : {}),
        status: p.status,
        headers: { ETag: p.headers.etag ?? '' },
        body: p.body,
      })),
      'batch_rewritten',
    );
    // The guide's status lines carry their reason phrase (`HTTP/1.1 304 Not Modified`), as ours do.
    expect(rewritten).toContain('HTTP/1.1 200 OK\r\n');
    expect(rewritten).toContain('HTTP/1.1 304 Not Modified\r\n');
    expect(rewritten).toContain('Content-ID: <response-item3:12930812@barnyard.example.com>');
    const again = parseBatchResponse(rewritten, 'multipart/mixed; boundary=batch_rewritten');
    expect(again.map((p) => [p.contentId, p.status, p.json ?? p.body])).toEqual(
      google.map((p) => [p.contentId, p.status, p.json ?? p.body]),
    );
  });

  it("writes status lines as Google's replies in the python client's fixtures have them", () => {
    // google-api-python-client's tests (fixtures/google/python-client/BATCH_*.txt) carry the
    // replies that client reads: every status line is "HTTP/1.1 <code> <reason>", which it
    // splits in three. Ours must split the same way.
    const statusLines = (text: string) => text.split(/\r?\n/).filter((l) => l.startsWith('HTTP/1.1 '));
    const google = [
      'BATCH_RESPONSE',
      'BATCH_RESPONSE_WITH_401',
      'BATCH_ERROR_RESPONSE',
      'BATCH_SINGLE_RESPONSE',
    ].flatMap((name) => statusLines(readFixture(`google/python-client/${name}.txt`)));
    expect(google.length).toBeGreaterThan(0);
    const ours = statusLines(
      writeBatchResponse(
        [200, 204, 304, 400, 401, 403, 404, 409, 410, 412, 429, 500, 503].map((status) => ({
          status,
          headers: {},
          body: '',
        })),
        'b',
      ),
    );
    for (const line of [...google, ...ours]) {
      const [version, code, reason] = line.split(' ', 3);
      expect([version, code?.length, (reason ?? '').length > 0], line).toEqual(['HTTP/1.1', 3, true]);
    }
    expect(ours).toContain('HTTP/1.1 401 Unauthorized');
  });
});
