#!/usr/bin/env node
// `npm start`: build whatever is missing or older than its sources, then run the BFF, which also
// serves the H5 build at http://localhost:3000 and the staff console at /console/. Plain Node so it works right after `npm install`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const at = (...p) => path.join(root, ...p);

function newestMtime(dir) {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  if (!fs.statSync(dir).isDirectory()) return fs.statSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function isStale(output, sources) {
  if (!fs.existsSync(output)) return true;
  const built = fs.statSync(output).mtimeMs;
  return sources.some((dir) => newestMtime(dir) > built);
}

function run(label, args, env = {}) {
  console.log(`[start] ${label}…`);
  const result = spawnSync('npm', args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) {
    console.error(`[start] ${label} failed (exit ${result.status}).`);
    process.exit(result.status ?? 1);
  }
}

if (isStale(at('bff/dist/main.js'), [at('shared/src'), at('bff/src')])) run('building the BFF', ['run', 'build:bff']);
if (isStale(at('miniapp/dist/h5/index.html'), [at('shared/src'), at('miniapp/src'), at('miniapp/config')])) {
  run('building the H5 mini-program (first run takes a minute)', ['run', 'build:h5'], { NODE_ENV: 'production' });
}

if (isStale(at('bff/console/dist/index.html'), [at('shared/src'), at('bff/console/src'), at('bff/console/index.html'), at('bff/console/vite.config.mts')])) {
  run('building the staff console (/console/)', ['run', 'build:console']);
}

// `npm start` is the development command, so it chooses development when nothing else was chosen;
// the BFF itself refuses to guess (an unset NODE_ENV elsewhere is a refusal that names the key).
// glibc gives each thread that allocates (libvips' workers decoding photos) its own malloc arena and
// rarely hands freed pages back; two arenas measured 480 MB peak RSS for 40 parallel 12 MP uploads,
// against 719 MB and never released with the default (bff/bench/uploads.mjs). Set it in production too.
const env = { MALLOC_ARENA_MAX: '2', ...process.env, NODE_ENV: process.env.NODE_ENV || 'development' };
if (!process.env.NODE_ENV) console.log('[start] NODE_ENV unset: starting in development (dev WeChat, case-system simulator, dev secrets)');
const bff = spawn(process.execPath, [at('bff/dist/main.js')], { cwd: root, stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => bff.kill(signal));
bff.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
