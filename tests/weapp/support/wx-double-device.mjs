// The device half of the wx test double: system info, app events, selector queries and the map context.
import { FIXED_POINT, ok } from './wx-double-core.mjs';

/** `getNav()` gives the runtime's navigator (attached after the double is made). */
export function deviceApis({ finish, settings, listeners, calls, getNav }) {
  return {
    getNetworkType: (o) => finish('getNetworkType', o, () => ok('getNetworkType', { networkType: settings.network.isConnected ? settings.network.networkType : 'none' })),
    onNetworkStatusChange: (cb) => listeners.network.add(cb),
    offNetworkStatusChange: (cb) => (cb ? listeners.network.delete(cb) : listeners.network.clear()),
    getSystemInfoSync: () => systemInfo(),
    getSystemInfo: (o) => finish('getSystemInfo', o, () => ok('getSystemInfo', systemInfo())),
    getSystemInfoAsync: (o) => finish('getSystemInfoAsync', o, () => ok('getSystemInfoAsync', systemInfo())),
    getWindowInfo: () => {
      const s = systemInfo();
      return {
        pixelRatio: s.pixelRatio,
        screenWidth: s.screenWidth,
        screenHeight: s.screenHeight,
        windowWidth: s.windowWidth,
        windowHeight: s.windowHeight,
        statusBarHeight: s.statusBarHeight,
        safeArea: s.safeArea,
        screenTop: 0,
      };
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
    getAppAuthorizeSetting: () => ({
      albumAuthorized: 'authorized',
      cameraAuthorized: 'authorized',
      locationAuthorized: 'authorized',
      locationReducedAccuracy: false,
      notificationAuthorized: 'authorized',
    }),
    getMenuButtonBoundingClientRect: () => ({ width: 87, height: 32, top: 48, right: 368, bottom: 80, left: 281 }),
    getAccountInfoSync: () => ({ miniProgram: { appId: 'touristappid', envVersion: 'develop', version: '' } }),
    getLaunchOptionsSync: () => ({ path: getNav()?.entry ?? '', query: {}, scene: 1001, referrerInfo: {} }),
    getEnterOptionsSync: () => ({ path: getNav()?.entry ?? '', query: {}, scene: 1001, referrerInfo: {} }),
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
              if (prop === 'getRegion')
                res = ok(prop, {
                  southwest: { latitude: FIXED_POINT.latitude - 0.01, longitude: FIXED_POINT.longitude - 0.01 },
                  northeast: { latitude: FIXED_POINT.latitude + 0.01, longitude: FIXED_POINT.longitude + 0.01 },
                });
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
      brand: 'devtools',
      model: 'iPhone 13',
      pixelRatio: 3,
      screenWidth: 390,
      screenHeight: 844,
      windowWidth: 390,
      windowHeight: 763,
      statusBarHeight: 47,
      language: 'zh_CN',
      version: '8.0.50',
      system: 'iOS 17.0',
      platform: 'ios',
      fontSizeSetting: settings.fontSizeSetting,
      SDKVersion: '3.5.0',
      benchmarkLevel: 30,
      theme: 'light',
      safeArea: { left: 0, right: 390, top: 47, bottom: 810, width: 390, height: 763 },
      locationEnabled: true,
      wifiEnabled: true,
      deviceOrientation: 'portrait',
      enableDebug: false,
      host: { env: 'WeChat' },
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
}
