// The resident app as residents meet it, in Chromium against the H5 build served by the BFF (dev
// WeChat, embedded PostgreSQL, the case-system simulator, and the local geocoder and tile stand-ins):
// light photos, refused photos with their reason, offline reload keeping photos, a cleared draft never
// sent, category search, back navigation on every sub-page, elder mode, and every page at 390×844, at
// 200% zoom and in elder mode without sideways overflow or low-contrast text, with screenshots of each.
// Fails on any uncaught error or console error. Needs `npm run build:bff && npm run build:h5`.
import fs from 'node:fs';
import path from 'node:path';
import { layoutProblems } from './layout-problems.mjs';
import { BROKEN_PHOTO, HEIC_PHOTO, PHONE_PHOTO, PHOTOS } from './resident-photos.mjs';
import { artifacts, caseOperator, checklist, openChromium, startBff } from './support.mjs';

const SHOTS = path.join(artifacts, 'resident');
fs.mkdirSync(SHOTS, { recursive: true });

const { check, setupFailed, exit } = checklist();

const bff = await startBff({ logName: 'bff-resident.log' });
const { baseUrl, simulatorUrl } = bff;
const { findCase, operate } = caseOperator(simulatorUrl);

let browser;
try {
  browser = await openChromium({ viewport: { width: 390, height: 844 } });
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // "Failed to load resource" is Chromium reporting an HTTP error status the app handles (e.g. a
    // refused photo's 422); everything else at error level comes from our code or the framework.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console.error: ${msg.text()}`);
  });

  /** Until a test tells otherwise, API calls go through; `offline(true)` makes them fail like a lost network. */
  let apiDown = false;
  await page.route('**/api/v1/**', (route) => (apiDown ? route.abort('internetdisconnected') : route.continue()));
  const offline = async (down) => {
    apiDown = down;
    if (!down) await page.evaluate(() => window.dispatchEvent(new Event('online')));
  };

  const visible = (selector) => page.locator(`${selector} >> visible=true`);
  const openReportForm = async () => {
    await page.goto(`${baseUrl}/#/pages/report/index`, { waitUntil: 'load' });
    await visible('#report-add-photo').waitFor({ timeout: 20_000 });
  };
  /** Headless Chromium cannot locate; after the locate timeout the form offers preset cities. */
  const pickCity = async () => {
    await page.waitForFunction(() => !!document.querySelector('.report__city') || !document.querySelector('#report-location.report__location--pending'), null, { timeout: 15_000 });
    await page.waitForFunction(() => !!document.querySelector('.report__city'), null, { timeout: 10_000 }).catch(() => undefined);
    const city = visible('.report__city').first();
    if (await city.count()) await city.click(); // else the draft kept its earlier pin
  };
  /** Taps 提交 once it is enabled; otherwise fails with the reason the form gives. */
  const tapSubmit = async () => {
    try {
      await visible('#report-submit:not([disabled])').waitFor({ timeout: 15_000 });
    } catch {
      throw new Error(
        `提交 stays disabled: "${await visible('#report-submit-reason')
          .innerText()
          .catch(() => '?')}"`,
      );
    }
    await visible('#report-submit').click();
  };
  const pickCategory = async (code) => {
    await visible('#report-category').click();
    await visible(`#report-category-option-${code}`).click();
  };

  /** A neighbour files an open report through the API, so the map has someone else's report on it. */
  async function neighbourReport(category, lat, lng) {
    const login = await (
      await fetch(`${baseUrl}/api/v1/auth/wechat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: `dev:neighbour-${Date.now()}` }) })
    ).json();
    const auth = { authorization: `Bearer ${login.token}` };
    const form = new FormData();
    form.append('file', new Blob([fs.readFileSync(path.join(PHOTOS, 'gps_DSCN0042.jpg'))], { type: 'image/jpeg' }), 'photo.jpg');
    const photo = await (await fetch(`${baseUrl}/api/v1/photos`, { method: 'POST', headers: auth, body: form })).json();
    const res = await fetch(`${baseUrl}/api/v1/reports`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': `e2e-${Date.now()}` },
      body: JSON.stringify({ category, description: '这里的井盖松动了，走过会响', location: { lat, lng, coordSystem: 'gcj02' }, address: '', photoIds: [photo.id] }),
    });
    if (res.status !== 201) throw new Error(`the neighbour's report answered ${res.status}: ${await res.text()}`);
    return (await res.json()).report;
  }

  await check('first screen: JS sent compressed stays within 300 KB', async () => {
    const sizes = [];
    const onResponse = async (res) => {
      if (res.request().resourceType() !== 'script') return;
      const headers = await res.allHeaders();
      const body = await res.body().catch(() => Buffer.alloc(0));
      sizes.push({ url: res.url(), encoding: headers['content-encoding'] ?? 'identity', sent: Number(headers['content-length'] ?? body.length), raw: body.length });
    };
    page.on('response', onResponse);
    await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' });
    await visible('#report-add-photo').waitFor({ timeout: 20_000 });
    page.off('response', onResponse);
    const sent = sizes.reduce((sum, s) => sum + s.sent, 0);
    const raw = sizes.reduce((sum, s) => sum + s.raw, 0);
    console.log(
      `    first screen: ${sizes.length} scripts, ${(sent / 1024).toFixed(1)} KB sent (${[...new Set(sizes.map((s) => s.encoding))].join(', ')}), ${(raw / 1024).toFixed(1)} KB uncompressed`,
    );
    if (sizes.some((s) => s.encoding === 'identity'))
      throw new Error(
        `scripts sent uncompressed: ${sizes
          .filter((s) => s.encoding === 'identity')
          .map((s) => s.url)
          .join(', ')}`,
      );
    if (sent > 300 * 1024) throw new Error(`first-screen JS is ${(sent / 1024).toFixed(1)} KB compressed`);
  });

  await check('a 2.2 MB phone photo is shrunk on the device to ≤ 500 KB before upload', async () => {
    await openReportForm();
    const upload = page.waitForRequest((r) => r.url().endsWith('/api/v1/photos') && r.method() === 'POST', { timeout: 20_000 });
    await page.setInputFiles('#report-file-input', PHONE_PHOTO);
    const bytes = (await upload).postDataBuffer()?.length ?? 0;
    const original = fs.statSync(PHONE_PHOTO).size;
    console.log(`    ${(original / 1024).toFixed(0)} KB photo sent as ${(bytes / 1024).toFixed(0)} KB (multipart body)`);
    if (bytes === 0 || bytes > 500 * 1024) throw new Error(`upload body is ${bytes} bytes`);
    await visible('.report-photo--done').first().waitFor({ timeout: 20_000 });
  });

  await check('refused photos say why and offer 换一张, not a retry that cannot succeed', async () => {
    await page.setInputFiles('#report-file-input', [BROKEN_PHOTO, HEIC_PHOTO]);
    await page.locator('.report-photo--failed').nth(1).waitFor({ timeout: 20_000 });
    const reasons = await visible('#report-photo-errors').innerText();
    if (!reasons.includes('照片已损坏或无法识别')) throw new Error(`reasons shown: "${reasons}"`);
    if (!/HEIC|高效/.test(reasons)) throw new Error(`no HEIC advice in "${reasons}"`);
    const actions = await page.locator('.report-photo--failed .report-photo__retry').allInnerTexts();
    if (actions.length !== 2 || actions.some((a) => a.trim() !== '换一张')) throw new Error(`failed tiles offer ${JSON.stringify(actions)}`);
    const blocker = await visible('#report-submit-reason').innerText();
    if (!blocker.includes('换一张')) throw new Error(`submit reason says "${blocker}"`);
    await visible('.report__photos').screenshot({ path: path.join(SHOTS, 'photos-refused.png') });
    while (await page.locator('.report-photo--failed').count()) await page.locator('.report-photo--failed .report-photo__remove').first().click();
    if (await page.locator('.report-photo--failed').count()) throw new Error('refused tiles could not be removed');
  });

  await check('category search: residents’ words find the category, 常用 comes first', async () => {
    await visible('#report-category').click();
    await visible('#report-category-frequent').waitFor({ timeout: 5_000 });
    const sheetTop = await visible('.report-sheet__head').boundingBox();
    if (!sheetTop || sheetTop.y < 0) throw new Error(`the sheet's head is off-screen (${sheetTop?.y})`);
    await visible('#report-category-search input').fill('井盖');
    await visible('#report-category-option-manhole_cover').waitFor({ timeout: 5_000 });
    if ((await page.locator('.report-category-option >> visible=true').count()) !== 1) throw new Error('井盖 matched more than 井盖缺失破损');
    // The match is whole on screen, above the tab bar.
    const option = await visible('#report-category-option-manhole_cover').boundingBox();
    const tabBar = await page.locator('.taro-tabbar__tabbar').boundingBox();
    const bottom = tabBar ? tabBar.y : 844;
    if (!option || option.y < 0 || option.y + option.height > bottom + 0.5) throw new Error(`the only match is cut off: ${JSON.stringify(option)} with the screen ending at ${bottom}`);
    await page.screenshot({ path: path.join(SHOTS, 'category-search.png') });
    await visible('#report-category-search input').fill('火星');
    await visible('#report-category-empty').waitFor({ timeout: 5_000 });
    await visible('#report-category-close').click();
  });

  await check('offline reload keeps queued photos; they go up once the network is back', async () => {
    await openReportForm();
    await offline(true);
    await page.setInputFiles('#report-file-input', path.join(PHOTOS, 'gps_DSCN0010.jpg'));
    await visible('.report-photo--waiting').first().waitFor({ timeout: 20_000 });
    await page.reload({ waitUntil: 'load' });
    await visible('.report-photo--waiting').first().waitFor({ timeout: 20_000 });
    if (!(await visible('#report-add-photo').count())) throw new Error('no add-photo tile after the reload');
    const src = await visible('.report-photo--waiting .report-photo__img img')
      .first()
      .getAttribute('src')
      .catch(() => null);
    await offline(false);
    await visible('.report-photo--done').first().waitFor({ timeout: 20_000 });
    if (await page.locator('.report-photo--waiting').count()) throw new Error('a photo still waits with the network back');
    console.log(`    restored preview: ${src ? src.slice(0, 5) : 'none'}`);
  });

  await check('a draft being cleared is not sent when the network comes back meanwhile', async () => {
    await pickCategory('exposed_garbage');
    await pickCity();
    await visible('#report-description textarea').fill('路边垃圾堆了三天没人清理');
    await visible('#report-address input').fill('呈贡区测试路 1 号');
    await offline(true);
    await tapSubmit();
    await visible('#report-edit-pending').waitFor({ timeout: 15_000 });
    let sent = 0;
    const count = (req) => {
      if (req.url().endsWith('/api/v1/reports') && req.method() === 'POST' && !apiDown) sent += 1;
    };
    page.on('request', count);
    await visible('#report-discard').click();
    await visible('.taro-model__confirm').waitFor({ timeout: 5_000 });
    await offline(false); // network back while the question is open
    // What resume() would send goes out at once; give the page a moment to prove it does not.
    await page.waitForTimeout(1500);
    if (sent) throw new Error('the draft went out while 清空草稿 was being confirmed');
    await page.locator('.taro-model__confirm >> visible=true').click();
    await page.waitForTimeout(500);
    page.off('request', count);
    if (sent) throw new Error('the cleared draft went out');
    if (await page.locator('.report-photo').count()) throw new Error('photos are still there after 清空草稿');
  });

  await check('map-first: the pin gets its address, dragging moves it, a neighbour’s open report is on the map and can be followed (我也遇到了)', async () => {
    const neighbour = await neighbourReport('manhole_cover', 24.8585, 102.8495);
    const seen = [];
    const onNearby = async (r) => {
      if (r.url().includes('/api/v1/reports/nearby')) seen.push(`${r.status()} ${r.url().split('?')[1]} ${(await r.text().catch(() => '')).slice(0, 200)}`);
    };
    page.on('response', onNearby);
    // Back to the tab as a resident would (from 我的): showing it asks for the reports around the pin again.
    await page.goto(`${baseUrl}/#/pages/me/index`, { waitUntil: 'load' });
    await visible('#me-elder-switch').waitFor({ timeout: 10_000 });
    await page.locator('.weui-tabbar__label >> visible=true', { hasText: '随手拍' }).first().click();
    await visible('#report-add-photo').waitFor({ timeout: 15_000 });
    await pickCity(); // headless Chromium cannot locate: 昆明呈贡 puts the pin on 彩云中路
    const location = visible('#report-location');
    await page.waitForFunction(() => /呈贡区/.test(document.querySelector('#report-location')?.textContent ?? ''), null, { timeout: 15_000 });
    const first = (await location.innerText()).trim();
    const map = visible('#report-map .leaflet-container');
    await map.waitFor({ timeout: 15_000 });
    await visible('#report-map .leaflet-tile-loaded').first().waitFor({ timeout: 15_000 });
    const marker = visible(`#report-map [data-marker-id="${neighbour.id}"]`);
    await marker.waitFor({ timeout: 15_000 }).catch(async (err) => {
      await page.screenshot({ path: path.join(SHOTS, 'report-map-FAILED.png') });
      const markers = await page.locator('#report-map [data-marker-id]').count();
      throw new Error(
        `${err.message.split('\n')[0]} (${markers} markers on the map; the neighbour's report ${neighbour.id} at ${JSON.stringify(neighbour.location)}; nearby answers: ${seen.join(' | ')})`,
      );
    });
    // Drag the map 120 px: the pin stays in the middle, so it now points elsewhere.
    const box = await map.boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 - 60, { steps: 8 });
    await page.mouse.up();
    // The pin now names a new point (地图选点), and the stand-in geocoder named the address under it.
    await page
      .waitForFunction(
        () => (document.querySelector('#report-location-source')?.textContent ?? '').includes('地图选点') && /呈贡区/.test(document.querySelector('#report-location')?.textContent ?? ''),
        null,
        { timeout: 15_000 },
      )
      .catch(async () => {
        throw new Error(
          `after the drag: "${await location.innerText()}" / "${await visible('#report-location-source')
            .innerText()
            .catch(() => '')}" (before: "${first}")`,
        );
      });
    if (!(await visible('#report-address-label').innerText()).includes('选填')) throw new Error('with a pin set the typed address should be optional');
    await page.screenshot({ path: path.join(SHOTS, 'report-map.png') });
    page.off('response', onNearby);
    await marker.click();
    const follow = page.waitForResponse((r) => r.url().endsWith(`/api/v1/reports/${neighbour.id}/follow`) && r.request().method() === 'PUT', { timeout: 10_000 });
    await visible(`#report-map-picked #report-nearby-follow-${neighbour.id}`).click();
    const res = await follow;
    if (res.status() !== 200) throw new Error(`follow answered ${res.status()}`);
    const body = await res.json();
    if (!body.followed || body.followers !== 1) throw new Error(`follow state ${JSON.stringify(body)}`);
    await page.reload({ waitUntil: 'load' });
    await visible(`#report-follow-${neighbour.id}`).waitFor({ timeout: 15_000 });
  });

  await check('elder mode: 我的 → 长辈模式 enlarges every page', async () => {
    await page.goto(`${baseUrl}/#/pages/me/index`, { waitUntil: 'load' });
    await visible('#me-elder-switch').click();
    await visible('.page--elder').waitFor({ timeout: 5_000 });
    await page.goto(`${baseUrl}/#/pages/report/index`, { waitUntil: 'load' });
    const zoom = await visible('.page')
      .first()
      .evaluate((el) => getComputedStyle(el).zoom);
    if (Number(zoom) < 1.2) throw new Error(`report page zoom ${zoom}`);
  });

  // A report of our own, handled by the city, so the detail and rating pages have content.
  let reportId;
  await check('report progress reads consistently: the step bar names the badge’s step, newest event first, one 已受理', async () => {
    await page.goto(`${baseUrl}/#/pages/me/index`, { waitUntil: 'load' });
    await visible('#me-elder-switch').click(); // back to normal size for the journey
    await openReportForm();
    await page.setInputFiles('#report-file-input', path.join(PHOTOS, 'gps_DSCN0021.jpg'));
    await visible('.report-photo--done').first().waitFor({ timeout: 20_000 });
    await pickCategory('street_light');
    await pickCity();
    await visible('#report-description textarea').fill('彩云路这段路灯晚上都不亮');
    await visible('#report-address input').fill('呈贡区彩云路 10 号对面');
    const created = page.waitForResponse((r) => r.url().endsWith('/api/v1/reports') && r.request().method() === 'POST', { timeout: 15_000 });
    created.catch(() => undefined); // awaited below unless submitting fails first
    await tapSubmit();
    reportId = (await (await created).json()).report.id;
    const caseId = await findCase(reportId);
    for (const [action, body] of [
      ['register', {}],
      ['dispatch', { department: '市政设施管理处' }],
      ['handle', { note: '已更换灯泡' }],
    ])
      await operate(caseId, action, body);
    await visible('#report-detail-status').waitFor({ timeout: 15_000 });
    for (let i = 0; i < 75 && !(await visible('#report-detail-status').innerText()).includes('已处置'); i += 1) {
      await visible('#report-detail-refresh').click();
      await page.waitForTimeout(200);
    }
    const current = (await visible('.report-step--current .report-step__name').innerText()).trim();
    if (current !== '处置') throw new Error(`step bar highlights ${current} while the badge says 已处置`);
    const statuses = await visible('.timeline-entry__status').allInnerTexts();
    if (statuses[0] !== '已处置') throw new Error(`newest entry is ${statuses[0]}`);
    if (statuses.filter((s) => s === '已受理').length > 1) throw new Error(`已受理 ${statuses.filter((s) => s === '已受理').length} times: ${statuses.join(', ')}`);
  });

  await check('返回 on a sub-page goes back to where the resident came from', async () => {
    await page.goto(`${baseUrl}/#/pages/me/index`, { waitUntil: 'load' });
    for (const [entry, ready] of [
      ['#me-my-reports', '.my-report'],
      ['#me-my-rewards', '#rewards-balance-amount'],
      ['#me-scorecard', '#scorecard-closedRate'],
      ['#me-privacy', '#privacy-export'],
    ]) {
      await visible(entry).click();
      await visible(ready).first().waitFor({ timeout: 15_000 });
      const title = await visible('.page-bar__title').last().innerText();
      await visible('#page-back').last().click();
      await visible('#me-elder-switch').waitFor({ timeout: 10_000 });
      if (!title.trim()) throw new Error(`${entry}: the bar has no title`);
    }
  });

  const PAGES = [
    ['report', '/pages/report/index', '#report-add-photo', false],
    ['stalls', '/pages/stalls/index', '.stalls', false],
    ['me', '/pages/me/index', '#me-elder-switch', false],
    ['my-reports', '/packages/report/mine/index', '.my-report', true],
    ['report-detail', () => `/packages/report/detail/index?id=${reportId}`, '#report-detail-status', true],
    ['rewards', '/packages/rewards/index', '#rewards-balance-amount', true],
    ['scorecard', '/packages/scorecard/index', '#scorecard-closedRate', true],
    ['privacy', '/packages/privacy/index', '#privacy-export', true],
    [
      'stall-detail',
      async () => {
        const list = await (await fetch(`${baseUrl}/api/v1/stall-spots?lat=24.858&lng=102.849&coordSystem=gcj02&limit=1`)).json();
        return `/packages/stalls/detail/index?id=${list.items[0].id}`;
      },
      '.stall-detail',
      true,
    ],
    ['stall-follows', '/packages/stalls/follows/index', '.stall-follows', true],
  ];

  for (const [name, route, ready, sub] of PAGES) {
    await check(`${name}: back bar on sub-pages; no sideways overflow or low contrast at 390×844, 200% and in elder mode`, async () => {
      const url = typeof route === 'function' ? await route() : route;
      const problems = [];
      for (const mode of ['normal', 'zoom200', 'elder']) {
        // 200% browser zoom of a 390 px phone: half the CSS pixels at twice the density.
        await page.setViewportSize(mode === 'zoom200' ? { width: 195, height: 422 } : { width: 390, height: 844 });
        // Taro's H5 storage keeps { data } as JSON (what the 长辈模式 switch writes).
        await page.evaluate((on) => localStorage.setItem('cityloop.elderMode', JSON.stringify({ data: on ? 'on' : 'off' })), mode === 'elder').catch(() => undefined);
        await page.goto(`${baseUrl}/#${url}`, { waitUntil: 'load' });
        await page.reload({ waitUntil: 'load' });
        await visible(ready)
          .first()
          .waitFor({ timeout: 20_000 })
          .catch(async (err) => {
            await page.screenshot({ path: path.join(SHOTS, `${name}-${mode}-FAILED.png`) });
            throw err;
          });
        if (sub && !(await visible('#page-back').count())) problems.push(`${mode}: no back button`);
        for (const p of await layoutProblems(page)) problems.push(`${mode}: ${p}`);
        await page.screenshot({ path: path.join(SHOTS, `${name}-${mode}.png`), fullPage: true });
      }
      await page.setViewportSize({ width: 390, height: 844 });
      await page.evaluate(() => localStorage.setItem('cityloop.elderMode', JSON.stringify({ data: 'off' })));
      if (sub) {
        // Opened directly (a shared link, an H5 reload): 返回 leads to the first tab, never a dead end.
        await visible('#page-back').last().click();
        await visible('#report-add-photo').waitFor({ timeout: 10_000 });
      }
      if (problems.length) throw new Error(problems.join('\n    '));
    });
  }

  await check('no uncaught errors or console errors', async () => {
    if (errors.length) throw new Error(errors.slice(0, 10).join('\n    '));
  });
} catch (err) {
  setupFailed(err);
} finally {
  await browser?.close();
  bff.stop();
}

exit();
