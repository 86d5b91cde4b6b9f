import Router from '@koa/router';
import { openApiDocument } from './openapi';

/** GET /api/v1/openapi.json: built once per process; public, like the API's shape itself. */
export function openApiRoutes(deps: { version: string }): Router {
  const router = new Router();
  let document: Record<string, unknown> | undefined;
  router.get('/openapi.json', (ctx) => {
    document ??= openApiDocument(deps.version);
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.body = document;
  });
  return router;
}
