// What both Chromium end-to-end tests need: a free port, the built BFF started in development on
// fresh embedded PostgreSQL with the case-system simulator beside it, and Chromium's flags.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const artifacts = path.join(root, 'tests/e2e/artifacts');
fs.mkdirSync(artifacts, { recursive: true });

/** The closed network refuses Chromium's background connections; these keep it quiet (DESIGN §8). */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const delay = (ms) => new Promise((r) => setTimeout(r, ms));

export const freePort = () =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/**
 * Starts bff/dist/main.js on free ports with its log in artifacts/`logName`; `env` adds settings.
 * Resolves once /api/v1/health answers; `stop()` ends it and removes its data.
 */
export async function startBff({ logName, env = {} }) {
  const port = await freePort();
  const simulatorPort = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-e2e-'));
  const log = fs.createWriteStream(path.join(artifacts, logName));
  const bff = spawn(process.execPath, [path.join(root, 'bff/dist/main.js')], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      CASE_SIM_PORT: String(simulatorPort),
      CASE_DELIVERY_INTERVAL_MS: '300',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      NODE_ENV: 'development',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  bff.stdout.pipe(log);
  bff.stderr.pipe(log);
  const stop = () => {
    bff.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  const until = Date.now() + 60_000;
  for (;;) {
    if (bff.exitCode !== null) throw new Error(`BFF exited with ${bff.exitCode} (see ${logName})`);
    try {
      if ((await fetch(`${baseUrl}/api/v1/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until) {
      stop();
      throw new Error('BFF did not become healthy');
    }
    await delay(200);
  }
  return { baseUrl, simulatorUrl: `http://127.0.0.1:${simulatorPort}`, stop };
}

/** The simulator's operator key in development (bff/src/config.ts). */
export const OPERATOR_HEADERS = { 'x-operator-key': 'dev-case-system-key', 'content-type': 'application/json' };

/** What the city's operator does in the case-system simulator, for the e2e tests to drive a case. */
export function caseOperator(simulatorUrl) {
  return {
    /** The case the BFF opened for a report (delivered through its outbox, so it is waited for). */
    async findCase(reportId) {
      for (let i = 0; i < 150; i += 1) {
        const cases = await (await fetch(`${simulatorUrl}/operator/requests`, { headers: OPERATOR_HEADERS })).json();
        const found = cases.find((c) => c.extended_attributes?.client_request_id === reportId)?.service_request_id;
        if (found) return found;
        await delay(200);
      }
      throw new Error(`report ${reportId} never reached the case system`);
    },
    /** One step in the operator console: register, dispatch, handle, close, reject, merge, reopen. */
    async operate(caseId, action, body = {}) {
      const res = await fetch(`${simulatorUrl}/operator/requests/${caseId}/${action}`, { method: 'POST', headers: OPERATOR_HEADERS, body: JSON.stringify(body) });
      if (!res.ok) throw new Error(`${action} answered ${res.status}: ${await res.text()}`);
    },
  };
}

/**
 * Named checks that run in order and keep going after one fails (each prints ✓ or ✗ with why, and
 * `onFail(n)` may keep a screenshot);
 * `setupFailed()` records a crash outside any check, and `exit()` prints the tally and exits 1 on any
 * failure or when nothing ran.
 */
export function checklist({ firstLineOnly = false, onFail } = {}) {
  const results = [];
  return {
    async check(name, fn) {
      try {
        await fn();
        results.push([name, true]);
        console.log(`  ✓ ${name}`);
      } catch (err) {
        results.push([name, false]);
        const message = err instanceof Error ? (firstLineOnly ? err.message.split('\n')[0] : err.message) : err;
        console.log(`  ✗ ${name}\n    ${message}`);
        await onFail?.(results.length);
      }
    },
    setupFailed(err) {
      results.push(['setup', false]);
      console.error(err);
    },
    exit() {
      const passed = results.filter(([, ok]) => ok).length;
      const failed = results.length - passed;
      console.log(`${passed} passed, ${failed} failed`);
      process.exit(failed === 0 && passed > 0 ? 0 : 1);
    },
  };
}

/**
 * Debian's Chromium on a fresh profile (Playwright takes it as userDataDir rather than a
 * --user-data-dir flag), zh-CN in Asia/Shanghai; `options` add to or override that (viewport…).
 * `close()` ends it and removes the profile; it never throws.
 */
export async function openChromium(options = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cityloop-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', ...options });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
