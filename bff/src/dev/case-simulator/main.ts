import { startCaseSimulator } from './simulator';

/**
 * The case-system simulator as its own process, for demos and local runs:
 *   node bff/dist/dev/case-simulator/main.js
 * Settings (environment):
 *   CASE_SIM_PORT             port on 127.0.0.1 (default 3100)
 *   CASE_SIM_API_KEY          the Open311 api_key and the x-operator-key (default: dev-case-system-key)
 *   CASE_SIM_WEBHOOK_URL      where updates are pushed (optional); needs CASE_SIM_WEBHOOK_SECRET
 *   CASE_SIM_WEBHOOK_SECRET   HMAC secret shared with the BFF
 *   CASE_SIM_AUTO_ADVANCE_MS  walk every case register → dispatch → handle → close, one step per interval
 * To act like the servers cities run (for testing an adapter or the client):
 *   CASE_SIM_STRICT_ATTRIBUTES=true   refuse attribute[code] a service did not declare
 *   CASE_SIM_EXTENSIONS=false         no extended_attributes and no declared extension attributes
 *   CASE_SIM_UPDATES_FEED=false       no servicerequestupdates
 *   CASE_SIM_SERVICE_TYPES            e.g. SJ-0401:blackbox,SJ-0402:batch
 * It is a development tool and refuses to start with NODE_ENV=production.
 */
const DEV_API_KEY = 'dev-case-system-key';

function fail(message: string): never {
  process.stderr.write(`case simulator: ${message}\n`);
  process.exit(78); // EX_CONFIG
}

async function main() {
  const env = process.env;
  if (env.NODE_ENV === 'production') fail('refusing to start with NODE_ENV=production: the simulator is a development tool');

  const port = env.CASE_SIM_PORT ? Number(env.CASE_SIM_PORT) : 3100;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail('CASE_SIM_PORT must be a port number');

  // Outside production (the only place it would be required) a missing key falls back to a fixed dev key.
  const apiKey = env.CASE_SIM_API_KEY?.trim() || DEV_API_KEY;

  const webhookUrl = env.CASE_SIM_WEBHOOK_URL?.trim();
  const webhookSecret = env.CASE_SIM_WEBHOOK_SECRET?.trim();
  if (webhookUrl) {
    try {
      const u = new URL(webhookUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
    } catch {
      fail('CASE_SIM_WEBHOOK_URL must be an http(s) URL');
    }
    if (!webhookSecret) fail('CASE_SIM_WEBHOOK_SECRET is required with CASE_SIM_WEBHOOK_URL');
  }

  let autoAdvanceMs: number | undefined;
  if (env.CASE_SIM_AUTO_ADVANCE_MS) {
    autoAdvanceMs = Number(env.CASE_SIM_AUTO_ADVANCE_MS);
    if (!Number.isInteger(autoAdvanceMs) || autoAdvanceMs < 100) fail('CASE_SIM_AUTO_ADVANCE_MS must be an integer ≥ 100');
  }

  const flag = (name: string): boolean | undefined => {
    const v = env[name]?.trim();
    if (!v) return undefined;
    if (v !== 'true' && v !== 'false') fail(`${name} must be true or false`);
    return v === 'true';
  };
  const serviceTypes: Record<string, 'realtime' | 'batch' | 'blackbox'> = {};
  for (const pair of (env.CASE_SIM_SERVICE_TYPES ?? '').split(',').filter((p) => p.trim())) {
    const [code, type] = pair.split(':').map((p) => p.trim());
    if (!code || (type !== 'realtime' && type !== 'batch' && type !== 'blackbox')) fail('CASE_SIM_SERVICE_TYPES must look like SJ-0401:blackbox,SJ-0402:batch');
    serviceTypes[code] = type;
  }
  const extensions = flag('CASE_SIM_EXTENSIONS');

  const simulator = await startCaseSimulator({
    strictAttributes: flag('CASE_SIM_STRICT_ATTRIBUTES'),
    extensions,
    declareExtensions: extensions,
    updatesFeed: flag('CASE_SIM_UPDATES_FEED'),
    serviceTypes,
    port,
    host: '127.0.0.1',
    apiKey,
    webhook: webhookUrl && webhookSecret ? { url: webhookUrl, secret: webhookSecret } : undefined,
    autoAdvanceMs,
    // Cases live in memory: start the day's sequence from the clock (10 per second since Beijing midnight)
    // so a restarted simulator does not hand out case numbers the BFF already knows.
    firstSequence: Math.floor(((Date.now() / 1000 + 8 * 3600) % 86_400) * 10) + 1,
  });
  process.stdout.write(
    `${JSON.stringify({
      msg: 'case simulator listening',
      url: simulator.url,
      open311: `${simulator.url}/services.xml`,
      operator: `${simulator.url}/operator/requests`,
      webhook: webhookUrl ?? null,
      autoAdvanceMs: autoAdvanceMs ?? null,
      devApiKey: apiKey === DEV_API_KEY,
    })}\n`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    simulator.close().then(
      () => {
        process.stdout.write(`${JSON.stringify({ msg: 'case simulator stopped', signal })}\n`);
        process.exit(0);
      },
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`case simulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
