import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { freshDataDir } from '../support/data-dir.ts';
import { startEmulatedApp } from '../support/emulated-app.ts';
import { RAW_PROTOCOL_VERSION, RawStdioClient } from './raw-mcp-client.ts';

// `canvascal mcp` as a desktop assistant starts it: a child process spoken to over stdio by
// the SDK's client, alone on its data dir or beside a running CanvasCal that owns it.

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

const LAUNCHER = fileURLToPath(new URL('../../bin/canvascal.js', import.meta.url));

/** `canvascal mcp` as an assistant starts it: the launcher, from a working directory of its own. */
async function stdioClient(env: Record<string, string>): Promise<Client> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [LAUNCHER, 'mcp'],
    cwd: tmpdir(),
    env: {
      ...(process.env as Record<string, string>),
      CANVASCAL_EMULATORS: 'on',
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      SYNC_INTERVAL_MINUTES: '0',
      ...env,
    },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'canvascal-stdio-test', version: '1.0.0' });
  await client.connect(transport);
  cleanups.push(() => client.close());
  return client;
}

const structured = (result: unknown) => {
  const r = result as CallToolResult;
  expect(r.isError, JSON.stringify(r.content)).toBeFalsy();
  // biome-ignore lint/suspicious/noExplicitAny: the SDK client has checked it against the tool's output schema
  return r.structuredContent as any;
};

describe('canvascal mcp (stdio)', () => {
  it('serves the tools for the local user from its own data dir', async () => {
    const dir = await freshDataDir('canvascal-mcp-stdio-');
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const client = await stdioClient({ CANVASCAL_DATA_DIR: dir, PORT: '0' });
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(6);
    const status = structured(await client.callTool({ name: 'sync_status', arguments: {} }));
    expect(status.google.status).toBe('not_connected');
    expect(structured(await client.callTool({ name: 'list_deadlines', arguments: {} })).deadlines).toEqual(
      [],
    );
  }, 60_000);

  it('answers a client written from the spec (no SDK): initialize, tools/list, tools/call', async () => {
    const dir = await freshDataDir('canvascal-mcp-raw-');
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const child = spawn(process.execPath, [LAUNCHER, 'mcp'], {
      cwd: tmpdir(),
      env: {
        ...process.env,
        CANVASCAL_EMULATORS: 'on',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        SYNC_INTERVAL_MINUTES: '0',
        CANVASCAL_DATA_DIR: dir,
        PORT: '0',
      },
      stdio: 'pipe',
    });
    const client = new RawStdioClient(child);
    cleanups.push(() => client.close());
    const init = await client.connect();
    expect(init.result?.protocolVersion).toBe(RAW_PROTOCOL_VERSION);
    const list = await client.request('tools/list');
    expect(list.result?.tools).toHaveLength(6);
    const call = await client.request('tools/call', { name: 'sync_status', arguments: {} });
    expect(call.result).toMatchObject({ structuredContent: { google: { status: 'not_connected' } } });
    const bad = await client.request('tools/call', { name: 'list_deadlines', arguments: { colour: 'red' } });
    expect(bad.result).toMatchObject({ isError: true });
    expect(JSON.stringify(bad.result)).toMatch(/colour/);
  }, 90_000);

  it('relays to the CanvasCal that owns the data dir, as the same local student', async () => {
    const dir = await freshDataDir('canvascal-mcp-relay-');
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const e2e = await startEmulatedApp({ CANVASCAL_DATA_DIR: dir, PORT: '0' });
    cleanups.push(() => e2e.close());
    const base = await e2e.app.listen();
    if (!base) throw new Error('the app did not listen');
    // The local sign-in with no body is the default student, whom `canvascal mcp` acts as.
    const login = await e2e.http.inject({ method: 'POST', url: '/api/v1/auth/local/login', payload: {} });
    expect(login.json().user.email).toBe('student@localhost');
    const headers = { authorization: `Bearer ${login.json().accessToken}` };
    await e2e.connectGoogle(headers);
    await e2e.http.inject({ method: 'POST', url: '/api/v1/canvas/connection/demo', headers });
    expect((await e2e.run(headers, '/api/v1/sync/canvas')).status).toBe('succeeded');

    const client = await stdioClient({ CANVASCAL_DATA_DIR: dir, PUBLIC_URL: base });
    const listed = structured(await client.callTool({ name: 'list_deadlines', arguments: {} }));
    expect(listed.deadlines.length).toBeGreaterThan(0);
    const status = structured(await client.callTool({ name: 'sync_status', arguments: {} }));
    expect(status.google.status).toBe('connected');
    const bad = (await client.callTool({
      name: 'check_availability',
      arguments: { from: 'tomorrow', to: '2026-12-03T17:00:00Z' },
    })) as CallToolResult;
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toMatch(/from must be an ISO 8601/);
  }, 90_000);

  it('relays to a deployed CanvasCal as the student whose token it is given', async () => {
    const e2e = await startEmulatedApp({ PORT: '0' });
    cleanups.push(() => e2e.close());
    const base = await e2e.app.listen();
    if (!base) throw new Error('the app did not listen');
    const headers = await e2e.signIn('remote-student@example.edu');
    await e2e.connectGoogle(headers);
    const empty = await mkdtemp(join(tmpdir(), 'canvascal-mcp-token-'));
    cleanups.push(() => rm(empty, { recursive: true, force: true }));
    const token = headers.authorization?.replace(/^Bearer /, '') ?? '';
    const client = await stdioClient({
      CANVASCAL_DATA_DIR: empty,
      PUBLIC_URL: base,
      CANVASCAL_ACCESS_TOKEN: token,
    });
    const status = structured(await client.callTool({ name: 'sync_status', arguments: {} }));
    expect(status.google.status).toBe('connected');
    expect(status.canvas.status).toBe('not_connected');
    // The service ends the relay's session (idle, or evicted): the relay opens a new one.
    const ended = await e2e.app.db.withSession((s) =>
      s.query<{ n: number }>(
        'with gone as (delete from mcp_sessions returning 1) select count(*)::int as n from gone',
      ),
    );
    expect(ended[0]?.n).toBe(1);
    const again = structured(await client.callTool({ name: 'sync_status', arguments: {} }));
    expect(again.google.status).toBe('connected');
  }, 90_000);
});
