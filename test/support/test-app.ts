import { rm } from 'node:fs/promises';
import type { DestinationStream } from 'pino';
import { type CanvasCalApp, createApp, type ProcessRole } from '../../src/app.ts';
import { type Env, parseConfig } from '../../src/config.ts';
import { freshDataDir } from './data-dir.ts';

/** A whole CanvasCal in a fresh temporary data dir; `close` stops it and removes the dir. */
export async function startTestApp(
  env: Env = {},
  options: { role?: ProcessRole; logDestination?: DestinationStream } = {},
): Promise<{ app: CanvasCalApp; close(): Promise<void> }> {
  const dir = await freshDataDir('canvascal-test-');
  const app = await createApp({
    config: parseConfig({
      CANVASCAL_DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      NODE_ENV: 'test',
      CANVASCAL_EMULATORS: 'off',
      ...env,
    }),
    role: options.role ?? 'api',
    ...(options.logDestination ? { logDestination: options.logDestination } : {}),
  });
  return {
    app,
    close: async () => {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
