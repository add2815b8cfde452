import { type AppOptions, createApp, type ProcessRole } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';

/**
 * The child side of `startCanvasCalProcess`: one CanvasCal process (`api` or `worker`) built
 * from its environment like `canvascal serve --no-workers` / `canvascal worker`, with the
 * timings (retry backoff, lock lapse, lost-job check) given as JSON in argv[3] so a test
 * need not wait production's 30-60 s for each. Says `READY <url>` on stdout once it runs.
 */
const role = process.argv[2] as ProcessRole;
const timings = JSON.parse(process.argv[3] ?? '{}') as Pick<
  AppOptions,
  'retryBaseMs' | 'lostJobCheckMs' | 'lostJobGraceMs' | 'queueLockMs'
>;
const app = await createApp({ config: parseConfig(process.env), role, ...timings });
const url = await app.listen();
process.stdout.write(`READY ${url ?? ''}\n`);
const stop = () => {
  void app.close().finally(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
