// The hand-counted figures test set: reports, their milestones and ratings, and the counts a person made of them.
import { ratePercent, type FigureRow } from '@cityloop/shared';

/**
 * The figures against a hand count. The data set lives in a random year long past (1995–2014: after
 * China's last daylight-saving summer, so Asia/Shanghai is UTC+8 throughout), which no other suite
 * writes to, so a shared PostgreSQL server (TEST_DATABASE_URL) with other suites' rows gives the same
 * answers as a fresh PGlite. Leftovers of an earlier, interrupted run in that year are removed first.
 */
export const Y = 1995 + Math.floor(Math.random() * 20);
export const OPENID_PREFIX = 'figures-';

export const A = '市容环境卫生管理处';
export const B = '路灯管理所';
export const EAST = '东风街道';
export const CMD = '=cmd';

export interface Fixture {
  name: string;
  /** Shanghai local time in year Y, 'MM-DDTHH:mm:ss'. */
  at: string;
  category: string;
  street: string | null;
  department: string | null;
  status: string;
  delivered: boolean;
  /** Hours from submission to the case system's first decision. */
  respondedAfterHours?: number;
  registered?: boolean;
  handled?: boolean;
  closed?: boolean;
  ratings?: { round: 1 | 2; level: string; comment?: string; excluded?: boolean }[];
}

export const BAD_COMMENT = '处理太慢了，很不满意';

