import { expect, it } from 'vitest';
import { loadCalendarDiscovery } from '../../test/support/discovery-schema.ts';
import { describeWithFixtures } from '../../test/support/fixtures.ts';
import { CALENDAR_SCOPES, unknownScopes } from './known-scopes.ts';

describeWithFixtures('known scopes', () => {
  it('lists exactly the Calendar scopes of the discovery document', () => {
    const discovery = loadCalendarDiscovery() as { auth?: { oauth2?: { scopes?: Record<string, unknown> } } };
    expect([...CALENDAR_SCOPES].sort()).toEqual(Object.keys(discovery.auth?.oauth2?.scopes ?? {}).sort());
  });
});

it('takes short names only for openid, email and profile', () => {
  expect(unknownScopes(['openid', 'email', 'profile', 'https://www.googleapis.com/auth/calendar'])).toEqual(
    [],
  );
  expect(
    unknownScopes(['calendar', 'calendar.readonly', 'https://www.googleapis.com/auth/drive.bogus']),
  ).toEqual(['calendar', 'calendar.readonly', 'https://www.googleapis.com/auth/drive.bogus']);
});
