import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { describe, it } from 'vitest';

// What the web page's browser tests share: finding Debian's Chromium, launching it off the
// test's fake clock, contexts on this process's clock, and axe-core's verdict on a page.

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

function findChromium(): string | undefined {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * `describe(title, body)` with the path to a Chromium; without one the suite skips and says
 * how to get one (`skippedTest` names the test shown as skipped), and in CI
 * (REQUIRE_SERVICES=1) it fails instead.
 */
export function describeInChromium(
  title: string,
  skippedTest: string,
  body: (executablePath: string) => void,
): void {
  const executablePath = findChromium();
  if (!executablePath && process.env.REQUIRE_SERVICES === '1') {
    describe(title, () => {
      it('needs Chromium', () => {
        throw new Error(
          'REQUIRE_SERVICES=1 but no Chromium was found: install it (apt-get install -y chromium); .ci/run does.',
        );
      });
    });
  } else if (!executablePath) {
    describe.skip(`${title} (skipped: no Chromium; apt-get install -y chromium)`, () => {
      it(skippedTest, () => {});
    });
  } else {
    describe(title, () => body(executablePath));
  }
}

/** A port free right now, for a PUBLIC_URL (and Google redirect URI) fixed before the app starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Chromium on the real clock. CI's any-day runs move this process's clock with libfaketime,
 * under which Chromium does not load pages; so it runs without it, and each page's clock is
 * set to this process's (see `newContext`), as on the embedded default where both share one
 * machine.
 */
export async function launchChromium(executablePath: string): Promise<Browser> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && entry[0] !== 'LD_PRELOAD' && !entry[0].startsWith('FAKETIME'),
    ),
  );
  return chromium.launch({ executablePath, args: ['--no-sandbox'], env });
}

/**
 * A desktop-sized browser context whose pages tell the time by this process's clock.
 * `forAxe` lifts the page's CSP so the test can inject axe-core; the page itself never runs
 * inline script.
 */
export async function newContext(browser: Browser, { forAxe }: { forAxe: boolean }): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: forAxe });
  await context.clock.install({ time: Date.now() });
  return context;
}

/** Fills, as the page runs, with its uncaught errors and the 5xx answers it gets. */
export function pageFailures(page: Page): string[] {
  const failures: string[] = [];
  page.on('pageerror', (error) => failures.push(error.message));
  page.on('response', (response) => {
    if (response.status() >= 500) failures.push(`${response.status()} ${response.url()}`);
  });
  return failures;
}

/** axe-core's serious and critical violations on the page as it is now (needs `forAxe`). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const violations = (await page.evaluate(
    'axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 3) })))',
  )) as Array<{ id: string; impact: string; nodes: string[] }>;
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.nodes.join(', ')}`);
}

/**
 * Presses Tab until the focused element `el` passes `test` (a JS expression), then
 * Shift+Tab back through the page if it was behind the focus, as a keyboard user would.
 */
export async function tabUntil(page: Page, test: string, max = 300) {
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < max; i++) {
      await page.keyboard.press(key);
      if (
        await page.evaluate(
          `(() => { const el = document.activeElement; return Boolean(el && (${test})); })()`,
        )
      )
        return;
    }
  }
  throw new Error(`${max} Tabs each way never reached an element where ${test}`);
}
