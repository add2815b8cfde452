import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeWithFixtures, readFixture } from '../../test/support/fixtures.ts';
import {
  BatchCodecError,
  encodeBatchRequest,
  encodeBatchResponse,
  parseBatchRequest,
  parseBatchResponse,
} from './batch-codec.ts';

const PYTHON_TYPE = 'multipart/mixed; boundary="batch_foobarbaz"';

/** The docs' samples are whole HTTP messages: split off the outer start line and headers. */
function outerMessage(text: string): { contentType: string; body: string } {
  const at = text.search(/\r?\n\r?\n/);
  const head = text.slice(0, at);
  const contentType = /content-type:\s*(.+)/i.exec(head)?.[1]?.trim() ?? '';
  return { contentType, body: text.slice(at).replace(/^\r?\n\r?\n/, '') };
}

describeWithFixtures('batch codec on Google samples', () => {
  it("parses the batch guide's response: bare LF, a header without its colon, a 304 with no body", () => {
    const { contentType, body } = outerMessage(readFixture('google/docs-batch-example-response.txt'));
    const parts = parseBatchResponse(body, contentType);
    expect(parts.map((p) => [p.contentId, p.status])).toEqual([
      ['item1:12930812@barnyard.example.com', 200],
      ['item2:12930812@barnyard.example.com', 200],
      ['item3:12930812@barnyard.example.com', 304],
    ]);
    expect(parts[0]?.headers['content-type']).toBe('application/json');
    expect(parts[0]?.json).toMatchObject({ animalName: 'pony', animalAge: 34 });
    expect(parts[2]?.body).toBe('');
    expect(parts[2]?.headers.etag).toBe('"etag/animals"');
  });

  it("parses the batch guide's request, keeping its invalid JSON body as text", () => {
    const { contentType, body } = outerMessage(readFixture('google/docs-batch-example-request.txt'));
    const { parts } = parseBatchRequest(body, contentType);
    expect(parts.map((p) => [p.contentId, p.method, p.path])).toEqual([
      ['item1:12930812@barnyard.example.com', 'GET', '/farm/v1/animals/pony'],
      ['item2:12930812@barnyard.example.com', 'PUT', '/farm/v1/animals/sheep'],
      ['item3:12930812@barnyard.example.com', 'GET', '/farm/v1/animals'],
    ]);
    expect(parts[1]?.headers['if-match']).toBe('"etag/sheep"');
    expect(parts[1]?.body).toContain('"peltColor": "green",');
  });

  it('parses the python client samples: LF outside, CRLF inside, ids without response-, lying Content-Length', () => {
    const parts = parseBatchResponse(readFixture('google/python-client/BATCH_RESPONSE.txt'), PYTHON_TYPE);
    expect(parts.map((p) => [p.contentId, p.status, p.json])).toEqual([
      ['randomness + 1', 200, { foo: 42 }],
      ['randomness + 2', 200, { baz: 'qux' }],
    ]);
    const with401 = parseBatchResponse(
      readFixture('google/python-client/BATCH_RESPONSE_WITH_401.txt'),
      PYTHON_TYPE,
    );
    expect(with401.map((p) => p.status)).toEqual([401, 200]);
    expect(with401[0]?.json).toEqual({ error: { message: 'Authorizaton failed.' } });
    const single = parseBatchResponse(
      readFixture('google/python-client/BATCH_SINGLE_RESPONSE.txt'),
      PYTHON_TYPE,
    );
    expect(single).toHaveLength(1);
    const error = parseBatchResponse(
      readFixture('google/python-client/BATCH_ERROR_RESPONSE.txt'),
      PYTHON_TYPE,
    );
    expect(error.map((p) => [p.contentId, p.status])).toEqual([
      ['randomness + 1', 200],
      ['randomness + 2', 403],
    ]);
    expect(error[0]?.json).toEqual({ foo: 42 });
    expect(error[1]?.headers.etag).toBe('"etag/sheep"');
    expect(error[1]?.json).toMatchObject({
      error: { code: 403, errors: [{ reason: 'accessNotConfigured', debugInfo: 'QuotaState: BLOCKED' }] },
    });
  });

  it('refuses the whole-batch userRateLimitExceeded answers (with and without status) with a typed error', () => {
    for (const name of ['NO_STATUS', 'WITH_STATUS']) {
      const text = readFixture(`google/python-client/USER_RATE_LIMIT_EXCEEDED_RESPONSE_${name}.txt`);
      expect(() => parseBatchResponse(text, 'application/json; charset=UTF-8')).toThrow(BatchCodecError);
      expect(() => parseBatchResponse(text, PYTHON_TYPE)).toThrow(BatchCodecError);
    }
  });

  it('refuses a plain JSON answer (a whole-batch rate limit) with a typed error', () => {
    const text = readFixture('google/python-client/RATE_LIMIT_EXCEEDED_RESPONSE.txt');
    expect(() => parseBatchResponse(text, 'application/json; charset=UTF-8')).toThrow(BatchCodecError);
    expect(() => parseBatchResponse(text, PYTHON_TYPE)).toThrow(BatchCodecError);
  });
});

