import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EmulatedApp, startEmulatedApp } from '../support/emulated-app.ts';
import { RAW_PROTOCOL_VERSION, RawMcpClient } from './raw-mcp-client.ts';

// The /mcp transport as the specification's transport section describes it: sessions, the
// protocol version header, origin checks, and a second client (no SDK) on the wire format.

let e2e: EmulatedApp;
let url: string;
let alice: Record<string, string>;
let bob: Record<string, string>;

beforeAll(async () => {
  e2e = await startEmulatedApp({ PORT: '0' });
  const address = await e2e.app.listen();
  if (!address) throw new Error('the app did not listen');
  url = `${address}/mcp`;
  alice = await e2e.signIn('wire-alice@example.edu');
  bob = await e2e.signIn('wire-bob@example.edu');
  await e2e.connectGoogle(alice);
  await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers: alice });
  expect((await e2e.run(alice, '/api/v1/sync/canvas')).status).toBe('succeeded');
}, 60_000);
afterAll(() => e2e.close());

describe('MCP over Streamable HTTP, by a client written from the spec (no SDK)', () => {
  it('initializes, lists the tools and calls one, with a session id on every request', async () => {
    const client = new RawMcpClient(url, alice);
    const init = await client.connect();
    expect(init.status).toBe(200);
    expect(init.message?.result?.protocolVersion).toBe(RAW_PROTOCOL_VERSION);
    expect(init.message?.result?.capabilities).toMatchObject({ tools: {} });
    expect(client.sessionId).toMatch(/^[\x21-\x7e]+$/);

    const list = await client.request('tools/list');
    expect(list.status).toBe(200);
    const tools = list.message?.result?.tools as Array<{ name: string; inputSchema: { type: string } }>;
    expect(tools.map((t) => t.name)).toContain('list_deadlines');
    for (const tool of tools) expect(tool.inputSchema.type).toBe('object');

    const call = await client.request('tools/call', { name: 'list_deadlines', arguments: {} });
    expect(call.status).toBe(200);
    const result = call.message?.result as {
      isError?: boolean;
      content: Array<{ type: string; text: string }>;
      structuredContent: { from: string; to: string; deadlines: unknown[] };
    };
    expect(result.isError).toBeFalsy();
    expect(result.content[0]?.type).toBe('text');
    // The same window through the REST API: the wire answer holds the same deadlines.
    const { from, to } = result.structuredContent;
    const api = (
      await e2e.http.inject({
        url: `/api/v1/deadlines?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
        headers: alice,
      })
    ).json();
    expect(api.deadlines.length).toBeGreaterThan(0);
    expect(result.structuredContent.deadlines).toHaveLength(api.deadlines.length);

    const badArgs = await client.request('tools/call', {
      name: 'check_availability',
      arguments: { from: 'soon' },
    });
    expect(badArgs.message?.result).toMatchObject({ isError: true });
    expect(JSON.stringify(badArgs.message?.result)).toMatch(/from/);
  });

  it('requires the session after initialize: 400 without it, 404 for an unknown one or another user’s', async () => {
    const client = new RawMcpClient(url, alice);
    await client.connect();
    const session = client.sessionId ?? '';
    const without = new RawMcpClient(url, alice);
    expect((await without.request('tools/list')).status).toBe(400);
    const unknown = new RawMcpClient(url, alice);
    unknown.sessionId = 'no-such-session';
    const unknownReply = await unknown.request('tools/list');
    expect(unknownReply.status).toBe(404);
    expect(unknownReply.text).toMatch(/initialize a new session/);
    const stolen = new RawMcpClient(url, bob);
    stolen.sessionId = session;
    expect((await stolen.request('tools/list')).status).toBe(404);
    expect(await stolen.terminate()).toBe(404);
    // Bob's attempts neither used nor ended Alice's session.
    expect((await client.request('tools/list')).status).toBe(200);
  });

  it('ends a session on DELETE; the ended session then answers 404 and a new initialize works', async () => {
    const client = new RawMcpClient(url, alice);
    await client.connect();
    expect(await client.terminate()).toBe(204);
    expect((await client.request('tools/list')).status).toBe(404);
    expect(await client.terminate()).toBe(404);
    client.sessionId = undefined;
    await client.connect();
    expect((await client.request('tools/list')).status).toBe(200);
  });

  it('answers GET (no server-initiated stream) with 405, and an unsupported MCP-Protocol-Version with 400', async () => {
    const get = await fetch(url, { headers: { ...alice, accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST, DELETE');
    const client = new RawMcpClient(url, alice);
    await client.connect();
    const old = await client.request('tools/list', undefined, { 'mcp-protocol-version': '2023-01-01' });
    expect(old.status).toBe(400);
    const current = await client.request('tools/list');
    expect(current.status).toBe(200);
  });

  it('refuses a page from another origin on every method (DNS rebinding), and takes its own', async () => {
    const client = new RawMcpClient(url, alice);
    await client.connect();
    const evil = { origin: 'https://evil.example' };
    expect((await client.request('tools/list', undefined, evil)).status).toBe(403);
    expect((await fetch(url, { headers: { ...alice, ...evil } })).status).toBe(403);
    const del = await fetch(url, {
      method: 'DELETE',
      headers: { ...alice, ...evil, 'mcp-session-id': client.sessionId ?? '' },
    });
    expect(del.status).toBe(403);
    // The service's own origin is its public URL's, as its resource metadata names it.
    const metadata = (await (
      await fetch(`${new URL(url).origin}/.well-known/oauth-protected-resource/mcp`)
    ).json()) as {
      resource: string;
    };
    const own = await client.request('tools/list', undefined, { origin: new URL(metadata.resource).origin });
    expect(own.status).toBe(200);
  });
});

describe('MCP sessions with the SDK client', () => {
  it('gets a session at connect, uses it, and after terminating it is refused until it reconnects', async () => {
    const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: alice } });
    const client = new Client({ name: 'canvascal-test', version: '1.0.0' });
    await client.connect(transport);
    expect(transport.sessionId).toMatch(/^[\x21-\x7e]{43}$/);
    expect((await client.listTools()).tools.length).toBe(6);
    const ended = transport.sessionId;
    await transport.terminateSession();
    const raw = new RawMcpClient(url, alice);
    raw.sessionId = ended;
    expect((await raw.request('tools/list')).status).toBe(404);
    await client.close();
    const again = new Client({ name: 'canvascal-test', version: '1.0.0' });
    await again.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: alice } }));
    expect((await again.listTools()).tools.length).toBe(6);
    await again.close();
  });
});
