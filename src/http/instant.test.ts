import { describe, expect, it } from 'vitest';
import { apiInstant } from './instant.ts';

const FORMAT = 'must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T09:00:00-05:00';
const RANGE = 'must be between 1970-01-01 and 9000-01-01';

const messagesFor = (value: unknown) => {
  const parsed = apiInstant().safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.message);
};

describe('apiInstant', () => {
  it('says one thing per bad value: the format when it is no date-time, else the range', () => {
    for (const notADate of ['abc', '', '2026-12-01T09:00:00', '2026-13-01T09:00:00Z', 42, null]) {
      expect(messagesFor(notADate), JSON.stringify(notADate)).toEqual([FORMAT]);
    }
    for (const outOfRange of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '9000-01-01T00:00:00Z']) {
      expect(messagesFor(outOfRange), outOfRange).toEqual([RANGE]);
    }
  });

  it('accepts a date-time with an offset inside the range', () => {
    for (const good of ['1970-01-01T00:00:00Z', '2026-12-01T09:00:00-05:00', '8999-12-31T23:59:59.999Z']) {
      expect(messagesFor(good), good).toEqual([]);
    }
  });
});
