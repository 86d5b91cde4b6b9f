import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startTestApp, type TestApp } from '../support/test-app';

const PRECOMPRESS = path.resolve(__dirname, '../../miniapp/scripts/precompress.mjs');

/** A raw GET (fetch would decode Content-Encoding itself and hide what was sent). */
function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

const decode = (body: Buffer, encoding: string | undefined) => (encoding === 'br' ? zlib.brotliDecompressSync(body) : encoding === 'gzip' ? zlib.gunzipSync(body) : body);

/** An H5 build laid out as Taro writes it, precompressed by the build's own script. */
function fakeBuild(): { dir: string; files: Record<string, Buffer> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-h5-'));
  const files: Record<string, Buffer> = {
    'index.html': Buffer.from(
      `<!doctype html><html><head><link rel="stylesheet" href="/css/app.0123456789abcdef0123.css"></head><body><div id="app"></div><script src="/js/app.1a2b3c4d.js"></script></body></html>`,
    ),
    'js/app.1a2b3c4d.js': Buffer.from(Array.from({ length: 400 }, (_, i) => `export function f${i}() { return '随手拍 ${i} '.repeat(3); }`).join('\n')),
    'css/app.0123456789abcdef0123.css': Buffer.from(Array.from({ length: 200 }, (_, i) => `.c${i} { color: #1677ff; margin: ${i}px; }`).join('\n')),
    'static/images/pin.1a2b3c4d.svg': Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24">${'<circle cx="12" cy="12" r="10" fill="#1677ff"/>'.repeat(20)}</svg>`),
    'manifest.json': Buffer.from(JSON.stringify({ name: 'CityLoop', icons: Array.from({ length: 30 }, (_, i) => ({ src: `/icon-${i}.png`, sizes: '192x192' })) })),
    'static/images/photo.1a2b3c4d.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]),
  };
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
  }
  execFileSync(process.execPath, [PRECOMPRESS, dir], { stdio: 'pipe' });
  return { dir, files };
}

