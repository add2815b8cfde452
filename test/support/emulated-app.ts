import { rm } from 'node:fs/promises';
import { expect, vi } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { type AppOptions, type CanvasCalApp, createApp } from '../../src/app.ts';
import { type Env, parseConfig } from '../../src/config.ts';
import { freshDataDir } from './data-dir.ts';

export interface RunResult {
  status: string;
  counts: Record<string, number>;
  googleCalls: number;
  error: { code: string; message: string } | null;
}

/**
 * A whole CanvasCal (API and workers) on both built-in emulators, in a fresh data dir, with
 * the steps end-to-end tests share: sign in, connect Google through the consent screen,
 * start a run and wait for it.
 */
export async function startEmulatedApp(
  env: Env = {},
  options: Pick<
    AppOptions,
    'retryBaseMs' | 'pushDebounceMs' | 'queuePrefix' | 'logDestination' | 'sharedEmulators'
  > = {},
) {
  const dir = await freshDataDir('canvascal-e2e-');
  const app: CanvasCalApp = await createApp({
    config: parseConfig({
      CANVASCAL_DATA_DIR: dir,
      CANVASCAL_EMULATORS: 'on',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SYNC_INTERVAL_MINUTES: '0',
      ...env,
    }),
    ...options,
  });
  const http = app.http;
  const emulators = app.emulators;
  if (!http || !emulators) throw new Error('the app started without HTTP or emulators');

  return {
    app,
    http,
    google: emulators.google.control,
    canvas: emulators.canvas,

    async signIn(email: string): Promise<Record<string, string>> {
      const res = await http.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: { email } });
      return { authorization: `Bearer ${res.json().accessToken}` };
    },

    /**
     * Connects a Google account (the demo student's unless `email` names another account of the
     * emulator), approving the emulator's consent screen.
     */
    async connectGoogle(
      headers: Record<string, string>,
      options: { includePrimaryEvents?: boolean; email?: string } = {},
    ) {
      const start = await http.inject({
        url: `/api/v1/auth/google/url${options.includePrimaryEvents ? '?includePrimaryEvents=true' : ''}`,
        headers,
      });
      const redirect = new URL(
        emulators.google.control.approveConsent(start.json().url, {
          email: options.email ?? DEMO_STUDENT_EMAIL,
        }),
      );
      const token = await http.inject({
        method: 'POST',
        url: '/api/v1/auth/google/token',
        headers,
        payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
      });
      expect(token.json().status).toBe('connected');
      return token.json() as { features: Record<string, boolean> };
    },

    /** Starts a run through the API and waits until it has finished. */
    async run(headers: Record<string, string>, path: '/api/v1/sync/canvas' | '/api/v1/sync/calendars') {
      const started = await http.inject({ method: 'POST', url: path, headers });
      expect(started.statusCode).toBe(202);
      let result: RunResult = { status: 'queued', counts: {}, googleCalls: 0, error: null };
      await vi.waitFor(
        async () => {
          result = (await http.inject({ url: `/api/v1/sync/runs/${started.json().runId}`, headers })).json();
          expect(['succeeded', 'failed']).toContain(result.status);
        },
        { timeout: 20_000, interval: 50 },
      );
      return result;
    },

    async close() {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export type EmulatedApp = Awaited<ReturnType<typeof startEmulatedApp>>;
