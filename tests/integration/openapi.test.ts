import { STAFF_PERMISSIONS } from '@cityloop/shared';
import { api, startTestApp, type TestApp } from '../support/test-app';

/** GET /api/v1/openapi.json: OpenAPI 3.1 from the routes' zod schemas, covering exactly the live routes. */
describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: any;
  beforeAll(async () => {
    t = await startTestApp();
    const res = await api(t.baseUrl, '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    doc = res.body;
  });
  afterAll(() => t.close());

  const documented = () =>
    Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} /api/v1${path.replace(/\{(\w+)\}/g, ':$1')}`));

  it('is OpenAPI 3.1 for anyone, without a token', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: '/api/v1' }]);
    expect(doc.components.securitySchemes.staff).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every live route, and only those (a new route without an entry fails)', () => {
    const dispatch = t.app.middleware.find((m) => 'router' in m) as unknown as { router: { stack: { methods: string[]; path: string }[] } };
    const live = dispatch.router.stack.filter((l) => l.methods.length).flatMap((l) => l.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${l.path}`));
    expect(documented().sort()).toEqual([...new Set(live)].sort());
  });

  it('names a permission from the table on every staff route, and the staff bearer scheme', () => {
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      if (!path.startsWith('/staff/') || path === '/staff/auth/login') continue;
      for (const op of Object.values(ops)) {
        expect([path, op.security]).toEqual([path, [{ staff: [] }]]);
        expect([path, op['x-permission'] === 'signed-in' || op['x-permission'] in STAFF_PERMISSIONS]).toEqual([path, true]);
      }
    }
    expect(doc.paths['/staff/audit-log'].get['x-permission']).toBe('audit.read');
  });

  it('carries the query and body schemas the routes validate with', () => {
    const list = doc.paths['/staff/reports'].get;
    const params = Object.fromEntries(list.parameters.map((p: { name: string }) => [p.name, p]));
    expect(Object.keys(params).sort()).toEqual(['caseNumber', 'category', 'coordSystem', 'cursor', 'from', 'hasBadRating', 'limit', 'rewardState', 'sort', 'status', 'street', 'to'].sort());
    expect(params.rewardState.schema.enum).toEqual(['pending', 'accrued', 'held', 'none', 'reversed']);
    expect(params.hasBadRating.schema.enum).toEqual(['true', 'false']);
    expect(params.limit.required).toBe(false);
    const detail = doc.paths['/staff/reports/{id}'].get;
    expect(detail.parameters[0]).toEqual({ name: 'id', in: 'path', required: true, schema: { type: 'string' } });
    const create = doc.paths['/staff/accounts'].post.requestBody.content['application/json'].schema;
    expect(create).toMatchObject({ type: 'object', additionalProperties: false, required: expect.arrayContaining(['username', 'password', 'role']) });
    expect(create.properties.role.enum).toEqual(['admin', 'reviewer', 'finance', 'operator', 'viewer']);
    const report = doc.paths['/reports'].post;
    expect(report.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true })]);
    expect(report.requestBody.content['application/json'].schema.properties.location.properties.coordSystem.enum).toEqual(['wgs84', 'gcj02']);
    expect(doc.paths['/staff/stall-spots/import'].post.requestBody.content).toHaveProperty('text/csv');
  });
});
