import { describe, expect, it } from 'vitest';
import { runDemo } from '../../src/demo.ts';

describe('canvascal demo', () => {
  it('runs the story end to end, and its last re-sync sends no writes', async () => {
    const lines: string[] = [];
    expect(await runDemo((line) => lines.push(line))).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('Google: connected');
    expect(text).toMatch(/First sync[^\n]*\n {2}succeeded: \d+ created/);
    expect(text).toMatch(/re-sync\n {2}succeeded: 0 created, 1 updated/);
    const last = text.slice(text.lastIndexOf('Nothing changed'));
    expect(last).toContain('0 created, 0 updated, 0 deleted');
    expect(last).toContain('batch requests: 0');
    // The study plan: written in one batch, then a meeting moves a session with one batch.
    expect(text).toMatch(
      /Turn study planning on[^\n]*\n {2}[1-9]\d* added, 0 moved, 0 removed; [^\n]*\(batches: [12]\)/,
    );
    expect(text).toMatch(
      /A meeting lands[^\n]*\n {2}\d+ added, [1-9]\d* moved, \d+ removed; [^\n]*\(batches: 1\)/,
    );
  }, 120_000);
});
