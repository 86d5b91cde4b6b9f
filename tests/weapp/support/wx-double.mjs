// A test double of WeChat's `wx` API, like our dev WeChat server is one of WeChat's HTTP API:
// request and uploadFile are real HTTP to the BFF under test, the device (location, camera, album)
// answers with fixed values and fixture photos, compressImage really re-encodes with sharp, and
// storage and the file system live in a temp folder. Any API the weapp calls that is not implemented
// here is recorded by name and throws, so the journey fails and says which one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
// The BFF's own sharp (the harness installs nothing of its own).
const sharp = createRequire(path.join(root, 'bff/package.json'))('sharp');

/** Chenggong district, Kunming (GCJ-02): where the seeded stall spots are. */
export const FIXED_POINT = { latitude: 24.858, longitude: 102.849 };
export const PICKED_PLACE = { name: '呈贡区政府', address: '云南省昆明市呈贡区锦绣大街', latitude: 24.8801, longitude: 102.8215 };

/** WeChat's privacy-protected APIs that this app may call (用户隐私保护指引). */
export const PRIVACY_APIS = new Set([
  'getLocation',
  'getFuzzyLocation',
  'chooseLocation',
  'startLocationUpdate',
  'startLocationUpdateBackground',
  'chooseMedia',
  'chooseImage',
  'chooseVideo',
  'saveImageToPhotosAlbum',
  'setClipboardData',
  'getClipboardData',
  'chooseAddress',
]);
const PRIVACY_REFUSED = { errno: 104, text: 'privacy permission is not authorized' };
const PRIVACY_UNDECLARED = { errno: 112, text: 'api scope is not declared in the privacy agreement' };

/** API names Taro wraps (so the double lists them all and an unimplemented one fails by name). */
function taroApiNames() {
  const names = new Set();
  for (const rel of ['node_modules/@tarojs/shared/dist/native-apis.js', 'node_modules/@tarojs/plugin-platform-weapp/dist/runtime.js']) {
    const file = path.join(root, rel);
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    const list = /needPromiseApis = new Set\(\[([\s\S]*?)\]\)/.exec(text);
    if (list) for (const m of list[1].matchAll(/'([A-Za-z0-9_]+)'/g)) names.add(m[1]);
  }
  return names;
}
const SYNC_AND_EVENT_APIS = [
  'getStorageSync', 'setStorageSync', 'removeStorageSync', 'clearStorageSync', 'getStorageInfoSync',
  'getSystemInfoSync', 'getWindowInfo', 'getAppBaseInfo', 'getDeviceInfo', 'getSystemSetting', 'getAppAuthorizeSetting',
  'getMenuButtonBoundingClientRect', 'getAccountInfoSync', 'getLaunchOptionsSync', 'getEnterOptionsSync',
  'getFileSystemManager', 'createSelectorQuery', 'createIntersectionObserver', 'createMapContext', 'createVideoContext',
  'createCanvasContext', 'createAnimation', 'createInnerAudioContext', 'getUpdateManager', 'getRealtimeLogManager', 'getLogManager',
  'onNetworkStatusChange', 'offNetworkStatusChange', 'onAppShow', 'offAppShow', 'onAppHide', 'offAppHide', 'onError', 'offError',
  'onUnhandledRejection', 'offUnhandledRejection', 'onPageNotFound', 'offPageNotFound', 'onMemoryWarning', 'onThemeChange', 'offThemeChange',
  'onWindowResize', 'offWindowResize', 'onNeedPrivacyAuthorization', 'onKeyboardHeightChange', 'offKeyboardHeightChange',
  'onLocationChange', 'offLocationChange', 'canIUse', 'nextTick', 'reportAnalytics', 'reportMonitor', 'reportEvent', 'arrayBufferToBase64', 'base64ToArrayBuffer',
];

const ok = (api, extra = {}) => ({ errMsg: `${api}:ok`, ...extra });

/**
 * `options.baseUrl`: the BFF under test; every request's origin is replaced by it (the build has
 * its own API_BASE baked in). `options.dir`: a fresh temp folder. `options.photos`: fixture paths
 * chooseMedia hands out in turn.
 */
