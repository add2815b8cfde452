import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import type { AgentDeps } from './agent-deps.ts';
import type { AgentTool } from './agent-tool.ts';
import { toolErrorText } from './tool-errors.ts';
import { checkAvailabilityTool } from './tools/check-availability.ts';
import { getStudyPlanTool } from './tools/get-study-plan.ts';
import { listDeadlinesTool } from './tools/list-deadlines.ts';
import { rescheduleConflictsTool } from './tools/reschedule-conflicts.ts';
import { syncNowTool, syncStatusTool } from './tools/sync-tools.ts';

/** Every tool CanvasCal offers an assistant, built over the engine's services. */
export function createAgentTools(deps: AgentDeps): AgentTool[] {
  return [
    checkAvailabilityTool(deps),
    listDeadlinesTool(deps),
    getStudyPlanTool(deps),
    rescheduleConflictsTool(deps),
    syncNowTool(deps),
    syncStatusTool(deps),
  ];
}

export interface McpServerOptions {
  tools: readonly AgentTool[];
  /** Every call of this server works on this user's data, and only theirs. */
  userId: string;
  publicUrl: string;
  logger: Logger;
  version?: string;
}

const INSTRUCTIONS =
  "CanvasCal knows the student's Canvas deadlines, their Google Calendar busy time and a study plan built around both. Times are UTC instants with the student's local time beside them; send instants with an offset. Unknown time is time CanvasCal could not see: never call it free. Study plans are previews; CanvasCal does not write study sessions to the calendar yet.";

/** An MCP server for one user; connect it to one transport (stdio, or one HTTP request). */
export function createMcpServer(options: McpServerOptions): McpServer {
  const server = new McpServer(
    { name: 'canvascal', version: options.version ?? '0.1.0' },
    { instructions: INSTRUCTIONS, maxToolInputElements: 1000 },
  );
  for (const tool of options.tools) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...tool.annotations },
      },
      async (args: unknown): Promise<CallToolResult> => {
        try {
          const { summary, data } = await tool.run(options.userId, args as Parameters<typeof tool.run>[1]);
          return {
            content: [{ type: 'text', text: summary }],
            structuredContent: data as Record<string, unknown>,
          };
        } catch (error) {
          return {
            content: [{ type: 'text', text: toolErrorText(error, options) }],
            isError: true,
          };
        }
      },
    );
  }
  return server;
}
