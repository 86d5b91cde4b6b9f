// End-to-end in Chromium against the H5 build: the 摊点 map (Leaflet on the local tile stand-in, loaded
// only with the map), pins by state, a pin's card and the detail, 导航 offering 腾讯/高德/百度 links with
// the GCJ-02 point, 关注 and 我的 → 我关注的摊点; then the same pages at 200% zoom (390 CSS px shown in
// 195 px, as a phone at 200% does) without horizontal overflow. Any console error or page error fails
// it; screenshots go to tests/e2e/screenshots/stalls/. Needs `npm run build:bff && npm run build:h5`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH, root, startBff, checklist } from './support.mjs';

const STAFF_USERNAME = 'dev-admin';
const STAFF_PASSWORD = 'e2e-staff-password-123';
/** CITY_PRESETS[0] (昆明呈贡) in miniapp/src/utils/city-presets.ts, GCJ-02. */
const CHENGGONG = { lat: 24.858, lng: 102.849 };

const shots = path.join(root, 'tests/e2e/screenshots/stalls');
fs.rmSync(shots, { recursive: true, force: true });
fs.mkdirSync(shots, { recursive: true });

const { check, setupFailed, exit } = checklist();

/** WCAG relative-luminance contrast of two CSS rgb()/rgba() colours (alpha blended over the second). */
function contrast(fg, bg) {
  const parse = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
  const [br, bgG, bb] = parse(bg);
  const [fr, fgG, fb, fa = 1] = parse(fg);
  const blend = [fr * fa + br * (1 - fa), fgG * fa + bgG * (1 - fa), fb * fa + bb * (1 - fa)];
  const lum = (rgb) => {
    const [r, g, b] = rgb.map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [lum(blend), lum([br, bgG, bb])].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}

/** Waits until `selector` is what the middle of the window shows and its page has finished sliding in. */
async function onTop(p, selector) {
  await p.waitForFunction(
    (sel) => {
      const el = document.elementFromPoint(innerWidth / 2, innerHeight / 2)?.closest(sel);
      const pageBox = (el?.closest('.taro_page') ?? el)?.getBoundingClientRect();
      return Boolean(pageBox && Math.abs(pageBox.left) < 0.5);
    },
    selector,
    { timeout: 10_000 },
  );
}

/** Six decimals without float noise, as miniapp/src/utils/map-links.ts writes coordinates. */
const coord = (n) => String(Number(n.toFixed(6)));

const bff = await startBff({ logName: 'bff-stalls.log', env: { DEV_STAFF_PASSWORD: STAFF_PASSWORD } });
const { baseUrl } = bff;
let browser;
try {
  // One seeded Chenggong spot is suspended by staff, so all pin shapes can appear.
  const login = await fetch(`${baseUrl}/api/v1/staff/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: STAFF_USERNAME, password: STAFF_PASSWORD }),
  });
  if (!login.ok) throw new Error(`staff login answered ${login.status}`);
  const staff = { authorization: `Bearer ${(await login.json()).token}`, 'content-type': 'application/json' };
  const nearby = await (await fetch(`${baseUrl}/api/v1/stall-spots?lat=${CHENGGONG.lat}&lng=${CHENGGONG.lng}&coordSystem=gcj02&radius=10000&limit=50`)).json();
  if (nearby.items.length < 3) throw new Error(`only ${nearby.items.length} seeded spots near Chenggong`);
  const suspendedSpot = nearby.items[nearby.items.length - 1];
  const suspended = await fetch(`${baseUrl}/api/v1/staff/stall-spots/${suspendedSpot.id}/suspend`, { method: 'POST', headers: staff, body: JSON.stringify({ reason: '道路施工，暂停摆摊' }) });
  if (!suspended.ok) throw new Error(`suspend answered ${suspended.status}: ${await suspended.text()}`);

  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
  const page = await context.newPage();
  const problems = [];
  const watch = (p, label) => {
    p.on('pageerror', (err) => problems.push(`${label} page error: ${err.message}`));
    p.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      problems.push(`${label} console error: ${msg.text()} (${msg.location().url ?? ''})`);
    });
  };
  watch(page, '390');
  const scripts = [];
  page.on('request', (r) => {
    if (r.resourceType() === 'script') scripts.push(r.url());
  });

  await check('the first screen loads no Leaflet', async () => {
    await page.goto(`${baseUrl}/`, { waitUntil: 'networkidle' });
    const leaflet = scripts.filter((u) => /\/js\/leaflet\./.test(u));
    if (leaflet.length) throw new Error(`the first screen loaded ${leaflet.join(', ')}`);
    // A figure for the record (the first-screen budget is asserted elsewhere): what the first screen's scripts weigh gzipped.
    let raw = 0;
    let gz = 0;
    for (const url of new Set(scripts)) {
      const body = Buffer.from(await (await fetch(url)).arrayBuffer());
      raw += body.length;
      gz += zlib.gzipSync(body, { level: 9 }).length;
    }
    console.log(`    first screen: ${new Set(scripts).size} scripts, ${(raw / 1024).toFixed(0)} KiB, ${(gz / 1024).toFixed(0)} KiB gzipped`);
  });

  /** The spot the card and the detail are checked with, and its GCJ-02 point from the API. */
  let picked;

  await check('摊点 → 地图: pins from the stall list in WGS-84 on tiles from the stand-in, shaped by state', async () => {
    await page.goto(`${baseUrl}/#/pages/stalls/index`, { waitUntil: 'load' });
    await page.locator('.stalls__city >> visible=true', { hasText: '昆明呈贡' }).first().click();
    await page.locator('.stall-card >> visible=true').first().waitFor({ timeout: 15_000 });
    const cardsText = await page.locator('.stalls__list >> visible=true').innerText();
    if (cardsText.includes('位置为近似值')) throw new Error('the list cards still say 位置为近似值');
    const pageText = await page.locator('.stalls >> visible=true').innerText();
    for (const jargon of ['H5 版', 'WGS', 'GCJ', '坐标']) if (pageText.includes(jargon)) throw new Error(`the stall page shows "${jargon}"`);
    await page.screenshot({ path: path.join(shots, 'list.png'), fullPage: true });

    const listed = page.waitForResponse((r) => r.url().includes('/api/v1/stall-spots?') && r.url().includes('coordSystem=wgs84'));
    await page.locator('#stalls-view-map >> visible=true').click();
    const body = await (await listed).json();
    const leafletUrl = scripts.find((u) => /\/js\/leaflet\./.test(u));
    if (!leafletUrl) throw new Error('the map did not load the Leaflet chunk');
    const leafletJs = Buffer.from(await (await fetch(leafletUrl)).arrayBuffer());
    console.log(`    Leaflet chunk, with the map only: ${(leafletJs.length / 1024).toFixed(0)} KiB, ${(zlib.gzipSync(leafletJs, { level: 9 }).length / 1024).toFixed(0)} KiB gzipped`);
    await page.locator('.leaflet-tile-loaded').first().waitFor({ timeout: 15_000 });
    const tileSrc = await page.locator('.leaflet-tile-loaded').first().getAttribute('src');
    const consoleConfig = await (await fetch(`${baseUrl}/console/config.json`)).json();
    const tileOrigin = new URL(consoleConfig.tileUrl.replace(/\{[a-z]\}/g, '0')).origin;
    if (!tileSrc?.startsWith(tileOrigin)) throw new Error(`tile ${tileSrc} is not from the stand-in ${tileOrigin}`);

    const pins = page.locator('#stalls-map .leaflet-marker-icon[data-marker-id]:not(.map-pin--self)');
    await pins.first().waitFor({ timeout: 10_000 });
    if ((await pins.count()) !== body.items.length) throw new Error(`${await pins.count()} pins for ${body.items.length} spots`);
    const suspendedPin = page.locator(`#stalls-map [data-marker-id="${suspendedSpot.id}"]`);
    if (!(await suspendedPin.getAttribute('class'))?.includes('map-pin--suspended')) throw new Error('the suspended spot has no suspended pin');
    // Not by colour alone: each state has its own symbol, and each pin says its state in words.
    const glyphs = await page.locator('#stalls-map .map-pin').evaluateAll((els) => Object.fromEntries(els.map((e) => [/map-pin--(\w+)/.exec(e.className)?.[1], e.textContent?.trim()])));
    if (glyphs.suspended !== '✕') throw new Error(`suspended pin shows "${glyphs.suspended}"`);
    for (const kind of ['open', 'closed']) if (glyphs[kind] !== undefined && glyphs[kind] !== { open: '✓', closed: '−' }[kind]) throw new Error(`${kind} pin shows "${glyphs[kind]}"`);
    const label = await suspendedPin.getAttribute('aria-label');
    if (!label?.includes(suspendedSpot.name) || !label.includes('暂停')) throw new Error(`suspended pin reads "${label}"`);
    if ((await suspendedPin.getAttribute('role')) !== 'button' || (await suspendedPin.getAttribute('tabindex')) !== '0') throw new Error('pins are not keyboard buttons');
    await page.locator('#stalls-map .map-pin--self').waitFor({ state: 'attached' });

    // Zoom buttons big enough to tap, labelled in Chinese; the attribution shows.
    for (const title of ['放大', '缩小']) {
      const box = await page.locator(`#stalls-map a[title="${title}"]`).boundingBox();
      if (!box || box.width < 44 || box.height < 44) throw new Error(`${title} button is ${box?.width}×${box?.height}`);
    }
    const attribution = await page.locator('#stalls-map .leaflet-control-attribution').innerText();
    if (!attribution.includes(consoleConfig.tileAttribution)) throw new Error(`attribution reads "${attribution}"`);
    await page.screenshot({ path: path.join(shots, 'map.png'), fullPage: true });
  });

  await check('a pin opens its card (name, state, distance), the keyboard too, and 查看详情 the detail', async () => {
    const mapBox = await page.locator('#stalls-map').boundingBox();
    const pins = page.locator('#stalls-map .leaflet-marker-icon[data-marker-id]:not(.map-pin--self)');
    const ids = await pins.evaluateAll((els) => els.map((e) => e.getAttribute('data-marker-id')));
    // A pin fully inside the map and not under another pin's centre, so a real tap reaches it.
    let target = null;
    for (const id of ids) {
      const el = page.locator(`#stalls-map [data-marker-id="${id}"]`);
      const b = await el.boundingBox();
      if (!b || b.x < mapBox.x || b.y < mapBox.y || b.x + b.width > mapBox.x + mapBox.width || b.y + b.height > mapBox.y + mapBox.height) continue;
      const hit = await page.evaluate(([x, y]) => document.elementFromPoint(x, y)?.closest('[data-marker-id]')?.getAttribute('data-marker-id'), [b.x + b.width / 2, b.y + b.height / 2]);
      if (hit === id) {
        target = id;
        break;
      }
    }
    if (!target) throw new Error('no pin can be tapped inside the map');
    const spot = nearby.items.find((s) => s.id === target);
    await page.locator(`#stalls-map [data-marker-id="${target}"]`).click();
    const card = page.locator('#stalls-map-card >> visible=true');
    await card.waitFor({ timeout: 5_000 });
    const text = await card.innerText();
    if (!text.includes(spot.name)) throw new Error(`card shows "${text}", expected ${spot.name}`);
    if (!/\d\s*(米|公里)/.test(text)) throw new Error(`card shows no distance: "${text}"`);
    if (!/营业|开市|收摊|暂停|不开放|休市|未营业|明天|今天/.test(text)) throw new Error(`card shows no open state: "${text}"`);
    await card.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'map-card.png') });

    // Keyboard: focus the suspended pin and press Enter.
    await page.locator(`#stalls-map [data-marker-id="${suspendedSpot.id}"]`).focus();
    await page.keyboard.press('Enter');
    await page.locator('#stalls-map-card >> visible=true', { hasText: suspendedSpot.name }).waitFor({ timeout: 5_000 });
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-marker-id'));
    if (focused !== suspendedSpot.id) throw new Error('the pressed pin lost the keyboard focus');
    if (!(await page.locator(`#stalls-map [data-marker-id="${suspendedSpot.id}"]`).getAttribute('class'))?.includes('map-pin--selected')) throw new Error('the open pin is not marked');
    // Back to the tapped one for the detail.
    await page.locator(`#stalls-map [data-marker-id="${target}"]`).click();
    await page.locator('#stalls-map-card >> visible=true', { hasText: spot.name }).waitFor({ timeout: 5_000 });

    const gcj = (await (await fetch(`${baseUrl}/api/v1/stall-spots/${target}?coordSystem=gcj02`)).json()).spot;
    picked = { id: target, name: spot.name, gcj: gcj.location };
    await page.locator('#stalls-map-card-open >> visible=true').click();
    const name = page.locator('#stall-detail-name >> visible=true');
    await name.waitFor({ timeout: 15_000 });
    if ((await name.innerText()).trim() !== spot.name) throw new Error(`detail shows ${await name.innerText()}`);
    const detailText = await page.locator('.stall-detail >> visible=true').innerText();
    if (gcj.location.approximate && detailText.split('位置为近似值').length !== 2) throw new Error('位置为近似值 is not said exactly once on the detail');
    for (const jargon of ['WGS', 'GCJ', '坐标', 'H5 版']) if (detailText.includes(jargon)) throw new Error(`the detail shows "${jargon}"`);
    await onTop(page, '.stall-detail');
    await page.screenshot({ path: path.join(shots, 'detail.png'), fullPage: true });
  });

  await check('导航 offers 腾讯地图, 高德地图 and 百度地图, each linking the GCJ-02 point', async () => {
    if (!picked) throw new Error('no spot from the map check');
    await page.locator('#stall-navigate >> visible=true').click();
    await page.locator('#map-app-sheet >> visible=true').waitFor({ timeout: 5_000 });
    const links = await page.locator('#map-app-sheet a').evaluateAll((els) => els.map((a) => [a.textContent?.trim(), a.getAttribute('href')]));
    const labels = links.map(([l]) => l);
    if (labels.join() !== '腾讯地图,高德地图,百度地图') throw new Error(`sheet offers ${labels.join(', ')}`);
    const { lat, lng } = picked.gcj;
    const [tencent, amap, baidu] = links.map(([, href]) => href);
    if (!tencent.startsWith('https://apis.map.qq.com/uri/v1/marker?') || !tencent.includes(`coord:${coord(lat)},${coord(lng)}`)) throw new Error(`Tencent link ${tencent}`);
    if (!amap.startsWith('https://uri.amap.com/marker?') || !amap.includes(`position=${coord(lng)},${coord(lat)}`) || !amap.includes('coordinate=gaode')) throw new Error(`AMap link ${amap}`);
    if (!baidu.startsWith('https://api.map.baidu.com/marker?') || !baidu.includes(`location=${coord(lat)},${coord(lng)}`) || !baidu.includes('coord_type=gcj02'))
      throw new Error(`Baidu link ${baidu}`);
    if (!decodeURIComponent(tencent).includes(picked.name)) throw new Error('the Tencent link lacks the name');
    await page.screenshot({ path: path.join(shots, 'navigate.png') });
    await page.locator('#map-app-sheet .map-app-sheet__cancel').click();
    await page.locator('#map-app-sheet').waitFor({ state: 'detached', timeout: 5_000 });
  });

  await check('关注 and 已关注 read at ≥ 4.5:1, and 我的 → 我关注的摊点 lists the spot and opens it', async () => {
    if (!picked) throw new Error('no spot from the map check');
    const follow = page.locator('#stall-follow >> visible=true');
    const colours = async () => follow.evaluate((el) => ({ fg: getComputedStyle(el).color, bg: getComputedStyle(el).backgroundColor, text: el.textContent?.trim() }));
    const before = await colours();
    if (before.text !== '关注') throw new Error(`button reads "${before.text}"`);
    const followed = page.waitForResponse((r) => r.url().endsWith(`/api/v1/stall-spots/${picked.id}/follow`) && r.request().method() === 'PUT');
    await follow.click();
    if ((await followed).status() !== 200) throw new Error('follow failed');
    // Taro's H5 button writes disabled="false", which its own `[disabled]` rule (60% white) matches.
    await page.locator('#stall-follow:not([loading="true"]) >> visible=true', { hasText: '已关注' }).waitFor({ timeout: 5_000 });
    const after = await colours();
    for (const [state, c] of [
      ['关注', before],
      ['已关注', after],
    ]) {
      const ratio = contrast(c.fg, c.bg);
      if (ratio < 4.5) throw new Error(`${state}: ${c.fg} on ${c.bg} is ${ratio.toFixed(2)}:1`);
      console.log(`    ${state}: ${c.fg} on ${c.bg} = ${ratio.toFixed(2)}:1`);
    }

    await page.goto(`${baseUrl}/#/pages/me/index`, { waitUntil: 'load' });
    await page.locator('#me-stall-follows >> visible=true').click();
    const row = page.locator(`#stall-follow-${picked.id} >> visible=true`);
    await row.waitFor({ timeout: 15_000 });
    if (!(await row.innerText()).includes(picked.name)) throw new Error(`row reads "${await row.innerText()}"`);
    await onTop(page, '.stall-follows');
    await page.screenshot({ path: path.join(shots, 'follows.png'), fullPage: true });
    await row.click();
    await page.locator('#stall-detail-name >> visible=true', { hasText: picked.name }).waitFor({ timeout: 15_000 });
  });

  // 200% zoom: a 390 px phone at 200% lays out 195 CSS px; deviceScaleFactor 4 keeps it sharp.
  const zoomed = await browser.newContext({ viewport: { width: 195, height: 422 }, deviceScaleFactor: 4, locale: 'zh-CN', storageState: await context.storageState() });
  const zpage = await zoomed.newPage();
  watch(zpage, '200%');
  const noOverflow = async (what) => {
    const { scrollWidth, innerWidth } = await zpage.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
    if (scrollWidth > innerWidth) throw new Error(`${what} is ${scrollWidth} px wide in a ${innerWidth} px window`);
  };

  await check('at 200% zoom: the list, the map with its card, the detail, 导航 and 我关注的摊点 fit the width', async () => {
    await zpage.goto(`${baseUrl}/#/pages/stalls/index`, { waitUntil: 'load' });
    await zpage.locator('.stalls__city >> visible=true', { hasText: '昆明呈贡' }).first().click();
    await zpage.locator('.stall-card >> visible=true').first().waitFor({ timeout: 15_000 });
    await noOverflow('the stall list');
    await zpage.screenshot({ path: path.join(shots, 'zoom200-list.png'), fullPage: true });

    await zpage.locator('#stalls-view-map >> visible=true').click();
    await zpage.locator('#stalls-map .leaflet-tile-loaded').first().waitFor({ timeout: 15_000 });
    const pin = zpage.locator(`#stalls-map [data-marker-id="${suspendedSpot.id}"]`);
    await pin.waitFor({ timeout: 10_000 });
    for (const title of ['放大', '缩小']) {
      const box = await zpage.locator(`#stalls-map a[title="${title}"]`).boundingBox();
      if (!box || box.width < 44 || box.height < 44) throw new Error(`${title} button is ${box?.width}×${box?.height} at 200%`);
    }
    await pin.focus();
    await zpage.keyboard.press('Enter');
    const card = zpage.locator('#stalls-map-card >> visible=true');
    await card.waitFor({ timeout: 5_000 });
    await card.scrollIntoViewIfNeeded();
    await noOverflow('the stall map');
    await zpage.screenshot({ path: path.join(shots, 'zoom200-map.png') });
    await zpage.locator('#stalls-map-card-open >> visible=true').click();
    await zpage.locator('#stall-detail-name >> visible=true').waitFor({ timeout: 15_000 });
    await onTop(zpage, '.stall-detail');
    await noOverflow('the stall detail');
    await zpage.screenshot({ path: path.join(shots, 'zoom200-detail.png'), fullPage: true });
    await zpage.locator('#stall-navigate >> visible=true').click();
    await zpage.locator('#map-app-sheet >> visible=true').waitFor({ timeout: 5_000 });
    await noOverflow('the 导航 sheet');
    for (const key of ['tencent', 'amap', 'baidu']) {
      const box = await zpage.locator(`#map-app-${key}`).boundingBox();
      if (!box || box.x < 0 || box.x + box.width > 195 || box.height < 44) throw new Error(`the ${key} choice sits at ${JSON.stringify(box)}`);
    }
    await zpage.screenshot({ path: path.join(shots, 'zoom200-navigate.png') });
    await zpage.locator('#map-app-sheet .map-app-sheet__cancel').click();

    await zpage.goto(`${baseUrl}/#/packages/stalls/follows/index`, { waitUntil: 'load' });
    await zpage.locator(`#stall-follow-${picked?.id} >> visible=true`).waitFor({ timeout: 15_000 });
    await onTop(zpage, '.stall-follows');
    await noOverflow('我关注的摊点');
    await zpage.screenshot({ path: path.join(shots, 'zoom200-follows.png'), fullPage: true });
    // A fresh load, so the tab page is not caught mid-transition from the sub-page.
    await zpage.goto(`${baseUrl}/#/pages/me/index`, { waitUntil: 'load' });
    await zpage.reload({ waitUntil: 'load' });
    await zpage.locator('#me-stall-follows >> visible=true').waitFor({ timeout: 15_000 });
    await onTop(zpage, '.me');
    await zpage.screenshot({ path: path.join(shots, 'zoom200-me.png'), fullPage: true });
  });

  await check('no console errors and no page errors', async () => {
    if (problems.length) throw new Error(problems.join('\n    '));
  });
} catch (err) {
  setupFailed(err);
} finally {
  await browser?.close().catch(() => undefined);
  bff.stop();
}

exit();
