/**
 * The student's web page: sign in, connect Google and Canvas, sync, and see the week.
 * Plain ES modules and CSS in `public/`, served as they are (no build step) by
 * `src/http/routes/web.ts`; the page speaks only to the `/api/v1` API on its own origin,
 * with the bearer token in a header (never a cookie), so it needs no CSRF token.
 * The week view is FullCalendar's standalone bundle, and a deployed service's sign-in is
 * supabase-js's UMD bundle (loaded only when Supabase is configured), both from node_modules.
 * `webAssets()` is the whole list of what is served: nothing else under these paths is.
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WebAsset {
  /** Absolute path of the file on disk. */
  file: string;
  contentType: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

/** URL path → file, for `/`, every file in `public/` (under `/web/`) and the vendored calendar. */
export function webAssets(): Map<string, WebAsset> {
  const assets = new Map<string, WebAsset>();
  for (const name of readdirSync(PUBLIC_DIR)) {
    const contentType = TYPES[extname(name)];
    if (contentType) assets.set(`/web/${name}`, { file: join(PUBLIC_DIR, name), contentType });
  }
  const index = assets.get('/web/index.html');
  if (!index) throw new Error(`web/public/index.html is missing from ${PUBLIC_DIR}`);
  assets.set('/', index);
  const fullCalendarDir = dirname(createRequire(import.meta.url).resolve('fullcalendar/package.json'));
  assets.set('/vendor/fullcalendar.js', {
    file: join(fullCalendarDir, 'index.global.min.js'),
    contentType: TYPES['.js'] ?? 'text/javascript',
  });
  // The package exports no package.json; its main file is in dist/, beside dist/umd/.
  const supabaseDist = dirname(createRequire(import.meta.url).resolve('@supabase/supabase-js'));
  assets.set('/vendor/supabase.js', {
    file: join(supabaseDist, 'umd', 'supabase.js'),
    contentType: TYPES['.js'] ?? 'text/javascript',
  });
  return assets;
}
