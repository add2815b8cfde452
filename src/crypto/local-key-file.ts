import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from './key-ring.ts';

/**
 * The embedded default's key ring: `<dataDir>/encryption-keys`, created once with mode 0600.
 * The key is written to a private temporary file and hard-linked into place, which fails if
 * the file exists: two processes starting together cannot write different keys, and nobody
 * ever reads a half-written file. A file others can read is tightened to 0600 before use.
 */
export async function loadOrCreateLocalKeyRing(
  dataDir: string,
): Promise<{ ring: string; created: boolean; path: string }> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, 'encryption-keys');
  const temporary = join(dataDir, `.encryption-keys.${process.pid}.${randomBytes(4).toString('hex')}`);
  let created = false;
  await writeFile(temporary, `${generateKey('local1').entry}\n`, { mode: 0o600, flag: 'wx' });
  try {
    await link(temporary, path);
    created = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temporary);
  }
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  return { ring: (await readFile(path, 'utf8')).trim(), created, path };
}
