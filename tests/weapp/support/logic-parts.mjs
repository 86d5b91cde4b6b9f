// The pure parts of the headless logic layer: setData paths, page URLs and event objects.
import path from 'node:path';

export const BUBBLING = new Set(['tap', 'longpress', 'longtap', 'touchstart', 'touchmove', 'touchend', 'touchcancel']);

/** `root.cn.[0].cn[2].v` → ['root', 'cn', 0, 'cn', 2, 'v'] (setData's path syntax). */
export function parseDataPath(key) {
  const parts = [];
  for (const seg of String(key).split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(seg);
    if (!m) throw new Error(`setData: bad path ${key}`);
    if (m[1]) parts.push(m[1]);
    for (const idx of m[2].matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  return parts;
}

export function applyDataPath(data, key, value) {
  const parts = parseDataPath(key);
  let cur = data;
  for (let i = 0; i < parts.length - 1; i += 1) {
    const p = parts[i];
    if (cur[p] === null || typeof cur[p] !== 'object') cur[p] = typeof parts[i + 1] === 'number' ? [] : {};
    cur = cur[p];
  }
  cur[parts[parts.length - 1]] = value;
}

/** What setData carries is JSON (WeChat serialises it across threads). */
export const jsonClone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

export function parseUrl(url, from) {
  const [rawPath, query = ''] = String(url).split('?');
  let route = rawPath.startsWith('/') ? rawPath.slice(1) : path.posix.normalize(path.posix.join(path.posix.dirname(from ?? ''), rawPath));
  route = route.replace(/\.html$/, '');
  const options = {};
  for (const pair of query.split('&').filter(Boolean)) {
    const [k, v = ''] = pair.split('=');
    options[decodeURIComponent(k)] = v; // WeChat hands query values over still encoded
  }
  return { route, options };
}

export function eventFor(type, target, current, detail) {
  const targetInfo = { id: target.id, dataset: target.dataset(), offsetLeft: 0, offsetTop: 0 };
  return {
    type,
    timeStamp: Date.now(),
    target: targetInfo,
    currentTarget: { id: current.id, dataset: current.dataset(), offsetLeft: 0, offsetTop: 0 },
    detail: jsonClone(detail ?? {}),
    mark: {},
    mut: false,
    touches: [],
    changedTouches: BUBBLING.has(type) ? [{ identifier: 0, pageX: 10, pageY: 10, clientX: 10, clientY: 10 }] : [],
  };
}

export function safeJson(x) {
  try {
    return JSON.stringify(x);
  } catch {
    return String(x);
  }
}