describe('batch codec round trips', () => {
  it('encodes requests our parser (the emulator side) reads back', () => {
    const { body, contentType } = encodeBatchRequest([
      {
        contentId: 'op0',
        method: 'POST',
        path: '/calendar/v3/calendars/c%40x/events',
        body: { id: 'abc123', summary: 'Ünïcode ✓\r\nline' },
      },
      { contentId: 'op1', method: 'DELETE', path: '/calendar/v3/calendars/c%40x/events/abc123' },
    ]);
    expect(contentType).toMatch(/^multipart\/mixed; boundary=batch_/);
    const { parts } = parseBatchRequest(body, contentType);
    expect(parts.map((p) => [p.contentId, p.method, p.path])).toEqual([
      ['op0', 'POST', '/calendar/v3/calendars/c%40x/events'],
      ['op1', 'DELETE', '/calendar/v3/calendars/c%40x/events/abc123'],
    ]);
    expect(JSON.parse(parts[0]?.body ?? '')).toEqual({ id: 'abc123', summary: 'Ünïcode ✓\r\nline' });
    expect(parts[0]?.headers['content-type']).toBe('application/json');
  });

  it('round-trips arbitrary responses, answering each id as response-<id>', () => {
    const part = fc.record({
      contentId: fc.stringMatching(/^[A-Za-z0-9:@.+_-]{1,30}$/),
      status: fc.integer({ min: 100, max: 599 }),
      json: fc.jsonValue(),
    });
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
        const text = encodeBatchResponse(
          parts.map((p) => ({
            contentId: p.contentId,
            status: p.status,
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify(p.json),
          })),
          'batch_test',
        );
        const parsed = parseBatchResponse(text, 'multipart/mixed; boundary=batch_test');
        expect(parsed.map((p) => [p.contentId, p.status])).toEqual(parts.map((p) => [p.contentId, p.status]));
        parsed.forEach((p, i) => {
          expect(JSON.parse(p.body)).toEqual(JSON.parse(JSON.stringify(parts[i]?.json)));
        });
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but BatchCodecError on arbitrary or mutated input', () => {
    const valid = encodeBatchResponse(
      [
        { contentId: 'a', status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"x":1}' },
        { contentId: 'b', status: 404, headers: {}, body: '' },
      ],
      'B',
    );
    const mutated = fc
      .tuple(fc.nat({ max: valid.length }), fc.nat({ max: 20 }), fc.string({ maxLength: 20 }))
      .map(([at, cut, insert]) => valid.slice(0, at) + insert + valid.slice(at + cut));
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 400 }), mutated),
        fc.constantFrom('multipart/mixed; boundary=B', 'multipart/mixed', 'text/plain', ''),
        (text, type) => {
          for (const parse of [() => parseBatchResponse(text, type), () => parseBatchRequest(text, type)]) {
            try {
              parse();
            } catch (error) {
              expect(error).toBeInstanceOf(BatchCodecError);
            }
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
