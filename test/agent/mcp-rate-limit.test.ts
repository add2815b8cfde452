import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';

// Requests to /mcp (the initialize that opens a session, then each tool call) count against the
// caller's own per-minute budget, as /api/v1 requests do.

let e2e: EmulatedApp;
beforeAll(async () => {
  e2e = await startEmulatedApp({ RATE_LIMIT_PER_MINUTE: '4' });
});
afterAll(() => e2e.close());

const post = (headers: Record<string, string>, payload: Record<string, unknown>) =>
  e2e.http.inject({
    method: 'POST',
    url: '/mcp',
    headers: {
      ...headers,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    payload: { jsonrpc: '2.0', ...payload },
  });

/** The user's headers with a session of theirs (one initialize request). */
async function withSession(headers: Record<string, string>): Promise<Record<string, string>> {
  const init = await post(headers, {
    id: 0,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'limit-test', version: '1' },
    },
  });
  expect(init.statusCode).toBe(200);
  return {
    ...headers,
    'mcp-session-id': String(init.headers['mcp-session-id']),
    'mcp-protocol-version': '2025-06-18',
  };
}

const toolCall = (headers: Record<string, string>, id: number) =>
  post(headers, { id, method: 'tools/call', params: { name: 'sync_status', arguments: {} } });

describe('rate limits on /mcp', () => {
  it('limits each user to their own budget of tool calls a minute', async () => {
    const alice = await withSession(await e2e.signIn('limit-alice@example.edu'));
    const bob = await withSession(await e2e.signIn('limit-bob@example.edu'));
    const statuses: number[] = [];
    for (let i = 1; i <= 4; i++) statuses.push((await toolCall(alice, i)).statusCode);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const limited = await toolCall(alice, 5);
    expect(limited.json().error.code).toBe('rate_limited');
    expect((await toolCall(bob, 6)).statusCode).toBe(200);
  });
});
