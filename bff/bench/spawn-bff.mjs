// The built BFF (bff/dist/main.js) as its own process, the way `npm start` runs it, for the benches
// that measure it from outside: a free port, development mode, the simulator on another free port.
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const freePort = () =>
  new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });

/**
 * Starts the BFF with `env` added and waits for /health; `readyMs` is from spawn to the first 200.
 * `nodeArgs` go to node itself (e.g. `--cpu-prof`, which NODE_OPTIONS does not accept).
 */
export async function startBuiltBff(env, nodeArgs = []) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, path.join(root, 'bff/dist/main.js')], {
    env: { ...process.env, PORT: String(port), CASE_SIM_PORT: String(await freePort()), HOST: '127.0.0.1', LOG_LEVEL: 'error', NODE_ENV: 'development', DATABASE_URL: '', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`BFF exited during start (${child.exitCode})`);
    try {
      if ((await fetch(`${base}/api/v1/health`)).ok) break;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    base,
    pid: child.pid,
    readyMs: performance.now() - started,
    stop: () =>
      new Promise((r) => {
        child.once('exit', r);
        child.kill('SIGTERM');
      }),
  };
}
