import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_STUDENT_EMAIL } from '../../emulators/google/demo-seed.ts';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { DataDirInUseError } from '../../src/db/data-dir-lock.ts';
import { createSyncRunsRepo } from '../../src/db/sync-runs-repo.ts';
import { freshDataDir } from '../support/data-dir.ts';

// The embedded default keeps its queue in memory: a restart must not leave runs that look
// alive forever (every later request would join them and nothing would ever sync).
let dir: string;
const config = () =>
  parseConfig({ CANVASCAL_DATA_DIR: dir, NODE_ENV: 'test', LOG_LEVEL: 'silent', CANVASCAL_EMULATORS: 'off' });

beforeAll(async () => {
  dir = await freshDataDir('canvascal-restart-');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('restarting the embedded default', () => {
  it('fails the runs the previous process left unfinished, so the next request starts a new one', async () => {
    const first = await createApp({ config: config() });
    const login = await first.http?.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {} });
    const headers = { authorization: `Bearer ${login?.json().accessToken}` };
    const userId = login?.json().user.id as string;
    await first.http?.inject({ url: '/api/v1/me', headers });
    const runs = createSyncRunsRepo(first.db.orm);
    const { run } = await runs.createOrJoin(userId, 'canvas');
    await runs.markRunning(run.id);

    // A second process on the same data dir is refused while the first runs.
    await expect(createApp({ config: config() })).rejects.toBeInstanceOf(DataDirInUseError);
    await first.close();

    const second = await createApp({ config: config() });
    try {
      const old = await second.http?.inject({ url: `/api/v1/sync/runs/${run.id}`, headers });
      expect(old?.json()).toMatchObject({ status: 'failed', error: { code: 'interrupted' } });
      expect(old?.json().error.message).toMatch(/restarted before this run finished/);
    } finally {
      await second.close();
    }
  });

  it('says the built-in emulators restarted, instead of failing every sync with a puzzle', async () => {
    const demoConfig = () =>
      parseConfig({
        CANVASCAL_DATA_DIR: dir,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        CANVASCAL_EMULATORS: 'on',
        SYNC_INTERVAL_MINUTES: '0',
      });
    const first = await createApp({ config: demoConfig() });
    const login = await first.http?.inject({
      method: 'POST',
      url: '/api/v1/auth/local/login',
      payload: { email: 'demo@example.edu' },
    });
    const headers = { authorization: `Bearer ${login?.json().accessToken}` };
    const start = await first.http?.inject({ url: '/api/v1/auth/google/url', headers });
    const redirect = new URL(
      first.emulators?.google.control.approveConsent(start?.json().url, { email: DEMO_STUDENT_EMAIL }) ?? '',
    );
    const token = await first.http?.inject({
      method: 'POST',
      url: '/api/v1/auth/google/token',
      headers,
      payload: { code: redirect.searchParams.get('code'), state: redirect.searchParams.get('state') },
    });
    expect(token?.json().status).toBe('connected');
    await first.http?.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    await first.close();

    const second = await createApp({ config: demoConfig() });
    try {
      const google = (await second.http?.inject({ url: '/api/v1/auth/google', headers }))?.json();
      expect(google.status).toBe('reconnect_needed');
      expect(google.message).toMatch(/emulator restarted/);
      const canvas = (await second.http?.inject({ url: '/api/v1/canvas/connection', headers }))?.json();
      expect(canvas.status).toBe('reconnect_needed');
      expect(canvas.message).toMatch(/emulator restarted/);
      const sync = await second.http?.inject({ method: 'POST', url: '/api/v1/sync/canvas', headers });
      expect(sync?.statusCode).toBe(409);
    } finally {
      await second.close();
    }
  });
});
