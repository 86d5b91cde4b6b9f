// The view layer: `$gwx` from WeChat's own template compiler (wcc) renders a page's setData tree into
// WeChat's virtual DOM, in a context of its own like the real render thread, with the window and
// navigator globals it expects. Custom components (Taro's recursive `comp`) are rendered through
// their own compiled templates with the properties the parent passed.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { compileWxml } from './compilers.mjs';

/** A rendered node: WeChat's tag (`wx-view`), its attributes, children, and which instance owns its handlers. */
export class ViewNode {
  constructor(tag, attr, owner, parent) {
    this.tag = tag;
    this.attr = attr;
    this.owner = owner;
    this.parent = parent;
    /** ViewNode | string */
    this.children = [];
  }

  get id() {
    return this.attr.id ?? '';
  }

  /** Text as WeChat would show it, pieces joined by a space (block-level layout is not modelled). */
  text() {
    return this.children
      .map((c) => (typeof c === 'string' ? c : c.text()))
      .filter((t) => t !== '')
      .join(' ');
  }

  dataset() {
    const out = {};
    for (const [k, v] of Object.entries(this.attr)) {
      if (k.startsWith('data-')) out[k.slice(5).replace(/-([a-z])/g, (_, ch) => ch.toUpperCase())] = v;
    }
    return out;
  }

  *walk() {
    yield this;
    for (const c of this.children) if (typeof c !== 'string') yield* c.walk();
  }

  /** The handler name bound for `type` (bindtap / catchtap / capture-bind:tap …), on this node only. */
  handlerFor(type) {
    for (const key of [`bind${type}`, `catch${type}`, `bind:${type}`, `catch:${type}`, `capture-bind:${type}`, `capture-catch:${type}`]) {
      if (typeof this.attr[key] === 'string' && this.attr[key]) return { name: this.attr[key], catches: key.includes('catch') };
    }
    return null;
  }
}

/**
 * Compiles the weapp's WXML once and returns `render(file, data, owner)`; `file` is a page or
 * component path without extension, e.g. `pages/report/index`. Throws on anything wcc's runtime
 * warns about (a missing template, a recursion stop), so a broken tree fails the step that made it.
 */
export function createView(dist) {
  const { source, wxmlList } = compileWxml(dist);
  const warnings = [];
  const sink = (...args) => warnings.push(args.map(String).join(' '));
  const sandbox = { console: { log: () => undefined, info: () => undefined, debug: () => undefined, warn: sink, error: sink } };
  const ctx = vm.createContext(sandbox);
  vm.runInContext(
    `var window = globalThis;
     var navigator = { userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) MicroMessenger/8.0.50', platform: 'iPhone' };
     window.screen = { width: 375, height: 812 };
     window.devicePixelRatio = 3;`,
    ctx,
  );
  const gwx = vm.runInContext(`(function (global) {\n${source}\n})({})`, ctx, { filename: 'wcc-$gwx.js' });
  // Data crosses threads as JSON in WeChat too (setData serialises); parse it inside the view's realm.
  const parseInView = vm.runInContext('JSON.parse', ctx);
  const components = new Map();

  function usingComponents(file) {
    if (!components.has(file)) {
      let using = {};
      try {
        using = JSON.parse(fs.readFileSync(path.join(dist, `${file}.json`), 'utf8')).usingComponents ?? {};
      } catch {
        // no json: no components
      }
      const resolved = {};
      for (const [name, target] of Object.entries(using)) {
        resolved[name] = target.startsWith('/') ? target.slice(1) : path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
      }
      components.set(file, resolved);
    }
    return components.get(file);
  }

  function renderRaw(file, data) {
    const fn = gwx(`${file}.wxml`);
    if (typeof fn !== 'function') throw new Error(`wcc compiled no template for ${file}.wxml`);
    const before = warnings.length;
    const root = fn(parseInView(JSON.stringify(data ?? {})), {}, {});
    const fresh = warnings.slice(before);
    if (fresh.length) throw new Error(`rendering ${file}.wxml: ${fresh.join('; ')}`);
    return root;
  }

  function convert(raw, owner, parent, file, depth) {
    if (raw === null || raw === undefined) return [];
    if (typeof raw !== 'object') return [String(raw)];
    // `virtual` nodes (wx:for, template calls, blocks) leave no element behind.
    if (raw.tag === 'virtual' || raw.tag === 'wx-page') return (raw.children ?? []).flatMap((c) => convert(c, owner, parent, file, depth));
    if (raw.tag === undefined && typeof raw.text === 'string') return [raw.text];
    const tag = String(raw.tag);
    const attr = { ...(raw.attr ?? {}) };
    const using = usingComponents(file);
    const name = tag.startsWith('wx-') ? tag.slice(3) : tag;
    const node = new ViewNode(tag, attr, owner, parent);
    if (Object.prototype.hasOwnProperty.call(using, name)) {
      if (depth > 64) throw new Error(`custom components nested deeper than 64 levels at ${file}`);
      const compFile = using[name];
      const instance = { component: compFile, properties: attr, parentOwner: owner };
      node.component = instance;
      const root = renderRaw(compFile, attr);
      node.children = (root.children ?? []).flatMap((c) => convert(c, instance, node, compFile, depth + 1));
      return [node];
    }
    node.children = (raw.children ?? []).flatMap((c) => convert(c, owner, node, file, depth));
    return [node];
  }

  /** The page's tree under a synthetic `page` node whose owner is `owner` (the page instance). */
  function render(file, data, owner) {
    const root = renderRaw(file, data);
    const page = new ViewNode('page', {}, owner, null);
    page.children = (root.children ?? []).flatMap((c) => convert(c, owner, page, file, 0));
    return page;
  }

  return { render, wxmlList };
}
