import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared fixtures live beside the clone (`../shared/fixtures`); CI always has them. */
export const FIXTURES_DIR = resolve(repoRoot, '../shared/fixtures');
export const hasFixtures = existsSync(FIXTURES_DIR);
