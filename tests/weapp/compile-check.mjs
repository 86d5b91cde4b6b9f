// Every WXML and WXSS file of the weapp build goes through WeChat's own compilers (wcc and wcsc from
// miniprogram-compiler, the ones inside WeChat DevTools); any compiler error fails the run. Then:
// every WXML file must have come out as a template `$gwx` can run, every page and component renders
// Taro's empty root without a runtime warning, and every WXSS file's generated style runs and yields
// CSS without an invalid selector. First the compilers are shown a broken file of each kind, so a
// check that silently stopped checking fails too.
// Needs `NODE_ENV=production npm run build:weapp` (miniapp/dist/weapp); `WEAPP_DIST` points elsewhere.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { compileWxml, compileWxss } from './support/compilers.mjs';
import { createView } from './support/view.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dist = path.resolve(process.env.WEAPP_DIST ?? path.join(root, 'miniapp/dist/weapp'));

const results = [];
function check(name, fn) {
  try {
    const note = fn();
    results.push(true);
    console.log(`  ✓ ${name}${note ? ` — ${note}` : ''}`);
  } catch (err) {
    results.push(false);
    console.log(
      `  ✗ ${name}\n    ${String(err?.message ?? err)
        .split('\n')
        .join('\n    ')}`,
    );
  }
}

function mustThrow(what, run, pattern) {
  let message = null;
  try {
    run();
  } catch (err) {
    message = String(err?.message ?? err);
  }
  if (message === null) throw new Error(`the compiler accepted ${what}`);
  if (!pattern.test(message)) throw new Error(`the compiler refused ${what} with an unexpected message: ${message}`);
  return message.replace(/\s+/g, ' ').slice(0, 120);
}

if (!fs.existsSync(path.join(dist, 'app.json'))) {
  console.error(`no weapp build in ${dist}: run NODE_ENV=production npm run build:weapp first`);
  process.exit(1);
}

console.log(`WeChat compilers over ${path.relative(root, dist) || dist}`);

check('wcc and wcsc refuse broken files (the check can fail)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-wcc-selftest-'));
  try {
    fs.writeFileSync(path.join(tmp, 'broken.wxml'), '<view>\n  <text>{{ message }}</view>\n');
    fs.writeFileSync(path.join(tmp, 'broken.wxss'), '.card { color: red;\n  .title { width: 10rpx }\n');
    const wxml = mustThrow('an unclosed <text>', () => compileWxml(tmp), /broken\.wxml/);
    fs.rmSync(path.join(tmp, 'broken.wxml'));
    const wxss = mustThrow('a nested rule', () => compileWxss(tmp), /broken\.wxss/);
    return `${wxml} | ${wxss}`;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

let view = null;
check('wcc compiles every WXML file', () => {
  const started = performance.now();
  view = createView(dist);
  return `${view.wxmlList.length} files in ${Math.round(performance.now() - started)} ms`;
});

check('every page and component renders through $gwx', () => {
  if (!view) throw new Error('wcc failed above');
  const appJson = JSON.parse(fs.readFileSync(path.join(dist, 'app.json'), 'utf8'));
  const pages = [...appJson.pages, ...(appJson.subPackages ?? []).flatMap((p) => p.pages.map((page) => `${p.root.replace(/\/$/, '')}/${page}`))];
  const missing = pages.filter((p) => !fs.existsSync(path.join(dist, `${p}.wxml`)));
  if (missing.length) throw new Error(`app.json lists pages without WXML: ${missing.join(', ')}`);
  // Taro's first setData: an empty root, and a root with one view holding one text node. Taro names
  // node types by number in base.wxml; the text node's template is the one that prints `i.v`.
  const base = fs.readFileSync(path.join(dist, 'base.wxml'), 'utf8');
  const textType = /<template name="tmpl_0_(\w+)">\s*<block>\{\{i\.v\}\}<\/block>/.exec(base)?.[1];
  const viewType = /<template name="tmpl_0_(\w+)">\s*<view /.exec(base)?.[1];
  if (!textType || !viewType) throw new Error('base.wxml has no text or view template');
  const sample = { root: { cn: [{ nn: viewType, sid: '_n_1', cl: 'page', cn: [{ nn: textType, sid: '_n_2', v: '样例' }] }], uid: 'root' } };
  for (const page of pages) {
    view.render(page, { root: { cn: [] } }, null);
    view.render(page, sample, null);
  }
  return `${pages.length} pages`;
});

check('wcsc compiles every WXSS file and each generated style runs', () => {
  const { source, wxssList } = compileWxss(dist);
  const invalid = [];
  const advice = [];
  const sheets = new Map();
  // The generated style reports selectors WeChat does not allow in component WXSS (tag, id,
  // attribute): console.error for a component, a "For developer:" console.warn for a page.
  const ctx = vm.createContext({
    console: { log: () => undefined, info: () => undefined, warn: (...a) => advice.push(a.join(' ')), error: (...a) => invalid.push(a.join(' ')) },
  });
  vm.runInContext(
    `var window = globalThis;
     var navigator = { userAgent: 'Mozilla/5.0 (iPhone) MicroMessenger/8.0.50' };
     window.screen = { width: 375, height: 812 };
     window.devicePixelRatio = 3;
     var __wxAppCode__ = {};`,
    ctx,
  );
  // The view keeps each generated sheet here; this stands in for its style-sheet manager.
  ctx.__styleSheetManager2__ = { addItem: () => undefined, setCss: (key, css) => sheets.set(key, css) };
  const lookup = vm.runInContext(`(function () {\n${source}\n})()`, ctx, { filename: 'wcsc-output.js' });
  let bytes = 0;
  let imported = 0;
  for (const file of wxssList) {
    const generate = lookup(`./${file}`) ?? lookup(file);
    if (typeof generate !== 'function') {
      // Not a page's or component's own sheet: wcsc inlines it where it is @import-ed, marked by path.
      if (!source.includes(file.replace(/^.*?\/(sub-common\/)/, '$1'))) throw new Error(`wcsc produced no style for ${file}, and nothing imports it`);
      imported += 1;
      continue;
    }
    sheets.clear();
    let isComponent = false;
    try {
      isComponent = JSON.parse(fs.readFileSync(path.join(dist, file.replace(/\.wxss$/, '.json')), 'utf8')).component === true;
    } catch {
      // app.wxss and pages without json
    }
    generate('', { allowIllegalSelector: !isComponent }, undefined);
    const css = [...sheets.values()].join('');
    bytes += css.length;
  }
  if (invalid.length) throw new Error(`invalid component WXSS: ${invalid.join('; ')}`);
  for (const line of advice) console.log(`    note (WeChat warns, pages only): ${line.replace(/^For developer:/, '')}`);
  return `${wxssList.length} files (${imported} only @import-ed), ${Math.round(bytes / 1024)} KB of CSS at 375 px`;
});

const passed = results.filter(Boolean).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
