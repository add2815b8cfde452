import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ShutdownStack } from './lifecycle.ts';

describe('ShutdownStack', () => {
  it('closes in reverse order, once, past a failing part', async () => {
    const closed: string[] = [];
    const stack = new ShutdownStack(pino({ level: 'silent' }));
    stack.push('database', async () => void closed.push('database'));
    stack.push('queue', async () => {
      closed.push('queue');
      throw new Error('boom');
    });
    stack.push('http', async () => void closed.push('http'));
    await expect(Promise.all([stack.close(), stack.close()])).rejects.toThrow('failed to close: queue');
    expect(closed).toEqual(['http', 'queue', 'database']);
  });
});