describe('precompressed H5 assets', () => {
  let t: TestApp;
  let build: ReturnType<typeof fakeBuild>;
  beforeAll(async () => {
    build = fakeBuild();
    t = await startTestApp({ h5Dir: build.dir });
  });
  afterAll(async () => {
    await t.close();
    fs.rmSync(build.dir, { recursive: true, force: true });
  });

  it('writes .br and .gz beside each text asset, never beside images', () => {
    for (const name of ['index.html', 'js/app.1a2b3c4d.js', 'css/app.0123456789abcdef0123.css', 'static/images/pin.1a2b3c4d.svg', 'manifest.json']) {
      const original = build.files[name];
      expect(zlib.brotliDecompressSync(fs.readFileSync(path.join(build.dir, `${name}.br`)))).toEqual(original);
      expect(zlib.gunzipSync(fs.readFileSync(path.join(build.dir, `${name}.gz`)))).toEqual(original);
    }
    expect(fs.existsSync(path.join(build.dir, 'static/images/photo.1a2b3c4d.png.br'))).toBe(false);
  });

  it.each([
    ['br', 'br'],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['identity', undefined],
    ['', undefined],
  ])('Accept-Encoding %j → %s, the same bytes once decoded', async (accept, encoding) => {
    const res = await get(`${t.baseUrl}/js/app.1a2b3c4d.js`, accept ? { 'accept-encoding': accept } : {});
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe(encoding);
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // Beside CORS's Origin, never instead of it.
    expect(res.headers.vary).toBe('Origin, Accept-Encoding');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(decode(res.body, encoding)).toEqual(build.files['js/app.1a2b3c4d.js']);
    if (encoding) expect(res.body.length).toBeLessThan(build.files['js/app.1a2b3c4d.js'].length / 4);
  });

  it('serves index.html (at / too), CSS, SVG and JSON with their own types, revalidating what has no hash', async () => {
    for (const [url, name, type, cache] of [
      ['/', 'index.html', 'text/html; charset=utf-8', 'no-cache'],
      ['/index.html', 'index.html', 'text/html; charset=utf-8', 'no-cache'],
      ['/css/app.0123456789abcdef0123.css', 'css/app.0123456789abcdef0123.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['/static/images/pin.1a2b3c4d.svg', 'static/images/pin.1a2b3c4d.svg', 'image/svg+xml', 'public, max-age=31536000, immutable'],
      ['/manifest.json', 'manifest.json', 'application/json; charset=utf-8', 'no-cache'],
    ]) {
      const res = await get(t.baseUrl + url, { 'accept-encoding': 'gzip' });
      expect([url, res.status, res.headers['content-type'], res.headers['content-encoding'], res.headers['cache-control'], res.headers.vary]).toEqual([
        url,
        200,
        type,
        'gzip',
        cache,
        'Origin, Accept-Encoding',
      ]);
      expect(zlib.gunzipSync(res.body)).toEqual(build.files[name]);
    }
    const png = await get(`${t.baseUrl}/static/images/photo.1a2b3c4d.png`, { 'accept-encoding': 'br, gzip' });
    expect([png.status, png.headers['content-encoding'], png.headers['content-type']]).toEqual([200, undefined, 'image/png']);
    expect(png.body).toEqual(build.files['static/images/photo.1a2b3c4d.png']);
  });

  it('sends the file itself when a watch build rewrote it after its siblings were written', async () => {
    const name = 'js/app.1a2b3c4d.js';
    const rebuilt = Buffer.concat([build.files[name], Buffer.from('\n// rebuilt by the watcher\n')]);
    fs.writeFileSync(path.join(build.dir, name), rebuilt);
    const past = new Date(Date.now() - 60_000);
    for (const suffix of ['.br', '.gz']) fs.utimesSync(path.join(build.dir, name + suffix), past, past);
    try {
      const res = await get(`${t.baseUrl}/${name}`, { 'accept-encoding': 'br, gzip' });
      expect([res.status, res.headers['content-encoding']]).toEqual([200, undefined]);
      expect(res.body).toEqual(rebuilt);
    } finally {
      fs.writeFileSync(path.join(build.dir, name), build.files[name]);
      execFileSync(process.execPath, [PRECOMPRESS, build.dir], { stdio: 'pipe' });
    }
    expect((await get(`${t.baseUrl}/${name}`, { 'accept-encoding': 'br' })).headers['content-encoding']).toBe('br');
  });

  it('answers HEAD with the headers alone, and unknown files with 404', async () => {
    const head = await new Promise<http.IncomingMessage>((resolve, reject) =>
      http
        .request(`${t.baseUrl}/js/app.1a2b3c4d.js`, { method: 'HEAD', headers: { 'accept-encoding': 'br' } }, resolve)
        .on('error', reject)
        .end(),
    );
    expect([head.statusCode, head.headers['content-encoding']]).toEqual([200, 'br']);
    expect((await get(`${t.baseUrl}/js/missing.1a2b3c4d.js`)).status).toBe(404);
  });
});

describe('precompressed console assets', () => {
  it('sends the .br or .gz sibling when the console build has one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-console-'));
    const js = Buffer.from('console.log("城管工作台");\n'.repeat(200));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>console</title>');
    fs.writeFileSync(path.join(dir, 'assets/index-AbC123xY.js'), js);
    execFileSync(process.execPath, [PRECOMPRESS, dir], { stdio: 'pipe' });
    const t = await startTestApp({ consoleDir: dir });
    try {
      for (const [accept, encoding] of [
        ['br', 'br'],
        ['gzip', 'gzip'],
        ['identity', undefined],
      ] as const) {
        const res = await get(`${t.baseUrl}/console/assets/index-AbC123xY.js`, { 'accept-encoding': accept });
        expect([res.status, res.headers['content-encoding'], res.headers['content-type'], res.headers.vary]).toEqual([200, encoding, 'text/javascript; charset=utf-8', 'Origin, Accept-Encoding']);
        expect(decode(res.body, encoding)).toEqual(js);
      }
    } finally {
      await t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
