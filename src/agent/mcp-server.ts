import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  type CallToolResult,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { z } from 'zod';
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
  "CanvasCal knows the student's Canvas deadlines, their Google Calendar busy time and a study plan built around both. Times are UTC instants with the student's local time beside them; send instants with an offset. Unknown time is time CanvasCal could not see: never call it free. get_study_plan shows a preview; reschedule_conflicts checks the study sessions on the student's \"CanvasCal Study\" calendar and writes a proposal there only with apply:true, after the student accepted it.";

// The HTTP endpoint builds a server per request: the JSON schemas are made once per tool set.
const listings = new WeakMap<readonly AgentTool[], Tool[]>();

function listingOf(tools: readonly AgentTool[]): Tool[] {
  let listing = listings.get(tools);
  if (!listing) {
    listing = tools.map((tool) => ({
      name: tool.name,
      title: tool.title,
      description: tool.description,
      inputSchema: z.toJSONSchema(tool.input, { target: 'draft-7', io: 'input' }) as Tool['inputSchema'],
      outputSchema: z.toJSONSchema(tool.output, { target: 'draft-7', io: 'output' }) as Tool['outputSchema'],
      annotations: { title: tool.title, ...tool.annotations },
    }));
    listings.set(tools, listing);
  }
  return listing;
}

/** "from: must be …; Unrecognized key: "colour"": each problem with the field it is about. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

const toolError = (text: string): CallToolResult => ({ content: [{ type: 'text', text }], isError: true });

/**
 * An MCP server for one user; connect it to one transport (stdio, or one HTTP request).
 * Arguments are parsed with the tool's zod schema (a bad one is a tool error naming the
 * field); the answer is checked against the output schema before it leaves, so a bug is a
 * logged generic error, never a malformed result.
 */
export function createMcpServer(options: McpServerOptions): Server {
  const server = new Server(
    { name: 'canvascal', version: options.version ?? '0.1.0' },
    { capabilities: { tools: {} }, instructions: INSTRUCTIONS },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: listingOf(options.tools) }));
  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const tool = options.tools.find((t) => t.name === request.params.name);
    if (!tool)
      throw new McpError(
        ErrorCode.InvalidParams,
        `No tool ${request.params.name}; the tools are ${options.tools.map((t) => t.name).join(', ')}.`,
      );
    const args = tool.input.safeParse(request.params.arguments ?? {});
    if (!args.success) return toolError(`Invalid arguments for ${tool.name}: ${describeIssues(args.error)}`);
    try {
      const { summary, data } = await tool.run(options.userId, args.data);
      return { content: [{ type: 'text', text: summary }], structuredContent: tool.output.parse(data) };
    } catch (error) {
      return toolError(toolErrorText(error, options));
    }
  });
  return server;
}
