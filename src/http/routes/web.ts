import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { webAssets } from '../../../web/index.ts';

/**
 * Serves the web page (`/`, `/web/*`, `/vendor/*`) from a fixed list made once at start-up:
 * a path not on the list is a 404, so no request can reach another file on disk.
 */
export function webRoutes(): FastifyPluginAsyncZod {
  const assets = webAssets();
  return async (app) => {
    for (const [path, asset] of assets) {
      app.get(path, { schema: { hide: true }, logLevel: 'warn' }, async (_request, reply) => {
        const body = await readFile(asset.file);
        // The page itself is never cached, so a new version shows on reload; the rest may be briefly.
        return reply
          .type(asset.contentType)
          .header('cache-control', path === '/' ? 'no-cache' : 'public, max-age=300')
          .send(body);
      });
    }
  };
}
