import fs from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import serve from 'koa-static';

/**
 * Whether a file of the H5 build (path relative to its root) carries a content hash in its name, so it
 * can be cached for a year: Taro writes `js/[name].[hash:8].js`, `css/[name].[hash].css` and
 * `static/…/[name].[hash:8].[ext]`. index.html and anything else unhashed must be revalidated.
 */
export function isHashedH5Asset(relative: string): boolean {
  const file = relative
    .split(path.sep)
    .join('/')
    .replace(/\.(br|gz)$/, '');
  return /^(js|css|static)\//.test(file) && /\.[0-9a-f]{8,}\.[a-z0-9]+$/i.test(path.posix.basename(file));
}

function hasStaleSibling(root: string, urlPath: string): boolean {
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath.endsWith('/') ? `${urlPath}index.html` : urlPath);
  } catch {
    return false; // koa-send answers the malformed path itself
  }
  const file = path.resolve(root, `.${path.posix.sep}${relative}`);
  if (!file.startsWith(root + path.sep)) return false;
  const original = fs.statSync(file, { throwIfNoEntry: false });
  if (!original?.isFile()) return false;
  return ['.br', '.gz'].some((suffix) => {
    const sibling = fs.statSync(file + suffix, { throwIfNoEntry: false });
    return sibling !== undefined && sibling.mtimeMs < original.mtimeMs;
  });
}

/**
 * Serves the mini-program's H5 build at `/` so one process is the whole app for a newcomer.
 * Taro's H5 router uses hash routing, so only files and `/` need answering. The build step writes
 * `.br` and `.gz` beside every text asset (miniapp/scripts/precompress.mjs); koa-send picks the
 * best one the client accepts (br, then gzip, then the file itself), keeping the original's
 * Content-Type and setting Content-Encoding, and every answer says `Vary: Accept-Encoding`.
 */
export function h5Static(h5Dir: string) {
  const root = path.resolve(h5Dir);
  const indexFile = path.join(root, 'index.html');
  const options = {
    index: 'index.html',
    setHeaders(res: { setHeader(name: string, value: string): void }, filePath: string) {
      res.setHeader('Cache-Control', isHashedH5Asset(path.relative(root, filePath)) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  };
  const files = serve(root, { ...options, brotli: true, gzip: true });
  const plainFiles = serve(root, { ...options, brotli: false, gzip: false });
  return async function h5StaticMiddleware(ctx: Context, next: Next) {
    if (ctx.path.startsWith('/api/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    if (!fs.existsSync(indexFile)) {
      if (ctx.path !== '/') return next();
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'CityLoop BFF is running, but the H5 build is missing. Run `npm run build:h5` (or `npm start`) to build it.\n';
      return;
    }
    // Added to (not replacing) CORS's Vary: Origin; caches must key on the encoding too.
    ctx.vary('Accept-Encoding');
    // A watch build (dev:h5) rewrites files without precompressing them: a sibling older than its file
    // would serve the previous build, so then the file itself is sent.
    return (hasStaleSibling(root, ctx.path) ? plainFiles : files)(ctx, next);
  };
}
