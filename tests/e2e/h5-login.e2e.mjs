// End-to-end in Chromium against the H5 build served by the BFF (dev WeChat, embedded PostgreSQL and the
// case-system simulator): silent login and the 我的 tab, the 摊点 tab and its check, a 随手拍 report with
// a fresh photo driven through the case system's steps, its ¥2.00 reward, a 差评 with 申请重办, a
// duplicate report and its appeal, claiming the reward and paying it through the staff's manual batch,
// and the public 城市管理成绩单. Needs `npm run build:bff && npm run build:h5`.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { artifacts, caseOperator, checklist, delay, openChromium, OPERATOR_HEADERS, root, startBff } from './support.mjs';

// The BFF's own sharp (this script does not install anything of its own).
const sharp = createRequire(path.join(root, 'bff/package.json'))('sharp');

const STAFF_USERNAME = 'dev-admin';
const STAFF_PASSWORD = 'e2e-staff-password-123';
const CLOSING_NOTE = '经核查已解决';

const photoDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-e2e-photos-'));
let photoCount = 0;
/**
 * A fresh 640×480 JPEG of random noise with no EXIF: no old date or far-away place sends its reward
 * to review, and no two of them look alike, so only the place and category can make one a duplicate.
 */
async function freshPhoto() {
  const width = 640;
  const height = 480;
  photoCount += 1;
  const file = path.join(photoDir, `noise-${photoCount}.jpg`);
  await sharp(crypto.randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 85 })
    .toFile(file);
  return file;
}

const { check, setupFailed, exit } = checklist();

// Creates the staff account dev-admin, which pays the claim below.
const bff = await startBff({ logName: 'bff.log', env: { DEV_STAFF_PASSWORD: STAFF_PASSWORD } });
const { baseUrl, simulatorUrl } = bff;

