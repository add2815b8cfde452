import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { CANVASCAL_NAMESPACE, uuidv5 } from '../ids.ts';
import type { AgentDeps } from './agent-deps.ts';
import { MCP_PATH } from './mcp-http.ts';
import { createAgentTools, createMcpServer } from './mcp-server.ts';

/** The embedded default's local user for an email: the same id the local sign-in gives it. */
export function localUserId(email: string): string {
  // Must match src/http/routes/local-login.ts, so stdio and the browser are one student.
  return uuidv5(`local-user:${email.toLowerCase()}`, CANVASCAL_NAMESPACE);
}

/** Resolves when the assistant closes stdin, the transport ends, or the process is told to stop. */
function untilClosed(transport: StdioServerTransport): Promise<void> {
  return new Promise((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => resolve());
  });
}

/** Serves the tools on stdin/stdout for one user, in this process, until the assistant hangs up. */
export async function serveMcpStdio(options: {
  deps: AgentDeps;
  userId: string;
  publicUrl: string;
  logger: Logger;
}): Promise<void> {
  const server = createMcpServer({ ...options, tools: createAgentTools(options.deps) });
  const transport = new StdioServerTransport();
  const closed = untilClosed(transport);
  await server.connect(transport);
  await closed;
  await server.close();
}

/**
 * Relays stdin/stdout to a CanvasCal already running (it owns the embedded data dir), over
 * its /mcp endpoint with the given token: the same tools, answered by that process.
 */
export async function relayMcpStdio(options: { serviceUrl: string; token: string }): Promise<void> {
  const open = async () => {
    const client = new Client({ name: 'canvascal-mcp-relay', version: '0.1.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${options.serviceUrl}${MCP_PATH}`), {
        requestInit: { headers: { authorization: `Bearer ${options.token}` } },
      }),
    );
    return client;
  };
  let client = await open();
  // The service ends idle sessions (404, per the transport spec): start a new one and retry once.
  const relayed = async <T>(call: (c: Client) => Promise<T>): Promise<T> => {
    try {
      return await call(client);
    } catch (error) {
      if (!(error instanceof StreamableHTTPError && error.code === 404)) throw error;
      await client.close().catch(() => {});
      client = await open();
      return call(client);
    }
  };
  const server = new Server(
    { name: 'canvascal', version: '0.1.0' },
    {
      capabilities: { tools: {} },
      ...(client.getInstructions() ? { instructions: client.getInstructions() } : {}),
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, (request) => relayed((c) => c.listTools(request.params)));
  server.setRequestHandler(CallToolRequestSchema, (request) => relayed((c) => c.callTool(request.params)));
  const transport = new StdioServerTransport();
  const closed = untilClosed(transport);
  await server.connect(transport);
  await closed;
  await server.close();
  await client.close();
}
