import {
  type CanvasEmulator,
  type CanvasEmulatorOptions,
  startCanvasEmulator as startServer,
} from './canvas-emulator.ts';

export type { CanvasControl } from './canvas-control.ts';
export type { CanvasEmulator } from './canvas-emulator.ts';

/** Options of the public entry point; `seed` names the data set instead of a flag. */
export interface StartCanvasEmulatorOptions extends Omit<CanvasEmulatorOptions, 'seed'> {
  seed?: 'demo' | 'empty';
  /** Reserved for seeded random faults; accepted so callers can pass it today. */
  randomSeed?: number;
}

/** Starts the emulator on loopback; resolves once it listens. The demo seed is the default. */
export function startCanvasEmulator(opts: StartCanvasEmulatorOptions = {}): Promise<CanvasEmulator> {
  const { seed = 'demo', randomSeed: _randomSeed, ...rest } = opts;
  return startServer({ ...rest, seed: seed === 'demo' });
}

export type { ExpectedDueItem } from './expected-due-items.ts';
