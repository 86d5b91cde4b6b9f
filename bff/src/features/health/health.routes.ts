import Router from '@koa/router';
import type { HealthDto } from '@cityloop/shared';
import type { DatabaseHandle } from '../../db/client';
import type { WorkQueue } from '../../jobs/work-queue';

export function healthRoutes(deps: { database: DatabaseHandle; version: string; photoQueue: WorkQueue }): Router {
  const router = new Router();
  // Health checks arriving while a ping is under way share it: each answer is a ping that ended after
  // the request came in, and a flood of checks costs one round trip at a time, not one each.
  let inFlight: Promise<number> | null = null;
  const ping = () => {
    if (!inFlight) {
      const started = deps.database.ping();
      inFlight = started;
      const done = () => {
        if (inFlight === started) inFlight = null;
      };
      started.then(done, done);
    }
    return inFlight;
  };
  router.get('/health', async (ctx) => {
    let latencyMs: number | null = null;
    try {
      latencyMs = await ping();
    } catch (err) {
      ctx.state.log?.warn({ err }, 'database ping failed');
    }
    const up = latencyMs !== null;
    ctx.status = up ? 200 : 503;
    ctx.body = {
      status: up ? 'ok' : 'degraded',
      version: deps.version,
      database: { status: up ? 'up' : 'down', driver: deps.database.driver, latencyMs },
      queues: { photos: deps.photoQueue.stats() },
      time: new Date().toISOString(),
    } satisfies HealthDto;
  });
  return router;
}
