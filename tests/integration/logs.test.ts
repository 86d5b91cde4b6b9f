import { sql } from 'drizzle-orm';
import { api, stallSpotInput, startTestApp, uniqueName, type TestApp } from '../support/test-app';

/**
 * A failed query is logged with its statement and parameter count, never the parameter values.
 * Each case makes PostgreSQL itself refuse one insert (a trigger keyed on this test's values, so
 * other suites sharing the database are untouched) and then greps everything logged.
 */
describe('logs carry no personal data', () => {
  let t: TestApp;
  const phone = `139${String(Date.now()).slice(-8)}`;
  let name: string;
  beforeAll(async () => {
    t = await startTestApp();
    name = uniqueName('pipl');
    const openid = t.wechat.openidFor(name);
    await t.database.db.execute(
      sql.raw(`
      create or replace function cityloop_test_refuse() returns trigger language plpgsql as $$
      begin raise exception 'refused by the logs test'; end $$`),
    );
    await t.database.db.execute(
      sql.raw(`create trigger logs_test_refuse_spot before insert on stall_spots for each row when (new.manager_phone = '${phone}') execute function cityloop_test_refuse()`),
    );
    await t.database.db.execute(sql.raw(`create trigger logs_test_refuse_user before insert on users for each row when (new.openid = '${openid}') execute function cityloop_test_refuse()`));
  });
  afterAll(async () => {
    await t.database.db.execute(sql.raw('drop trigger if exists logs_test_refuse_spot on stall_spots'));
    await t.database.db.execute(sql.raw('drop trigger if exists logs_test_refuse_user on users'));
    await t.close();
  });

  it('a stall manager phone number in a failed insert stays out of the log', async () => {
    const staff = await t.staffToken('operator');
    const res = await api(t.baseUrl, '/api/v1/staff/stall-spots', {
      token: staff,
      json: stallSpotInput({ manager: { name: '王经理', phone } }),
    });
    expect(res.status).toBe(500);
    const failure = t.logs.find((line) => line.includes('unhandled error'));
    expect(failure).toBeDefined();
    const { err } = JSON.parse(failure!);
    expect(err.query).toContain('insert into "stall_spots"');
    expect(err.paramCount).toBeGreaterThan(5);
    expect(t.logs.join('\n')).not.toContain(phone);
  });

  it('the openid, session key and token of a failed first login stay out of the log', async () => {
    const res = await api(t.baseUrl, '/api/v1/auth/wechat', { json: { code: `dev:${name}` } });
    expect(res.status).toBe(500);
    const all = t.logs.join('\n');
    expect(all).toContain('refused by the logs test');
    expect(all).not.toContain(t.wechat.openidFor(name));
    expect(all).not.toMatch(/session_key":"[A-Za-z0-9+/=]{20,}/);
    expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
