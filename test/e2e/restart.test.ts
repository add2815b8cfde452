import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { DataDirInUseError } from '../../src/db/data-dir-lock.ts';
import { createSyncRunsRepo } from '../../src/db/sync-runs-repo.ts';

// The embedded default keeps its queue in memory: a restart must not leave runs that look
// alive forever (every later request would join them and nothing would ever sync).
let dir: string;
const config = () =>
  parseConfig({ CANVASCAL_DATA_DIR: dir, NODE_ENV: 'test', LOG_LEVEL: 'silent', CANVASCAL_EMULATORS: 'off' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'canvascal-restart-'));
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
});
