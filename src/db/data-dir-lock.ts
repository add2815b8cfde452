import { open, readFile, unlink } from 'node:fs/promises';

export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is open in another process (pid ${pid}, probably \`canvascal serve\`). ` +
        'PGlite is single-process: stop that process first, or set DATABASE_URL to PostgreSQL to run several processes.',
    );
  }
}

/**
 * An exclusive claim on a PGlite data dir for this process: a `<dir>.lock` file holding our
 * pid, created atomically. Two processes opening one PGlite dir would corrupt it, so a live
 * holder is refused with a message that says what to do; a lock left by a process that no
 * longer runs (a crash, a kill -9) is taken over. Returns the release function.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir.replace(/\/+$/, '')}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return async () => {
        await unlink(path).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder))
        throw new DataDirInUseError(dataDir, holder);
      // Stale (its process is gone) or unreadable: take it over.
      await unlink(path).catch(() => {});
    }
  }
  throw new Error(`Could not lock ${dataDir}: another process keeps creating ${path}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
