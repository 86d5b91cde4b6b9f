// End-to-end in Chromium against the staff console (城管工作台) served by the BFF at /console/, with dev
// WeChat, embedded PostgreSQL, the case-system simulator and the local tile stand-in. Residents act over
// HTTP; staff act in the console. Covers: log in; approve a held reward (a photo with a 2008 EXIF date);
// a finance member made in 人员与权限; a payout batch created by one member and confirmed by another;
// closing a 差评 follow-up; a stall CSV with one bad row refused (the row listed), then a good one; the
// figures chart; and screenshots at 1366×768 and at 200%. Fails on any console error or page error
// other than the HTTP refusals a check expects. Needs `npm run build:bff && npm run build:console`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { consolePages } from './console-pages.mjs';
import { pageWatcher } from './page-watch.mjs';
import { residentApi } from './resident-api.mjs';
import { artifacts, caseOperator, checklist, delay, openChromium, root, startBff } from './support.mjs';

// The BFF's own sharp and jsonwebtoken (the tests install nothing of their own).
const bffRequire = createRequire(path.join(root, 'bff/package.json'));
const sharp = bffRequire('sharp');
const jwt = bffRequire('jsonwebtoken');

const ADMIN = { username: 'dev-admin', password: 'e2e-console-password-123' };
const FINANCE = { username: 'e2e-finance', displayName: '财务小王', password: 'finance-password-456' };
/** The BFF's development JWT secret (bff/src/config/), public by design: only to mint an expired token. */
const DEV_JWT_SECRET = 'cityloop-dev-only-secret-never-use-in-production';

if (!fs.existsSync(path.join(root, 'bff/console/dist/index.html'))) throw new Error('The console is not built: run `npm run build:console` first.');

const { check, setupFailed, exit } = checklist({
  firstLineOnly: true,
  async onFail(n) {
    await failurePage?.screenshot({ path: path.join(artifacts, `console-failed-${n}.png`) }).catch(() => undefined);
    await failurePage?.keyboard.press('Escape').catch(() => undefined);
  },
});
let failurePage;

const bff = await startBff({
  logName: 'console-bff.log',
  env: {
    CONSOLE_TILE_URL: '',
    DEV_STAFF_PASSWORD: ADMIN.password,
    // This test signs in a dozen times and provokes a lockout; the per-address limit is not under test.
    RATE_LIMIT_STAFF_LOGINS_PER_MINUTE: '100',
  },
});
const { baseUrl, simulatorUrl } = bff;

// ---- the resident side and the case system, over HTTP --------------------------------------------

const { json, residentLogin, uploadPhoto, submitReport, waitForReport } = residentApi(baseUrl);
const { findCase, operate } = caseOperator(simulatorUrl);

// ---- the browser ---------------------------------------------------------------------------------

let browser;
let closeBrowser;
const { watch, expectRefusal, problems } = pageWatcher();

const { shot, submitLogin, login, logout, openPage } = consolePages(baseUrl);

