// 随手拍 figures: the photo pipeline against bare sharp on a 12-megapixel JPEG, peak RSS of the BFF
// during 4 concurrent uploads, report submissions per second with the simulator attached, and how
// long 1,000 reports queued during a case-system outage take to deliver once it is back.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { freePort, startBuiltBff } from './spawn-bff.mjs';

const require = createRequire(import.meta.url);
const sharp = require('sharp');
const { processPhoto } = require('../dist/features/photos/photo-pipeline.js');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const photosDir = path.resolve(root, 'tests/fixtures/photos');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. Pipeline vs bare sharp, same file, same process, alternating to share any warm-up.
const source = fs.existsSync(path.join(photosDir, 'hdr_iphone_hdr_YES.jpg')) ? fs.readFileSync(path.join(photosDir, 'hdr_iphone_hdr_YES.jpg')) : null;
const twelveMp = source
  ? await sharp(source).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer()
  : await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#888', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .jpeg({ quality: 90 })
      .toBuffer();
const ROUNDS = Number(process.env.BENCH_PHOTO_ROUNDS ?? 8);
const pipeline = [];
const bare = [];
for (let i = 0; i < ROUNDS; i += 1) {
  let t0 = performance.now();
  await processPhoto(twelveMp);
  pipeline.push(performance.now() - t0);
  t0 = performance.now();
  await sharp(twelveMp).rotate().resize(1600, 1600, { fit: 'inside' }).webp({ quality: 80 }).toBuffer();
  bare.push(performance.now() - t0);
}
console.log(`\n随手拍 bench — 12 MP JPEG (${(twelveMp.length / 1024 / 1024).toFixed(1)} MB), median of ${ROUNDS}`);
console.log(`photo pipeline   ${median(pipeline).toFixed(0)} ms per photo (display 1600 + thumb 320 + dHash + EXIF read)`);
console.log(`bare sharp       ${median(bare).toFixed(0)} ms per photo (decode + resize 1600 + WebP)   → pipeline is ${(median(pipeline) / median(bare)).toFixed(2)}× bare sharp`);

// 2. The BFF with its simulator, for RSS, submissions and the outage drain.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-bench-reports-'));
const bff = await startBuiltBff({ DATA_DIR: dataDir, RATE_LIMIT_WRITES_PER_MINUTE: '10000', CASE_DELIVERY_INTERVAL_MS: '200', DATABASE_URL: process.env.DATABASE_URL ?? '' });
const { base } = bff;
const { token } = await (await fetch(`${base}/api/v1/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'dev:bench-reporter' }) })).json();
const auth = { authorization: `Bearer ${token}` };
const rssKb = () => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${bff.pid}/status`, 'utf8'))[1]);

const idleRss = Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${bff.pid}/status`, 'utf8'))[1]);
const upload = async () => {
  const form = new FormData();
  form.append('file', new Blob([twelveMp], { type: 'image/jpeg' }), 'big.jpg');
  const res = await fetch(`${base}/api/v1/photos`, { method: 'POST', headers: auth, body: form });
  if (res.status !== 201) throw new Error(`upload ${res.status}`);
};
const t0 = performance.now();
for (let round = 0; round < 3; round += 1) await Promise.all([upload(), upload(), upload(), upload()]);
console.log(
  `4 concurrent uploads × 3 rounds: ${((performance.now() - t0) / 12).toFixed(0)} ms per photo end to end; BFF RSS ${(idleRss / 1024).toFixed(0)} MB idle, peak ${(rssKb() / 1024).toFixed(0)} MB`,
);

const reportBody = () =>
  JSON.stringify({
    category: 'night_construction_noise',
    description: '工地夜里十二点还在施工，噪音很大',
    location: { lat: 24.85 + Math.random() / 100, lng: 102.85 + Math.random() / 100, coordSystem: 'gcj02' },
    address: '呈贡区测试路',
    photoIds: [],
  });
const submitted = await new Promise((resolve, reject) =>
  autocannon(
    {
      url: `${base}/api/v1/reports`,
      connections: 8,
      duration: Number(process.env.BENCH_SECONDS ?? 8),
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      requests: [{ setupRequest: (req) => ({ ...req, headers: { ...req.headers, 'idempotency-key': randomUUID() }, body: reportBody() }) }],
    },
    (err, r) => (err ? reject(err) : resolve(r)),
  ),
);
console.log(
  `POST /api/v1/reports   ${Math.round(submitted.requests.average)} req/s   p50 ${submitted.latency.p50} ms   p99 ${submitted.latency.p99} ms   non-2xx ${submitted.non2xx}   (delivery to the simulator running alongside)`,
);
await bff.stop();
fs.rmSync(dataDir, { recursive: true, force: true });

// 3. Outage: the case system is down while 1,000 reports arrive; then it comes back.
const QUEUED = Number(process.env.BENCH_QUEUED ?? 1000);
const simPort2 = await freePort();
const dataDir2 = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-bench-outage-'));
const secret = 'bench-webhook-secret-0123456789';
const bff2 = await startBuiltBff({
  DATA_DIR: dataDir2,
  LOG_LEVEL: 'fatal',
  RATE_LIMIT_WRITES_PER_MINUTE: '10000',
  CASE_DELIVERY_INTERVAL_MS: '500',
  CASE_SYSTEM_URL: `http://127.0.0.1:${simPort2}`,
  CASE_WEBHOOK_SECRET: secret,
  DATABASE_URL: process.env.DATABASE_URL ?? '',
});
const base2 = bff2.base;
const login2 = await (await fetch(`${base2}/api/v1/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'dev:bench-outage' }) })).json();
const auth2 = { authorization: `Bearer ${login2.token}`, 'content-type': 'application/json' };
for (let i = 0; i < QUEUED; i += 8) {
  await Promise.all(
    Array.from({ length: Math.min(8, QUEUED - i) }, () =>
      fetch(`${base2}/api/v1/reports`, { method: 'POST', headers: { ...auth2, 'idempotency-key': randomUUID() }, body: reportBody() }).then(
        (r) => r.status === 201 || Promise.reject(new Error(`submit ${r.status}`)),
      ),
    ),
  );
}
const delivered = async () => {
  let count = 0;
  let cursor = null;
  do {
    const page = await (await fetch(`${base2}/api/v1/me/reports?limit=50${cursor ? `&cursor=${cursor}` : ''}`, { headers: auth2 })).json();
    count += page.items.filter((r) => r.status !== 'submitted').length;
    cursor = page.nextCursor;
  } while (cursor);
  return count;
};
const before = await delivered();
const sim = spawn(process.execPath, [path.join(root, 'bff/dist/dev/case-simulator/main.js')], {
  env: {
    ...process.env,
    NODE_ENV: 'development',
    CASE_SIM_PORT: String(simPort2),
    CASE_SIM_API_KEY: 'dev-case-system-key',
    CASE_SIM_WEBHOOK_URL: `${base2}/api/v1/hooks/case-system`,
    CASE_SIM_WEBHOOK_SECRET: secret,
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const back = performance.now();
let done = 0;
while ((done = await delivered()) < QUEUED && performance.now() - back < 600_000) await new Promise((r) => setTimeout(r, 250));
console.log(
  `outage: ${QUEUED} reports queued while the case system was down (${before} delivered meanwhile); all ${done} delivered ${((performance.now() - back) / 1000).toFixed(1)} s after it came back`,
);
sim.kill('SIGTERM');
await bff2.stop();
fs.rmSync(dataDir2, { recursive: true, force: true });