let browser;
try {
  browser = await openChromium({ viewport: { width: 390, height: 844 } });
  const page = await browser.context.newPage();
  const pageErrors = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  let loggedInUser;
  let loggedInToken;
  await check('the app launches and logs in silently', async () => {
    const loginResponse = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/wechat') && r.request().method() === 'POST', { timeout: 30_000 });
    await page.goto(baseUrl + '/', { waitUntil: 'load' });
    const res = await loginResponse;
    if (res.status() !== 200) throw new Error(`login answered ${res.status()}`);
    const body = await res.json();
    loggedInUser = body.user;
    loggedInToken = body.token;
    if (!loggedInUser?.id) throw new Error('no user in the login response');
  });

  await check('the 我的 tab shows the logged-in user', async () => {
    await page.getByText('我的', { exact: true }).last().click();
    const nameElement = page.locator('#me-user-name >> visible=true');
    await nameElement.waitFor({ state: 'visible', timeout: 15_000 });
    const shown = (await nameElement.innerText()).trim();
    const expected = loggedInUser.nickname || '微信用户';
    if (shown !== expected) throw new Error(`shows "${shown}", expected ${expected}`);
    // Residents see their nickname, never the internal id.
    const pageText = await page.locator('.me >> visible=true').innerText();
    if (pageText.includes(loggedInUser.id.slice(0, 8))) throw new Error('我的 shows the hex user id');
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

  // ---- helpers for the report checks -------------------------------------------------------------

  const { findCase, operate } = caseOperator(simulatorUrl);

  /**
   * Fills in 随手拍 (a fresh photo, 暴露垃圾, the first preset city since headless Chromium cannot
   * locate) and submits it; the app then opens the new report's detail. Answers the report's id.
   */
  async function submitReportThroughUi(description, address) {
    await page.goto(`${baseUrl}/#/pages/report/index`, { waitUntil: 'load' });
    await page.setInputFiles('#report-file-input', await freshPhoto());
    await page.locator('.report-photo--done >> visible=true').first().waitFor({ timeout: 20_000 });
    await page.locator('#report-category >> visible=true').click();
    await page.locator('#report-category-option-exposed_garbage >> visible=true').click();
    const city = page.locator('.report__city >> visible=true').first();
    if (await city.count()) await city.click();
    await page.locator('#report-description textarea >> visible=true').fill(description);
    await page.locator('#report-address input >> visible=true').fill(address);
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/reports') && r.request().method() === 'POST', { timeout: 15_000 });
    await page.locator('#report-submit:not([disabled]) >> visible=true').click();
    const response = await created;
    if (response.status() !== 201) throw new Error(`submit answered ${response.status()}: ${await response.text()}`);
    return (await response.json()).report.id;
  }

  /** Taps 刷新 on the report detail until `ready()` holds (the BFF hears of the case system asynchronously). */
  async function refreshDetailUntil(ready, what) {
    await page.locator('#report-detail-status >> visible=true').waitFor({ timeout: 15_000 });
    for (let i = 0; i < 75; i += 1) {
      if (await ready()) return;
      await page.locator('#report-detail-refresh >> visible=true').click();
      await page.waitForTimeout(200);
    }
    if (!(await ready())) throw new Error(`the detail never showed ${what}`);
  }

  const visibleText = async (selector) => {
    const el = page.locator(`${selector} >> visible=true`);
    return (await el.count()) ? (await el.first().innerText()).trim() : '';
  };

  /** The first report: registered, dispatched, handled and closed; the later checks build on it. */
  let firstReport;

  await check('随手拍: report with a fresh photo, see it reach the case system, follow it to 已结案', async () => {
    const reportId = await submitReportThroughUi('小区门口堆了很多垃圾，好几天没人清理', '呈贡区测试路 8 号门口');
    const caseId = await findCase(reportId);
    for (const [action, body] of [
      ['register', {}],
      ['dispatch', { department: '市容环境卫生管理处' }],
      ['handle', { note: '已清运完毕' }],
      ['close', { note: CLOSING_NOTE }],
    ]) {
      await operate(caseId, action, body);
    }
    await refreshDetailUntil(async () => (await visibleText('#report-detail-status')).includes('已结案'), '已结案');
    const steps = await page.locator('.timeline-entry__status >> visible=true').allInnerTexts();
    for (const step of ['已提交', '已立案', '已派遣', '已处置', '已结案']) if (!steps.some((s) => s.includes(step))) throw new Error(`timeline lacks ${step}: ${steps.join(', ')}`);
    firstReport = { reportId, caseId };
    await page.screenshot({ path: path.join(artifacts, 'report.png') });
  });

  await check('有奖举报: the registered report earned ¥2.00', async () => {
    if (!firstReport) throw new Error('no closed report from the 随手拍 check');
    await refreshDetailUntil(async () => (await page.locator('#report-reward-amount >> visible=true').count()) > 0, 'a reward amount');
    const amount = await visibleText('#report-reward-amount');
    if (amount !== '¥2.00') throw new Error(`reward amount shows "${amount}"`);
    const state = await visibleText('#report-reward-state');
    // REWARD_STATE_NAMES.accrued in shared/src/rewards.ts
    if (state !== '奖励已入账') throw new Error(`reward state shows "${state}"`);
    await page.locator('#report-reward >> visible=true').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifacts, 'reward.png') });
  });

  await check('满意度评价: rate the closed case 非常不满意 with a comment, then 申请重办 reopens it in the simulator', async () => {
    if (!firstReport) throw new Error('no closed report from the 随手拍 check');
    const { reportId, caseId } = firstReport;
    await page.locator('#report-rate >> visible=true').click();
    const note = page.locator('#rate-closing-note >> visible=true');
    await note.waitFor({ timeout: 15_000 });
    if (!page.url().includes('packages/report/rate/index')) throw new Error(`not on the rating page: ${page.url()}`);
    const noteText = (await note.innerText()).trim();
    if (!noteText.includes(CLOSING_NOTE)) throw new Error(`closing note shows "${noteText}"`);

    await page.locator('#rate-level-very_dissatisfied >> visible=true').click();
    await page.locator('#rate-comment-required >> visible=true').waitFor({ timeout: 5_000 });
    await page.locator('#rate-comment textarea >> visible=true').fill('垃圾清运后第二天又堆满了，问题没有真正解决');
    const rated = page.waitForResponse((r) => r.url().endsWith(`/api/v1/reports/${reportId}/rating`) && r.request().method() === 'POST', { timeout: 15_000 });
    await page.locator('#rate-submit:not([disabled]) >> visible=true').click();
    const ratedRes = await rated;
    if (ratedRes.status() !== 201) throw new Error(`rating answered ${ratedRes.status()}: ${await ratedRes.text()}`);

    // The rating page goes back to the detail by itself and hands the new rating state over.
    await page.locator('#report-rating-follow-up >> visible=true').waitFor({ timeout: 15_000 });
    await page.locator('#report-rework-open >> visible=true').click();
    await page.locator('#report-rework-form-input textarea >> visible=true').fill('清运不彻底，请重新处理');
    const reworked = page.waitForResponse((r) => r.url().endsWith(`/api/v1/reports/${reportId}/rework`) && r.request().method() === 'POST', { timeout: 15_000 });
    await page.locator('#report-rework-form-submit >> visible=true').click();
    // "每个案件只能申请一次重办，确定提交吗？" (Taro.showModal, rendered by Taro H5).
    await page.locator('.taro-model__confirm >> visible=true').click();
    const reworkRes = await reworked;
    if (reworkRes.status() !== 202) throw new Error(`rework answered ${reworkRes.status()}: ${await reworkRes.text()}`);
    await page.locator('#report-rating-rework >> visible=true').waitFor({ timeout: 10_000 });

    // The BFF delivers the rework through its outbox; the simulator then holds the case as reopened.
    // (The 差评 it also passed on is not exposed over the simulator's HTTP API.)
    let simCase;
    for (let i = 0; i < 100; i += 1) {
      const res = await fetch(`${simulatorUrl}/operator/requests/${caseId}`, { headers: OPERATOR_HEADERS });
      if (!res.ok) throw new Error(`GET case answered ${res.status}`);
      simCase = await res.json();
      if (simCase.extended_attributes?.detailed_status === 'reopened') break;
      await delay(200);
    }
    const detailed = simCase?.extended_attributes?.detailed_status;
    if (detailed !== 'reopened') throw new Error(`the simulator holds the case as ${detailed} (${simCase?.status})`);
    if (simCase.status !== 'open') throw new Error(`a reopened case answers Open311 status ${simCase.status}`);
    // The simulator pushes the reopening back; once the BFF has it the case is no longer open for rating.
    await refreshDetailUntil(async () => (await visibleText('#report-detail-status')).includes('重新办理'), '重新办理');
    if (await page.locator('#report-rating-invite >> visible=true').count()) throw new Error('a reopened case still invites a rating');
    await page.screenshot({ path: path.join(artifacts, 'rating.png') });
  });

  await check('重复举报: a second report of the same problem at the same place shows 重复举报 and can be appealed', async () => {
    if (!firstReport) throw new Error('no first report to duplicate');
    const reportId = await submitReportThroughUi('小区门口垃圾又堆起来了', '呈贡区测试路 8 号门口');
    const caseId = await findCase(reportId);
    await operate(caseId, 'register');
    await refreshDetailUntil(async () => (await visibleText('#report-reward-text')).includes('重复举报'), '重复举报');
    await page.locator('#report-reward-appeal-open >> visible=true').click();
    await page.locator('#report-reward-appeal-form-input textarea >> visible=true').fill('这是垃圾清运后新出现的堆放，不是同一次问题');
    const appealed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/reports/${reportId}/reward-appeal`) && r.request().method() === 'POST', { timeout: 15_000 });
    await page.locator('#report-reward-appeal-form-submit >> visible=true').click();
    const res = await appealed;
    if (res.status() !== 201) throw new Error(`appeal answered ${res.status()}: ${await res.text()}`);
    await page.locator('#report-reward-appeal >> visible=true').waitFor({ timeout: 10_000 });
    await page.locator('#report-reward >> visible=true').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(artifacts, 'duplicate.png') });
  });

  await check('我的奖励: claim ¥2.00 and staff pay it through the manual batch', async () => {
    await page.goto(`${baseUrl}/#/packages/rewards/index`, { waitUntil: 'load' });
    const balance = page.locator('#rewards-balance-amount >> visible=true');
    await balance.waitFor({ timeout: 15_000 });
    // The big figure is yuan digits under "可提现（元）"; 累计获得 carries the ¥.
    const shown = (await balance.innerText()).trim();
    if (shown !== '2.00') throw new Error(`balance shows "${shown}"`);
    const total = await visibleText('#rewards-total');
    if (total !== '¥2.00') throw new Error(`累计获得 shows "${total}"`);

    await page.locator('#rewards-claim-amount input >> visible=true').fill('2');
    const claimed = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/rewards/claims') && r.request().method() === 'POST', { timeout: 15_000 });
    await page.locator('#rewards-claim-submit:not([disabled]) >> visible=true').click();
    const claimRes = await claimed;
    if (claimRes.status() !== 201) throw new Error(`claim answered ${claimRes.status()}: ${await claimRes.text()}`);
    const claimed_ = (await claimRes.json()).claim;
    const claimId = claimed_.id;
    await page.locator(`#rewards-claim-${claimId} >> visible=true`).waitFor({ timeout: 10_000 });
    // The confirmation says how the money comes and by when (manual payouts: staff transfer it).
    const confirmation = await visibleText('#rewards-claim-confirmed');
    if (!confirmation.includes(claimed_.channelName) || !confirmation.includes('预计')) throw new Error(`claim confirmation reads "${confirmation}"`);

    // Staff: log in, batch the pending manual claims, read the CSV, record the claim as paid.
    const login = await fetch(`${baseUrl}/api/v1/staff/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: STAFF_USERNAME, password: STAFF_PASSWORD }),
    });
    if (!login.ok) throw new Error(`staff login answered ${login.status}: ${await login.text()}`);
    const staff = { authorization: `Bearer ${(await login.json()).token}`, 'content-type': 'application/json' };
    const batchRes = await fetch(`${baseUrl}/api/v1/staff/rewards/payout-batches`, { method: 'POST', headers: staff });
    if (batchRes.status !== 201) throw new Error(`payout batch answered ${batchRes.status}: ${await batchRes.text()}`);
    const batchId = (await batchRes.json()).batch.id;
    const csvRes = await fetch(`${baseUrl}/api/v1/staff/rewards/payout-batches/${batchId}/csv`, { headers: staff });
    const csv = await csvRes.text();
    if (!csvRes.ok || !csv.includes(claimId)) throw new Error(`batch CSV (${csvRes.status}) lacks claim ${claimId}: ${csv}`);
    // 管审分离: the admin who prepared the batch may not confirm it; a finance member does.
    const selfConfirm = await fetch(`${baseUrl}/api/v1/staff/rewards/payout-batches/${batchId}/results`, { method: 'POST', headers: staff, body: JSON.stringify({ paid: [claimId] }) });
    if (selfConfirm.status !== 403) throw new Error(`the preparer confirming answered ${selfConfirm.status}`);
    const financeAccount = { username: `finance-${Date.now()}`, displayName: '财务', password: 'e2e-finance-password', role: 'finance' };
    const created = await fetch(`${baseUrl}/api/v1/staff/accounts`, { method: 'POST', headers: staff, body: JSON.stringify(financeAccount) });
    if (created.status !== 201) throw new Error(`creating the finance member answered ${created.status}: ${await created.text()}`);
    const financeLogin = await fetch(`${baseUrl}/api/v1/staff/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: financeAccount.username, password: financeAccount.password }),
    });
    const finance = { authorization: `Bearer ${(await financeLogin.json()).token}`, 'content-type': 'application/json' };
    const paidRes = await fetch(`${baseUrl}/api/v1/staff/rewards/payout-batches/${batchId}/results`, { method: 'POST', headers: finance, body: JSON.stringify({ paid: [claimId] }) });
    if (!paidRes.ok) throw new Error(`batch results answered ${paidRes.status}: ${await paidRes.text()}`);

    await page.reload({ waitUntil: 'load' });
    const row = page.locator(`#rewards-claim-${claimId} >> visible=true`);
    await row.waitFor({ timeout: 15_000 });
    const rowText = await row.innerText();
    // CLAIM_STATUS_NAMES.paid: 已发放 once paid out (credit to the balance is 已入账).
    if (!rowText.includes('已发放')) throw new Error(`claim row shows "${rowText}"`);
    await page.screenshot({ path: path.join(artifacts, 'rewards.png') });
  });

  await check("城市管理成绩单 shows this month's figures", async () => {
    await page.goto(`${baseUrl}/#/packages/scorecard/index`, { waitUntil: 'load' });
    const closedCard = page.locator('#scorecard-closedRate >> visible=true');
    await closedCard.waitFor({ timeout: 15_000 });
    const res = await fetch(`${baseUrl}/api/v1/public/scorecard`);
    if (!res.ok) throw new Error(`scorecard answered ${res.status}`);
    const { total } = (await res.json()).scorecard;
    if (total.reports < 2) throw new Error(`this month counts ${total.reports} reports, expected at least our 2`);
    const hero = await visibleText('.scorecard .hero__text');
    if (!hero.includes(`市民共举报 ${total.reports} 件`)) throw new Error(`hero shows "${hero}", the API counts ${total.reports}`);
    // formatRate in the scorecard page: one decimal and %, or — when nothing can be counted.
    const expectedRate = total.closedRate === null ? '—' : `${total.closedRate.toFixed(1)}%`;
    const shownRate = (await closedCard.locator('.scorecard-rate__value').innerText()).trim();
    if (shownRate !== expectedRate) throw new Error(`结案率 shows "${shownRate}", the API says ${expectedRate}`);
    await page.screenshot({ path: path.join(artifacts, 'scorecard.png') });
  });

  await check('我的 → 个人信息: export my data, then erase the account (a new login starts afresh)', async () => {
    await page.goto(`${baseUrl}/#/pages/me/index`, { waitUntil: 'load' });
    await page.locator('#me-privacy >> visible=true').click();
    await page.locator('#privacy-export >> visible=true').click();
    const summary = page.locator('#privacy-export-summary >> visible=true');
    await summary.waitFor({ timeout: 15_000 });
    const text = await summary.innerText();
    if (!/举报 [1-9]\d* 条/.test(text)) throw new Error(`export summary shows "${text}"`);
    await page.screenshot({ path: path.join(artifacts, 'privacy.png') });
    // Confirm both modals: erase, then give up nothing (the balance was paid out above).
    await page.locator('#privacy-erase >> visible=true').click();
    await page.getByText('确定注销', { exact: true }).last().click();
    await page.locator('#privacy-erased >> visible=true').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: path.join(artifacts, 'privacy-erased.png') });
    const old = await fetch(`${baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${loggedInToken}` } });
    if (old.status !== 401) throw new Error(`the erased account's token answered ${old.status}`);
    // The next signed-in page logs in afresh, as a new account.
    const relogin = page.waitForResponse((r) => r.url().endsWith('/api/v1/auth/wechat') && r.request().method() === 'POST', { timeout: 15_000 });
    await page.getByText('返回首页', { exact: true }).last().click();
    await page.getByText('我的', { exact: true }).last().click();
    const fresh = (await (await relogin).json()).user;
    await page.locator('#me-user-name >> visible=true').waitFor({ timeout: 15_000 });
    if (!fresh?.id || fresh.id === loggedInUser.id) throw new Error(`the new login is ${fresh?.id}, the erased account was ${loggedInUser.id}`);
  });

  await check('no uncaught errors in the page', async () => {
    if (pageErrors.length) throw new Error(pageErrors.join('\n'));
  });
} catch (err) {
  setupFailed(err);
} finally {
  await browser?.close();
  bff.stop();
  fs.rmSync(photoDir, { recursive: true, force: true });
}

exit();