// R1–R15 are in the period Y-03-01 .. Y-04-30 (Shanghai days, both included); O1–O3 are outside it.
export const FIXTURES: Fixture[] = [
  {
    name: 'R1',
    at: '03-01T00:00:00',
    category: 'exposed_garbage',
    street: EAST,
    department: A,
    status: 'closed',
    delivered: true,
    respondedAfterHours: 2,
    registered: true,
    handled: true,
    closed: true,
    ratings: [{ round: 1, level: 'very_satisfied' }],
  },
  // Late response (30 h); round 2 (满意) supersedes round 1 (不满意).
  {
    name: 'R2',
    at: '03-02T10:00:00',
    category: 'exposed_garbage',
    street: EAST,
    department: A,
    status: 'closed',
    delivered: true,
    respondedAfterHours: 30,
    registered: true,
    handled: true,
    closed: true,
    ratings: [
      { round: 1, level: 'dissatisfied', comment: BAD_COMMENT },
      { round: 2, level: 'satisfied' },
    ],
  },
  { name: 'R3', at: '03-03T10:00:00', category: 'exposed_garbage', street: EAST, department: A, status: 'handled', delivered: true, respondedAfterHours: 1, registered: true, handled: true },
  // Closed without a recorded 处置完成 step: still handled (status closed).
  {
    name: 'R4',
    at: '03-04T10:00:00',
    category: 'exposed_garbage',
    street: EAST,
    department: A,
    status: 'closed',
    delivered: true,
    respondedAfterHours: 5,
    registered: true,
    closed: true,
    ratings: [{ round: 1, level: 'very_dissatisfied', comment: BAD_COMMENT }],
  },
  // Its only rating was excluded by an upheld appeal: not rated.
  {
    name: 'R5',
    at: '03-05T10:00:00',
    category: 'exposed_garbage',
    street: EAST,
    department: A,
    status: 'closed',
    delivered: true,
    respondedAfterHours: 3,
    registered: true,
    handled: true,
    closed: true,
    ratings: [{ round: 1, level: 'satisfied', excluded: true }],
  },
  { name: 'R6', at: '03-06T10:00:00', category: 'exposed_garbage', street: CMD, department: null, status: 'rejected', delivered: true, respondedAfterHours: 10 },
  // Never delivered to the case system.
  { name: 'R7', at: '03-07T10:00:00', category: 'street_light', street: EAST, department: null, status: 'submitted', delivered: false },
  // Response at exactly 24 h counts as on time.
  { name: 'R8', at: '03-08T10:00:00', category: 'street_light', street: CMD, department: B, status: 'dispatched', delivered: true, respondedAfterHours: 24, registered: true },
  { name: 'R9', at: '03-09T10:00:00', category: 'illegal_parking', street: null, department: null, status: 'received', delivered: true },
  // The latest round (2) is excluded: not rated, although round 1 (基本满意) stands.
  {
    name: 'R10',
    at: '03-10T10:00:00',
    category: 'exposed_garbage',
    street: null,
    department: A,
    status: 'closed',
    delivered: true,
    respondedAfterHours: 2,
    registered: true,
    handled: true,
    closed: true,
    ratings: [
      { round: 1, level: 'basically_satisfied' },
      { round: 2, level: 'very_dissatisfied', comment: BAD_COMMENT, excluded: true },
    ],
  },
  // Last minute of March in Shanghai; closed once, reopened for rework: handled, not closed, rated.
  {
    name: 'R11',
    at: '03-31T23:59:00',
    category: 'illegal_parking',
    street: EAST,
    department: B,
    status: 'reopened',
    delivered: true,
    respondedAfterHours: 1,
    registered: true,
    handled: true,
    closed: true,
    ratings: [{ round: 1, level: 'satisfied' }],
  },
  // First second of April in Shanghai (still March in UTC).
  {
    name: 'R12',
    at: '04-01T00:00:00',
    category: 'street_light',
    street: CMD,
    department: B,
    status: 'closed',
    delivered: true,
    respondedAfterHours: 4,
    registered: true,
    handled: true,
    closed: true,
    ratings: [{ round: 1, level: 'very_satisfied' }],
  },
  { name: 'R13', at: '04-15T10:00:00', category: 'exposed_garbage', street: EAST, department: null, status: 'duplicate', delivered: true, respondedAfterHours: 48 },
  { name: 'R14', at: '04-30T23:59:59', category: 'illegal_parking', street: CMD, department: null, status: 'submitted', delivered: false },
  // Closed and never rated.
  {
    name: 'R15',
    at: '04-10T10:00:00',
    category: 'street_light',
    street: EAST,
    department: B,
    status: 'closed',
    delivered: true,
    respondedAfterHours: 6,
    registered: true,
    handled: true,
    closed: true,
  },
  {
    name: 'O1',
    at: '02-28T23:59:59',
    category: 'exposed_garbage',
    street: EAST,
    department: A,
    status: 'closed',
    delivered: true,
    respondedAfterHours: 1,
    registered: true,
    handled: true,
    closed: true,
    ratings: [{ round: 1, level: 'very_satisfied' }],
  },
  {
    name: 'O2',
    at: '05-01T00:00:00',
    category: 'exposed_garbage',
    street: EAST,
    department: A,
    status: 'closed',
    delivered: true,
    respondedAfterHours: 1,
    registered: true,
    handled: true,
    closed: true,
    ratings: [{ round: 1, level: 'very_dissatisfied', comment: BAD_COMMENT }],
  },
  { name: 'O3', at: '01-15T10:00:00', category: 'street_light', street: CMD, department: B, status: 'closed', delivered: true, respondedAfterHours: 1, registered: true, handled: true, closed: true },
];

export type Counts = [reports: number, delivered: number, responded: number, registered: number, handled: number, closed: number, rated: number, satisfied: number];

/** A row from hand counts; the rates follow the counts (the total's rates are also written out below). */
export function row(key: string, label: string, c: Counts): FigureRow {
  const [reports, delivered, responded, registered, handled, closed, rated, satisfied] = c;
  return {
    key,
    label,
    reports,
    delivered,
    responded,
    registered,
    handled,
    closed,
    rated,
    satisfied,
    responseRate: ratePercent(responded, delivered),
    handledRate: ratePercent(handled, registered),
    closedRate: ratePercent(closed, registered),
    satisfactionRate: ratePercent(satisfied, rated),
  };
}

