#!/usr/bin/env node
// Thin launcher so `npx canvascal ...` works without a build step: tsx runs the TypeScript entry.
// The wrapper is what systemd, Docker or a shell signals, so it passes SIGTERM/SIGINT/SIGHUP on
// to the real process (which drains and closes) and exits as that process did.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Resolved from here, not from the working directory: a desktop assistant starts
// `canvascal mcp` from a directory of its own, where `--import tsx` would not be found.
const tsx = import.meta.resolve('tsx');
const child = spawn(
  process.execPath,
  ['--import', tsx, join(root, 'src/main.ts'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);

const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const forward = (signal) => {
  // A Ctrl-C reaches the whole process group, so the child may already have it; the entry
  // point treats a repeated signal as the same request to stop.
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of FORWARDED) process.on(signal, forward);

child.on('error', (error) => {
  console.error(`canvascal: could not start ${process.execPath}: ${error.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  for (const name of FORWARDED) process.off(name, forward);
  if (signal) {
    // Die of the same signal, so a supervisor sees what really happened.
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
