// A test double of WeChat's `wx` API, like our dev WeChat server is one of WeChat's HTTP API:
// request and uploadFile are real HTTP to the BFF under test, the device (location, camera, album)
// answers with fixed values and fixture photos, compressImage really re-encodes with sharp, and
// storage and the file system live in a temp folder. Any API the weapp calls that is not implemented
// here is recorded by name and throws, so the journey fails and says which one.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { FIXED_POINT, PICKED_PLACE, PRIVACY_REFUSED, PRIVACY_UNDECLARED, SYNC_AND_EVENT_APIS, ok, root, taroApiNames } from './wx-double-core.mjs';
import { deviceApis } from './wx-double-device.mjs';
import { USER_DATA_PATH, createFileSystem } from './wx-double-files.mjs';
import { networkApis } from './wx-double-http.mjs';

export { FIXED_POINT, PICKED_PLACE, PRIVACY_APIS } from './wx-double-core.mjs';

// The BFF's own sharp (the harness installs nothing of its own).
const sharp = createRequire(path.join(root, 'bff/package.json'))('sharp');

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

  const { realPath, newTempPath, fileSystemManager } = createFileSystem({ dir, finish, wxError });

  // ---- the API ------------------------------------------------------------------------------
  const api = {
    env: { USER_DATA_PATH },

    ...networkApis({ baseUrl, finish, wxError, realPath, requests, uploads }),

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
        if (options.compressedWidth || options.compressedHeight)
          pipeline = pipeline.resize(options.compressedWidth ?? null, options.compressedHeight ?? null, { fit: 'inside', withoutEnlargement: true });
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
    navigateTo: (o) =>
      finish(
        'navigateTo',
        o,
        () => (
          navigations.push(['navigateTo', o.url]),
          nav.navigateTo(o.url),
          ok('navigateTo', { eventChannel: { emit: () => undefined, on: () => undefined, once: () => undefined, off: () => undefined } })
        ),
      ),
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

    ...deviceApis({ finish, settings, listeners, calls, getNav: () => nav }),
  };

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
