#!/usr/bin/env node
// After a build: writes `.br` (brotli, quality 11) and `.gz` (gzip -9) beside every .js, .css, .html,
// .svg and .json file, for the BFF to send to clients that accept them (bff/src/http/h5-static.ts).
// A sibling is kept only when it is smaller than the file. Usage: node precompress.mjs [dir …]
// (default: the H5 build, miniapp/dist/h5).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const EXTENSIONS = new Set(['.js', '.css', '.html', '.svg', '.json']);
const here = path.dirname(fileURLToPath(import.meta.url));
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : [path.resolve(here, '../dist/h5')];

function* filesIn(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* filesIn(full);
    else if (entry.isFile() && EXTENSIONS.has(path.extname(entry.name))) yield full;
  }
}

let files = 0;
let before = 0;
let brotli = 0;
let gzip = 0;
for (const dir of dirs) {
  if (!fs.existsSync(dir)) {
    console.error(`[precompress] ${dir} does not exist`);
    process.exit(1);
  }
  for (const file of filesIn(dir)) {
    const data = fs.readFileSync(file);
    const br = zlib.brotliCompressSync(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    });
    const gz = zlib.gzipSync(data, { level: zlib.constants.Z_BEST_COMPRESSION });
    // A stale sibling from an earlier build must not outlive a file that no longer compresses.
    for (const [suffix, packed] of [
      ['.br', br],
      ['.gz', gz],
    ]) {
      if (packed.length < data.length) fs.writeFileSync(file + suffix, packed);
      else fs.rmSync(file + suffix, { force: true });
    }
    files += 1;
    before += data.length;
    brotli += Math.min(br.length, data.length);
    gzip += Math.min(gz.length, data.length);
  }
}
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
console.log(`[precompress] ${files} files, ${kib(before)} → br ${kib(brotli)}, gzip ${kib(gzip)}`);
