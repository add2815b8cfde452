import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// Tool calls count against the caller's own per-minute budget, as /api/v1 requests do.

let e2e: EmulatedApp;
beforeAll(async () => {
  e2e = await startEmulatedApp({ RATE_LIMIT_PER_MINUTE: '3' });
});
afterAll(() => e2e.close());

const toolCall = (headers: Record<string, string>, id: number) =>
  e2e.http.inject({
    method: 'POST',
    url: '/mcp',
    headers: {
      ...headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    payload: {
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: { name: 'sync_status', arguments: {} },
    },
  });

describe('rate limits on /mcp', () => {
  it('limits each user to their own budget of tool calls a minute', async () => {
    const alice = await e2e.signIn('limit-alice@example.edu');
    const bob = await e2e.signIn('limit-bob@example.edu');
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) statuses.push((await toolCall(alice, i)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await toolCall(alice, 5);
    expect(limited.json().error.code).toBe('rate_limited');
    expect((await toolCall(bob, 6)).statusCode).toBe(200);
  });
});
