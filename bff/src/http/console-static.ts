import fs from 'node:fs';
import path from 'node:path';
import type { Context, Next } from 'koa';
import type { MapConfigDto } from '@cityloop/shared';

export const CONSOLE_PREFIX = '/console';

export interface ConsoleOptions {
  /** The Vite build of bff/console (index.html and assets/). */
  dir: string;
  /** The map tiles (the same source as the H5 map's GET /map/config): Leaflet templates with {z}/{x}/{y}, {s}. */
  tiles: MapConfigDto;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
};

/**
 * The origin(s) a tile template loads from, for img-src: `https://t{s}.tianditu.gov.cn/…` becomes
 * `https://*.tianditu.gov.cn`. Null when the template is not an absolute http(s) URL.
 */
export function tileSourceOrigin(template: string | undefined): string | null {
  const m = template ? /^(https?):\/\/([^/?#]+)/i.exec(template) : null;
  if (!m) return null;
  const host = m[2]
    .split('.')
    .map((label) => (label.includes('{') ? '*' : label))
    .join('.');
  return `${m[1].toLowerCase()}://${host}`;
}

/**
 * The CSP for the console. Scripts only from our origin (the build has no inline script). Styles
 * allow 'unsafe-inline' because antd 5 writes its CSS-in-JS as <style> elements at run time; style
 * cannot run code, and scripts stay strict. Images: ours, data: (Leaflet's and antd's inline icons)
 * and the tile source. Connections only to our own API.
 */
export function consoleCsp(...tileUrls: (string | null | undefined)[]): string {
  const tiles = [...new Set(tileUrls.map((u) => tileSourceOrigin(u ?? undefined)).filter((o): o is string => o !== null))];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${tiles.map((t) => ` ${t}`).join('')}`,
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json']);

/**
 * The `.br` or `.gz` written beside a text asset at build time (miniapp/scripts/precompress.mjs), when
 * the client accepts it (br first, as koa-send does for the H5 build); else the file itself.
 */
function precompressedSibling(ctx: Context, file: string): string {
  if (!COMPRESSIBLE.has(path.extname(file))) return file;
  ctx.vary('Accept-Encoding');
  for (const [encoding, suffix] of [
    ['br', '.br'],
    ['gzip', '.gz'],
  ] as const) {
    if (ctx.acceptsEncodings(encoding, 'identity') === encoding && fs.existsSync(file + suffix)) {
      ctx.set('Content-Encoding', encoding);
      return file + suffix;
    }
  }
  return file;
}

/**
 * Serves the staff console at /console/ like h5Static serves the H5 app: hashed assets cached for a
 * year, index.html never, and any other /console/* path without a file extension answered with
 * index.html (the console uses history routing). `/console/config.json` tells it the tile source.
 */
export function consoleStatic(options: ConsoleOptions) {
  const root = path.resolve(options.dir);
  const indexFile = path.join(root, 'index.html');
  const { tiles } = options;
  const csp = consoleCsp(tiles.tileUrl, tiles.labelUrl);
  const config = JSON.stringify({ tileUrl: tiles.tileUrl, labelUrl: tiles.labelUrl, tileAttribution: tiles.tileAttribution, tileSubdomains: tiles.tileSubdomains, maxZoom: tiles.maxZoom });

  return async function consoleStaticMiddleware(ctx: Context, next: Next) {
    if (ctx.path !== CONSOLE_PREFIX && !ctx.path.startsWith(`${CONSOLE_PREFIX}/`)) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return next();
    ctx.set('Content-Security-Policy', csp);
    if (ctx.path === CONSOLE_PREFIX) {
      ctx.redirect(`${CONSOLE_PREFIX}/${ctx.querystring ? `?${ctx.querystring}` : ''}`);
      return;
    }
    const rest = ctx.path.slice(CONSOLE_PREFIX.length + 1);
    if (rest === 'config.json') {
      ctx.set('Cache-Control', 'no-cache');
      ctx.type = TYPES['.json'];
      ctx.body = config;
      return;
    }
    if (!fs.existsSync(indexFile)) {
      ctx.status = 503;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'The staff console is not built. Run `npm run build:console` (or `npm start`).\n';
      return;
    }
    let file = indexFile;
    if (rest !== '' && path.extname(rest) !== '') {
      let decoded: string;
      try {
        decoded = decodeURIComponent(rest);
      } catch {
        return next();
      }
      const candidate = path.resolve(root, decoded);
      // A path that leaves the build folder, or names no file, is not ours to answer.
      if (!candidate.startsWith(root + path.sep) || !fs.statSync(candidate, { throwIfNoEntry: false })?.isFile()) return next();
      file = candidate;
    }
    const isIndex = file === indexFile;
    ctx.set('Cache-Control', isIndex ? 'no-cache' : 'public, max-age=31536000, immutable');
    ctx.type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const sent = precompressedSibling(ctx, file);
    ctx.length = fs.statSync(sent).size;
    // Koa sends no body for HEAD but keeps the headers (as koa-send does).
    ctx.body = fs.createReadStream(sent);
  };
}
