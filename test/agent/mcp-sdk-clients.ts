import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { expect } from 'vitest';
import { type AgentDeps, createAgentTools } from '../../src/agent/index.ts';

/** The MCP SDK's own clients on one running app's /mcp over Streamable HTTP, one per student. */
export interface McpSdkClients {
  /** A client connected with these (sign-in) headers; `closeAll` closes it. */
  clientFor(headers: Record<string, string>): Promise<Client>;
  /**
   * A successful answer's structured content, parsed by the tool's own zod output schema,
   * after checking the answer is no error and its text says something.
   */
  // biome-ignore lint/suspicious/noExplicitAny: the answer is checked by the tool's schema
  structured(result: CallToolResult, tool: string): any;
  /** Closes every client opened, even those of a test that failed halfway. */
  closeAll(): Promise<void>;
}

export function mcpSdkClients(baseUrl: string, agent: AgentDeps, clientName: string): McpSdkClients {
  const clients: Client[] = [];
  const tools = createAgentTools(agent);
  return {
    async clientFor(headers) {
      const client = new Client({ name: clientName, version: '1.0.0' });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers } }),
      );
      clients.push(client);
      return client;
    },
    structured(result, name) {
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const [text] = result.content;
      expect(text?.type === 'text' && text.text.length > 0).toBe(true);
      const tool = tools.find((t) => t.name === name);
      if (!tool) throw new Error(`no tool ${name}`);
      return tool.output.parse(result.structuredContent);
    },
    async closeAll() {
      for (const client of clients.splice(0)) await client.close().catch(() => {});
    },
  };
}

/** Calls a tool; the SDK types the answer loosely, so it is narrowed to a tool call's result. */
export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}
