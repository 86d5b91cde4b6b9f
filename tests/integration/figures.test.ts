import { sql } from 'drizzle-orm';
import { findCategory } from '@cityloop/shared';
import { queryRows } from '../../bff/src/db/client';
import { cachedScorecard, SCORECARD_CACHE_MS } from '../../bff/src/features/figures/figures.usecases';
import { api, loginResident, startTestApp, uniqueName, type TestApp } from '../support/test-app';
import { Y, OPENID_PREFIX, B, EAST, BAD_COMMENT, FIXTURES, row, TOTAL, BY_CATEGORY, BY_STREET, BY_DEPARTMENT, BY_MONTH, PERIOD, shanghai, plusHours } from '../support/figures-hand-count';

describe('figures (满意率 and friends) and the public scorecard', () => {
  let t: TestApp;
  let staff: string;
  let userIds: string[] = [];

  async function removeRows(where: ReturnType<typeof sql>) {
    const db = t.database.db;
    await db.execute(sql`delete from report_ratings where report_id in (select r.id from reports r join users u on u.id = r.user_id where ${where})`);
    await db.execute(sql`delete from reports r using users u where u.id = r.user_id and ${where}`);
  }

  beforeAll(async () => {
    t = await startTestApp();
    staff = await t.staffToken();
    const db = t.database.db;
    await removeRows(sql`u.openid like ${`${OPENID_PREFIX}%`} and r.created_at >= ${`${Y}-01-01T00:00:00+08:00`}::timestamptz and r.created_at < ${`${Y + 1}-01-01T00:00:00+08:00`}::timestamptz`);
    const users = await queryRows<{ id: string }>(db, sql`insert into users (openid) values (${uniqueName(`${OPENID_PREFIX}a`)}), (${uniqueName(`${OPENID_PREFIX}b`)}) returning id`);
    userIds = users.map((u) => u.id);
    for (const [i, f] of FIXTURES.entries()) {
      const created = shanghai(f.at);
      const respondedAt = f.respondedAfterHours === undefined ? null : plusHours(created, f.respondedAfterHours);
      const [{ id }] = await queryRows<{ id: string }>(
        db,
        sql`
        insert into reports (user_id, category, service_code, description, lat, lng, address, street, status, case_id, department,
          responded_at, registered_at, dispatched_at, handled_at, closed_at, idempotency_key, request_hash, created_at, updated_at)
        values (${userIds[i % 2]}, ${f.category}, ${findCategory(f.category)!.serviceCode}, ${`测试举报 ${f.name}，请勿处理`}, 24.88, 102.83, '测试路 1 号',
          ${f.street}, ${f.status}, ${f.delivered ? uniqueName(`FIG-${f.name}`) : null}, ${f.department},
          ${respondedAt}::timestamptz,
          ${f.registered ? respondedAt : null}::timestamptz,
          ${f.department && f.registered ? plusHours(created, 30) : null}::timestamptz,
          ${f.handled ? plusHours(created, 72) : null}::timestamptz,
          ${f.closed ? plusHours(created, 96) : null}::timestamptz,
          ${uniqueName('fig')}, 'hash', ${created}::timestamptz, ${created}::timestamptz)
        returning id`,
      );
      for (const rating of f.ratings ?? []) {
        await db.execute(sql`
          insert into report_ratings (report_id, user_id, round, level, comment, excluded_at, created_at)
          values (${id}, ${userIds[i % 2]}, ${rating.round}, ${rating.level}, ${rating.comment ?? null},
            ${rating.excluded ? plusHours(created, 200) : null}::timestamptz, ${plusHours(created, 100 + rating.round * 24)}::timestamptz)`);
      }
    }
  });

  afterAll(async () => {
    if (userIds.length > 0) {
      await removeRows(
        sql`u.id in (${sql.join(
          userIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      );
      await t.database.db.execute(
        sql`delete from users where id in (${sql.join(
          userIds.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})`,
      );
    }
    await t.close();
  });

  const figures = (query: string) => api(t.baseUrl, `/api/v1/staff/figures?${query}`, { token: staff });

  it('counts the period as the hand count does', async () => {
    const res = await figures(PERIOD);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: `${Y}-03-01`, to: `${Y}-04-30`, groupBy: null, rows: [] });
    expect(res.body.total).toEqual(TOTAL);
    expect(Object.keys(res.body.definitions).sort()).toEqual(['closedRate', 'handledRate', 'responseRate', 'satisfactionRate']);
  });

  it.each([
    ['category', BY_CATEGORY],
    ['street', BY_STREET],
    ['department', BY_DEPARTMENT],
    ['month', BY_MONTH],
  ])('groups by %s, the groups adding up to the total', async (groupBy, expected) => {
    const res = await figures(`${PERIOD}&groupBy=${groupBy}`);
    expect(res.status).toBe(200);
    expect(res.body.groupBy).toBe(groupBy);
    expect(res.body.total).toEqual(TOTAL);
    expect(res.body.rows).toEqual(expected);
  });

  it('filters by street, category and department', async () => {
    // 东风街道 × 暴露垃圾: R1 R2 R3 R4 R5 R13. Responded R1 R3 R4 R5; registered/handled R1–R5; closed R1 R2 R4 R5; rated R1 R2 R4; satisfied R1 R2.
    const both = await figures(`${PERIOD}&street=${encodeURIComponent(EAST)}&category=exposed_garbage`);
    expect(both.status).toBe(200);
    expect(both.body.total).toEqual(row('', '合计', [6, 6, 4, 5, 5, 4, 3, 2]));
    const department = await figures(`${PERIOD}&department=${encodeURIComponent(B)}&groupBy=category`);
    // 路灯管理所: R8 R12 R15 (路灯不亮) and R11 (违章停车).
    expect(department.body.rows).toEqual([row('street_light', '路灯不亮', [3, 3, 3, 3, 2, 2, 1, 1]), row('illegal_parking', '违章停车', [1, 1, 1, 1, 1, 0, 1, 1])]);
  });

  it('defaults to the current Shanghai month to date', async () => {
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const res = await figures('');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ from: `${today.slice(0, 7)}-01`, to: today, groupBy: null });
  });

  it('exports CSV for Excel: BOM, Chinese header, neutralised formulas', async () => {
    const res = await fetch(`${t.baseUrl}/api/v1/staff/figures?${PERIOD}&groupBy=street&format=csv`, { headers: { authorization: `Bearer ${staff}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="figures-${Y}-03-01-${Y}-04-30.csv"`);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe('分组,案件数,已送达,按时响应,已立案,已处置,已结案,已评价,满意,响应率,处置率,结案率,满意率');
    expect(lines).toContain(`${EAST},9,8,6,7,7,5,4,3,75.0,100.0,71.4,75.0`);
    // The street named "=cmd" would be a formula in Excel: it gets a leading apostrophe.
    expect(lines).toContain("'=cmd,4,3,3,2,1,1,1,1,100.0,50.0,50.0,100.0");
    expect(lines).toContain('未标注街道,2,2,1,1,1,1,0,0,50.0,100.0,100.0,');
    expect(lines).toContain('合计,15,13,10,10,9,7,5,4,76.9,90.0,70.0,80.0');
    expect(lines.at(-1)).toBe('');
  });

  it('publishes the month as a scorecard, small groups folded into 其他, no personal data', async () => {
    const res = await api(t.baseUrl, `/api/v1/public/scorecard?month=${Y}-03`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const card = res.body.scorecard;
    expect(card.month).toBe(`${Y}-03`);
    expect(card.minGroupSize).toBe(5);
    // March (Shanghai) is R1–R11: the month row of the staff figures.
    expect(card.total).toEqual({ ...BY_MONTH[0], key: '', label: '合计' });
    expect(card.byCategory).toEqual([
      row('exposed_garbage', '暴露垃圾', [7, 7, 6, 6, 6, 5, 3, 2]), // R1–R6, R10
      row('', '其他', [4, 3, 2, 2, 1, 0, 1, 1]), // 路灯不亮 R7 R8 (2) + 违章停车 R9 R11 (2), each under 5
    ]);
    expect(card.byStreet).toEqual([
      row(EAST, EAST, [7, 6, 5, 6, 6, 4, 4, 3]), // R1–R5, R7, R11
      row('', '其他', [4, 4, 3, 2, 1, 1, 0, 0]), // =cmd R6 R8 (2) + unlabelled R9 R10 (2)
    ]);
    const keys = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          keys.add(k);
          walk(v);
        }
      }
    };
    walk(res.body);
    for (const personal of ['description', 'openid', 'userId', 'user_id', 'comment', 'address', 'id', 'caseNumber']) expect(keys).not.toContain(personal);
    expect(JSON.stringify(res.body)).not.toContain(BAD_COMMENT);
    expect(JSON.stringify(res.body)).not.toContain(userIds[0]);
  });

  it('defaults the scorecard to the current Shanghai month', async () => {
    const res = await api(t.baseUrl, '/api/v1/public/scorecard');
    expect(res.status).toBe(200);
    expect(res.body.scorecard.month).toBe(new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7));
  });

  it.each([
    ['a day that does not exist', `from=${Y}-02-30&to=${Y}-03-01`],
    ['a malformed day', `from=${Y}-3-01`],
    ['from after to', `from=${Y}-04-01&to=${Y}-03-01`],
    ['more than 366 days', 'from=2019-01-01&to=2020-01-02'],
    ['an unknown groupBy', `${PERIOD}&groupBy=district`],
    ['an unknown format', `${PERIOD}&format=xlsx`],
    ['an unknown category', `${PERIOD}&category=nope`],
    ['an unknown key', `${PERIOD}&userId=1`],
    ['a repeated key', `${PERIOD}&from=${Y}-03-02`],
  ])('refuses %s with VALIDATION_FAILED', async (_label, query) => {
    const res = await figures(query);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 'VALIDATION_FAILED' }) });
  });

  it('accepts exactly 366 days', async () => {
    expect((await figures('from=2020-01-01&to=2020-12-31')).status).toBe(200);
  });

  it.each([
    ['a month in the future', 'month=2999-01'],
    ['a malformed month', `month=${Y}-3`],
    ['month 13', `month=${Y}-13`],
    ['an unknown key', `month=${Y}-03&street=x`],
  ])('refuses a scorecard for %s with VALIDATION_FAILED', async (_label, query) => {
    const res = await api(t.baseUrl, `/api/v1/public/scorecard?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 'VALIDATION_FAILED' }) });
  });

  it('memoises the scorecard per month for a minute, one computation for concurrent requests', async () => {
    let clock = Date.now();
    const scorecard = cachedScorecard({ db: t.database.db, now: () => new Date(clock) });
    const [first, concurrent] = [scorecard(`${Y}-03`), scorecard(`${Y}-03`)];
    expect(concurrent).toBe(first);
    expect((await first).total.reports).toBe(11);
    const [{ id }] = await queryRows<{ id: string }>(
      t.database.db,
      sql`
      insert into reports (user_id, category, service_code, description, lat, lng, address, status, idempotency_key, request_hash, created_at)
      values (${userIds[0]}, 'exposed_garbage', 'SJ-0101', '缓存测试', 24.88, 102.83, '测试路 1 号', 'submitted', ${uniqueName('fig')}, 'hash', ${shanghai('03-20T12:00:00')}::timestamptz)
      returning id`,
    );
    try {
      clock += SCORECARD_CACHE_MS - 1;
      expect((await scorecard(`${Y}-03`)).total.reports).toBe(11);
      clock += 1;
      expect((await scorecard(`${Y}-03`)).total.reports).toBe(12);
    } finally {
      await t.database.db.execute(sql`delete from reports where id = ${id}`);
    }
  });

  it('keeps the staff figures to staff', async () => {
    const anonymous = await api(t.baseUrl, `/api/v1/staff/figures?${PERIOD}`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error.code).toBe('UNAUTHENTICATED');
    const resident = await loginResident(t.baseUrl, uniqueName('figures-resident'));
    expect((await api(t.baseUrl, `/api/v1/staff/figures?${PERIOD}`, { token: resident.token })).status).toBe(401);
  });
});
