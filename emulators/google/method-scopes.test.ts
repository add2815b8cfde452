import { beforeAll, expect, it } from 'vitest';
import { discoveryMethods, loadCalendarDiscovery } from '../../test/support/discovery-schema.ts';
import { describeWithFixtures } from '../../test/support/fixtures.ts';
import { CalendarApiRouter, METHOD_SCOPES } from './calendar-api-router.ts';
import { GoogleState } from './google-state.ts';

const PREFIX = 'https://www.googleapis.com/auth/';

type Method = ReturnType<typeof discoveryMethods>[number] & { scopes?: string[] };

describeWithFixtures('METHOD_SCOPES against the real discovery document', () => {
  // Read in beforeAll, not in the describe body: a skipped describe still runs its body to
  // collect tests, which crashed with ENOENT on a clone without ../shared.
  let methods: Method[] = [];
  beforeAll(() => {
    methods = discoveryMethods(loadCalendarDiscovery()) as Method[];
  });

  it('lists, for every method the emulator serves, exactly the scopes the document lists', () => {
    const served = Object.keys(METHOD_SCOPES).sort();
    expect(served.length).toBeGreaterThan(10);
    for (const id of served) {
      const method = methods.find((m) => m.id === id);
      expect(method, `${id} is not in the discovery document`).toBeDefined();
      const documented = (method?.scopes ?? []).map((s) => s.replace(PREFIX, '')).sort();
      expect([...(METHOD_SCOPES[id] ?? [])].sort(), id).toEqual(documented);
    }
  });

  it('routes each served method by its documented HTTP method and path', () => {
    const router = new CalendarApiRouter(new GoogleState(), () => 0);
    for (const method of methods.filter((m) => m.id in METHOD_SCOPES)) {
      const path = `/calendar/v3/${method.path.replace(/\{[^}]+\}/g, 'x1')}`;
      expect(router.methodOf(method.httpMethod, path), path).toBe(method.id);
    }
  });
});