/*
 * Hand count over R1–R15:
 *   reports    15
 *   delivered  13  (all but R7, R14)
 *   responded  10  (R1, R3, R4, R5, R6, R8 [24 h], R10, R11, R12, R15; not R2 [30 h], R9 [none], R13 [48 h])
 *   registered 10  (R1, R2, R3, R4, R5, R8, R10, R11, R12, R15)
 *   handled     9  (registered minus R8, which is only dispatched)
 *   closed      7  (R1, R2, R4, R5, R10, R12, R15; R11 reopened, R3 handled)
 *   rated       5  (R1, R2 [round 2], R4, R11, R12; R5 and R10 latest excluded; R15 unrated)
 *   satisfied   4  (R1, R2, R11, R12; R4 is 非常不满意)
 *   → 响应率 10/13 = 76.9, 处置率 9/10 = 90.0, 结案率 7/10 = 70.0, 满意率 4/5 = 80.0
 */
export const TOTAL: FigureRow = {
  key: '',
  label: '合计',
  reports: 15,
  delivered: 13,
  responded: 10,
  registered: 10,
  handled: 9,
  closed: 7,
  rated: 5,
  satisfied: 4,
  responseRate: 76.9,
  handledRate: 90,
  closedRate: 70,
  satisfactionRate: 80,
};

// By category. 暴露垃圾: R1 R2 R3 R4 R5 R6 R10 R13; 路灯不亮: R7 R8 R12 R15; 违章停车: R9 R11 R14.
export const BY_CATEGORY = [
  row('exposed_garbage', '暴露垃圾', [8, 8, 6, 6, 6, 5, 3, 2]), // responded not R2, R13; registered R1–R5, R10; closed not R3; rated R1 R2 R4
  row('street_light', '路灯不亮', [4, 3, 3, 3, 2, 2, 1, 1]), // delivered R8 R12 R15; handled/closed R12 R15; rated R12
  row('illegal_parking', '违章停车', [3, 2, 1, 1, 1, 0, 1, 1]), // delivered R9 R11; only R11 further, reopened so not closed
];

// By street. 东风街道: R1 R2 R3 R4 R5 R7 R11 R13 R15; =cmd: R6 R8 R12 R14; none: R9 R10.
export const BY_STREET = [
  row(EAST, EAST, [9, 8, 6, 7, 7, 5, 4, 3]), // responded R1 R3 R4 R5 R11 R15; closed R1 R2 R4 R5 R15; rated R1 R2 R4 R11
  row(CMD, CMD, [4, 3, 3, 2, 1, 1, 1, 1]), // delivered R6 R8 R12; registered R8 R12; handled/closed/rated R12
  row('', '未标注街道', [2, 2, 1, 1, 1, 1, 0, 0]), // R10 responded, registered, handled, closed; its latest rating excluded
];

// By department. A: R1 R2 R3 R4 R5 R10; B: R8 R11 R12 R15; none: R6 R7 R9 R13 R14.
export const BY_DEPARTMENT = [
  row(A, A, [6, 6, 5, 6, 6, 5, 3, 2]), // responded not R2; closed not R3; rated R1 R2 R4
  row('', '未派遣', [5, 3, 1, 0, 0, 0, 0, 0]), // delivered R6 R9 R13; responded R6 only
  row(B, B, [4, 4, 4, 4, 3, 2, 2, 2]), // handled R11 R12 R15; closed R12 R15; rated R11 R12
];

// By month (Shanghai). March: R1–R11; April: R12–R15.
export const BY_MONTH = [
  row(`${Y}-03`, `${Y}年3月`, [11, 10, 8, 8, 7, 5, 4, 3]), // responded R1 R3 R4 R5 R6 R8 R10 R11; closed R1 R2 R4 R5 R10; rated R1 R2 R4 R11
  row(`${Y}-04`, `${Y}年4月`, [4, 3, 2, 2, 2, 2, 1, 1]), // delivered R12 R13 R15; R12, R15 all the way; rated R12
];

export const PERIOD = `from=${Y}-03-01&to=${Y}-04-30`;

export const shanghai = (at: string) => `${Y}-${at}+08:00`;
export const plusHours = (iso: string, hours: number) => new Date(new Date(iso).getTime() + hours * 3_600_000).toISOString();
