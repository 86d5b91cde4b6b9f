import { api, startTestApp } from '../support/test-app';

describe('GET /api/v1/health', () => {
  it('reports the database up, then down (503) once it is gone, without crashing', async () => {
    const t = await startTestApp();
    try {
      const up = await api(t.baseUrl, '/api/v1/health');
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ status: 'ok', database: { status: 'up', driver: process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite' } });
      expect(up.body.database.latencyMs).toBeGreaterThanOrEqual(0);

      await t.database.close();
      const down = await api(t.baseUrl, '/api/v1/health');
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'degraded', database: { status: 'down', latencyMs: null } });

      // A route that needs the database now fails cleanly as a 5xx JSON error, and the process lives on.
      const login = await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: 'dev:after-db-loss' } });
      expect(login.status).toBeGreaterThanOrEqual(500);
      expect(login.body.error.code).toEqual(expect.any(String));
      expect((await api(t.baseUrl, '/api/v1/health')).status).toBe(503);
    } finally {
      await t.close();
    }
  });
});
