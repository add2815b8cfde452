import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';

/**
 * A fresh data dir for one app, its embedded database already created and migrated: a copy
 * of the run's template (see global-setup.ts), so each app skips initdb. Everything else in
 * the dir (keys, secrets) is created by the app as on a first start; `canvascal serve` on a
 * really empty dir is covered by test/e2e/serve.test.ts.
 */
export async function freshDataDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await cp(inject('pgliteTemplateDir'), join(dir, 'pgdata'), { recursive: true });
  return dir;
}
