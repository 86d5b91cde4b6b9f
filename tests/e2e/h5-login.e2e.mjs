// End-to-end in Chromium against the H5 build served by the BFF (dev WeChat, embedded PostgreSQL and the
// case-system simulator): silent login and the 我的 tab, the 摊点 tab and its check, and a 随手拍 report
// with a real photo driven through the case system's seven steps. Needs `npm run build:bff build:h5`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const artifacts = path.join(root, 'tests/e2e/artifacts');
fs.mkdirSync(artifacts, { recursive: true });

const freePort = () =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

async function waitForHealth(baseUrl, bff, deadlineMs = 60_000) {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    if (bff.exitCode !== null) throw new Error(`BFF exited with ${bff.exitCode}`);
    try {
      if ((await fetch(`${baseUrl}/api/v1/health`)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('BFF did not become healthy');
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push([name, true]);
    console.log(`  ✓ ${name}`);
  } catch (err) {
    results.push([name, false]);
    console.log(`  ✗ ${name}\n    ${err instanceof Error ? err.message : err}`);
  }
}

const port = await freePort();
const simulatorPort = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-e2e-'));
const bffLog = fs.createWriteStream(path.join(artifacts, 'bff.log'));
const bff = spawn(process.execPath, [path.join(root, 'bff/dist/main.js')], {
  cwd: root,
  env: { ...process.env, PORT: String(port), CASE_SIM_PORT: String(simulatorPort), CASE_DELIVERY_INTERVAL_MS: '300', HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'development', DATABASE_URL: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
bff.stdout.pipe(bffLog);
bff.stderr.pipe(bffLog);

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-chromium-'));
let browser;
try {
  await waitForHealth(baseUrl, bff);
  // A fresh profile per run; Playwright takes it as userDataDir rather than a --user-data-dir flag.
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 844 },
    locale: 'zh-CN',
  });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  let loggedInUser;
  await check('the app launches and logs in silently', async () => {
    const loginResponse = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/wechat') && r.request().method() === 'POST', { timeout: 30_000 });
    await page.goto(baseUrl + '/', { waitUntil: 'load' });
    const res = await loginResponse;
    if (res.status() !== 200) throw new Error(`login answered ${res.status()}`);
    loggedInUser = (await res.json()).user;
    if (!loggedInUser?.id) throw new Error('no user in the login response');
  });

  await check('the 我的 tab shows the logged-in user', async () => {
    await page.getByText('我的', { exact: true }).last().click();
    const idElement = page.locator('#me-user-id');
    await idElement.waitFor({ state: 'visible', timeout: 15_000 });
    const shown = (await idElement.innerText()).trim();
    if (!shown.includes(loggedInUser.id.slice(0, 8))) throw new Error(`shows "${shown}", expected ${loggedInUser.id.slice(0, 8)}`);
    await page.getByText('已登录').first().waitFor({ state: 'visible', timeout: 5_000 });
    await page.screenshot({ path: path.join(artifacts, 'me.png') });
  });

  await check('摊点: seeded points in distance order from a chosen city, then open-now', async () => {
    await page.goto(`${baseUrl}/#/pages/stalls/index`, { waitUntil: 'load' });
    // Headless Chromium has no geolocation, so the page offers preset cities.
    await page.locator('.stalls__city >> visible=true', { hasText: '昆明呈贡' }).first().click();
    await page.locator('.stall-card >> visible=true').first().waitFor({ timeout: 15_000 });
    const distances = await page.locator('.stall-card >> visible=true').evaluateAll((cards) => cards.map((c) => c.textContent ?? ''));
    if (distances.length < 5) throw new Error(`only ${distances.length} cards`);
    const metres = distances.map((text) => {
      const m = /([\d.]+)\s*(米|公里)/.exec(text);
      return m ? Number(m[1]) * (m[2] === '公里' ? 1000 : 1) : NaN;
    });
    if (metres.some(Number.isNaN)) throw new Error(`a card without a distance: ${distances.join(' | ')}`);
    for (let i = 1; i < metres.length; i += 1) if (metres[i] < metres[i - 1]) throw new Error(`not ordered by distance: ${metres.join(', ')}`);
    const before = metres.length;
    const listed = page.waitForResponse((r) => r.url().includes('/api/v1/stall-spots?') && r.url().includes('openNow=true'));
    await page.locator('#chip-open-now >> visible=true').click();
    const body = await (await listed).json();
    if (!body.items.every((s) => s.openStatus.state === 'open')) throw new Error('open-now list holds a closed spot');
    await page.screenshot({ path: path.join(artifacts, 'stalls.png') });
    if (body.items.length > before) throw new Error('open-now shows more spots than the whole list');
  });

  await check('这里能摆摊吗? answers at the chosen position', async () => {
    const checked = page.waitForResponse((r) => r.url().includes('/api/v1/stall-spots/check'));
    await page.locator('#stall-check >> visible=true').click();
    const answer = await (await checked).json();
    const card = page.locator('#stall-check-result >> visible=true');
    await card.waitFor({ timeout: 10_000 });
    const text = await card.innerText();
    if (!text.includes(answer.message.slice(0, 6))) throw new Error(`result card "${text}" does not show "${answer.message}"`);
  });

  await check('随手拍: report with a real photo, see it reach the case system, follow it to 已结案', async () => {
    await page.goto(`${baseUrl}/#/pages/report/index`, { waitUntil: 'load' });
    await page.setInputFiles('#report-file-input', path.resolve(root, '../shared/data/photos/gps_DSCN0010.jpg'));
    await page.locator('.report-photo--done >> visible=true').first().waitFor({ timeout: 20_000 });
    await page.locator('#report-category >> visible=true').click();
    await page.locator('#report-category-option-exposed_garbage >> visible=true').click();
    const city = page.locator('.report__city >> visible=true').first();
    if (await city.count()) await city.click();
    await page.locator('#report-description textarea >> visible=true').fill('小区门口堆了很多垃圾，好几天没人清理');
    await page.locator('#report-address input >> visible=true').fill('呈贡区测试路 8 号门口');
    const created = page.waitForResponse((r) => r.url().includes('/api/v1/reports') && r.request().method() === 'POST', { timeout: 15_000 });
    await page.locator('#report-submit:not([disabled]) >> visible=true').click();
    const response = await created;
    if (response.status() !== 201) throw new Error(`submit answered ${response.status()}: ${await response.text()}`);
    const reportId = (await response.json()).report.id;

    const operator = { 'x-operator-key': 'dev-case-system-key', 'content-type': 'application/json' };
    let caseId;
    for (let i = 0; i < 100 && !caseId; i += 1) {
      const cases = await (await fetch(`${simulatorUrl}/operator/requests`, { headers: operator })).json();
      caseId = cases.find((c) => c.extended_attributes?.client_request_id === reportId)?.service_request_id;
      if (!caseId) await new Promise((r) => setTimeout(r, 200));
    }
    if (!caseId) throw new Error('the report never reached the case system');
    for (const [action, body] of [['register', {}], ['dispatch', { department: '市容环境卫生管理处' }], ['handle', { note: '已清运完毕' }], ['close', { note: '经核查已解决' }]]) {
      const res = await fetch(`${simulatorUrl}/operator/requests/${caseId}/${action}`, { method: 'POST', headers: operator, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${action} answered ${res.status}`);
    }
    await page.locator('#report-detail-status >> visible=true').waitFor({ timeout: 15_000 });
    for (let i = 0; i < 50; i += 1) {
      if ((await page.locator('#report-detail-status >> visible=true').innerText()).includes('已结案')) break;
      await page.locator('#report-detail-refresh >> visible=true').click();
      await page.waitForTimeout(200);
    }
    const status = await page.locator('#report-detail-status >> visible=true').innerText();
    if (!status.includes('已结案')) throw new Error(`detail shows "${status}"`);
    const steps = await page.locator('.timeline-entry__status >> visible=true').allInnerTexts();
    for (const step of ['已提交', '已立案', '已派遣', '已处置', '已结案']) if (!steps.some((s) => s.includes(step))) throw new Error(`timeline lacks ${step}: ${steps.join(', ')}`);
    await page.screenshot({ path: path.join(artifacts, 'report.png') });
  });

  await check('no uncaught errors in the page', async () => {
    if (pageErrors.length) throw new Error(pageErrors.join('\n'));
  });
} catch (err) {
  results.push(['setup', false]);
  console.error(err);
} finally {
  await browser?.close().catch(() => undefined);
  bff.kill('SIGTERM');
  fs.rmSync(userDataDir, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}

const passed = results.filter(([, ok]) => ok).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
