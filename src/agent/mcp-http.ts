import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { type AppError, badRequest, forbidden, notFound } from '../errors.ts';
import { currentUser } from '../http/server.ts';
import type { AgentTool } from './agent-tool.ts';
import { createMcpServer } from './mcp-server.ts';
import type { McpSessionStore } from './mcp-session-store.ts';

export const MCP_PATH = '/mcp';
const METADATA_ROOT = '/.well-known/oauth-protected-resource';

export interface McpHttpOptions {
  tools: readonly AgentTool[];
  /** Where clients reach this service; the MCP resource is `${publicUrl}/mcp`. */
  publicUrl: string;
  logger: Logger;
  /** Issuers of the tokens /mcp accepts (Supabase Auth deployed); none for the local sign-in. */
  authorizationServers: readonly string[];
  /** Where the Mcp-Session-Id sessions live (the database: shared by every serve process). */
  sessions: McpSessionStore;
}

/** The RFC 9728 metadata URL for the MCP resource (path-inserted, as clients look for it). */
export function resourceMetadataUrl(publicUrl: string): string {
  return `${publicUrl}${METADATA_ROOT}${MCP_PATH}`;
}

/** The `WWW-Authenticate` challenge of a refused MCP request (MCP Authorization, RFC 9728 §5.1). */
export function mcpChallenge(publicUrl: string, error: AppError): string {
  const invalid = error.code !== 'missing_token' ? ', error="invalid_token"' : '';
  return `Bearer resource_metadata="${resourceMetadataUrl(publicUrl)}"${invalid}`;
}

/** The protected resource metadata, public, at both the path-inserted and the root well-known URL. */
export function mcpMetadataRoutes(options: Pick<McpHttpOptions, 'publicUrl' | 'authorizationServers'>) {
  const document = {
    resource: `${options.publicUrl}${MCP_PATH}`,
    ...(options.authorizationServers.length > 0
      ? { authorization_servers: [...options.authorizationServers] }
      : {}),
    bearer_methods_supported: ['header'],
    resource_name: 'CanvasCal',
    resource_documentation: `${options.publicUrl}/docs`,
  };
  const plugin: FastifyPluginAsyncZod = async (app) => {
    for (const url of [METADATA_ROOT, `${METADATA_ROOT}${MCP_PATH}`])
      app.get(url, { schema: { hide: true } }, async (_request, reply) =>
        reply.header('cache-control', 'public, max-age=3600').send(document),
      );
  };
  return plugin;
}

const SESSION_HEADER = 'mcp-session-id';

/** Whether a POST body (one JSON-RPC message, or a batch from a 2025-03-26 client) starts a session. */
function initializeVersion(body: unknown): string | undefined {
  for (const message of Array.isArray(body) ? body : [body]) {
    if (typeof message !== 'object' || message === null) continue;
    const { method, params } = message as { method?: unknown; params?: { protocolVersion?: unknown } };
    if (method === 'initialize')
      return typeof params?.protocolVersion === 'string' ? params.protocolVersion.slice(0, 40) : 'unknown';
  }
  return undefined;
}

/**
 * Streamable HTTP at /mcp with sessions (MCP transport, 2025-06-18): `initialize` gets a new
 * `Mcp-Session-Id`, every later POST must carry one of the caller's live sessions (400 without,
 * 404 for an unknown, expired, ended or another user's session, so the client initializes
 * again), DELETE ends it. Sessions live in the database, so any serve process answers any of
 * them; each POST is answered by a fresh MCP server for the caller, with a JSON response.
 * There are no server-initiated messages, so GET (the SSE stream) answers 405, as the spec
 * allows. The SDK's transport answers an unsupported `MCP-Protocol-Version` with 400. A
 * browser page from another origin is refused on every method (DNS rebinding); clients that
 * send no Origin (desktop apps, SDKs) are not.
 */
export function mcpRoutes(options: McpHttpOptions): FastifyPluginAsyncZod {
  const ownOrigin = new URL(options.publicUrl).origin;
  const checkOrigin = (request: FastifyRequest) => {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== ownOrigin)
      throw forbidden(`Requests from ${origin} may not use this MCP endpoint.`, 'origin_not_allowed');
  };
  const sessionOf = (request: FastifyRequest) => {
    const id = request.headers[SESSION_HEADER];
    if (typeof id !== 'string' || id.length === 0)
      throw badRequest(
        'Mcp-Session-Id header required: send initialize first and then the session id it returned.',
        'mcp_session_required',
      );
    return id;
  };
  const gone = () =>
    notFound(
      'This MCP session is unknown or has ended: initialize a new session (without Mcp-Session-Id).',
      'mcp_session_not_found',
    );
  return async (app) => {
    app.get(MCP_PATH, { schema: { hide: true } }, async (request, reply) => {
      checkOrigin(request);
      return reply
        .status(405)
        .header('allow', 'POST, DELETE')
        .send({
          error: {
            code: 'method_not_allowed',
            message: 'This MCP endpoint sends no server-initiated messages: there is no SSE stream to GET.',
          },
        });
    });
    app.delete(MCP_PATH, { schema: { hide: true } }, async (request, reply) => {
      checkOrigin(request);
      if (!(await options.sessions.end(currentUser(request).id, sessionOf(request)))) throw gone();
      return reply.status(204).send();
    });
    app.post(MCP_PATH, { schema: { hide: true } }, async (request, reply) => {
      checkOrigin(request);
      const user = currentUser(request);
      const version = initializeVersion(request.body);
      if (version !== undefined) reply.header(SESSION_HEADER, await options.sessions.open(user.id, version));
      else if (!(await options.sessions.touch(user.id, sessionOf(request)))) throw gone();
      const server = createMcpServer({
        tools: options.tools,
        userId: user.id,
        publicUrl: options.publicUrl,
        logger: request.log as Logger,
      });
      // The session is checked above, against the database; the SDK's transport answers this
      // one request as a stateless one would (its own session state would live in one process).
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      // The transport writes the raw response; keep the headers hooks set (rate limit, helmet).
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined) reply.raw.setHeader(name, value);
      reply.hijack();
      reply.raw.on('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(request.raw, reply.raw, request.body);
    });
  };
}
