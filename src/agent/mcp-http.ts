import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { type AppError, forbidden } from '../errors.ts';
import { currentUser } from '../http/server.ts';
import type { AgentTool } from './agent-tool.ts';
import { createMcpServer } from './mcp-server.ts';

export const MCP_PATH = '/mcp';
const METADATA_ROOT = '/.well-known/oauth-protected-resource';

export interface McpHttpOptions {
  tools: readonly AgentTool[];
  /** Where clients reach this service; the MCP resource is `${publicUrl}/mcp`. */
  publicUrl: string;
  logger: Logger;
  /** Issuers of the tokens /mcp accepts (Supabase Auth deployed); none for the local sign-in. */
  authorizationServers: readonly string[];
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

/**
 * Streamable HTTP at /mcp, stateless: each POST is answered by a fresh MCP server for the
 * caller (authenticated by the scope this is mounted in), with a JSON response. There is no
 * server-initiated stream, so GET and DELETE answer 405. A browser page from another origin
 * is refused (DNS rebinding); clients that send no Origin (desktop apps, SDKs) are not.
 */
export function mcpRoutes(options: McpHttpOptions): FastifyPluginAsyncZod {
  const ownOrigin = new URL(options.publicUrl).origin;
  return async (app) => {
    app.route({
      method: ['GET', 'DELETE'],
      url: MCP_PATH,
      schema: { hide: true },
      handler: async (_request, reply) =>
        reply
          .status(405)
          .header('allow', 'POST')
          .send({
            error: { code: 'method_not_allowed', message: 'This MCP endpoint is stateless: POST only.' },
          }),
    });
    app.post(MCP_PATH, { schema: { hide: true } }, async (request, reply) => {
      const origin = request.headers.origin;
      if (origin !== undefined && origin !== ownOrigin)
        throw forbidden(`Requests from ${origin} may not use this MCP endpoint.`, 'origin_not_allowed');
      const user = currentUser(request);
      const server = createMcpServer({
        tools: options.tools,
        userId: user.id,
        publicUrl: options.publicUrl,
        logger: request.log as Logger,
      });
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
