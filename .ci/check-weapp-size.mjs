// Fails when the weapp main package (everything outside subpackage roots) exceeds the budget.
// WeChat's hard limit is 2 MB; we keep 0.5 MB of headroom.
import fs from 'node:fs';
import path from 'node:path';

const LIMIT = 1.5 * 1024 * 1024;
const dist = path.resolve('miniapp/dist/weapp');
const appJson = JSON.parse(fs.readFileSync(path.join(dist, 'app.json'), 'utf8'));
const subRoots = (appJson.subPackages ?? appJson.subpackages ?? []).map((p) => p.root.replace(/\/$/, ''));

function sizeOf(dir, rel = '') {
  let main = 0;
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const relPath = rel ? `${rel}/${entry.name}` : entry.name;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = sizeOf(full, relPath);
      total += inner.total;
      if (!subRoots.includes(relPath)) main += inner.main;
    } else {
      const size = fs.statSync(full).size;
      total += size;
      main += size;
    }
  }
  return { main, total };
}

const { main, total } = sizeOf(dist);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`weapp main package ${kb(main)} (budget ${kb(LIMIT)}), total ${kb(total)}, subpackages: ${subRoots.join(', ') || 'none'}`);
if (main > LIMIT) {
  console.error('weapp main package is over budget: move pages into subpackages');
  process.exit(1);
}
