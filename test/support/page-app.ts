import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { freePort, launchChromium } from './browser.ts';
import { type EmulatedApp, startEmulatedApp } from './emulated-app.ts';

export interface PageApp {
  e2e: EmulatedApp;
  browser: Browser;
  /** The page's origin, e.g. http://127.0.0.1:41234 */
  base: string;
  close(): Promise<void>;
}

/**
 * The embedded default with both emulators on a real port, and a Chromium to drive its page.
 * The port is fixed before the app starts, so PUBLIC_URL (and the Google redirect URI) match
 * it; `screenshots` is made ready for the tests' pictures.
 */
export async function startPageApp(
  executablePath: string,
  screenshots: string,
  options: Parameters<typeof startEmulatedApp>[1] = {},
): Promise<PageApp> {
  const port = await freePort();
  // A page test opens the page as the one local student again and again, and reads the API
  // as that student beside it: far more requests a minute than a student makes. Ten times the
  // default budget keeps those from being refused (429) as the student's.
  const e2e = await startEmulatedApp(
    { HOST: '127.0.0.1', PORT: String(port), RATE_LIMIT_PER_MINUTE: '3000' },
    options,
  );
  if (!(await e2e.app.listen())) throw new Error('the app did not listen');
  const browser = await launchChromium(executablePath);
  await mkdir(screenshots, { recursive: true });
  return {
    e2e,
    browser,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await browser.close();
      await e2e.close();
    },
  };
}
