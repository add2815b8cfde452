import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_STUDENT_EMAIL } from '../emulators/google/demo-seed.ts';
import { createApp } from './app.ts';
import { parseConfig } from './config.ts';
import { showStudyPlan } from './study-plan/demo-steps.ts';

/**
 * `canvascal demo`: the whole story in the terminal against the built-in emulators, in a
 * throwaway data dir: connect Google (consent approved in the emulator), connect Canvas,
 * first sync, a due date changed in Canvas and a re-sync, a no-op re-sync, and how many
 * Google calls each step took.
 */
export async function runDemo(print: (line: string) => void = console.log): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'canvascal-demo-'));
  const app = await createApp({
    config: parseConfig({
      CANVASCAL_DATA_DIR: dir,
      CANVASCAL_EMULATORS: 'on',
      LOG_LEVEL: 'silent',
      SYNC_INTERVAL_MINUTES: '0',
      PORT: '0',
    }),
  });
  try {
    const http = app.http;
    const emulators = app.emulators;
    if (!http || !emulators) throw new Error('the demo needs the API and the emulators');
    const call = async (
      method: 'GET' | 'POST' | 'PUT',
      url: string,
      payload?: unknown,
      headers: Record<string, string> = {},
    ) => {
      const res = await http.inject({
        method,
        url,
        headers,
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      if (res.statusCode >= 400) throw new Error(`${method} ${url} answered ${res.statusCode}: ${res.body}`);
      return res.json();
    };
    const step = (text: string) => print(`\n▶ ${text}`);

    step('Sign in (local single-user login)');
    const auth = {
      authorization: `Bearer ${(await call('POST', '/api/v1/auth/local/login', {})).accessToken}`,
    };

    step('Connect Google: offline OAuth with PKCE; the student approves the consent screen');
    const { url } = await call('GET', '/api/v1/auth/google/url', undefined, auth);
    const redirect = new URL(emulators.google.control.approveConsent(url, { email: DEMO_STUDENT_EMAIL }));
    const google = await call(
      'POST',
      '/api/v1/auth/google/token',
      { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
      auth,
    );
    print(
      `  Google: ${google.status}; scopes granted: ${google.grantedScopes.length}; refresh token stored encrypted`,
    );

    step('Connect Canvas (the demo student of the Canvas emulator)');
    const canvas = await call('POST', '/api/v1/canvas/connection/demo', undefined, auth);
    print(`  Canvas: ${canvas.status} at ${canvas.baseUrl}`);

    // What the CanvasCal calendar holds, as the emulator knows it: id → "summary (when)".
    const calendarSnapshot = () => {
      const { state } = emulators.google.control;
      const calendar = [...state.calendars.values()].find((c) => c.summary === 'CanvasCal' && !c.deleted);
      const events = new Map<string, string>();
      for (const e of state.events.get(calendar?.id ?? '')?.values() ?? []) {
        if (e.resource.status === 'cancelled') continue;
        const end = e.resource.end as { dateTime?: string; date?: string } | undefined;
        events.set(e.resource.id, `${String(e.resource.summary)} (due ${end?.dateTime ?? end?.date ?? '?'})`);
      }
      return events;
    };
    const printWritten = (before: Map<string, string>, after: Map<string, string>) => {
      const lines = [
        ...[...after].filter(([id]) => !before.has(id)).map(([, text]) => `+ ${text}`),
        ...[...after]
          .filter(([id, text]) => before.has(id) && before.get(id) !== text)
          .map(([id, text]) => `~ ${before.get(id)} → ${text}`),
        ...[...before].filter(([id]) => !after.has(id)).map(([, text]) => `- ${text}`),
      ];
      for (const line of lines.slice(0, 5)) print(`    ${line}`);
      if (lines.length > 5) print(`    … and ${lines.length - 5} more`);
    };

    const sync = async (label: string) => {
      step(label);
      emulators.google.control.resetCounts();
      const before = calendarSnapshot();
      const { runId } = await call('POST', '/api/v1/sync/canvas', undefined, auth);
      const deadline = Date.now() + 120_000;
      for (;;) {
        if (Date.now() > deadline) {
          print(`  The sync did not finish within 2 minutes; see GET /api/v1/sync/runs/${runId}.`);
          return;
        }
        const run = await call('GET', `/api/v1/sync/runs/${runId}`, undefined, auth);
        if (run.status === 'succeeded' || run.status === 'failed') {
          const c = run.counts;
          const counts = emulators.google.control.requestCounts().byMethod;
          print(
            `  ${run.status}: ${c.created ?? 0} created, ${c.updated ?? 0} updated, ${c.deleted ?? 0} deleted, ${c.unchanged ?? 0} unchanged, ${c.undated ?? 0} undated`,
          );
          print(
            `  Google HTTP requests: ${run.googleCalls} (batch requests: ${counts.batch ?? 0}, calendar created: ${counts['calendar.calendars.insert'] ?? 0})`,
          );
          if (run.error) print(`  ${run.error.message}`);
          printWritten(before, calendarSnapshot());
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await sync('First sync: every deadline onto the CanvasCal calendar');

    const homework = [...emulators.canvas.control.state.assignments.values()].find(
      (a) => a.name === 'Homework 2',
    );
    if (homework) {
      emulators.canvas.control.updateAssignment(homework.id, {
        dueAt: new Date(Date.parse(homework.dueAt ?? '') + 2 * 86_400_000).toISOString(),
      });
      await sync(`The teacher moves "${homework.name}" two days later in Canvas; re-sync`);
    }
    await sync('Nothing changed; re-sync (no writes expected)');
    await showStudyPlan({
      call: (method, url, payload) => call(method, url, payload, auth),
      step,
      print,
      google: emulators.google.control,
      studentEmail: DEMO_STUDENT_EMAIL,
    });
    print('\nDone.');
    return 0;
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
}
