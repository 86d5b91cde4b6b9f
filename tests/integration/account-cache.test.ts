import { once } from 'node:events';
import { sql } from 'drizzle-orm';
import { api, loginResident, startTestApp, uniqueName, type TestApp } from '../support/test-app';

/**
 * The guards remember accounts per instance while the database's change feed (LISTEN/NOTIFY) is
 * live. What must hold: a change made anywhere (another instance, an operator at psql) is seen as
 * soon as its notification arrives, and a change made through this instance at once.
 */
describe('accounts behind tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  /** Resolves once the feed has told this instance about a change to user `id`. */
  const changed = (id: string) =>
    new Promise<void>((resolve) => {
      const seen = (c: { table: string; id: string }) => {
        if (c.table !== 'users' || c.id !== id) return;
        t.accounts.changes.off('change', seen);
        resolve();
      };
      t.accounts.changes.on('change', seen);
    });
  const me = async (token: string) => api(t.baseUrl, '/api/v1/me', { token });

  it('sees a change another instance made once its notification arrives, then remembers the new row', async () => {
    expect(t.accounts.live).toBe(true);
    const resident = await loginResident(t.baseUrl, uniqueName('citizen'));
    expect((await me(resident.token)).body.user.nickname).not.toBe('别处改的昵称');
    expect(t.accounts.residents.size).toBeGreaterThan(0);

    const seen = changed(resident.userId);
    await t.database.db.execute(sql`update users set nickname = '别处改的昵称' where id = ${resident.userId}`);
    await seen;
    expect((await me(resident.token)).body.user.nickname).toBe('别处改的昵称');

    const erased = changed(resident.userId);
    await t.database.db.execute(sql`update users set erased_at = now() where id = ${resident.userId}`);
    await erased;
    expect((await me(resident.token)).body.error.code).toBe('TOKEN_INVALID');
  });

  it('applies a staff block made through this instance at once, without waiting for the notification', async () => {
    const resident = await loginResident(t.baseUrl, uniqueName('citizen'));
    expect((await me(resident.token)).body.user.blocked).toBe(false);
    const staff = await t.staffToken('admin');
    // Straight after the answer: the instance that wrote forgets by itself, whenever the notification comes.
    const blocked = await api(t.baseUrl, `/api/v1/staff/users/${resident.userId}/block`, { method: 'PUT', token: staff, json: { blocked: true, reason: '多次恶意举报' } });
    expect(blocked.status).toBe(200);
    expect((await me(resident.token)).body.user.blocked).toBe(true);
  });
});

const onServer = process.env.TEST_DATABASE_URL ? describe : describe.skip;

// Only a server connection can drop; PGlite's feed is its own session. CI runs this in the PostgreSQL pass.
onServer('accounts behind tokens, when the change feed drops (PostgreSQL server)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('reads every account from the database while the feed is down, and remembers again once it is back', async () => {
    const resident = await loginResident(t.baseUrl, uniqueName('citizen'));
    await api(t.baseUrl, '/api/v1/me', { token: resident.token });
    const lost = once(t.accounts.changes, 'lost');
    const back = once(t.accounts.changes, 'live');
    await t.database.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %'`);
    await lost;
    expect(t.accounts.live).toBe(false);
    expect(t.accounts.residents.size).toBe(0);
    await back;
    expect(t.accounts.live).toBe(true);
    const seen = new Promise<void>((resolve) => t.accounts.changes.once('change', () => resolve()));
    await t.database.db.execute(sql`update users set nickname = '重连之后' where id = ${resident.userId}`);
    await seen;
    expect((await api(t.baseUrl, '/api/v1/me', { token: resident.token })).body.user.nickname).toBe('重连之后');
  });
});
