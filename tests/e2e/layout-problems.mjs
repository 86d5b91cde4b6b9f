// Checks a page in Chromium the way a resident would notice problems, from inside the page.

/** What breaks a page for a resident: sideways scrolling, and text below 4.5:1 on its background. */
export async function layoutProblems(page) {
  return page.evaluate(() => {
    const problems = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > window.innerWidth + 1) problems.push(`page scrolls sideways: ${doc.scrollWidth} > ${window.innerWidth}`);
    // Cut off at the screen's edge (Taro's page container hides what sticks out), unless it sits in
    // something that scrolls sideways on purpose (a wide table) or is the map.
    const scrollsX = (el) => {
      for (let node = el.parentElement; node && node !== document.body; node = node.parentElement) {
        const ox = getComputedStyle(node).overflowX;
        if ((ox === 'auto' || ox === 'scroll') && node.scrollWidth > node.clientWidth) return true;
        if (node.classList.contains('leaflet-container')) return true;
      }
      return false;
    };
    for (const el of document.querySelectorAll('body *')) {
      if (el.children.length) continue; // the innermost box says what is cut
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || el.closest('.taro-tabbar__tabbar')) continue;
      if ((box.right > window.innerWidth + 1 || box.left < -1) && !scrollsX(el)) {
        const text = (el.textContent || '').trim().slice(0, 20);
        problems.push(`cut off at the edge: <${el.tagName.toLowerCase()} class="${el.className}"> "${text}" (${Math.round(box.left)}–${Math.round(box.right)} of ${window.innerWidth})`);
        if (problems.length > 6) break;
      }
    }
    const rgb = (c) => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return null;
      const [r, g, b, a = 1] = m[1].split(',').map((x) => Number(x.trim()));
      return { r, g, b, a };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    /** The first opaque background behind an element; null behind an image or gradient (not judged). */
    const backgroundOf = (el) => {
      for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
        const style = getComputedStyle(node);
        if (style.backgroundImage && style.backgroundImage !== 'none') return null;
        const c = rgb(style.backgroundColor);
        if (c && c.a >= 0.99) return c;
        if (c && c.a > 0) return null; // translucent: depends on what is under it
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const seen = new Set();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      const el = n.parentElement;
      if (!text || !el || seen.has(el)) continue;
      seen.add(el);
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || box.bottom < 0 || box.top > window.innerHeight * 3) continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden' || el.closest('[aria-hidden="true"],input,textarea,.leaflet-container')) continue;
      // Faded text: fine on a control that is really disabled (exempt from the contrast rule), a fault
      // anywhere else (Taro's H5 Button writes disabled="false", which its own [disabled] rule fades).
      let opacity = 1;
      for (let node = el; node && node.nodeType === 1; node = node.parentElement) opacity *= Number(getComputedStyle(node).opacity);
      if (opacity < 0.99) {
        const disabled = el.closest('[disabled]:not([disabled="false"]),[aria-disabled="true"]');
        if (!disabled) problems.push(`text faded to ${opacity.toFixed(2)} opacity, and not on a disabled control: "${text.slice(0, 20)}"`);
        continue;
      }
      const fg = rgb(style.color);
      const bg = backgroundOf(el);
      if (!fg || !bg || fg.a < 0.99) continue;
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      const ratio = (hi + 0.05) / (lo + 0.05);
      if (ratio < 4.5) problems.push(`contrast ${ratio.toFixed(2)}:1 for "${text.slice(0, 20)}" (${style.color} on rgb(${bg.r}, ${bg.g}, ${bg.b}))`);
      if (problems.length > 12) break;
    }
    return problems;
  });
}
