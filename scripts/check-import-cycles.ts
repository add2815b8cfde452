// Fails when relative imports between our own files form a cycle (STYLE: no import cycles).
// Type-only imports count too: a cycle of types is still a tangle to read.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const roots = process.argv.slice(2);
const files: string[] = [];
const walk = (dir: string): void => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) walk(path);
    else if (path.endsWith('.ts') && !path.endsWith('.test.ts')) files.push(resolve(path));
  }
};
for (const root of roots) if (existsSync(root)) walk(root);

const IMPORT = /(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g;
const graph = new Map<string, string[]>();
for (const file of files) {
  const source = readFileSync(file, 'utf8');
  const targets = [...source.matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1] ?? ''));
  graph.set(
    file,
    targets.filter((t) => graph.has(t) || files.includes(t)),
  );
}

const state = new Map<string, 'visiting' | 'done'>();
const cycles: string[][] = [];
const visit = (file: string, stack: string[]): void => {
  if (state.get(file) === 'done') return;
  if (state.get(file) === 'visiting') {
    cycles.push([...stack.slice(stack.indexOf(file)), file]);
    return;
  }
  state.set(file, 'visiting');
  for (const next of graph.get(file) ?? []) visit(next, [...stack, file]);
  state.set(file, 'done');
};
for (const file of files) visit(file, []);

if (cycles.length > 0) {
  for (const cycle of cycles)
    console.error(`import cycle: ${cycle.map((f) => relative(process.cwd(), f)).join(' -> ')}`);
  process.exit(1);
}
console.log(`no import cycles among ${files.length} files`);
