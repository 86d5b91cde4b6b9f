import fs from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import serve from 'koa-static';

/**
 * Serves the mini-program's H5 build at `/` so one process is the whole app for a newcomer.
 * Taro's H5 router uses hash routing, so only files and `/` need answering. Hashed bundles are
 * cached for a year; index.html never, so a new build shows up on reload.
 */
export function h5Static(h5Dir: string) {
  const indexFile = path.join(h5Dir, 'index.html');
  const files = serve(h5Dir, {
    index: 'index.html',
    gzip: false,
    setHeaders(res, filePath) {
      res.setHeader('Cache-Control', filePath.endsWith('.html') ? 'no-cache' : 'public, max-age=31536000, immutable');
    },
  });
  return async function h5StaticMiddleware(ctx: Context, next: Next) {
    if (ctx.path.startsWith('/api/') || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return next();
    if (!fs.existsSync(indexFile)) {
      if (ctx.path !== '/') return next();
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'CityLoop BFF is running, but the H5 build is missing. Run `npm run build:h5` (or `npm start`) to build it.\n';
      return;
    }
    return files(ctx, next);
  };
}
