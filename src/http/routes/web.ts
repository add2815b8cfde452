import { readFile } from 'node:fs/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { webAssets } from '../../../web/index.ts';

export interface WebRoutesOptions {
  /** Where the page signs students in; undefined: the embedded default's local sign-in. */
  supabase?: { readonly url: string; readonly anonKey: string } | undefined;
}

/** What `/web/config.json` tells the page: public values only (the anon key is public by design). */
export const WebConfigSchema = z.discriminatedUnion('signIn', [
  z.object({ signIn: z.literal('local') }),
  z.object({
    signIn: z.literal('supabase'),
    supabase: z.object({ url: z.url(), anonKey: z.string() }),
  }),
]);

/**
 * Serves the web page (`/`, `/web/*`, `/vendor/*`) from a fixed list made once at start-up:
 * a path not on the list is a 404, so no request can reach another file on disk. Also
 * `/web/config.json`, how the page signs in (JSON fetched by the page: the CSP allows no
 * inline script, so the service cannot write it into the HTML).
 */
export function webRoutes(options: WebRoutesOptions = {}): FastifyPluginAsyncZod {
  const assets = webAssets();
  const config: z.infer<typeof WebConfigSchema> = options.supabase
    ? { signIn: 'supabase', supabase: { url: options.supabase.url, anonKey: options.supabase.anonKey } }
    : { signIn: 'local' };
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
    app.get(
      '/web/config.json',
      { schema: { hide: true, response: { 200: WebConfigSchema } }, logLevel: 'warn' },
      async (_request, reply) => reply.header('cache-control', 'no-cache').send(config),
    );
  };
}
