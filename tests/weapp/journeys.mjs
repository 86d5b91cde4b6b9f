// The weapp build driven headless (tests/weapp/support): WeChat's own compiled templates render every
// setData, events go through Taro's `eh`, and the `wx` double talks real HTTP to a real BFF (dev
// WeChat, embedded PostgreSQL, the case-system simulator). Journeys: launch with silent login and one
// privacy refusal; 随手拍 with a compressed photo to a submitted report the simulator receives; 我的举报
// and the detail's timeline after the operator registers the case; 摊点 near Chenggong and a spot's
// detail; 我的; then every other page app.json lists opens. Any uncaught error, console.error,
// render failure or unimplemented wx API fails the step it happened in.
// Needs `npm run build:bff` and `NODE_ENV=production npm run build:weapp`.
import fs from 'node:fs';
import path from 'node:path';
import { caseOperator, root, startBff } from '../e2e/support.mjs';
import { createHarness } from './support/harness.mjs';
import { PICKED_PLACE } from './support/wx-double.mjs';

const dist = path.resolve(process.env.WEAPP_DIST ?? path.join(root, 'miniapp/dist/weapp'));
const PHOTO = path.join(root, 'tests/fixtures/photos/mobile_HMD_Nokia_8.3_5G.jpg');
const DESCRIPTION = '小区门口堆了很多垃圾，好几天没人清理';
const ADDRESS = '呈贡区测试路 8 号门口';
// The category the journey picks, by code (ids) and by the name residents see.
const CATEGORY = { code: 'exposed_garbage', name: '暴露垃圾' };

for (const file of ['app.json', 'app.js']) {
  if (!fs.existsSync(path.join(dist, file))) {
    console.error(`no weapp build in ${dist}: run NODE_ENV=production npm run build:weapp first`);
    process.exit(1);
  }
}
if (!fs.existsSync(path.join(root, 'bff/dist/main.js'))) {
  console.error('no BFF build: run npm run build:bff first');
  process.exit(1);
}

const results = [];
let h;
/** Runs one step; the step fails on its own error and on anything the weapp reported meanwhile. */
async function check(name, fn) {
  const started = Date.now();
  try {
    const note = await fn();
    const errors = h ? h.takeErrors() : [];
    if (errors.length) throw new Error(`the weapp reported errors:\n${errors.join('\n')}`);
    results.push(true);
    console.log(`  ✓ ${name} (${Date.now() - started} ms)${note ? ` — ${note}` : ''}`);
  } catch (err) {
    results.push(false);
    const more = h ? h.takeErrors() : [];
    console.log(
      `  ✗ ${name}\n    ${String(err?.stack ?? err)
        .split('\n')
        .slice(0, 12)
        .join('\n    ')}${more.length ? `\n    also: ${more.join('\n    ')}` : ''}`,
    );
    if (h && process.env.WEAPP_HARNESS_TRACE !== '0') console.log(`    last steps:\n      ${h.trace.slice(-15).join('\n      ')}`);
  }
}
const expect = (cond, message) => {
  if (!cond) throw new Error(message);
};

/** The BFF on free ports; a port another process took in between is tried again. */
async function startBffRetrying() {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startBff({ logName: 'weapp-bff.log' });
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
}

