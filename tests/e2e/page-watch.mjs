// Watches a page for what a test did not expect: page errors, console errors and HTTP refusals.

/** `expectRefusal(urlPart, status)` declares a refusal a check provokes on purpose (Chromium logs each as a console error). */
export function pageWatcher() {
  const expectedRefusals = [];
  const problems = [];

  function expectRefusal(urlPart, status) {
    expectedRefusals.push({ urlPart, status });
  }

  function watch(page) {
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() !== 'error') return;
      const text = msg.text();
      const url = msg.location()?.url ?? '';
      const m = /status of (\d{3})/.exec(text);
      if (m && expectedRefusals.some((e) => url.includes(e.urlPart) && Number(m[1]) === e.status)) return;
      problems.push(`console error: ${text} ${url}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400 && !expectedRefusals.some((e) => res.url().includes(e.urlPart) && res.status() === e.status))
        problems.push(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`);
    });
  }

  return { watch, expectRefusal, problems };
}
