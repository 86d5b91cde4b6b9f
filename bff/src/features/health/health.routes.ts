import Router from '@koa/router';
import type { HealthDto } from '@cityloop/shared';
import type { DatabaseHandle } from '../../db/client';
import type { WorkQueue } from '../../jobs/work-queue';

export function healthRoutes(deps: { database: DatabaseHandle; version: string; photoQueue: WorkQueue }): Router {
  const router = new Router();
  router.get('/health', async (ctx) => {
    let latencyMs: number | null = null;
    try {
      latencyMs = await deps.database.ping();
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