const bff = await startBffRetrying();
const { baseUrl, simulatorUrl } = bff;
const { findCase, operate } = caseOperator(simulatorUrl);
h = createHarness({ dist, baseUrl, photos: [PHOTO] });
const { screen, double } = h;
const api = async (p, token) => {
  const res = await fetch(`${baseUrl}/api/v1${p}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
};
const visited = new Set();

try {
  let token;
  let user;
  await check('launch: App and the 随手拍 tab construct, the resident logs in silently', async () => {
    h.launch();
    visited.add(screen.route);
    expect(screen.route === h.runtime.appJson.pages[0], `entry page is ${screen.route}`);
    await h.waitForText('随手拍');
    await h.waitFor(() => double.record.requests.find((r) => r.path === '/api/v1/auth/wechat' && r.status === 200), 'the login exchange');
    expect(double.record.calls.includes('login'), 'wx.login was not called');
    token = double.wx.getStorageSync('cityloop.token');
    expect(typeof token === 'string' && token.length > 20, 'no token kept in storage');
    const me = await api('/me', token);
    expect(me.status === 200, `GET /me with the kept token answered ${me.status}`);
    user = me.body.user;
    return `user ${user.id.slice(0, 8)}`;
  });

  /** The 位置 card's two lines: the address under the pin, and where the pin came from (当前位置, a picked place). */
  const whereText = () => `${screen.byId('report-location')?.text() ?? ''} ${screen.byId('report-location-source')?.text() ?? ''}`;

  await check('privacy: the first location call is refused once; the app explains and asks again, then gets the GCJ-02 fix', async () => {
    await h.waitFor(() => whereText().includes('当前位置'), 'the location line to show 当前位置');
    const [first, second] = double.record.privacyEvents;
    expect(first?.api === 'getLocation' && first.refused, `first privacy event ${JSON.stringify(first)}`);
    expect(second && !second.refused, `no consent after the refusal: ${JSON.stringify(double.record.privacyEvents)}`);
    const modal = double.record.modals.find((m) => m.content.includes('用户隐私保护指引'));
    expect(modal, `no Chinese explanation was shown; modals: ${JSON.stringify(double.record.modals)}`);
    return `${first.via} popup refused, then 「${modal.title}」 → ${modal.confirmed ? '去同意' : '暂不'}`;
  });

  let reportId;
  await check('随手拍: the form renders; a photo is added, compressed and uploaded; the report is submitted', async () => {
    for (const text of ['现场照片', '问题类型', '位置', '问题描述', '提交']) expect(screen.text().includes(text), `the form lacks ${text}`);
    h.tap('#report-add-photo');
    await h.waitFor(() => double.record.uploads.length && screen.text().includes('已上传'), 'the photo tile to show 已上传', 30_000);
    const [compression] = double.record.compressions;
    expect(compression, 'compressImage was not called');
    expect(compression.after < compression.before, `compressImage did not shrink the photo (${compression.before} → ${compression.after} bytes)`);
    const [upload] = double.record.uploads;
    expect(upload.filePath === compression.out, `uploaded ${upload.filePath}, not the compressed ${compression.out}`);
    expect(upload.status === 201 || upload.status === 200, `upload answered ${upload.status}`);
    expect(upload.progress.at(-1) === 100, `upload progress ${upload.progress.join(',')}`);

    // WeChat's map picker (chooseLocation) moves the point and names the place.
    h.tap(screen.byId('report-adjust-location') ?? '调整位置');
    await h.waitFor(() => whereText().includes(PICKED_PLACE.name), `the location line to name ${PICKED_PLACE.name}`);

    h.tap('#report-category');
    await h.waitForId(`report-category-option-${CATEGORY.code}`);
    h.tap(`#report-category-option-${CATEGORY.code}`);
    await h.waitFor(() => screen.byId('report-category')?.text().includes(CATEGORY.name), `the category to show ${CATEGORY.name}`);
    h.type('#report-description', DESCRIPTION);
    h.type('#report-address', ADDRESS);
    await h.waitFor(() => !screen.byId('report-submit-reason'), `the form to be complete; it says ${screen.byId('report-submit-reason')?.text()}`);
    h.tap('#report-submit');
    await h.waitForRoute('packages/report/detail/index', 20_000);
    visited.add(screen.route);
    const created = double.record.requests.find((r) => r.method === 'POST' && r.path === '/api/v1/reports');
    expect(created?.status === 201, `POST /reports answered ${created?.status}`);
    reportId = h.runtime.stack.at(-1).options.id;
    await h.waitFor(() => screen.byId('report-detail-status'), 'the report detail');
    expect(screen.text().includes('已提交'), `the detail shows ${screen.text().slice(0, 300)}`);
    return `${(compression.before / 1024).toFixed(0)} KB → ${(compression.after / 1024).toFixed(0)} KB at quality ${compression.quality}, upload progress ${upload.progress.length} steps`;
  });

  let caseId;
  await check('the BFF holds the report as sent, and the case system receives the case', async () => {
    expect(reportId, 'no report from the step before');
    const { status, body } = await api(`/reports/${reportId}`, token);
    expect(status === 200, `GET /reports/${reportId} answered ${status}`);
    const r = body.report;
    expect(
      r.category === CATEGORY.code && r.description === DESCRIPTION && r.address === ADDRESS,
      `the BFF holds ${JSON.stringify({ category: r.category, description: r.description, address: r.address })}`,
    );
    expect(r.photos?.length === 1, `${r.photos?.length} photos on the report`);
    expect(
      Math.abs(r.location.lat - PICKED_PLACE.latitude) < 0.001 && Math.abs(r.location.lng - PICKED_PLACE.longitude) < 0.001,
      `location ${JSON.stringify(r.location)}, picked ${PICKED_PLACE.latitude},${PICKED_PLACE.longitude}`,
    );
    caseId = await findCase(reportId);
    return `case ${caseId}`;
  });

  await check('我的举报 lists the report; after the operator registers the case its detail shows the timeline', async () => {
    expect(caseId, 'no case from the step before');
    await operate(caseId, 'register');
    h.tapTab('我的');
    await h.waitForId('me-my-reports');
    visited.add(screen.route);
    h.tap('#me-my-reports');
    await h.waitForRoute('packages/report/mine/index');
    visited.add(screen.route);
    const row = await h.waitForId(`my-report-${reportId}`);
    expect(row.text().includes(CATEGORY.name), `the list row shows ${row.text()}`);
    h.tap(`#my-report-${reportId}`);
    await h.waitForRoute('packages/report/detail/index');
    const registered = () => screen.byId('report-detail-status')?.text().includes('已立案');
    for (let i = 0; i < 75 && !registered(); i += 1) {
      await h.waitForId('report-detail-refresh');
      h.tap('#report-detail-refresh');
      await h.waitFor(() => !screen.text().includes('刷新中'), 'the refresh to finish').catch(() => undefined);
      // The BFF hears of the registration asynchronously from the simulator.
      await h.waitFor(registered, '已立案', 200).catch(() => undefined);
    }
    expect(registered(), `the detail shows ${screen.byId('report-detail-status')?.text()}`);
    const steps = [...screen.tree().walk()].filter((n) => String(n.attr.class ?? '').includes('timeline-entry__status')).map((n) => n.text());
    for (const step of ['已提交', '已立案']) expect(steps.includes(step), `timeline lacks ${step}: ${steps.join(', ')}`);
    const shownCase = screen.byId('report-detail-case')?.text() ?? '';
    expect(shownCase && shownCase !== '立案后生成', `case number shows "${shownCase}"`);
    return `timeline ${steps.join(' → ')}, case number ${shownCase}`;
  });

  let firstSpot;
  await check('摊点 lists the seeded spots near Chenggong, nearest first, and a spot detail opens', async () => {
    h.tapTab('摊点');
    await h.waitFor(() => screen.allByIdPrefix('stall-card-').length >= 5, 'at least 5 stall cards', 20_000);
    visited.add(screen.route);
    const cards = screen.allByIdPrefix('stall-card-');
    const metres = cards.map((c) => {
      const m = /([\d.]+)\s*(米|公里)/.exec(c.text());
      return m ? Number(m[1]) * (m[2] === '公里' ? 1000 : 1) : NaN;
    });
    expect(!metres.some(Number.isNaN), `a card without a distance: ${cards.map((c) => c.text()).join(' | ')}`);
    for (let i = 1; i < metres.length; i += 1) expect(metres[i] >= metres[i - 1], `not nearest first: ${metres.join(', ')}`);
    const listed = double.record.requests.find((r) => r.path === '/api/v1/stall-spots' && r.status === 200);
    expect(listed, 'no stall-spots request answered 200');
    firstSpot = { id: cards[0].id.slice('stall-card-'.length), text: cards[0].text() };
    h.tap(cards[0]);
    await h.waitForRoute('packages/stalls/detail/index');
    visited.add(screen.route);
    const name = await h.waitFor(() => screen.byId('stall-detail-name')?.text(), 'the spot name');
    expect(firstSpot.text.startsWith(name), `detail names "${name}", the card was "${firstSpot.text}"`);
    return `${cards.length} cards from ${metres[0]} m, opened ${name}`;
  });

  await check('我的 renders the signed-in resident', async () => {
    h.tapTab('我的');
    // Residents see their nickname (or 微信用户), never an internal id.
    const name = await h.waitFor(() => screen.byId('me-user-name')?.text(), 'the user name');
    expect(name === (user.nickname || '微信用户'), `我的 shows "${name}" for nickname "${user.nickname}"`);
    expect(!screen.text().includes(user.id.slice(0, 8)), '我的 shows the internal user id');
    expect(screen.text().includes('已登录'), '我的 lacks 已登录');
    expect(screen.text().includes('长辈模式'), '我的 lacks the 长辈模式 switch');
  });

  await check('every other page app.json lists opens and renders without an error', async () => {
    const ids = { 'packages/report/detail/index': reportId, 'packages/report/rate/index': reportId, 'packages/stalls/detail/index': firstSpot?.id };
    const opened = [];
    for (const route of h.runtime.allPages) {
      if (visited.has(route)) continue;
      if (h.runtime.tabPages.has(route)) h.double.wx.switchTab({ url: `/${route}` });
      else h.double.wx.reLaunch({ url: `/${route}${ids[route] ? `?id=${encodeURIComponent(ids[route])}` : ''}` });
      await h.waitForRoute(route);
      // Let its first requests answer and render; a page showing only a spinner would still pass here.
      await h.waitFor(() => !/加载中/.test(screen.text()) && screen.text().length > 0, `${route} to finish loading`, 10_000);
      const errors = h.takeErrors();
      if (errors.length) throw new Error(`${route}: ${errors.join('; ')}`);
      opened.push(route);
    }
    return opened.join(', ') || 'none left';
  });

  await check('privacy: an API the 隐私保护指引 does not declare is explained, and the form keeps working', async () => {
    double.privacy.undeclared.add('chooseLocation');
    h.tapTab('随手拍');
    await h.waitForRoute('pages/report/index');
    // The new, empty draft locates itself again first.
    await h.waitFor(() => whereText().includes('当前位置'), 'the fresh draft to locate');
    const modals = double.record.modals.length;
    h.tap(screen.byId('report-adjust-location') ?? '调整位置');
    const modal = await h.waitFor(() => double.record.modals.slice(modals).find((m) => m.title === '功能暂不可用'), 'the 功能暂不可用 explanation');
    const line = whereText();
    expect(line.includes('当前位置') && !line.includes(PICKED_PLACE.name), `the location line reads ${line} although chooseLocation failed`);
    double.privacy.undeclared.delete('chooseLocation');
    return modal.content;
  });

  await check('the weapp called only wx APIs the double implements', async () => {
    const unimplemented = [...new Set(double.record.unimplemented)];
    expect(!unimplemented.length, `unimplemented: ${unimplemented.join(', ')}`);
    const used = [...new Set(double.record.calls)].sort();
    const subscribe = double.record.subscribeRequests.length ? `subscribe prompts for ${double.record.subscribeRequests.flat().join(', ')}` : 'no subscribe prompt (no template id built in)';
    return `${used.length} APIs used: ${used.join(', ')}; ${subscribe}`;
  });
} catch (err) {
  results.push(false);
  console.error(err);
} finally {
  h?.stop();
  bff.stop();
}

const passed = results.filter(Boolean).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length && passed > 0 ? 0 : 1);
