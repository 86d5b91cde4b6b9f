// The driver the weapp journeys use: a headless WeChat (runtime.mjs + wx-double.mjs) around the
// built weapp, with helpers that read rendered text and fire events, and a record of every error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRuntime } from './runtime.mjs';
import { createWxDouble } from './wx-double.mjs';
import { ViewNode } from './view.mjs';

const FORM_TAGS = new Set(['wx-input', 'wx-textarea']);

/**
 * Starts the weapp in `dist` against the BFF at `baseUrl`. Nothing runs until `launch()`.
 * `photos`: fixture files chooseMedia hands out in turn.
 */
export function createHarness({ dist, baseUrl, photos, verbose = !!process.env.WEAPP_HARNESS_VERBOSE }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-weapp-'));
  const errors = [];
  const trace = [];
  const log = (line) => {
    trace.push(line);
    if (verbose) console.log(`    · ${line}`);
  };
  const onError = (kind, message) => {
    errors.push(`${kind}: ${message}`);
    log(`ERROR ${kind}: ${message}`);
  };
  const onUncaught = (err) => onError('uncaught', err?.stack ?? String(err));
  const onRejection = (err) => onError('unhandled rejection', err?.stack ?? (typeof err === 'object' ? JSON.stringify(err) : String(err)));
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);

  const double = createWxDouble({ baseUrl, dir, photos, log });
  const runtime = createRuntime({ dist, double, onError, log });
  const waiters = new Set();
  runtime.onRender(() => {
    for (const w of waiters) w();
  });

  const top = () => {
    const page = runtime.stack[runtime.stack.length - 1];
    if (!page) throw new Error('no page is open');
    return page;
  };

  /** Resolves once `check()` returns a truthy value (checked after every render and every 25 ms). */
  function waitFor(check, what, timeoutMs = 15_000) {
    return new Promise((resolve, reject) => {
      let done = false;
      const attempt = () => {
        if (done) return;
        let value;
        try {
          value = check();
        } catch {
          value = undefined;
        }
        if (value) {
          done = true;
          cleanup();
          resolve(value);
        }
      };
      const timer = setInterval(attempt, 25);
      const deadline = setTimeout(() => {
        if (done) return;
        done = true;
        cleanup();
        let shown = '';
        try {
          shown = `${top().route}: ${top().__harness.tree()?.text().slice(0, 600)}`;
        } catch (err) {
          shown = String(err);
        }
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the screen shows ${shown}`));
      }, timeoutMs);
      const cleanup = () => {
        clearInterval(timer);
        clearTimeout(deadline);
        waiters.delete(attempt);
      };
      waiters.add(attempt);
      attempt();
    });
  }

  /** The current page, read through what $gwx rendered. */
  const screen = {
    get route() {
      return top().route;
    },
    tree: () => top().__harness.tree(),
    text: () => screen.tree()?.text() ?? '',
    title: () => top().__harness.title,
    byId(id) {
      const tree = screen.tree();
      if (!tree) return null;
      for (const n of tree.walk()) if (n.id === id) return n;
      return null;
    },
    /** Every node whose own id starts with `prefix`. */
    allByIdPrefix(prefix) {
      const tree = screen.tree();
      return tree ? [...tree.walk()].filter((n) => n.id.startsWith(prefix)) : [];
    },
    /** The innermost node whose text contains `text`. */
    byText(text) {
      const tree = screen.tree();
      if (!tree) return null;
      let best = null;
      for (const n of tree.walk()) if (n.tag !== 'page' && n.text().includes(text)) best = n;
      return best;
    },
  };

  function resolveNode(target) {
    if (target instanceof ViewNode) return target;
    const node = typeof target === 'string' && target.startsWith('#') ? screen.byId(target.slice(1)) : screen.byText(target);
    if (!node) throw new Error(`no ${target} on ${screen.route}; the screen shows: ${screen.text().slice(0, 600)}`);
    return node;
  }

  const driver = {
    double,
    runtime,
    screen,
    errors,
    trace,
    waitFor,
    dir,
    launch: () => runtime.launch(),
    /** Taps like a finger: WeChat's tap event at the node, bubbling to its ancestors. */
    tap(target) {
      const node = resolveNode(target);
      log(`tap ${node.id ? `#${node.id}` : node.tag} (${node.text().slice(0, 30)})`);
      const ran = runtime.dispatch(node, 'tap', { x: 10, y: 10 });
      if (!ran) throw new Error(`nothing handles a tap on ${target}`);
    },
    /** Types `value` into the input/textarea at or inside `target` (WeChat's input event, then blur). */
    type(target, value) {
      let node = resolveNode(target);
      if (!FORM_TAGS.has(node.tag)) node = [...node.walk()].find((n) => FORM_TAGS.has(n.tag)) ?? node;
      if (!FORM_TAGS.has(node.tag)) throw new Error(`${target} is not an input or textarea (${node.tag})`);
      log(`type into #${node.id}: ${value}`);
      runtime.dispatch(node, 'input', { value, cursor: value.length, keyCode: 0 });
      runtime.dispatch(node, 'blur', { value, cursor: value.length });
    },
    /** Fires any WeChat event (e.g. agreeprivacyauthorization) at the node. */
    fire(target, type, detail = {}) {
      const node = resolveNode(target);
      // The base library only accepts resolve({ event: 'agree', buttonId }) for a button really tapped.
      if (type === 'agreeprivacyauthorization') double.privacy.agreeButtonsTapped.add(node.id);
      return runtime.dispatch(node, type, detail);
    },
    /** What the native tab bar does when a tab is tapped. */
    tapTab(text) {
      const tab = (runtime.appJson.tabBar?.list ?? []).find((t) => t.text === text);
      if (!tab) throw new Error(`no tab ${text} in app.json`);
      log(`tab bar → ${text}`);
      double.wx.switchTab({ url: `/${tab.pagePath}` });
    },
    waitForText(text, timeoutMs) {
      return waitFor(() => screen.text().includes(text), `"${text}" on screen`, timeoutMs);
    },
    waitForRoute(route, timeoutMs) {
      return waitFor(() => screen.route === route && screen.text().length > 0, `page ${route} rendered`, timeoutMs);
    },
    waitForId(id, timeoutMs) {
      return waitFor(() => screen.byId(id), `#${id} on screen`, timeoutMs);
    },
    /** Throws with every error recorded since the last call (uncaught, console.error, render). */
    takeErrors() {
      const taken = errors.splice(0, errors.length);
      if (double.record.unimplemented.length) taken.push(`unimplemented wx APIs called: ${[...new Set(double.record.unimplemented.splice(0))].join(', ')}`);
      return taken;
    },
    stop() {
      process.off('uncaughtException', onUncaught);
      process.off('unhandledRejection', onRejection);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return driver;
}
