// Upload memory (issue 11): 40 parallel uploads of a 12-megapixel photo of about 12.8 MB, through
// HTTP to the built BFF; prints the BFF's peak RSS (VmHWM), its RSS once the uploads are done, and
// how many uploads were stored (201) or told to come back later (503 PHOTO_QUEUE_FULL).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBuiltBff } from './spawn-bff.mjs';

const require = createRequire(import.meta.url);
const sharp = require('sharp');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PARALLEL = Number(process.env.BENCH_UPLOADS ?? 40);

// A real camera photo scaled to 4000 × 3000 with grain, so the JPEG is as large as a phone's (~12.8 MB).
const source = fs.readFileSync(path.join(root, 'tests/fixtures/photos/hdr_iphone_hdr_YES.jpg'));
const noise = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 0, sigma: 30 } } })
  .png()
  .toBuffer();
const photo = await sharp(source)
  .resize(4000, 3000, { fit: 'fill' })
  .composite([{ input: noise, blend: 'add' }])
  .jpeg({ quality: 93, chromaSubsampling: '4:4:4' })
  .toBuffer();

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-bench-uploads-'));
// As `npm start` runs it (bff/scripts/start.mjs): glibc malloc limited to 2 arenas.
const bff = await startBuiltBff({ MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2', DATA_DIR: dataDir, RATE_LIMIT_WRITES_PER_MINUTE: '10000' });
const { base } = bff;
const status = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${bff.pid}/status`, 'utf8'))[1]) / 1024;
const { token } = await (await fetch(`${base}/api/v1/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'dev:bench-uploads' }) })).json();
const idle = status('VmRSS');
// VmHWM counts from process start, and start-up (migrations in embedded PostgreSQL's WASM heap)
// peaks higher than the uploads do; reset it so the peak below is the uploads' own (Linux ≥ 4.0).
let hwmReset = true;
try {
  fs.writeFileSync(`/proc/${bff.pid}/clear_refs`, '5');
} catch {
  hwmReset = false;
}

const upload = async () => {
  const form = new FormData();
  form.append('file', new Blob([photo], { type: 'image/jpeg' }), 'big.jpg');
  const res = await fetch(`${base}/api/v1/photos`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form }).catch((err) => ({
    status: `error ${err.cause?.code ?? err.message}`,
    headers: new Headers(),
    arrayBuffer: async () => null,
  }));
  await res.arrayBuffer();
  return `${res.status}${res.headers.get('retry-after') ? ` (Retry-After ${res.headers.get('retry-after')} s)` : ''}`;
};
const t0 = performance.now();
const results = await Promise.all(Array.from({ length: PARALLEL }, upload));
const seconds = (performance.now() - t0) / 1000;
const counts = Object.entries(results.reduce((acc, r) => ({ ...acc, [r.replace(/ \(.*/, '')]: (acc[r.replace(/ \(.*/, '')] ?? 0) + 1 }), {}))
  .map(([k, v]) => `${v}× ${k}`)
  .join(', ');
const retry = results.find((r) => r.includes('Retry-After'));
const peak = status('VmHWM');
const after = status('VmRSS');
await new Promise((r) => setTimeout(r, 5000));
const settled = status('VmRSS');
console.log(
  `\n${PARALLEL} parallel uploads of a 12 MP JPEG (${(photo.length / 1024 / 1024).toFixed(1)} MB), ${os.cpus().length} cores, embedded PGlite, MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '2'}`,
);
console.log(`answers: ${counts}${retry ? `; e.g. ${retry}` : ''}; all answered in ${seconds.toFixed(1)} s`);
console.log(
  `BFF RSS: idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB${hwmReset ? '' : ' (since start: clear_refs refused)'}, right after ${after.toFixed(0)} MB, 5 s later ${settled.toFixed(0)} MB`,
);
await bff.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
