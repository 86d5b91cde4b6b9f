import { REPORT_STEPS, reportStepState, residentTimeline } from '../../shared/src';

const REPORT_STEP_NAMES_FOR_TEST = REPORT_STEPS.map((s) => s.name);

describe('residentTimeline', () => {
  const e = (status: string, at: string, note: string | null = null) => ({ status: status as never, statusName: status, note, at });

  it('puts the newest entry first and keeps the BFF order for equal times', () => {
    const out = residentTimeline([e('accepted', '2026-12-01T02:00:00Z'), e('submitted', '2026-12-01T01:00:00Z'), e('dispatched', '2026-12-01T03:00:00Z')]);
    expect(out.map((x) => x.status)).toEqual(['dispatched', 'accepted', 'submitted']);
  });

  it('shows 已受理 once when the BFF and the case system both say so, keeping both notes', () => {
    const out = residentTimeline([
      e('submitted', '2026-12-01T01:00:00Z'),
      e('received', '2026-12-01T01:00:05Z', '已送达城市管理平台，案件编号 CG1'),
      e('received', '2026-12-01T01:01:00Z', '平台已受理'),
      e('accepted', '2026-12-01T02:00:00Z'),
    ]);
    expect(out.map((x) => x.status)).toEqual(['accepted', 'received', 'submitted']);
    expect(out[1]).toMatchObject({ at: '2026-12-01T01:00:05Z', note: '已送达城市管理平台，案件编号 CG1；平台已受理' });
  });

  it('keeps a status that comes back later (重办 after 结案) as its own entry', () => {
    const out = residentTimeline([e('dispatched', '2026-12-01T01:00:00Z'), e('closed', '2026-12-02T01:00:00Z'), e('reopened', '2026-12-03T01:00:00Z'), e('dispatched', '2026-12-03T02:00:00Z')]);
    expect(out.map((x) => x.status)).toEqual(['dispatched', 'reopened', 'closed', 'dispatched']);
  });
});

describe('reportStepState', () => {
  it('highlights the step the badge names', () => {
    expect(REPORT_STEP_NAMES_FOR_TEST[reportStepState('handled', false).current]).toBe('处置');
    expect(REPORT_STEP_NAMES_FOR_TEST[reportStepState('accepted', false).current]).toBe('立案');
    expect(REPORT_STEP_NAMES_FOR_TEST[reportStepState('reopened', false).current]).toBe('派遣');
  });

  it('turns 评价 done once the closed case is rated', () => {
    expect(reportStepState('closed', false)).toEqual({ current: 6, done: 6, stopped: false });
    expect(reportStepState('closed', true)).toEqual({ current: 6, done: 7, stopped: false });
  });

  it('stops at 立案 for 不予立案 and 重复合并', () => {
    expect(reportStepState('rejected', false)).toMatchObject({ current: 1, stopped: true });
    expect(reportStepState('duplicate', false)).toMatchObject({ current: 1, stopped: true });
  });
});
