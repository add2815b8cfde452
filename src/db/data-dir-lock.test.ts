import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'canvascal-lock-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('lockDataDir', () => {
  it('lets one holder at a time open a data dir, and frees it on release', async () => {
    const dir = join(root, 'pgdata');
    const release = await lockDataDir(dir);
    expect(await readFile(`${dir}.lock`, 'utf8')).toBe(String(process.pid));
    const refused = await lockDataDir(dir).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as Error).message).toMatch(/stop that process first, or set DATABASE_URL/);
    await release();
    const again = await lockDataDir(dir);
    await again();
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const dir = join(root, 'pgdata');
    // Far above any real pid on Linux (pid_max is at most 2^22).
    await writeFile(`${dir}.lock`, '99999999');
    const release = await lockDataDir(dir);
    expect(await readFile(`${dir}.lock`, 'utf8')).toBe(String(process.pid));
    await release();
  });
});
