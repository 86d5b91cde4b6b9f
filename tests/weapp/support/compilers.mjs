// WeChat's own template and style compilers (wcc, wcsc from the npm package miniprogram-compiler,
// extracted from WeChat DevTools) run over a built weapp folder.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const compilerDir = path.dirname(require.resolve('miniprogram-compiler/package.json'));
const { wxmlToJs, wxssToJs } = require('miniprogram-compiler');
// The bare wcsc call: wxssToJs hides its Error behind a TypeError of its own.
const wcsc = require('miniprogram-compiler/src/wcsc');

/** Our npm does not run install scripts, and the package ships its binaries without the run bit. */
export function ensureCompilersExecutable() {
  if (process.platform !== 'linux') return;
  for (const name of ['wcc', 'wcsc']) {
    const bin = path.join(compilerDir, 'bin/linux', name);
    fs.chmodSync(bin, 0o755);
  }
}

const MAX_BUFFER = 256 * 1024 * 1024;

/** Every file under `dir` ending in `ext`, relative, sorted. */
export function listFiles(dir, ext, rel = '') {
  const out = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(dir, ext, relPath));
    else if (entry.name.endsWith(ext)) out.push(relPath);
  }
  return out.sort();
}

/**
 * wcc over every WXML (and WXS) file: the source of `$gwx`, the render function the view layer runs.
 * Throws with the compiler's own message on any error.
 */
export function compileWxml(dist) {
  ensureCompilersExecutable();
  const wxmlList = listFiles(dist, '.wxml');
  const wxsList = listFiles(dist, '.wxs');
  return { source: wxmlToJs(dist, { wxmlList, wxsList, maxBuffer: MAX_BUFFER }), wxmlList };
}

/**
 * wcsc over every WXSS file: the source of a function from a file to its style generator.
 * Throws with the compiler's own message on any error.
 */
export function compileWxss(dist) {
  ensureCompilersExecutable();
  const wxssList = listFiles(dist, '.wxss');
  const checked = wcsc(
    dist,
    wxssList.map((f) => f.slice(0, -'.wxss'.length)),
    { maxBuffer: MAX_BUFFER },
  );
  if (checked instanceof Error) throw checked;
  return { source: wxssToJs(dist, { wxssList, maxBuffer: MAX_BUFFER }), wxssList };
}
