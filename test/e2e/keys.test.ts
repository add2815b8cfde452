import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKey, keyRingFromString } from '../../src/crypto/key-ring.ts';
import { TokenCipher } from '../../src/crypto/token-cipher.ts';
import { openPglite } from '../../src/db/client.ts';
import { createGoogleConnectionsRepo } from '../../src/db/google-connections-repo.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createUsersRepo } from '../../src/db/users-repo.ts';
import { freshDataDir } from '../support/data-dir.ts';

const root = new URL('../..', import.meta.url).pathname;
const cli = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/main.ts'), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_FORMAT: 'json', ...env },
    encoding: 'utf8',
  });

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('canvascal keys', () => {
  it('generate prints one ring entry, even in production with nothing configured', () => {
    const result = cli(['keys', 'generate'], { NODE_ENV: 'production' });
    expect(result.status).toBe(0);
    const ring = keyRingFromString(result.stdout.trim());
    expect(ring.kids).toHaveLength(1);
  });

  it('rotate re-encrypts every stored token under the new first key', async () => {
    dir = await freshDataDir('canvascal-rotate-');
    const dataDir = dir;
    const oldKey = generateKey('old');
    const newKey = generateKey('new');
    const userId = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
    const binding = { userId, provider: 'google', purpose: 'refresh_token' } as const;

    const db = await openPglite(join(dataDir, 'pgdata'));
    await migrate(db);
    await createUsersRepo(db.orm).ensure(userId, 'a@example.edu');
    const envelope = new TokenCipher(keyRingFromString(oldKey.entry)).seal('1//refresh-token', binding);
    await createGoogleConnectionsRepo(db.orm).connect(userId, {
      encryptedRefreshToken: envelope,
      grantedScopes: [],
    });
    await db.close();

    const result = cli(['keys', 'rotate'], {
      CANVASCAL_DATA_DIR: dataDir,
      CANVASCAL_ENCRYPTION_KEYS: `${newKey.entry},${oldKey.entry}`,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('"reencrypted":1');
    expect(result.stdout + result.stderr).not.toContain(newKey.base64);

    const after = await openPglite(join(dataDir, 'pgdata'));
    const stored = (await createGoogleConnectionsRepo(after.orm).get(userId))?.encryptedRefreshToken ?? '';
    await after.close();
    expect(stored.startsWith('v1.new.')).toBe(true);
    expect(new TokenCipher(keyRingFromString(newKey.entry)).open(stored, binding).plaintext).toBe(
      '1//refresh-token',
    );
  });
  it('generate makes a different kid each time, so two keys of one day share a ring', () => {
    const first = cli(['keys', 'generate'], {}).stdout.trim();
    const second = cli(['keys', 'generate'], {}).stdout.trim();
    expect(keyRingFromString(`${second},${first}`).kids).toHaveLength(2);
  });

  it('reports a malformed ring as a configuration problem naming the variable, with no stack trace', () => {
    const key = generateKey('k20261202');
    const result = cli(['serve'], { CANVASCAL_ENCRYPTION_KEYS: `${key.entry},${key.entry}` });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(
      'CANVASCAL_ENCRYPTION_KEYS: entry 2 ("k20261202"): the kid is used twice',
    );
    expect(result.stderr).not.toContain('    at ');
    expect(result.stderr).not.toContain(key.base64);
  });

  it('rotate names the missing old key when the ring lost it, in production with only the ring set', async () => {
    dir = await freshDataDir('canvascal-rotate-');
    const dataDir = dir;
    const oldKey = generateKey('k20261101-a1b2c3');
    const newKey = generateKey('k20261202-d4e5f6');
    const userId = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';
    const db = await openPglite(join(dataDir, 'pgdata'));
    await migrate(db);
    await createUsersRepo(db.orm).ensure(userId, 'a@example.edu');
    await createGoogleConnectionsRepo(db.orm).connect(userId, {
      encryptedRefreshToken: new TokenCipher(keyRingFromString(oldKey.entry)).seal('1//refresh-token', {
        userId,
        provider: 'google',
        purpose: 'refresh_token',
      }),
      grantedScopes: [],
    });
    await db.close();

    const result = cli(['keys', 'rotate'], {
      NODE_ENV: 'production',
      CANVASCAL_DATA_DIR: dataDir,
      CANVASCAL_ENCRYPTION_KEYS: newKey.entry,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'no key k20261101-a1b2c3 in CANVASCAL_ENCRYPTION_KEYS; keep the old key in the ring until rotation has finished',
    );
    expect(result.stderr).not.toContain('    at ');
  });
});
