import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared fixtures live beside the clone (`../shared/fixtures`); CI always has them. */
export const FIXTURES_DIR = resolve(repoRoot, '../shared/fixtures');
export const hasFixtures = existsSync(FIXTURES_DIR);

export function fixturePath(relative: string): string {
  return join(FIXTURES_DIR, relative);
}

export function readFixture(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

export function readJsonFixture<T = unknown>(relative: string): T {
  return JSON.parse(readFixture(relative)) as T;
}

/** `describe` that skips, and says why, on a clone without `../shared/fixtures`. */
export function describeWithFixtures(name: string, body: () => void): void {
  if (hasFixtures) {
    describe(name, body);
  } else {
    describe.skip(`${name} (skipped: ${FIXTURES_DIR} not found; clone beside shared/ to run)`, body);
  }
}
