// `npm run bench`: every benchmark, one after another, each printing its own table with
// the naive baseline beside it. Benchmarks are not tests: they measure, they do not assert.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);

const files = (await readdir(here))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts'))
  .sort();
for (const file of files) {
  const name = file.replace(/\.ts$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  const module = (await import(join(here, file))) as Record<string, unknown>;
  const run = Object.entries(module).find(
    ([key, value]) => /^run\w*Bench$/.test(key) && typeof value === 'function',
  )?.[1];
  if (typeof run !== 'function') continue;
  console.log(`\n## ${name}\n`);
  await (run as () => Promise<unknown>)();
}
