/**
 * LLM tools over the Model Context Protocol: `check_availability`, `list_deadlines`,
 * `get_study_plan`, `reschedule_conflicts`, `sync_now` and `sync_status`, each a zod input
 * schema, an output schema, true annotations and a call into the engine's own services (the
 * same functions the HTTP API calls). Every call works on one user's data only.
 *
 * Build the tools once with `createAgentTools(deps)` (the composition root does, and exposes
 * the deps as `app.agent`). The plans and proposals the tools show are kept in the database
 * (`createDbProposalStore`), so every serve process and a restart see the same ones. Then serve them:
 * - over Streamable HTTP at `/mcp` on the API server: `agentHttp(...)` gives the routes to
 *   mount (authenticated like `/api/v1`, 401 challenges naming the RFC 9728 metadata), with
 *   `Mcp-Session-Id` sessions kept in the database (`createMcpSessionStore`);
 * - over stdio for a desktop assistant: `runMcpStdio(...)` (the `canvascal mcp` command).
 * `toolJsonSchemas(tools)` exports the same tools as function-calling JSON schemas.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AppError } from '../errors.ts';
import type { AgentDeps } from './agent-deps.ts';
import type { AgentTool } from './agent-tool.ts';
import { mcpChallenge, mcpMetadataRoutes, mcpRoutes } from './mcp-http.ts';
import { createAgentTools } from './mcp-server.ts';
import type { McpSessionStore } from './mcp-session-store.ts';

export type { AgentDeps } from './agent-deps.ts';
export type { AgentTool, ToolAnswer } from './agent-tool.ts';
export { createDbProposalStore } from './db-proposal-store.ts';
export { MCP_PATH, mcpChallenge, resourceMetadataUrl } from './mcp-http.ts';
export { createAgentTools, createMcpServer } from './mcp-server.ts';
export { createMcpSessionStore, MCP_SESSION_DEFAULTS, type McpSessionStore } from './mcp-session-store.ts';
export { localUserId, relayMcpStdio, serveMcpStdio } from './mcp-stdio.ts';
export { createMemoryProposalStore, type ProposalStore } from './proposal-store.ts';
export { AVAILABILITY_MAX_DAYS } from './tools/check-availability.ts';
export { APPLY_NOT_AVAILABLE } from './tools/reschedule-conflicts.ts';
export { SYNC_MAX_WAIT_SECONDS } from './tools/sync-tools.ts';

/** The MCP endpoint's routes for the HTTP server: the public metadata and the authenticated /mcp. */
export function agentHttp(options: {
  deps: AgentDeps;
  publicUrl: string;
  logger: Logger;
  authorizationServers: readonly string[];
  sessions: McpSessionStore;
}) {
  const tools = createAgentTools(options.deps);
  return {
    publicRoutes: [mcpMetadataRoutes(options)],
    challengedRoutes: {
      routes: [mcpRoutes({ ...options, tools })],
      challenge: (error: AppError) => mcpChallenge(options.publicUrl, error),
    },
  };
}

/** The tools as function-calling JSON schemas, for an LLM API without MCP. */
export function toolJsonSchemas(tools: readonly AgentTool[]) {
  return tools.map((tool) => ({
    name: tool.name,
    description: tool.description,
    parameters: z.toJSONSchema(tool.input, { io: 'input' }),
  }));
}