export function createWxDouble({ baseUrl, dir, photos, log = () => undefined }) {
  const calls = [];
  const unimplemented = [];
  const toasts = [];
  const modals = [];
  const compressions = [];
  const uploads = [];
  /** Every HTTP exchange with the BFF: method, path (no query), status. */
  const requests = [];
  const navigations = [];
  const subscribeRequests = [];
  const privacyEvents = [];
  let nav = null;
  let photoIndex = 0;
  let tempCount = 0;
  let loginCount = 0;
  const listeners = { network: new Set(), privacy: new Set(), appShow: new Set(), appHide: new Set(), error: new Set(), rejection: new Set(), resize: new Set() };
  const privacy = {
    agreed: false,
    /** How many times the user taps 拒绝 on the privacy popup before agreeing. */
    refusalsLeft: 1,
    /** APIs whose scope the 隐私保护指引 lacks (they fail with errno 112). */
    undeclared: new Set(),
    /** Ids of `<button open-type="agreePrivacyAuthorization">` the user tapped (the base library checks them). */
    agreeButtonsTapped: new Set(),
  };
  const settings = {
    /** What the user answers to showModal; a function of its options. */
    modalAnswer: () => ({ confirm: true, cancel: false }),
    actionSheetAnswer: () => ({ tapIndex: 0 }),
    network: { isConnected: true, networkType: 'wifi' },
    fontSizeSetting: 16,
  };

  // ---- files --------------------------------------------------------------------------------
  const fsRoot = path.join(dir, 'wxfs');
  const areas = { tmp: path.join(fsRoot, 'tmp'), usr: path.join(fsRoot, 'usr'), store: path.join(fsRoot, 'store') };
  for (const d of Object.values(areas)) fs.mkdirSync(d, { recursive: true });
  const USER_DATA_PATH = 'wxfile://usr';

  /** `wxfile://tmp/…`, `wxfile://usr/…`, `wxfile://store/…` → a path in the temp folder; null when outside. */
  function realPath(wxPath) {
    const m = /^wxfile:\/\/(tmp|usr|store)(?:\/(.*))?$/.exec(String(wxPath ?? ''));
    if (!m) return null;
    const full = path.resolve(areas[m[1]], m[2] ?? '');
    return full.startsWith(areas[m[1]]) ? full : null;
  }
  function newTempPath(ext) {
    tempCount += 1;
    return `wxfile://tmp/tmp_${Date.now().toString(36)}_${tempCount}${ext}`;
  }

  // ---- storage ------------------------------------------------------------------------------
  const storageFile = path.join(dir, 'storage.json');
  const storage = new Map(fs.existsSync(storageFile) ? Object.entries(JSON.parse(fs.readFileSync(storageFile, 'utf8'))) : []);
  const persistStorage = () => fs.writeFileSync(storageFile, JSON.stringify(Object.fromEntries(storage)));
  // WeChat keeps what JSON can carry; a Date or a class instance would come back different.
  const storable = (value) => JSON.parse(JSON.stringify(value === undefined ? null : value));

  // ---- helpers ------------------------------------------------------------------------------
  /**
   * Calls success/fail/complete later, as WeChat does, and records the call. Like the base library
   * (since 2.10.2), a call without any of the three returns a Promise instead.
   */
  function finish(api, options, run, { promise = true } = {}) {
    calls.push(api);
    const o = options ?? {};
    const wantsPromise = promise && typeof o.success !== 'function' && typeof o.fail !== 'function' && typeof o.complete !== 'function';
    const outcome = Promise.resolve()
      .then(run)
      .then(
        (res) => {
          o.success?.(res);
          o.complete?.(res);
          return { ok: true, res };
        },
        (err) => {
          const text = err?.wxMessage ?? (typeof err?.errMsg === 'string' ? err.errMsg.replace(/^[^:]*:fail\s*/, '') : undefined) ?? err?.message ?? String(err);
          const res = { errMsg: `${api}:fail ${text}`, ...(err?.errno ? { errno: err.errno } : {}) };
          log(`wx.${api} failed: ${res.errMsg}`);
          o.fail?.(res);
          o.complete?.(res);
          return { ok: false, res };
        },
      );
    if (!wantsPromise) return undefined;
    return outcome.then(({ ok: fine, res }) => (fine ? res : Promise.reject(res)));
  }
  const wxError = (text, errno) => Object.assign(new Error(text), { wxMessage: text, errno });

  /**
   * The privacy gate in front of protected APIs: with no consent yet WeChat either calls the app's
   * onNeedPrivacyAuthorization listener (the app shows its popup and resolves) or shows its own popup.
   * The simulated user refuses `refusalsLeft` times, then agrees.
   */
  async function privacyGate(api) {
    if (privacy.undeclared.has(api)) throw wxError(PRIVACY_UNDECLARED.text, PRIVACY_UNDECLARED.errno);
    if (privacy.agreed) return;
    const refuse = privacy.refusalsLeft > 0;
    if (refuse) privacy.refusalsLeft -= 1;
    if (listeners.privacy.size) {
      const answer = await new Promise((resolve) => {
        const resolver = (res) => {
          if (res?.event === 'exposureAuthorization') return;
          resolve(res ?? {});
        };
        privacyEvents.push({ api, via: 'app', refused: refuse });
        for (const l of listeners.privacy) l(resolver, { referrer: api });
      });
      if (answer.event === 'agree' && answer.buttonId && privacy.agreeButtonsTapped.has(answer.buttonId)) {
        privacy.agreed = true;
        return;
      }
      throw wxError(PRIVACY_REFUSED.text, PRIVACY_REFUSED.errno);
    }
    privacyEvents.push({ api, via: 'platform', refused: refuse });
    if (refuse) throw wxError(PRIVACY_REFUSED.text, PRIVACY_REFUSED.errno);
    privacy.agreed = true;
  }
  const guarded = (api, options, run) =>
    finish(api, options, async () => {
      await privacyGate(api);
      return run();
    });
  const noPromise = { promise: false };

  function toBffUrl(url) {
    const u = new URL(url);
    const target = new URL(baseUrl);
    u.protocol = target.protocol;
    u.host = target.host;
    return u;
  }

  function encodeQuery(data) {
    return Object.entries(data)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'object' ? JSON.stringify(v) : String(v))}`)
      .join('&');
  }

  function headerValue(header, name) {
    const key = Object.keys(header ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());
    return key ? header[key] : undefined;
  }

  function responseHeaders(res) {
    const out = {};
    for (const [k, v] of Object.entries(res.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
    return out;
  }

  /** One HTTP exchange with node:http, so uploads can report real progress as the body is written. */
  function httpExchange({ url, method, headers, body, timeout, onProgress, abortSignal }) {
    return new Promise((resolve, reject) => {
      const req = http.request(url, { method, headers, timeout }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: responseHeaders(res), body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      abortSignal.abort = () => req.destroy(new Error('abort'));
      if (!body || !body.length) return req.end();
      const CHUNK = 64 * 1024;
      let sent = 0;
      const writeNext = () => {
        if (sent >= body.length) return req.end();
        const piece = body.subarray(sent, sent + CHUNK);
        req.write(piece, () => {
          sent += piece.length;
          onProgress?.(sent, body.length);
          writeNext();
        });
      };
      writeNext();
    });
  }

  // ---- the API ------------------------------------------------------------------------------
  const api = {
    env: { USER_DATA_PATH },

    request(options) {
      const abortSignal = {};
      finish('request', options, async () => {
        const method = String(options.method ?? 'GET').toUpperCase();
        const url = toBffUrl(options.url);
        const header = { ...(options.header ?? {}) };
        let body;
        const data = options.data;
        if (method === 'GET' || method === 'HEAD') {
          if (data && typeof data === 'object') {
            const q = encodeQuery(data);
            if (q) url.search = url.search ? `${url.search}&${q}` : `?${q}`;
          }
        } else if (data !== undefined && data !== null) {
          const type = String(headerValue(header, 'content-type') ?? 'application/json');
          if (typeof data === 'string') body = Buffer.from(data);
          else if (data instanceof ArrayBuffer) body = Buffer.from(data);
          else if (type.includes('application/x-www-form-urlencoded')) body = Buffer.from(encodeQuery(data));
          else body = Buffer.from(JSON.stringify(data));
          if (!headerValue(header, 'content-type')) header['content-type'] = 'application/json';
        }
        if (body) header['content-length'] = String(body.length);
        let res;
        try {
          res = await httpExchange({ url, method, headers: header, body, timeout: options.timeout ?? 60_000, abortSignal });
        } catch (err) {
          throw wxError(err.message === 'abort' ? 'abort' : err.message === 'timeout' ? 'timeout' : `${err.code ?? err.message}`);
        }
        requests.push({ method, path: url.pathname, status: res.status });
        let parsed = options.responseType === 'arraybuffer' ? res.body.buffer.slice(res.body.byteOffset, res.body.byteOffset + res.body.length) : res.body.toString('utf8');
        if ((options.dataType ?? 'json') === 'json' && typeof parsed === 'string') {
          try {
            parsed = JSON.parse(parsed);
          } catch {
            // WeChat hands over the text when it is not JSON
          }
        }
        return ok('request', { statusCode: res.status, data: parsed, header: res.headers, cookies: [] });
      }, { promise: false }); // request and uploadFile return their task, never a Promise
      return { abort: () => abortSignal.abort?.(), onHeadersReceived: () => undefined, offHeadersReceived: () => undefined, onChunkReceived: () => undefined, offChunkReceived: () => undefined };
    },

    uploadFile(options) {
      const abortSignal = {};
      const progress = new Set();
      finish('uploadFile', options, async () => {
        const file = realPath(options.filePath);
        if (!file || !fs.existsSync(file)) throw wxError(`file not found: ${options.filePath}`);
        const content = fs.readFileSync(file);
        const boundary = `----wxharness${crypto.randomBytes(8).toString('hex')}`;
        const parts = [];
        for (const [k, v] of Object.entries(options.formData ?? {})) {
          parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
        }
        const fileName = path.basename(file);
        const type = fileName.endsWith('.png') ? 'image/png' : 'image/jpeg';
        parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${options.name}"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n`));
        parts.push(content, Buffer.from(`\r\n--${boundary}--\r\n`));
        const body = Buffer.concat(parts);
        const headers = { ...(options.header ?? {}), 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(body.length) };
        const progressSeen = [];
        let res;
        try {
          res = await httpExchange({
            url: toBffUrl(options.url),
            method: 'POST',
            headers,
            body,
            timeout: options.timeout ?? 60_000,
            abortSignal,
            onProgress: (sent, total) => {
              const p = Math.round((sent / total) * 100);
              progressSeen.push(p);
              for (const cb of progress) cb({ progress: p, totalBytesSent: sent, totalBytesExpectedToSend: total });
            },
          });
        } catch (err) {
          throw wxError(err.message === 'abort' ? 'abort' : `${err.code ?? err.message}`);
        }
        uploads.push({ filePath: options.filePath, bytes: content.length, status: res.status, progress: progressSeen });
        requests.push({ method: 'POST', path: toBffUrl(options.url).pathname, status: res.status });
        // uploadFile hands the body over as text; the app parses it.
        return ok('uploadFile', { statusCode: res.status, data: res.body.toString('utf8'), header: res.headers });
      }, { promise: false });
      return {
        onProgressUpdate: (cb) => progress.add(cb),
        offProgressUpdate: (cb) => progress.delete(cb),
        abort: () => abortSignal.abort?.(),
        onHeadersReceived: () => undefined,
        offHeadersReceived: () => undefined,
      };
    },

    login(options) {
      return finish('login', options, () => {
        loginCount += 1;
        return ok('login', { code: `dev:weapp-harness-${loginCount === 1 ? 'resident' : `resident${loginCount}`}` });
      });
    },
    checkSession: (o) => finish('checkSession', o, () => ok('checkSession')),

    getLocation(options) {
      return guarded('getLocation', options, () => {
        if ((options?.type ?? 'wgs84') !== 'gcj02') throw wxError(`the harness only answers gcj02, asked ${options?.type ?? 'wgs84 (default)'}`);
        return ok('getLocation', { ...FIXED_POINT, speed: 0, accuracy: 30, altitude: 1890, verticalAccuracy: 10, horizontalAccuracy: 30 });
      });
    },
    chooseLocation: (o) => guarded('chooseLocation', o, () => ok('chooseLocation', { ...PICKED_PLACE })),
    openLocation: (o) => finish('openLocation', o, () => ok('openLocation')),

    chooseMedia(options) {
      return guarded('chooseMedia', options, async () => {
        const count = Math.max(1, Math.min(options?.count ?? 9, 1));
        const tempFiles = [];
        for (let i = 0; i < count; i += 1) {
          const src = photos[photoIndex % photos.length];
          photoIndex += 1;
          const wxPath = newTempPath(path.extname(src).toLowerCase() || '.jpg');
          fs.copyFileSync(src, realPath(wxPath));
          const meta = await sharp(src).metadata();
          tempFiles.push({ tempFilePath: wxPath, size: fs.statSync(src).size, fileType: 'image', width: meta.width, height: meta.height, duration: 0, thumbTempFilePath: '' });
        }
        return ok('chooseMedia', { tempFiles, type: 'image' });
      });
    },
    chooseImage(options) {
      const { success, fail, complete, ...rest } = options ?? {};
      return finish('chooseImage', { success, fail, complete }, async () => {
        const res = await api.chooseMedia({ ...rest, mediaType: ['image'] });
        return ok('chooseImage', { tempFilePaths: res.tempFiles.map((f) => f.tempFilePath), tempFiles: res.tempFiles.map((f) => ({ path: f.tempFilePath, size: f.size })) });
      });
    },

    compressImage(options) {
      return finish('compressImage', options, async () => {
        const src = realPath(options.src);
        if (!src || !fs.existsSync(src)) throw wxError(`file not found: ${options.src}`);
        const quality = Math.max(1, Math.min(100, options.quality ?? 80));
        const wxPath = newTempPath('.jpg');
        let pipeline = sharp(src).rotate();
        if (options.compressedWidth || options.compressedHeight) pipeline = pipeline.resize(options.compressedWidth ?? null, options.compressedHeight ?? null, { fit: 'inside', withoutEnlargement: true });
        await pipeline.jpeg({ quality }).toFile(realPath(wxPath));
        const before = fs.statSync(src).size;
        const after = fs.statSync(realPath(wxPath)).size;
        compressions.push({ src: options.src, out: wxPath, before, after, quality });
        return ok('compressImage', { tempFilePath: wxPath });
      });
    },
    getImageInfo(options) {
      return finish('getImageInfo', options, async () => {
        const file = realPath(options.src) ?? options.src;
        const meta = await sharp(file).metadata();
        return ok('getImageInfo', { width: meta.width, height: meta.height, type: meta.format === 'jpeg' ? 'jpeg' : meta.format, orientation: 'up', path: options.src });
      });
    },
    previewImage: (o) => finish('previewImage', o, () => ok('previewImage')),
    saveImageToPhotosAlbum: (o) => guarded('saveImageToPhotosAlbum', o, () => ok('saveImageToPhotosAlbum')),

    // ---- storage ----------------------------------------------------------------------------
    setStorageSync(key, value) {
      calls.push('setStorageSync');
      storage.set(String(key), storable(value));
      persistStorage();
    },
    getStorageSync(key) {
      calls.push('getStorageSync');
      return storage.has(String(key)) ? storable(storage.get(String(key))) : '';
    },
    removeStorageSync(key) {
      calls.push('removeStorageSync');
      storage.delete(String(key));
      persistStorage();
    },
    clearStorageSync() {
      calls.push('clearStorageSync');
      storage.clear();
      persistStorage();
    },
    getStorageInfoSync: () => ({ keys: [...storage.keys()], currentSize: Math.ceil(JSON.stringify(Object.fromEntries(storage)).length / 1024), limitSize: 10240 }),
    setStorage: (o) => finish('setStorage', o, () => (api.setStorageSync(o.key, o.data), ok('setStorage'))),
    getStorage: (o) =>
      finish('getStorage', o, () => {
        if (!storage.has(String(o.key))) throw wxError('data not found');
        return ok('getStorage', { data: api.getStorageSync(o.key) });
      }),
    removeStorage: (o) => finish('removeStorage', o, () => (api.removeStorageSync(o.key), ok('removeStorage'))),
    clearStorage: (o) => finish('clearStorage', o, () => (api.clearStorageSync(), ok('clearStorage'))),
    getStorageInfo: (o) => finish('getStorageInfo', o, () => ok('getStorageInfo', api.getStorageInfoSync())),

    getFileSystemManager() {
      calls.push('getFileSystemManager');
      return fileSystemManager;
    },
    saveFile: (o) => fileSystemManager.saveFile(o),
    getSavedFileList: (o) => fileSystemManager.getSavedFileList(o),
    removeSavedFile: (o) => fileSystemManager.removeSavedFile(o),
    getFileInfo: (o) => fileSystemManager.getFileInfo(o),

    // ---- interaction ------------------------------------------------------------------------
    showToast: (o) => finish('showToast', o, () => (toasts.push(String(o?.title ?? '')), log(`toast: ${o?.title}`), ok('showToast'))),
    hideToast: (o) => finish('hideToast', o, () => ok('hideToast')),
    showLoading: (o) => finish('showLoading', o, () => ok('showLoading')),
    hideLoading: (o) => finish('hideLoading', o, () => ok('hideLoading')),
    showModal(o) {
      return finish('showModal', o, () => {
        const answer = settings.modalAnswer(o);
        modals.push({ title: o?.title ?? '', content: o?.content ?? '', confirmed: !!answer.confirm });
        log(`modal: ${o?.title ?? ''} ${o?.content ?? ''} → ${answer.confirm ? 'confirm' : 'cancel'}`);
        return ok('showModal', { confirm: !!answer.confirm, cancel: !answer.confirm, content: answer.content ?? '' });
      });
    },
    showActionSheet: (o) => finish('showActionSheet', o, () => ok('showActionSheet', settings.actionSheetAnswer(o))),
    vibrateShort: (o) => finish('vibrateShort', o, () => ok('vibrateShort')),
    vibrateLong: (o) => finish('vibrateLong', o, () => ok('vibrateLong')),
    setClipboardData: (o) => guarded('setClipboardData', o, () => ok('setClipboardData')),
    makePhoneCall: (o) => finish('makePhoneCall', o, () => ok('makePhoneCall')),
    requestSubscribeMessage(o) {
      return finish('requestSubscribeMessage', o, () => {
        const ids = o?.tmplIds ?? [];
        subscribeRequests.push(ids);
        return ok('requestSubscribeMessage', Object.fromEntries(ids.map((id) => [id, 'accept'])));
      });
    },
    getSetting: (o) => finish('getSetting', o, () => ok('getSetting', { authSetting: { 'scope.userLocation': true, 'scope.camera': true, 'scope.writePhotosAlbum': true } })),
    openSetting: (o) => finish('openSetting', o, () => ok('openSetting', { authSetting: { 'scope.userLocation': true } })),
    authorize: (o) => finish('authorize', o, () => ok('authorize')),

    // ---- privacy (用户隐私保护指引) ------------------------------------------------------------
    getPrivacySetting: (o) => finish('getPrivacySetting', o, () => ok('getPrivacySetting', { needAuthorization: !privacy.agreed, privacyContractName: '《CityLoop小程序隐私保护指引》' })),
    requirePrivacyAuthorize: (o) =>
      finish('requirePrivacyAuthorize', o, async () => {
        await privacyGate('requirePrivacyAuthorize');
        return ok('requirePrivacyAuthorize');
      }),
    openPrivacyContract: (o) => finish('openPrivacyContract', o, () => ok('openPrivacyContract')),
    onNeedPrivacyAuthorization: (cb) => listeners.privacy.add(cb),

    // ---- navigation (the runtime owns the page stack) ---------------------------------------
    navigateTo: (o) => finish('navigateTo', o, () => (navigations.push(['navigateTo', o.url]), nav.navigateTo(o.url), ok('navigateTo', { eventChannel: { emit: () => undefined, on: () => undefined, once: () => undefined, off: () => undefined } }))),
    redirectTo: (o) => finish('redirectTo', o, () => (navigations.push(['redirectTo', o.url]), nav.redirectTo(o.url), ok('redirectTo'))),
    switchTab: (o) => finish('switchTab', o, () => (navigations.push(['switchTab', o.url]), nav.switchTab(o.url), ok('switchTab'))),
    reLaunch: (o) => finish('reLaunch', o, () => (navigations.push(['reLaunch', o.url]), nav.reLaunch(o.url), ok('reLaunch'))),
    navigateBack: (o) => finish('navigateBack', o, () => (navigations.push(['navigateBack', o?.delta ?? 1]), nav.navigateBack(o?.delta ?? 1), ok('navigateBack'))),
    setNavigationBarTitle: (o) => finish('setNavigationBarTitle', o, () => (nav.setTitle(o.title), ok('setNavigationBarTitle'))),
    setNavigationBarColor: (o) => finish('setNavigationBarColor', o, () => ok('setNavigationBarColor')),
    showNavigationBarLoading: (o) => finish('showNavigationBarLoading', o, () => ok('showNavigationBarLoading')),
    hideNavigationBarLoading: (o) => finish('hideNavigationBarLoading', o, () => ok('hideNavigationBarLoading')),
    hideHomeButton: (o) => finish('hideHomeButton', o, () => ok('hideHomeButton')),
    pageScrollTo: (o) => finish('pageScrollTo', o, () => ok('pageScrollTo')),
    startPullDownRefresh: (o) => finish('startPullDownRefresh', o, () => ok('startPullDownRefresh')),
    stopPullDownRefresh: (o) => finish('stopPullDownRefresh', o, () => ok('stopPullDownRefresh')),
    setTabBarBadge: (o) => finish('setTabBarBadge', o, () => ok('setTabBarBadge')),
    removeTabBarBadge: (o) => finish('removeTabBarBadge', o, () => ok('removeTabBarBadge')),
    showTabBarRedDot: (o) => finish('showTabBarRedDot', o, () => ok('showTabBarRedDot')),
    hideTabBarRedDot: (o) => finish('hideTabBarRedDot', o, () => ok('hideTabBarRedDot')),
    showShareMenu: (o) => finish('showShareMenu', o, () => ok('showShareMenu')),
    hideShareMenu: (o) => finish('hideShareMenu', o, () => ok('hideShareMenu')),

    // ---- device and system ------------------------------------------------------------------
    getNetworkType: (o) => finish('getNetworkType', o, () => ok('getNetworkType', { networkType: settings.network.isConnected ? settings.network.networkType : 'none' })),
    onNetworkStatusChange: (cb) => listeners.network.add(cb),
    offNetworkStatusChange: (cb) => (cb ? listeners.network.delete(cb) : listeners.network.clear()),
    getSystemInfoSync: () => systemInfo(),
    getSystemInfo: (o) => finish('getSystemInfo', o, () => ok('getSystemInfo', systemInfo())),
    getSystemInfoAsync: (o) => finish('getSystemInfoAsync', o, () => ok('getSystemInfoAsync', systemInfo())),
    getWindowInfo: () => {
      const s = systemInfo();
      return { pixelRatio: s.pixelRatio, screenWidth: s.screenWidth, screenHeight: s.screenHeight, windowWidth: s.windowWidth, windowHeight: s.windowHeight, statusBarHeight: s.statusBarHeight, safeArea: s.safeArea, screenTop: 0 };
    },
    getAppBaseInfo: () => {
      const s = systemInfo();
      return { SDKVersion: s.SDKVersion, enableDebug: false, host: { env: 'WeChat' }, language: s.language, version: s.version, theme: 'light', fontSizeSetting: s.fontSizeSetting };
    },
    getDeviceInfo: () => {
      const s = systemInfo();
      return { abi: 'arm64', benchmarkLevel: 30, brand: s.brand, model: s.model, platform: s.platform, system: s.system, memorySize: 8192 };
    },
    getSystemSetting: () => ({ bluetoothEnabled: false, locationEnabled: true, wifiEnabled: true, deviceOrientation: 'portrait' }),
    getAppAuthorizeSetting: () => ({ albumAuthorized: 'authorized', cameraAuthorized: 'authorized', locationAuthorized: 'authorized', locationReducedAccuracy: false, notificationAuthorized: 'authorized' }),
    getMenuButtonBoundingClientRect: () => ({ width: 87, height: 32, top: 48, right: 368, bottom: 80, left: 281 }),
    getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: 'develop', version: '' } }),
    getLaunchOptionsSync: () => ({ path: nav?.entry ?? '', query: {}, scene: 1001, referrerInfo: {} }),
    getEnterOptionsSync: () => ({ path: nav?.entry ?? '', query: {}, scene: 1001, referrerInfo: {} }),
    canIUse: () => true,
    nextTick: (cb) => setImmediate(cb),
    onAppShow: (cb) => listeners.appShow.add(cb),
    offAppShow: (cb) => listeners.appShow.delete(cb),
    onAppHide: (cb) => listeners.appHide.add(cb),
    offAppHide: (cb) => listeners.appHide.delete(cb),
    onError: (cb) => listeners.error.add(cb),
    offError: (cb) => listeners.error.delete(cb),
    onUnhandledRejection: (cb) => listeners.rejection.add(cb),
    offUnhandledRejection: (cb) => listeners.rejection.delete(cb),
    onPageNotFound: () => undefined,
    offPageNotFound: () => undefined,
    onMemoryWarning: () => undefined,
    onThemeChange: () => undefined,
    offThemeChange: () => undefined,
    onWindowResize: (cb) => listeners.resize.add(cb),
    offWindowResize: (cb) => listeners.resize.delete(cb),
    onKeyboardHeightChange: () => undefined,
    offKeyboardHeightChange: () => undefined,
    reportAnalytics: () => undefined,
    reportMonitor: () => undefined,
    reportEvent: () => undefined,
    getUpdateManager: () => ({ onCheckForUpdate: () => undefined, onUpdateReady: () => undefined, onUpdateFailed: () => undefined, applyUpdate: () => undefined }),
    getRealtimeLogManager: () => ({ info: () => undefined, warn: () => undefined, error: () => undefined, setFilterMsg: () => undefined, addFilterMsg: () => undefined }),
    getLogManager: () => ({ log: () => undefined, info: () => undefined, warn: () => undefined, debug: () => undefined }),
    arrayBufferToBase64: (buf) => Buffer.from(buf).toString('base64'),
    base64ToArrayBuffer: (b64) => {
      const b = Buffer.from(b64, 'base64');
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
    },

    createSelectorQuery: () => selectorQuery(),
    createIntersectionObserver: () => {
      const observer = { relativeTo: () => observer, relativeToViewport: () => observer, observe: () => undefined, disconnect: () => undefined };
      return observer;
    },
    createMapContext(mapId) {
      calls.push('createMapContext');
      // Every method answers success; the getters answer the fixed point.
      return new Proxy(
        { mapId },
        {
          get(target, prop) {
            if (prop in target) return target[prop];
            if (typeof prop !== 'string' || prop === 'then') return undefined;
            return (o = {}) => {
              calls.push(`MapContext.${prop}`);
              let res = ok(`MapContext.${prop}`);
              if (prop === 'getCenterLocation') res = ok(prop, { ...FIXED_POINT });
              if (prop === 'getRegion') res = ok(prop, { southwest: { latitude: FIXED_POINT.latitude - 0.01, longitude: FIXED_POINT.longitude - 0.01 }, northeast: { latitude: FIXED_POINT.latitude + 0.01, longitude: FIXED_POINT.longitude + 0.01 } });
              if (prop === 'getScale') res = ok(prop, { scale: 16 });
              Promise.resolve().then(() => {
                o?.success?.(res);
                o?.complete?.(res);
              });
              return undefined;
            };
          },
        },
      );
    },
  };

  function systemInfo() {
    return {
      brand: 'devtools', model: 'iPhone 13', pixelRatio: 3, screenWidth: 390, screenHeight: 844, windowWidth: 390, windowHeight: 763,
      statusBarHeight: 47, language: 'zh_CN', version: '8.0.50', system: 'iOS 17.0', platform: 'ios', fontSizeSetting: settings.fontSizeSetting,
      SDKVersion: '3.5.0', benchmarkLevel: 30, theme: 'light', safeArea: { left: 0, right: 390, top: 47, bottom: 810, width: 390, height: 763 },
      locationEnabled: true, wifiEnabled: true, deviceOrientation: 'portrait', enableDebug: false, host: { env: 'WeChat' },
    };
  }

  function selectorQuery() {
    const queue = [];
    const rect = { id: '', dataset: {}, left: 0, right: 390, top: 0, bottom: 100, width: 390, height: 100 };
    const q = {
      in: () => q,
      select: (sel) => nodesRef(sel, false),
      selectAll: (sel) => nodesRef(sel, true),
      selectViewport: () => nodesRef('viewport', false),
      exec(cb) {
        Promise.resolve().then(() => {
          const results = queue.map((fn) => fn());
          cb?.(results);
        });
        return q;
      },
    };
    function nodesRef(sel, all) {
      const add = (make) => (cb) => {
        queue.push(() => {
          const v = all ? [make()] : make();
          cb?.(v);
          return v;
        });
        return q;
      };
      return {
        boundingClientRect: add(() => ({ ...rect })),
        scrollOffset: add(() => ({ id: '', dataset: {}, scrollLeft: 0, scrollTop: 0, scrollWidth: 390, scrollHeight: 2000 })),
        fields: add(() => ({ ...rect })),
        node: add(() => ({ node: null })),
        context: add(() => ({ context: null })),
      };
    }
    return q;
  }

  // ---- the file system manager (temp folder) ----------------------------------------------
  function fsCall(apiName, options, run) {
    finish(`FileSystemManager.${apiName}`, options, () => ok(apiName, run() ?? {}), noPromise);
  }
  function mustReal(p) {
    const r = realPath(p);
    if (!r) throw wxError(`permission denied, open ${p}`);
    return r;
  }
  const fileSystemManager = {
    access: (o) => fsCall('access', o, () => {
      if (!fs.existsSync(mustReal(o.path))) throw wxError(`no such file or directory ${o.path}`);
    }),
    accessSync: (p) => {
      if (!fs.existsSync(mustReal(p))) throw wxError(`accessSync:fail no such file or directory ${p}`);
    },
    readFile: (o) => fsCall('readFile', o, () => ({ data: readData(o.filePath, o.encoding) })),
    readFileSync: (p, encoding) => readData(p, encoding),
    writeFile: (o) => fsCall('writeFile', o, () => writeData(o.filePath, o.data, o.encoding)),
    writeFileSync: (p, data, encoding) => writeData(p, data, encoding),
    appendFile: (o) => fsCall('appendFile', o, () => fs.appendFileSync(mustReal(o.filePath), toBuffer(o.data, o.encoding))),
    copyFile: (o) => fsCall('copyFile', o, () => fs.copyFileSync(mustReal(o.srcPath), mustReal(o.destPath))),
    rename: (o) => fsCall('rename', o, () => fs.renameSync(mustReal(o.oldPath), mustReal(o.newPath))),
    unlink: (o) => fsCall('unlink', o, () => fs.unlinkSync(mustReal(o.filePath))),
    unlinkSync: (p) => fs.unlinkSync(mustReal(p)),
    mkdir: (o) => fsCall('mkdir', o, () => fs.mkdirSync(mustReal(o.dirPath), { recursive: !!o.recursive })),
    mkdirSync: (p, recursive) => fs.mkdirSync(mustReal(p), { recursive: !!recursive }),
    rmdir: (o) => fsCall('rmdir', o, () => fs.rmSync(mustReal(o.dirPath), { recursive: !!o.recursive })),
    readdir: (o) => fsCall('readdir', o, () => ({ files: fs.readdirSync(mustReal(o.dirPath)) })),
    readdirSync: (p) => fs.readdirSync(mustReal(p)),
    stat: (o) => fsCall('stat', o, () => ({ stats: statOf(o.path) })),
    statSync: (p) => statOf(p),
    getFileInfo: (o) =>
      fsCall('getFileInfo', o, () => {
        const file = mustReal(o.filePath);
        const content = fs.readFileSync(file);
        return { size: content.length, digest: crypto.createHash(o.digestAlgorithm === 'sha1' ? 'sha1' : 'md5').update(content).digest('hex') };
      }),
    saveFile: (o) =>
      fsCall('saveFile', o, () => {
        const src = mustReal(o.tempFilePath);
        if (!fs.existsSync(src)) throw wxError(`no such file or directory ${o.tempFilePath}`);
        const saved = o.filePath ?? `wxfile://store/store_${Date.now().toString(36)}_${(tempCount += 1)}${path.extname(src)}`;
        fs.renameSync(src, mustReal(saved));
        return { savedFilePath: saved };
      }),
    getSavedFileList: (o) =>
      fsCall('getSavedFileList', o, () => ({
        fileList: fs.readdirSync(areas.store).map((name) => {
          const st = fs.statSync(path.join(areas.store, name));
          return { filePath: `wxfile://store/${name}`, size: st.size, createTime: Math.floor(st.ctimeMs / 1000) };
        }),
      })),
    removeSavedFile: (o) =>
      fsCall('removeSavedFile', o, () => {
        const file = mustReal(o.filePath);
        if (!fs.existsSync(file)) throw wxError(`file not exist ${o.filePath}`);
        fs.unlinkSync(file);
      }),
  };
  function toBuffer(data, encoding) {
    if (typeof data === 'string') return Buffer.from(data, encoding === 'base64' ? 'base64' : encoding === 'binary' ? 'binary' : 'utf8');
    return Buffer.from(data);
  }
  function readData(p, encoding) {
    const buf = fs.readFileSync(mustReal(p));
    if (!encoding) return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
    return buf.toString(encoding === 'utf-8' ? 'utf8' : encoding);
  }
  function writeData(p, data, encoding) {
    fs.writeFileSync(mustReal(p), toBuffer(data, encoding));
  }
  function statOf(p) {
    const st = fs.statSync(mustReal(p));
    return { mode: st.mode, size: st.size, lastAccessedTime: Math.floor(st.atimeMs / 1000), lastModifiedTime: Math.floor(st.mtimeMs / 1000), isDirectory: () => st.isDirectory(), isFile: () => st.isFile() };
  }

  const implemented = new Set(Object.keys(api));
  const listed = new Set([...taroApiNames(), ...SYNC_AND_EVENT_APIS, ...implemented]);
  const extra = {};
  const wx = new Proxy(api, {
    get(target, prop) {
      if (typeof prop !== 'string' || prop in target || prop in extra) return prop in extra ? extra[prop] : target[prop];
      if (!listed.has(prop)) return undefined;
      return (...args) => {
        unimplemented.push(prop);
        throw new Error(`wx.${prop} is not implemented by the weapp test double (called with ${JSON.stringify(args[0] ?? null)?.slice(0, 200)})`);
      };
    },
    set(_target, prop, value) {
      // Taro keeps its chunk registry (webpackJsonp) and the like on wx.
      extra[prop] = value;
      return true;
    },
    has: (target, prop) => prop in target || prop in extra || (typeof prop === 'string' && listed.has(prop)),
    ownKeys: () => [...new Set([...Reflect.ownKeys(api), ...listed, ...Reflect.ownKeys(extra)])],
    getOwnPropertyDescriptor(target, prop) {
      if (prop in extra) return { value: extra[prop], writable: true, enumerable: true, configurable: true };
      if (Object.prototype.hasOwnProperty.call(target, prop)) return Object.getOwnPropertyDescriptor(target, prop);
      if (typeof prop === 'string' && listed.has(prop)) return { value: wx[prop], writable: true, enumerable: true, configurable: true };
      return undefined;
    },
  });

  return {
    wx,
    record: { calls, unimplemented, toasts, modals, compressions, uploads, requests, navigations, subscribeRequests, privacyEvents },
    privacy,
    settings,
    realPath,
    attachNavigator(n) {
      nav = n;
    },
    /** What the network does next (fires onNetworkStatusChange like WeChat). */
    setNetwork(isConnected) {
      settings.network.isConnected = isConnected;
      for (const cb of listeners.network) cb({ isConnected, networkType: isConnected ? settings.network.networkType : 'none' });
    },
    appListeners: listeners,
  };
}
