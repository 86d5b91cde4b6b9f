// The BFF app alone in a child process (no background jobs, generous limits), for benches whose load
// generator must not share its event loop. The parent forks the bench script with `--serve` and a
// BENCH_JWT_SECRET, waits for `{ port }` over IPC, and disconnects to stop it.
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const require = createRequire(import.meta.url);

export async function serveBenchApp(databaseUrl, name) {
  const { openDatabase } = require('../dist/db/client.js');
  const { createApp } = require('../dist/app.js');
  const { createLogger } = require('../dist/logger.js');
  const { WechatHttpAuth } = require('../dist/ports/wechat/wechat-auth.js');
  const { LocalPhotoStorage } = require('../dist/ports/storage/photo-storage.js');
  const database = await openDatabase({ kind: 'postgres', url: databaseUrl });
  const photoDir = fs.mkdtempSync(path.join(os.tmpdir(), `cityloop-bench-${name}-`));
  const app = createApp({
    database,
    wechat: new WechatHttpAuth({ apiBase: 'http://127.0.0.1:9', appId: 'wx0000000000000000', secret: 'bench', timeoutMs: 1000 }),
    logger: createLogger('error'),
    jwt: { secret: process.env.BENCH_JWT_SECRET, ttlSeconds: 3600 },
    corsOrigins: [],
    corsAllowLocalhost: false,
    rateLimit: { writesPerMinute: 10_000, wechatLoginsPerMinute: 10_000, staffLoginsPerMinute: 10_000, publicReadsPerMinute: 1_000_000 },
    photoQueue: { concurrency: 1, maxWaiting: 0 },
    photoStorage: new LocalPhotoStorage(photoDir),
    photoUrlSecret: `${process.env.BENCH_JWT_SECRET}:photo-links`,
    caseWebhookSecret: 'bench-case-webhook-secret',
  });
  const server = http.createServer(app.callback());
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
  process.on('disconnect', () => {
    server.closeAllConnections();
    server.close(async () => {
      await database.close();
      fs.rmSync(photoDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}
