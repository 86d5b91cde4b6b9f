// The logic layer of a headless WeChat: loads the built weapp's JavaScript (app.js, runtime.js,
// taro.js, vendors.js, common.js, page and component files) in a context of its own with App, Page,
// Component, getApp, getCurrentPages and the `wx` double, keeps the page stack, applies setData to
// each page's data and renders it through the view layer ($gwx). Events are delivered the way
// WeChat does: to the `bind…`/`catch…` handler named in the rendered template (Taro's `eh`),
// bubbling up through the ancestors for touch and tap events.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { createView } from './view.mjs';
import { BUBBLING, applyDataPath, eventFor, jsonClone, parseUrl, safeJson } from './logic-parts.mjs';

export { parseDataPath } from './logic-parts.mjs';

/**
 * Loads `dist` with the `double` (from createWxDouble) and returns the app driver.
 * `onError(kind, message)` hears every uncaught error, console.error and render failure.
 */
export function createRuntime({ dist, double, onError, log = () => undefined }) {
  const appJson = JSON.parse(fs.readFileSync(path.join(dist, 'app.json'), 'utf8'));
  const tabPages = new Set((appJson.tabBar?.list ?? []).map((t) => t.pagePath));
  const allPages = [...appJson.pages, ...(appJson.subPackages ?? appJson.subpackages ?? []).flatMap((p) => p.pages.map((page) => `${p.root.replace(/\/$/, '')}/${page}`))];
  const view = createView(dist);

  const pageConfigs = new Map();
  const componentConfigs = new Map();
  let loadingRoute = null;
  let loadingComponent = null;
  let appInstance = null;
  const stack = [];
  /** Tab pages stay alive while another tab is shown, as in WeChat. */
  const tabInstances = new Map();
  let webviewId = 0;
  const renderListeners = new Set();

  const consoleDouble = {
    log: (...a) => log(`console.log: ${a.map(String).join(' ')}`),
    info: (...a) => log(`console.info: ${a.map(String).join(' ')}`),
    debug: () => undefined,
    warn: (...a) => log(`console.warn: ${a.map(String).join(' ')}`),
    error: (...a) => onError('console.error', a.map((x) => (x instanceof Error ? (x.stack ?? x.message) : typeof x === 'object' ? safeJson(x) : String(x))).join(' ')),
    time: () => undefined,
    timeEnd: () => undefined,
    group: () => undefined,
    groupEnd: () => undefined,
    table: () => undefined,
    trace: () => undefined,
    assert: (cond, ...a) => {
      if (!cond) onError('console.assert', a.map(String).join(' '));
    },
  };

  const sandbox = {
    wx: double.wx,
    console: consoleDouble,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    App(config) {
      appInstance = config; // Taro keeps its methods on the prototype: use the object itself
    },
    Page(config) {
      if (!loadingRoute) throw new Error('Page() called outside a page file');
      pageConfigs.set(loadingRoute, config);
    },
    Component(config) {
      if (loadingRoute && !loadingComponent) {
        // A page built with Component(): keep it as the page's config, methods flattened.
        pageConfigs.set(loadingRoute, { ...config, ...(config.methods ?? {}) });
        return;
      }
      if (!loadingComponent) throw new Error('Component() called outside a component file');
      componentConfigs.set(loadingComponent, config);
    },
    Behavior: (b) => b,
    getApp: () => appInstance,
    getCurrentPages: () => stack.slice(),
    requirePlugin: (name) => {
      throw new Error(`requirePlugin(${name}): plugins are not available in the harness`);
    },
    __wxConfig: { ...appJson, envVersion: 'develop', platform: 'ios', accountInfo: { appId: 'touristappid' } },
  };
  const ctx = vm.createContext(sandbox);

  // ---- modules ------------------------------------------------------------------------------
  const modules = new Map();
  function requireFile(file) {
    const abs = path.resolve(dist, file.endsWith('.js') ? file : `${file}.js`);
    if (!abs.startsWith(path.resolve(dist))) throw new Error(`require outside the package: ${file}`);
    if (modules.has(abs)) return modules.get(abs).exports;
    const module = { exports: {} };
    modules.set(abs, module);
    const code = fs.readFileSync(abs, 'utf8');
    const fn = vm.runInContext(`(function (require, module, exports) {${code}\n})`, ctx, { filename: abs });
    const dir = path.dirname(abs);
    const localRequire = (rel) => requireFile(path.relative(dist, path.resolve(dir, rel)));
    fn.call(module.exports, localRequire, module, module.exports);
    return module.exports;
  }

  function usingComponents(file) {
    try {
      return JSON.parse(fs.readFileSync(path.join(dist, `${file}.json`), 'utf8')).usingComponents ?? {};
    } catch {
      return {};
    }
  }

  /** Loads the components a page or component declares, depth first, each once. */
  function loadComponents(file, seen = new Set()) {
    for (const target of Object.values(usingComponents(file))) {
      const comp = target.startsWith('/') ? target.slice(1) : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      if (seen.has(comp)) continue;
      seen.add(comp);
      if (target.startsWith('plugin://')) continue;
      if (!componentConfigs.has(comp)) {
        const before = [loadingRoute, loadingComponent];
        loadingRoute = null;
        loadingComponent = comp;
        try {
          requireFile(comp);
        } finally {
          [loadingRoute, loadingComponent] = before;
        }
        if (!componentConfigs.has(comp)) throw new Error(`${comp}.js did not call Component()`);
      }
      loadComponents(comp, seen);
    }
  }

  function pageConfig(route) {
    if (!allPages.includes(route)) throw new Error(`navigation to ${route}, which app.json does not list`);
    if (!pageConfigs.has(route)) {
      loadingRoute = route;
      try {
        requireFile(route);
      } finally {
        loadingRoute = null;
      }
      if (!pageConfigs.has(route)) throw new Error(`${route}.js did not call Page()`);
      loadComponents(route);
    }
    return pageConfigs.get(route);
  }

  // ---- pages --------------------------------------------------------------------------------
  function call(target, name, ...args) {
    const fn = target?.[name];
    if (typeof fn !== 'function') return undefined;
    try {
      return fn.apply(target, args);
    } catch (err) {
      onError(`${target.route ?? 'app'}.${name} threw`, err?.stack ?? String(err));
      return undefined;
    }
  }

  function createPage(route, options) {
    const config = pageConfig(route);
    const page = Object.create(config);
    for (const [k, v] of Object.entries(config)) if (typeof v !== 'function' && k !== 'data') page[k] = jsonClone(v);
    page.data = jsonClone(config.data ?? {}) ?? {};
    page.route = route;
    page.__route__ = route;
    page.options = options;
    page.is = route;
    page.__wxWebviewId__ = webviewId += 1;
    page.__wxExparserNodeId__ = `page-${webviewId}`;
    let dirty = true;
    let tree = null;
    let renderError = null;
    let renderScheduled = false;
    const doRender = () => {
      renderScheduled = false;
      if (!dirty) return tree;
      dirty = false;
      try {
        tree = view.render(route, page.data, page);
        renderError = null;
      } catch (err) {
        renderError = err;
        onError(`render ${route}`, err?.message ?? String(err));
      }
      for (const l of renderListeners) l(page);
      return tree;
    };
    page.setData = function setData(patch, cb) {
      if (patch === null || typeof patch !== 'object') throw new Error('setData expects an object');
      for (const [key, value] of Object.entries(patch)) applyDataPath(page.data, key, jsonClone(value));
      dirty = true;
      if (!renderScheduled) {
        renderScheduled = true;
        setImmediate(doRender);
      }
      if (typeof cb === 'function') {
        setImmediate(() => {
          doRender();
          try {
            cb.call(page);
          } catch (err) {
            onError(`${route} setData callback threw`, err?.stack ?? String(err));
          }
        });
      }
    };
    page.selectComponent = () => null;
    page.selectAllComponents = () => [];
    page.createSelectorQuery = () => double.wx.createSelectorQuery();
    page.createIntersectionObserver = () => double.wx.createIntersectionObserver();
    page.getOpenerEventChannel = () => ({ emit: () => undefined, on: () => undefined, once: () => undefined, off: () => undefined });
    page.__harness = {
      tree: () => doRender(),
      renderError: () => renderError,
      title: null,
    };
    return page;
  }

  function showPage(page, first) {
    if (first) {
      call(page, 'onLoad', page.options);
      call(page, 'onShow');
      // onReady after the first render reached the view
      setImmediate(() => {
        page.__harness.tree();
        call(page, 'onReady');
      });
    } else {
      call(page, 'onShow');
    }
  }

  function hideTop() {
    const top = stack[stack.length - 1];
    if (top) call(top, 'onHide');
  }

  function unload(page) {
    call(page, 'onUnload');
  }

  const navigator = {
    entry: appJson.entryPagePath ?? appJson.pages[0],
    navigateTo(url) {
      const { route, options } = parseUrl(url, stack[stack.length - 1]?.route);
      if (tabPages.has(route)) throw new Error(`navigateTo:fail can not navigateTo a tabbar page (${route})`);
      if (stack.length >= 10) throw new Error('navigateTo:fail webview count limit exceed');
      log(`navigateTo ${route}`);
      const page = createPage(route, options);
      hideTop();
      stack.push(page);
      showPage(page, true);
    },
    redirectTo(url) {
      const { route, options } = parseUrl(url, stack[stack.length - 1]?.route);
      if (tabPages.has(route)) throw new Error(`redirectTo:fail can not redirectTo a tabbar page (${route})`);
      log(`redirectTo ${route}`);
      const page = createPage(route, options);
      const old = stack.pop();
      if (old) unloadOrKeep(old);
      stack.push(page);
      showPage(page, true);
    },
    switchTab(url) {
      const { route } = parseUrl(url, stack[stack.length - 1]?.route);
      if (!tabPages.has(route)) throw new Error(`switchTab:fail ${route} is not a tabbar page`);
      log(`switchTab ${route}`);
      const top = stack[stack.length - 1];
      if (top?.route === route && stack.length === 1) return;
      hideTop();
      while (stack.length) unloadOrKeep(stack.pop(), true);
      let page = tabInstances.get(route);
      const first = !page;
      if (!page) {
        page = createPage(route, {});
        tabInstances.set(route, page);
      }
      stack.push(page);
      showPage(page, first);
    },
    reLaunch(url) {
      const { route, options } = parseUrl(url, stack[stack.length - 1]?.route);
      log(`reLaunch ${route}`);
      while (stack.length) unload(stack.pop());
      for (const p of tabInstances.values()) if (!stack.includes(p)) unload(p);
      tabInstances.clear();
      const page = createPage(route, options);
      if (tabPages.has(route)) tabInstances.set(route, page);
      stack.push(page);
      showPage(page, true);
    },
    navigateBack(delta) {
      if (stack.length <= 1) throw new Error('navigateBack:fail cannot navigate back at first page');
      const n = Math.min(Math.max(1, delta), stack.length - 1);
      log(`navigateBack ${n}`);
      for (let i = 0; i < n; i += 1) unloadOrKeep(stack.pop());
      showPage(stack[stack.length - 1], false);
    },
    setTitle(title) {
      const top = stack[stack.length - 1];
      if (top) top.__harness.title = title;
    },
  };
  /** Tab pages are hidden, not unloaded, when they leave the stack by switchTab. */
  function unloadOrKeep(page, hidden = false) {
    if (tabPages.has(page.route) && tabInstances.get(page.route) === page) {
      if (!hidden) call(page, 'onHide');
      return;
    }
    unload(page);
  }
  double.attachNavigator(navigator);

  // ---- events -------------------------------------------------------------------------------
  function handlerOwner(owner) {
    if (owner?.component) {
      const config = componentConfigs.get(owner.component);
      return {
        target: { data: owner.properties, properties: owner.properties, is: owner.component, setData: () => undefined },
        methods: { ...(config?.methods ?? {}) },
      };
    }
    return { target: owner, methods: owner };
  }

  /** Delivers `type` at `node` (a ViewNode), bubbling for touch/tap events; returns how many handlers ran. */
  function dispatch(node, type, detail) {
    let current = node;
    let ran = 0;
    while (current) {
      const handler = current.handlerFor(type);
      if (handler) {
        const { target, methods } = handlerOwner(current.owner);
        const fn = methods[handler.name];
        if (typeof fn !== 'function') {
          onError('event', `${type} on #${current.id}: handler ${handler.name} is not a method of its owner`);
        } else {
          try {
            fn.call(target, eventFor(type, node, current, detail));
            ran += 1;
          } catch (err) {
            onError(`event ${type} #${current.id}`, err?.stack ?? String(err));
          }
        }
        if (handler.catches) break;
      }
      if (!BUBBLING.has(type)) break;
      current = current.parent;
    }
    return ran;
  }

  // ---- launch -------------------------------------------------------------------------------
  function launch() {
    requireFile('app');
    if (!appInstance) throw new Error('app.js did not call App()');
    const entry = navigator.entry;
    const launchOptions = { path: entry, query: {}, scene: 1001, referrerInfo: {}, apiCategory: 'default' };
    call(appInstance, 'onLaunch', launchOptions);
    call(appInstance, 'onShow', launchOptions);
    for (const l of double.appListeners.appShow) l(launchOptions);
    const page = createPage(entry, {});
    if (tabPages.has(entry)) tabInstances.set(entry, page);
    stack.push(page);
    showPage(page, true);
  }

  return {
    appJson,
    allPages,
    tabPages,
    wxmlFiles: view.wxmlList,
    launch,
    stack,
    dispatch,
    navigator,
    loadPage: pageConfig,
    createPage,
    showPage,
    onRender: (l) => renderListeners.add(l),
    getApp: () => appInstance,
  };
}
