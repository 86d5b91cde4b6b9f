import http from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';

/**
 * A local stand-in for a map tile server (development and tests have no internet): answers
 * `/tiles/{z}/{x}/{y}.png` with a 256×256 PNG showing a light grid and its z/x/y, so the console's
 * maps render and one can see where a tile is. Never in production (main.ts refuses).
 */
export interface TileFakeServer {
  url: string;
  /** The Leaflet URL template for CONSOLE_TILE_URL. */
  template: string;
  close(): Promise<void>;
}

const TILE = 256;

async function renderTile(z: number, x: number, y: number): Promise<Buffer> {
  const lines: string[] = [];
  for (let i = 0; i <= TILE; i += 32) {
    const w = i === 0 || i === TILE ? 2 : 1;
    lines.push(`<line x1="${i}" y1="0" x2="${i}" y2="${TILE}" stroke="#c9d3df" stroke-width="${w}"/>`, `<line x1="0" y1="${i}" x2="${TILE}" y2="${i}" stroke="#c9d3df" stroke-width="${w}"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${TILE}" height="${TILE}">
    <rect width="100%" height="100%" fill="#eef2f6"/>${lines.join('')}
    <text x="128" y="134" font-family="sans-serif" font-size="18" fill="#8a97a8" text-anchor="middle">${z}/${x}/${y}</text>
  </svg>`;
  return sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toBuffer();
}

export async function startTileFakeServer(options: { port?: number; host?: string } = {}): Promise<TileFakeServer> {
  const cache = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const m = /^\/tiles\/(\d{1,2})\/(\d{1,7})\/(\d{1,7})\.png$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const z = m ? Number(m[1]) : NaN;
    const x = m ? Number(m[2]) : NaN;
    const y = m ? Number(m[3]) : NaN;
    if (!m || req.method !== 'GET' || z > 22 || x >= 2 ** z || y >= 2 ** z) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not a tile');
      return;
    }
    const key = `${z}/${x}/${y}`;
    const send = (png: Buffer) => {
      res.writeHead(200, {
        'content-type': 'image/png',
        'content-length': png.length,
        'cache-control': 'public, max-age=86400',
        'access-control-allow-origin': '*',
        'cross-origin-resource-policy': 'cross-origin',
      });
      res.end(png);
    };
    const hit = cache.get(key);
    if (hit) return send(hit);
    renderTile(z, x, y)
      .then((png) => {
        if (cache.size < 5000) cache.set(key, png);
        send(png);
      })
      .catch(() => {
        res.writeHead(500);
        res.end();
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return { url, template: `${url}/tiles/{z}/{x}/{y}.png`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
