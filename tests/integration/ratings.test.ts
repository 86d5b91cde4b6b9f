import sharp from 'sharp';
import { sql } from 'drizzle-orm';
import { RATING_RULES } from '@cityloop/shared';
import { queryRows } from '../../bff/src/db/client';
import { sendRatingNudges } from '../../bff/src/features/ratings/ratings.usecases';
import { createLogger } from '../../bff/src/logger';
import { api, loginResident, startTestApp, uniqueName, uploadPhoto, waitFor, type TestApp } from '../support/test-app';

const DAY = 86_400_000;

describe('满意度评价: rating closed cases, 差评 follow-up, rework and "is it fixed?"', () => {
  let t: TestApp;
  /** Moves the BFF's clock (rating window checks) without touching webhook or link times, which use real time. */
  let offsetMs = 0;
  let jpeg: Buffer;

  beforeAll(async () => {
    t = await startTestApp({ caseSystem: true, now: () => new Date(Date.now() + offsetMs) });
    jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 90, g: 120, b: 60 } } })
      .jpeg()
      .toBuffer();
  });
  afterAll(() => t.close());
  afterEach(() => {
    offsetMs = 0;
  });

  const resident = async () => loginResident(t.baseUrl, uniqueName('rater'));
  const getReport = async (token: string, id: string) => (await api(t.baseUrl, `/api/v1/reports/${id}?coordSystem=wgs84`, { token })).body.report;
  const rate = (token: string, id: string, json: unknown) => api(t.baseUrl, `/api/v1/reports/${id}/rating`, { token, json });

  async function submit(token: string) {
    const photo = await uploadPhoto(t.baseUrl, token, jpeg);
    const body = {
      category: 'night_construction_noise',
      description: '工地每天晚上十一点以后还在施工，噪音很大',
      location: { lat: 20 + Math.random() * 5, lng: 100 + Math.random() * 5, coordSystem: 'wgs84' },
      address: '测试路 18 号工地',
      photoIds: [photo.body.id],
    };
    const res = await api(t.baseUrl, '/api/v1/reports', { json: body, token, headers: { 'idempotency-key': uniqueName('k') } });
    expect(res.status).toBe(201);
    await t.delivery.drain();
    const report = await getReport(token, res.body.report.id);
    return { id: report.id as string, caseId: report.caseNumber as string };
  }

  async function closeCase(token: string, id: string, caseId: string, note = '已责令工地夜间停工，经核查已整改') {
    t.simulator.advance(caseId, 'register');
    t.simulator.advance(caseId, 'dispatch', { department: '住房和城乡建设局' });
    t.simulator.advance(caseId, 'handle', { note: '已现场处置', media_urls: ['https://city.example/after/site.jpg'] });
    t.simulator.advance(caseId, 'close', { note });
    return waitFor(
      async () => {
        const r = await getReport(token, id);
        return r.status === 'closed' && r;
      },
      10_000,
      'closed',
    );
  }

  it('opens rating only after closure, shows the closing note and after-photos, and takes one rating', async () => {
    const me = await resident();
    const { id, caseId } = await submit(me.token);
    const early = await rate(me.token, id, { level: 'satisfied' });
    expect([early.status, early.body.error.code]).toEqual([409, 'RATING_NOT_CLOSED']);
    expect((await getReport(me.token, id)).rating).toMatchObject({ canRate: false, cannotRateReason: '案件结案后才能评价', ratings: [] });

    const closed = await closeCase(me.token, id, caseId);
    expect(closed.rating).toMatchObject({ canRate: true, round: 1, closingNote: '已责令工地夜间停工，经核查已整改', followUp: null, canRequestRework: false });
    expect(closed.afterPhotos).toEqual(['https://city.example/after/site.jpg']);
    expect(Date.parse(closed.rating.windowEndsAt) - Date.now()).toBeGreaterThan((RATING_RULES.windowDays - 1) * DAY);
    expect((await api(t.baseUrl, '/api/v1/me/reports', { token: me.token })).body.items.find((r: { id: string }) => r.id === id).canRate).toBe(true);

    const stranger = await resident();
    expect((await rate(stranger.token, id, { level: 'very_dissatisfied', comment: '乱评' })).status).toBe(404);

    const ok = await rate(me.token, id, { level: 'satisfied', speed: 5, result: 4, attitude: 5 });
    expect(ok.status).toBe(201);
    expect(ok.body.rating).toMatchObject({
      canRate: false,
      cannotRateReason: '您已评价过此案件',
      ratings: [{ round: 1, level: 'satisfied', levelName: '满意', speed: 5, result: 4, attitude: 5, comment: null }],
    });
    const twice = await rate(me.token, id, { level: 'very_satisfied' });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'RATING_ALREADY_SUBMITTED']);
    // Nothing went to the case system for a good rating.
    expect(t.simulator.feedback.some((f) => f.caseId === caseId)).toBe(false);
  });

  it('refuses bad input with clear codes', async () => {
    const me = await resident();
    const { id, caseId } = await submit(me.token);
    await closeCase(me.token, id, caseId);
    const cases: [unknown, number, string][] = [
      [{ level: 'excellent' }, 400, 'VALIDATION_FAILED'],
      [{ level: 3 }, 400, 'VALIDATION_FAILED'],
      [{ level: 'satisfied', speed: 6 }, 400, 'VALIDATION_FAILED'],
      [{ level: 'satisfied', result: 2.5 }, 400, 'VALIDATION_FAILED'],
      [{ level: 'satisfied', comment: '好'.repeat(501) }, 400, 'VALIDATION_FAILED'],
      [{ level: 'satisfied', userId: 'x' }, 400, 'VALIDATION_FAILED'],
      [{ level: 'dissatisfied' }, 400, 'RATING_COMMENT_REQUIRED'],
      [{ level: 'very_dissatisfied', comment: '   ' }, 400, 'RATING_COMMENT_REQUIRED'],
    ];
    for (const [body, status, code] of cases) {
      const res = await rate(me.token, id, body);
      expect([JSON.stringify(body).slice(0, 60), res.status, res.body.error?.code]).toEqual([JSON.stringify(body).slice(0, 60), status, code]);
    }
    expect((await rate(me.token, 'not-a-uuid', { level: 'satisfied' })).status).toBe(404);
    // Still unrated: none of the refusals left a rating behind.
    expect((await getReport(me.token, id)).rating.ratings).toEqual([]);
  });

  it('closes the window after the configured days', async () => {
    const me = await resident();
    const { id, caseId } = await submit(me.token);
    await closeCase(me.token, id, caseId);
    offsetMs = (RATING_RULES.windowDays + 1) * DAY;
    const late = await rate(me.token, id, { level: 'satisfied' });
    expect([late.status, late.body.error.code]).toEqual([409, 'RATING_WINDOW_PASSED']);
    expect((await getReport(me.token, id)).rating).toMatchObject({ canRate: false, cannotRateReason: '已超过评价期限', ratings: [] });
  });

  it('a 差评 reaches the case system with a follow-up deadline; one rework reopens the case, and after the next closure the resident rates again', async () => {
    const me = await resident();
    const { id, caseId } = await submit(me.token);
    await closeCase(me.token, id, caseId);
    expect((await api(t.baseUrl, `/api/v1/reports/${id}/rework`, { token: me.token, json: { reason: '还在吵' } })).body.error.code).toBe('REWORK_NOT_ALLOWED');

    const bad = await rate(me.token, id, { level: 'very_dissatisfied', comment: '昨晚十二点还在施工，根本没有整改' });
    expect(bad.status).toBe(201);
    expect(bad.body.rating.followUp).toMatchObject({ status: 'open' });
    expect(Math.round((Date.parse(bad.body.rating.followUp.dueAt) - Date.now()) / DAY)).toBe(RATING_RULES.followUpDays);
    expect(bad.body.rating.canRequestRework).toBe(true);
    await t.delivery.drain();
    expect(t.simulator.feedback.find((f) => f.caseId === caseId)).toMatchObject({ rating: 'very_dissatisfied', comment: '昨晚十二点还在施工，根本没有整改' });

    const firstDeadline = (await getReport(me.token, id)).expectedAt;
    expect(firstDeadline).not.toBeNull();
    const rework = await api(t.baseUrl, `/api/v1/reports/${id}/rework`, { token: me.token, json: { reason: '夜间施工仍未停止' } });
    expect(rework.status).toBe(202);
    expect(rework.body.rating).toMatchObject({ canRequestRework: false, rework: { reason: '夜间施工仍未停止' } });
    // Until the case is closed again, there is no second round to rate.
    expect(rework.body.rating).toMatchObject({ canRate: false, cannotRateReason: '已申请重办，再次结案后可再评价一次' });
    expect((await rate(me.token, id, { level: 'satisfied' })).body.error.code).toBe('RATING_NOT_CLOSED');
    const again = await api(t.baseUrl, `/api/v1/reports/${id}/rework`, { token: me.token, json: { reason: '再来一次' } });
    expect([again.status, again.body.error.code]).toEqual([409, 'REWORK_ALREADY_REQUESTED']);
    await t.delivery.drain();
    expect(t.simulator.cases.get(caseId)!.status).toBe('reopened');
    await waitFor(async () => (await getReport(me.token, id)).status === 'reopened', 10_000, 'reopened');
    // The rework round's own deadline replaces the first one (预计完成 was stale after 重办).
    const reworkDeadline = (await getReport(me.token, id)).expectedAt;
    expect(Date.parse(reworkDeadline)).toBeGreaterThan(Date.parse(firstDeadline));

    t.simulator.advance(caseId, 'handle', { note: '已查封夜间施工设备' });
    t.simulator.advance(caseId, 'close', { note: '复查：夜间已无施工' });
    await waitFor(async () => (await getReport(me.token, id)).rating.canRate, 10_000, 'round 2');
    const second = await rate(me.token, id, { level: 'basically_satisfied' });
    expect(second.status).toBe(201);
    expect(second.body.rating.ratings.map((r: { round: number; level: string }) => [r.round, r.level])).toEqual([
      [1, 'very_dissatisfied'],
      [2, 'basically_satisfied'],
    ]);
    expect((await rate(me.token, id, { level: 'satisfied' })).body.error.code).toBe('RATING_ALREADY_SUBMITTED');
  });

  it('staff appeal a rating; another staff member upholds it, and the rating is kept but excluded', async () => {
    const me = await resident();
    const { id, caseId } = await submit(me.token);
    await closeCase(me.token, id, caseId);
    await rate(me.token, id, { level: 'very_dissatisfied', comment: '我就是不满意' });
    const [filer, reviewer] = [await t.staffToken(), await t.staffToken()];
    const list = await api(t.baseUrl, '/api/v1/staff/ratings?bad=true', { token: filer });
    const rating = list.body.items.find((r: { reportId: string }) => r.reportId === id);
    expect(rating).toMatchObject({ levelName: '非常不满意', followUp: { status: 'open' } });
    expect(JSON.stringify(rating)).not.toContain(me.userId);

    expect((await api(t.baseUrl, `/api/v1/staff/ratings/${rating.id}/appeals`, { token: me.token, json: { reason: 'x' } })).status).toBe(401);
    const appeal = await api(t.baseUrl, `/api/v1/staff/ratings/${rating.id}/appeals`, { token: filer, json: { reason: '该居民与施工方有纠纷，评价与处置无关' } });
    expect(appeal.status).toBe(201);
    const twice = await api(t.baseUrl, `/api/v1/staff/ratings/${rating.id}/appeals`, { token: filer, json: { reason: '再申诉' } });
    expect([twice.status, twice.body.error.code]).toEqual([409, 'RATING_APPEAL_EXISTS']);
    // The list names the pending appeal and who filed it, so the console offers the decision to someone else.
    const filerId = (await api(t.baseUrl, '/api/v1/staff/me', { token: filer })).body.staff.id;
    const listed = (await api(t.baseUrl, '/api/v1/staff/ratings?bad=true&limit=100', { token: reviewer })).body.items.find((r: { id: string }) => r.id === rating.id);
    expect(listed.appeal).toEqual({ id: appeal.body.appeal.id, status: 'pending', reason: '该居民与施工方有纠纷，评价与处置无关', filedBy: filerId });
    const own = await api(t.baseUrl, `/api/v1/staff/rating-appeals/${appeal.body.appeal.id}/decision`, { token: filer, json: { uphold: true, note: '自审' } });
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('SECOND_STAFF_REQUIRED');
    const decided = await api(t.baseUrl, `/api/v1/staff/rating-appeals/${appeal.body.appeal.id}/decision`, { token: reviewer, json: { uphold: true, note: '核实属恶意评价' } });
    expect(decided.body.appeal.status).toBe('upheld');
    expect((await getReport(me.token, id)).rating.ratings[0]).toMatchObject({ level: 'very_dissatisfied', excludedFromFigures: true });
    const audit = await queryRows<{ action: string }>(t.database.db, sql`select action from audit_log where entity_id = ${rating.id} order by id`);
    expect(audit.map((a) => a.action)).toEqual(['rating_appeal.file', 'rating_appeal.uphold']);

    const closedFollowUp = await api(t.baseUrl, `/api/v1/staff/ratings/${rating.id}/follow-up`, { token: reviewer, json: { note: '已电话回访' } });
    expect(closedFollowUp.body.followUp.status).toBe('done');
    expect((await getReport(me.token, id)).rating.followUp).toMatchObject({ status: 'done', note: '已电话回访' });
  });

  it('sends one rating reminder and asks "is it fixed?" once; a "no" on a closed case requests rework; nothing is ever rated for the resident', async () => {
    const me = await resident();
    const waiting = await submit(me.token);
    t.simulator.advance(waiting.caseId, 'register');
    t.simulator.advance(waiting.caseId, 'dispatch');
    await waitFor(async () => (await getReport(me.token, waiting.id)).status === 'dispatched', 10_000, 'dispatched');
    const closed = await submit(me.token);
    await closeCase(me.token, closed.id, closed.caseId);
    // Time moves through the job's clock: 4 days after closing the reminder is due (the question is
    // not: dispatched only 4 days before); 29 days after dispatch the question is.
    const nudgesAt = (days: number) => ({
      db: t.database.db,
      now: () => new Date(Date.now() + days * 86_400_000),
      ratingRules: { windowDays: RATING_RULES.windowDays, followUpDays: 15, fixedQuestionAfterDays: 28 },
      reminderAfterDays: 3,
      logger: createLogger('silent'),
    });
    const atFour = await sendRatingNudges(nudgesAt(4));
    expect(atFour.reminders).toBeGreaterThanOrEqual(1);
    expect((await sendRatingNudges(nudgesAt(4))).reminders).toBe(0);
    const atTwentyNine = await sendRatingNudges(nudgesAt(29));
    expect(atTwentyNine.fixedQuestions).toBeGreaterThanOrEqual(1);
    const second = await sendRatingNudges(nudgesAt(29));
    const notices = await queryRows<{ topic: string; page: string }>(
      t.database.db,
      sql`select topic, page from notifications where user_id = ${me.userId} and topic in ('report_rating_reminder', 'report_fixed_question')`,
    );
    expect(notices.sort((a, b) => a.topic.localeCompare(b.topic))).toEqual([
      { topic: 'report_fixed_question', page: `packages/report/detail/index?id=${waiting.id}` },
      { topic: 'report_rating_reminder', page: `packages/report/rate/index?id=${closed.id}` },
    ]);
    expect(second.reminders + second.fixedQuestions).toBe(0);
    expect((await getReport(me.token, closed.id)).rating.ratings).toEqual([]);

    const q = (await getReport(me.token, waiting.id)).rating.fixedQuestion;
    expect(q).toMatchObject({ answer: null });
    expect((await api(t.baseUrl, `/api/v1/reports/${waiting.id}/fixed`, { token: me.token, json: { fixed: 'no' } })).status).toBe(400);
    // The question stays answerable after closure; a "no" then asks for rework.
    t.simulator.advance(waiting.caseId, 'handle');
    t.simulator.advance(waiting.caseId, 'close');
    await waitFor(async () => (await getReport(me.token, waiting.id)).status === 'closed', 10_000, 'closed');
    const answer = await api(t.baseUrl, `/api/v1/reports/${waiting.id}/fixed`, { token: me.token, json: { fixed: false } });
    expect(answer.status).toBe(200);
    expect(answer.body.rating).toMatchObject({ fixedQuestion: { answer: 'not_fixed' }, rework: { reason: '居民反馈：问题仍未解决' } });
    const again = await api(t.baseUrl, `/api/v1/reports/${waiting.id}/fixed`, { token: me.token, json: { fixed: true } });
    expect([again.status, again.body.error.code]).toEqual([409, 'FIXED_QUESTION_ALREADY_ANSWERED']);
    await t.delivery.drain();
    expect(t.simulator.cases.get(waiting.caseId)!.status).toBe('reopened');
  });
});