try {
  const opened = await openChromium({ viewport: { width: 1366, height: 768 }, acceptDownloads: true });
  closeBrowser = opened.close;
  browser = opened.context;
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  failurePage = page;
  watch(page);

  // Residents and the case system first: a report held for review (old EXIF date) that is then
  // closed and rated 非常不满意, which opens a 差评 follow-up.
  const resident = await residentLogin('console-e2e-resident');
  let heldReport;
  await check('setup: a report with a 2008 photo is registered and its reward held for review', async () => {
    const photoId = await uploadPhoto(resident, fs.readFileSync(path.join(root, 'tests/fixtures/photos/Canon_40D.jpg')), 'Canon_40D.jpg');
    heldReport = await submitReport(resident, photoId, { lat: 24.8861, lng: 102.8217, address: '呈贡区斗南街道斗南湿地公园北门', street: '斗南街道' });
    const caseId = await findCase(heldReport.id);
    await operate(caseId, 'register');
    await waitForReport(resident, heldReport.id, (r) => r.reward.state === 'held', 'reward held');
    heldReport.caseId = caseId;
  });

  await check('log in to the console', async () => {
    await page.goto(`${baseUrl}/console/`);
    await page.locator('#login-username').waitFor({ timeout: 15_000 });
    await shot(page, 'login');
    await login(page, ADMIN);
    await page.locator('#tile-held').waitFor({ timeout: 10_000 });
    const held = await page.locator('#tile-held .ant-statistic-content-value').innerText();
    if (held.trim() !== '1') throw new Error(`工作台 shows ${held} rewards awaiting review, expected 1`);
    await shot(page, 'dashboard');
  });

  await check('CSP: script-src self only, no inline script in index.html', async () => {
    const res = await fetch(`${baseUrl}/console/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    if (!csp.includes("script-src 'self'") || csp.includes("script-src 'self' 'unsafe")) throw new Error(`CSP is "${csp}"`);
    const html = await res.text();
    if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) throw new Error('index.html has an inline script');
    const fallback = await fetch(`${baseUrl}/console/rewards/review`);
    if (fallback.status !== 200 || !(await fallback.text()).includes('<div id="root">')) throw new Error('no SPA fallback for /console/rewards/review');
  });

  await check('approve a held reward in 奖励审核', async () => {
    await openPage(page, '奖励审核');
    const row = page.locator('#held-table tr', { hasText: heldReport.id.slice(0, 8) });
    await row.waitFor({ timeout: 10_000 });
    const text = await row.innerText();
    if (!text.includes('EXIF')) throw new Error(`the held row does not say why: ${text}`);
    // Expanded, the row shows the report's photo with its capture time.
    await row.locator('.ant-table-row-expand-icon').click();
    const img = page.locator('#held-table .photo-pair img').first();
    await img.waitFor();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
    if (!(await page.locator('#held-table .photo-pair').innerText()).includes('拍摄：2008-')) throw new Error('the photo does not show its 2008 capture time');
    await shot(page, 'review');
    await row.getByRole('button', { name: '通过' }).click();
    await page.fill('#decision-note', '照片为现场补拍，经核实问题属实');
    await page.click('#decision-ok');
    await page.getByText('已处理 1 条').waitFor({ timeout: 10_000 });
    await waitForReport(resident, heldReport.id, (r) => r.reward.state === 'accrued', 'reward accrued after approval');
  });

  await check('a finance member is created in 人员与权限', async () => {
    await openPage(page, '人员与权限');
    await page.click('#account-create');
    await page.fill('#account-username', FINANCE.username);
    await page.fill('#account-display-name', FINANCE.displayName);
    await page.locator('.ant-modal .ant-select-selector').click();
    await page.locator('.ant-select-item-option', { hasText: '财务' }).click();
    await page.fill('#account-password', FINANCE.password);
    await page.click('#account-create-ok');
    await page.locator('td', { hasText: FINANCE.username }).waitFor({ timeout: 10_000 });
    await shot(page, 'people');
  });

  let claimId;
  await check('a payout batch is created by one member (admin)', async () => {
    const claim = await json(
      await fetch(`${baseUrl}/api/v1/me/rewards/claims`, {
        method: 'POST',
        headers: { ...resident.headers, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
        body: JSON.stringify({ amountFen: 200 }),
      }),
      201,
    );
    claimId = claim.claim?.id;
    await openPage(page, '提现发放');
    await page.click('#create-batch');
    await page.locator('.ant-modal-confirm .ant-btn-primary').click();
    await page.getByText('已生成批次：1 笔，共 ¥2.00').waitFor({ timeout: 10_000 });
    const row = page.locator('#batch-table tr.ant-table-row').first();
    await row.getByText('须由他人确认').waitFor({ timeout: 10_000 });
    await shot(page, 'payouts-created');
  });

  await check('… and confirmed by another (finance), who cannot see 摊点管理', async () => {
    await logout(page);
    await login(page, FINANCE);
    const menu = await page.locator('.ant-menu').innerText();
    if (menu.includes('摊点管理') || menu.includes('奖励审核') === false) throw new Error(`finance sees the menu: ${menu.replace(/\n/g, ' ')}`);
    await page.goto(`${baseUrl}/console/stalls`);
    await page.locator('h2.page-title', { hasText: '工作台' }).waitFor();
    await openPage(page, '提现发放');
    await page.locator('#batch-table .confirm-batch').first().click();
    await page.click('#mark-all-paid');
    await shot(page, 'payouts-confirming');
    await page.click('#results-submit');
    await page.getByText('已登记 1 条发放结果').waitFor({ timeout: 10_000 });
    await page.locator('#batch-table tr.ant-table-row').first().getByText('已完成').waitFor({ timeout: 10_000 });
    await shot(page, 'payouts-confirmed');
    const rewards = await json(await fetch(`${baseUrl}/api/v1/me/rewards`, { headers: resident.headers }), 200);
    const claim = rewards.claims.find((c) => c.id === claimId);
    if (claim?.status !== 'paid') throw new Error(`the claim is ${claim?.status}`);
    await logout(page);
    await login(page, ADMIN);
  });

  await check('close a 差评 follow-up in 差评回访', async () => {
    await operate(heldReport.caseId, 'dispatch', { department: '市容环境卫生管理处' });
    await operate(heldReport.caseId, 'handle', { note: '已清运' });
    await operate(heldReport.caseId, 'close', { note: '经核查已解决' });
    await waitForReport(resident, heldReport.id, (r) => r.status === 'closed' && r.rating.canRate, 'closed and open for rating');
    await json(
      await fetch(`${baseUrl}/api/v1/reports/${heldReport.id}/rating`, {
        method: 'POST',
        headers: { ...resident.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ level: 'very_dissatisfied', comment: '垃圾第二天又堆起来了' }),
      }),
      201,
    );
    await openPage(page, '差评回访');
    const row = page.locator('#ratings-table tr', { hasText: '非常不满意' });
    await row.waitFor({ timeout: 10_000 });
    await shot(page, 'ratings');
    await row.locator('.close-follow-up').click();
    await page.fill('#note-text', '已电话回访，安排每日巡查清运');
    await page.click('#note-ok');
    await page.getByText('回访已办结').waitFor({ timeout: 10_000 });
    await row.getByText('已办结').waitFor({ timeout: 10_000 });
  });

  await check('a rating appeal filed by a reviewer is decided in 差评回访 by another member (admin)', async () => {
    // The reviewer files over HTTP; the admin in the console is the second member who decides.
    const adminToken = (await json(await fetch(`${baseUrl}/api/v1/staff/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ADMIN) }), 200)).token;
    const reviewer = { username: 'e2e-reviewer', displayName: '审核员小李', password: 'reviewer-password-789', role: 'reviewer' };
    await json(
      await fetch(`${baseUrl}/api/v1/staff/accounts`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(reviewer) }),
      201,
    );
    const reviewerToken = (
      await json(
        await fetch(`${baseUrl}/api/v1/staff/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: reviewer.username, password: reviewer.password }),
        }),
        200,
      )
    ).token;
    const ratings = await json(await fetch(`${baseUrl}/api/v1/staff/ratings?bad=true`, { headers: { authorization: `Bearer ${reviewerToken}` } }), 200);
    const rating = ratings.items.find((r) => r.reportId === heldReport.id);
    if (!rating) throw new Error('the 差评 is not in the staff ratings list');
    await json(
      await fetch(`${baseUrl}/api/v1/staff/ratings/${rating.id}/appeals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${reviewerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: '居民与商户有纠纷，评价与处置无关' }),
      }),
      201,
    );
    await page.reload({ waitUntil: 'load' });
    const row = page.locator('#ratings-table tr', { hasText: '非常不满意' });
    await row.getByText('申诉待决定').waitFor({ timeout: 10_000 });
    await row.locator('.appeal-uphold').click();
    await page.fill('#note-text', '核实属实，不计入满意率');
    await page.click('#note-ok');
    await page.getByText('申诉成立，该评价不计入统计').waitFor({ timeout: 10_000 });
    await row.getByText('不计入统计').waitFor({ timeout: 10_000 });
    await shot(page, 'ratings-appeal');
  });

  await check('stall import: a CSV with one bad row is refused, listing the row; then a good one', async () => {
    const header = 'code,name,kind,district,street,address,lat,lng,coord_system,approximate,radius_m,capacity,goods,facilities,rules,manager_name,manager_phone,photos,schedule';
    const good = 'E2E-01,端到端测试夜市,夜市,呈贡区,吴家营街道,呈贡区春融街与彩云路口,24.8802,102.8571,wgs84,false,80,30,小吃|蔬果,,,,,,"1-5 17:00-21:00; 6,7 10:00-22:00"';
    const bad = 'E2E-02,坐标错误的摊点,夜市,呈贡区,吴家营街道,呈贡区某路,124.88,102.85,wgs84,false,80,30,小吃,,,,,,1-5 17:00-21:00';
    await openPage(page, '摊点管理');
    const fileInput = page.locator('input[type=file]').first();
    await fileInput.setInputFiles({ name: 'spots-bad.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${good}\n${bad}\n`) });
    expectRefusal('/api/v1/staff/stall-spots/import', 422);
    await page.click('#import-dry-run');
    const alert = page.locator('#import-problems');
    await alert.waitFor({ timeout: 10_000 });
    const text = await alert.innerText();
    if (!text.includes('第 3 行') || !text.includes('E2E-02') || text.includes('第 2 行')) throw new Error(`the refusal should list row 3 only: ${text}`);
    await shot(page, 'stalls-refused');
    await page.locator('.ant-upload-list-item').first().hover();
    await fileInput.setInputFiles({ name: 'spots-good.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}\n${good}\n`) });
    await page.click('#import-dry-run');
    await page.locator('#import-result', { hasText: '试导入通过' }).waitFor({ timeout: 10_000 });
    await page.click('#import-run');
    await page.locator('#import-result', { hasText: '新建 1 个' }).waitFor({ timeout: 10_000 });
    await page.locator('#stalls-table td', { hasText: 'E2E-01' }).waitFor({ timeout: 10_000 });
    await shot(page, 'stalls-imported');
  });

  await check('摊点管理: a new spot with its point picked on the map and a schedule typed in the text form', async () => {
    await page.getByRole('button', { name: '新建摊点' }).click();
    const dialog = page.locator('.ant-modal', { hasText: '新建摊点' });
    await dialog.waitFor();
    await dialog.locator('#code').fill('E2E-MAP');
    await dialog.locator('#name').fill('地图选点测试摊点');
    await dialog.locator('#district').fill('呈贡区');
    await dialog.locator('#address').fill('呈贡区彩云北路');
    await dialog.locator('.ant-form-item', { hasText: '允许经营' }).locator('.ant-select-selector').click();
    await page.locator('.ant-select-item-option', { hasText: '小吃' }).click();
    await page.keyboard.press('Escape');
    await dialog.locator('#schedule-text').fill('1-5 17:00-21:00; 6,7 18:00-02:00');
    await dialog.getByText('次日02:00').first().waitFor();
    await dialog.locator('.map-box img.leaflet-tile-loaded').first().waitFor();
    const box = await dialog.locator('.map-box').boundingBox();
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await dialog.getByText(/位置（点击地图选点，WGS-84）：-?\d/).waitFor();
    await shot(page, 'stalls-create');
    await dialog.getByRole('button', { name: '保存' }).click();
    await page.getByText('摊点已保存').waitFor();
    await page.locator('#stalls-table td', { hasText: 'E2E-MAP' }).waitFor();
  });

  await check('举报: the list and the clustered map show the report', async () => {
    await openPage(page, '举报');
    await page.locator('#reports-table td', { hasText: heldReport.caseId }).first().waitFor({ timeout: 10_000 });
    await shot(page, 'reports');
    await page.getByText('地图', { exact: true }).click();
    await page.locator('#reports-map .leaflet-interactive, #reports-map .marker-cluster').first().waitFor({ timeout: 10_000 });
    await page.locator('#reports-map img.leaflet-tile-loaded').first().waitFor({ timeout: 10_000 });
    await shot(page, 'reports-map');
    // The detail: photo, timeline to 结案, the approved reward and the 差评.
    await page.getByText('列表', { exact: true }).click();
    await page.locator('#reports-table a', { hasText: heldReport.caseId }).first().click();
    await page.locator('.ant-timeline').getByText('已结案').first().waitFor();
    const detail = await page.locator('.ant-layout-content').innerText();
    for (const want of ['拍摄：2008-', '¥2.00', '非常不满意']) if (!detail.includes(want)) throw new Error(`the detail lacks ${want}`);
    await shot(page, 'report-detail');
  });

  await check('see the figures chart in 数据统计', async () => {
    await openPage(page, '数据统计');
    const canvas = page.locator('#figures-chart canvas');
    await canvas.waitFor({ timeout: 10_000 });
    await page.locator('.ant-table-row').first().waitFor({ timeout: 10_000 });
    const reports = await page.locator('.ant-table-row').first().locator('td').nth(1).innerText();
    if (Number(reports) < 1) throw new Error(`the figures table counts ${reports} reports`);
    await delay(800); // the chart animates in
    // The chart drew something: the canvas is not one flat colour.
    const png = await canvas.screenshot();
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    const colours = new Set();
    for (let i = 0; i < data.length; i += info.channels * 7) colours.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    if (colours.size < 8) throw new Error(`the chart canvas looks empty (${colours.size} colours)`);
    await shot(page, 'figures');
  });

  await check('at 200% zoom (a 1366×768 screen shown at 683×384 CSS pixels, device scale 2) the pages stay usable', async () => {
    const zoomedBrowser = await openChromium({ viewport: { width: 683, height: 384 }, deviceScaleFactor: 2 });
    const zoomed = zoomedBrowser.context;
    try {
      const zpage = await zoomed.newPage();
      zpage.setDefaultTimeout(10_000);
      watch(zpage);
      await login(zpage, ADMIN);
      await shot(zpage, 'zoom200-dashboard');
      for (const [label, name] of [
        ['奖励审核', 'review'],
        ['提现发放', 'payouts'],
        ['差评回访', 'ratings'],
        ['摊点管理', 'stalls'],
        ['数据统计', 'figures'],
      ]) {
        await zpage.goto(`${baseUrl}/console/`);
        await openPage(zpage, label);
        await shot(zpage, `zoom200-${name}`);
      }
    } finally {
      await zoomedBrowser.close();
    }
  });

  await check('a 1920×1080 screen is used to its width', async () => {
    await page.setViewportSize({ width: 1920, height: 1080 });
    await openPage(page, '摊点管理');
    await shot(page, 'stalls-1920');
    await page.setViewportSize({ width: 1366, height: 768 });
  });

  await check('an expired token returns to 登录 with the reason, and signing in again returns to the page', async () => {
    await openPage(page, '差评回访');
    // A token for the same member that expired a minute ago, signed with the public development secret.
    const token = await page.evaluate(() => sessionStorage.getItem('cityloop.console.token'));
    const { sub, role } = jwt.decode(token);
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign({ role, exp: now - 60, iat: now - 3600 }, DEV_JWT_SECRET, { algorithm: 'HS256', audience: 'staff', issuer: 'cityloop-bff', subject: sub });
    await page.evaluate((t) => sessionStorage.setItem('cityloop.console.token', t), expired);
    expectRefusal('/api/v1/staff/ratings', 401);
    await page.getByText('全部评价', { exact: true }).click();
    await page.getByText('登录已过期，请重新登录').waitFor();
    await shot(page, 'login-expired');
    await submitLogin(page, ADMIN);
    await page.locator('h2.page-title', { hasText: '差评回访' }).waitFor();
  });

  await check('登录: five wrong passwords lock the account, and the page says until when', async () => {
    await logout(page);
    expectRefusal('/api/v1/staff/auth/login', 401);
    expectRefusal('/api/v1/staff/auth/login', 423);
    for (let i = 0; i < 5; i += 1) {
      const answered = page.waitForResponse((r) => r.url().endsWith('/api/v1/staff/auth/login'));
      await submitLogin(page, { username: FINANCE.username, password: `wrong-password-${i}` });
      await answered;
    }
    const message = await page.locator('#login-error').innerText();
    if (!/账号已锁定至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}/.test(message)) throw new Error(`the lockout message is "${message}"`);
    await shot(page, 'login-locked');
  });

  await check('no console errors, page errors or unexpected HTTP refusals', async () => {
    if (problems.length) throw new Error(problems.join('\n    '));
  });
} catch (err) {
  setupFailed(err);
} finally {
  await closeBrowser?.();
  bff.stop();
}

exit();
