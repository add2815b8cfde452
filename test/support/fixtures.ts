import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { FIXTURES_DIR, hasFixtures } from './fixtures-dir.ts';

export { FIXTURES_DIR, hasFixtures };

export function fixturePath(relative: string): string {
  return join(FIXTURES_DIR, relative);
}

export function readFixture(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

export function readJsonFixture<T = unknown>(relative: string): T {
  return JSON.parse(readFixture(relative)) as T;
}

/** Why a fixture test did not run, in its name, so the report says it. */
export const FIXTURES_MISSING = `skipped: ${FIXTURES_DIR} not found; clone beside shared/ to run`;

/**
 * `describe` that skips, and says why, on a clone without `../shared/fixtures`. The body is
 * not even collected then: a body that reads a fixture while its tests are being collected
 * would otherwise crash the file with ENOENT instead of skipping it.
 */
export function describeWithFixtures(name: string, body: () => void): void {
  if (hasFixtures) {
    describe(name, body);
  } else {
    describe(name, () => {
      it.skip(FIXTURES_MISSING, () => {});
    });
  }
}

/** `it` that skips, and says why in its name, on a clone without `../shared/fixtures`. */
export function itWithFixtures(name: string, body: () => unknown): void {
  if (hasFixtures) it(name, body);
  else it.skip(`${name} (${FIXTURES_MISSING})`, () => {});
}
