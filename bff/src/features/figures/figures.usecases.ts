import {
  csvCell,
  FIGURE_DEFINITION_TEXT,
  findCategory,
  ratePercent,
  SHANGHAI_OFFSET_MS,
  shanghaiDay,
  shanghaiDayStart,
  type FigureDimension,
  type FigureRow,
  type FiguresDto,
  type ScorecardDto,
} from '@cityloop/shared';
import type { Database } from '../../db/client';
import { figuresRepository, type FigureCounts } from './figures.repository';

export interface FigureDeps {
  db: Database;
}

/** The public scorecard folds groups smaller than this into 其他, so no single report can be singled out. */
export const SCORECARD_MIN_GROUP_SIZE = 5;

const DAY_MS = 86_400_000;

export { shanghaiDay, shanghaiDayStart };

/** Days from `from` to `to`, both included (2024-03-01..2024-03-01 is 1). */
export function daysInclusive(from: string, to: string): number {
  return Math.round((shanghaiDayStart(to).getTime() - shanghaiDayStart(from).getTime()) / DAY_MS) + 1;
}

/** A YYYY-MM month in Asia/Shanghai as [start, end) UTC instants. */
export function shanghaiMonthRange(month: string): { start: Date; end: Date } {
  const [y, m] = month.split('-').map(Number);
  return {
    start: new Date(Date.UTC(y, m - 1, 1) - SHANGHAI_OFFSET_MS),
    end: new Date(Date.UTC(y, m, 1) - SHANGHAI_OFFSET_MS),
  };
}

const EMPTY_COUNTS: Omit<FigureCounts, 'key'> = { reports: 0, delivered: 0, responded: 0, registered: 0, handled: 0, closed: 0, rated: 0, satisfied: 0 };

function sumCounts(key: string, groups: FigureCounts[]): FigureCounts {
  const total: FigureCounts = { key, ...EMPTY_COUNTS };
  for (const g of groups) {
    total.reports += g.reports;
    total.delivered += g.delivered;
    total.responded += g.responded;
    total.registered += g.registered;
    total.handled += g.handled;
    total.closed += g.closed;
    total.rated += g.rated;
    total.satisfied += g.satisfied;
  }
  return total;
}

/** Counts plus their rates, each numerator over the denominator its definition names. */
export function toFigureRow(counts: FigureCounts, label: string): FigureRow {
  return {
    key: counts.key,
    label,
    reports: counts.reports,
    delivered: counts.delivered,
    responded: counts.responded,
    registered: counts.registered,
    handled: counts.handled,
    closed: counts.closed,
    rated: counts.rated,
    satisfied: counts.satisfied,
    responseRate: ratePercent(counts.responded, counts.delivered),
    handledRate: ratePercent(counts.handled, counts.registered),
    closedRate: ratePercent(counts.closed, counts.registered),
    satisfactionRate: ratePercent(counts.satisfied, counts.rated),
  };
}

/** The label people read for a group key. */
export function groupLabel(groupBy: FigureDimension, key: string): string {
  switch (groupBy) {
    case 'street':
      return key === '' ? '未标注街道' : key;
    case 'category':
      return findCategory(key)?.name ?? key;
    case 'department':
      return key === '' ? '未派遣' : key;
    case 'month': {
      const [y, m] = key.split('-');
      return `${y}年${Number(m)}月`;
    }
  }
}

/** Months in calendar order; the other dimensions largest first, then by label. */
function sortRows(groupBy: FigureDimension, rows: FigureRow[]): FigureRow[] {
  if (groupBy === 'month') return rows.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return rows.sort((a, b) => b.reports - a.reports || a.label.localeCompare(b.label, 'zh-Hans-CN') || (a.key < b.key ? -1 : 1));
}

export interface StaffFiguresQuery {
  /** Shanghai calendar days, both included. */
  from: string;
  to: string;
  groupBy: FigureDimension | null;
  street?: string;
  category?: string;
  department?: string;
}

/** The staff figures for reports submitted between two Shanghai days (both included), optionally grouped. */
export async function staffFigures(deps: FigureDeps, query: StaffFiguresQuery): Promise<FiguresDto> {
  const groups = await figuresRepository(deps.db).counts(
    {
      start: shanghaiDayStart(query.from),
      end: new Date(shanghaiDayStart(query.to).getTime() + DAY_MS),
      street: query.street,
      category: query.category,
      department: query.department,
    },
    query.groupBy,
  );
  const groupBy = query.groupBy;
  // Every report falls in exactly one group, so the total is the sum of the groups.
  const total = toFigureRow(sumCounts('', groups), '合计');
  const rows = groupBy
    ? sortRows(
        groupBy,
        groups.map((g) => toFigureRow(g, groupLabel(groupBy, g.key))),
      )
    : [];
  return { from: query.from, to: query.to, groupBy, total, rows, definitions: FIGURE_DEFINITION_TEXT };
}

/**
 * Folds groups with fewer than `minGroupSize` reports into one 其他 row (key '', rates recomputed
 * from the summed counts). `alwaysFold` keys (the unlabelled street, whose key is also '') join 其他
 * whatever their size, so the answer never carries two rows with the same key.
 */
export function foldSmallGroups(groupBy: FigureDimension, groups: FigureCounts[], minGroupSize: number, alwaysFold: string[] = []): FigureRow[] {
  const kept = groups.filter((g) => g.reports >= minGroupSize && !alwaysFold.includes(g.key));
  const folded = groups.filter((g) => !kept.includes(g));
  const rows = sortRows(
    groupBy,
    kept.map((g) => toFigureRow(g, groupLabel(groupBy, g.key))),
  );
  if (folded.length > 0) rows.push(toFigureRow(sumCounts('', folded), '其他'));
  return rows;
}

/**
 * The public 城市管理成绩单 for one Shanghai month: the total, by category and by street, with
 * small groups folded into 其他. Aggregates only: no report, person or free text is in the answer.
 */
export async function publicScorecard(deps: FigureDeps, month: string): Promise<ScorecardDto> {
  const { category: byCategory, street: byStreet } = await figuresRepository(deps.db).countsByEach(shanghaiMonthRange(month), ['category', 'street']);
  return {
    month,
    total: toFigureRow(sumCounts('', byCategory), '合计'),
    byCategory: foldSmallGroups('category', byCategory, SCORECARD_MIN_GROUP_SIZE),
    byStreet: foldSmallGroups('street', byStreet, SCORECARD_MIN_GROUP_SIZE, ['']),
    definitions: FIGURE_DEFINITION_TEXT,
    minGroupSize: SCORECARD_MIN_GROUP_SIZE,
  };
}

/** How long one process reuses a computed scorecard (the HTTP answer may be cached 5 minutes more). */
export const SCORECARD_CACHE_MS = 60_000;
const SCORECARD_CACHE_MONTHS = 48;

/**
 * The public scorecard, memoised per month for `ttlMs`: it is anonymous and costs a pass over a month
 * of reports, so a burst of requests (or a hostile client) must not turn into a burst of such passes.
 * Concurrent requests for the same month share one computation; a failed one is not kept.
 */
export function cachedScorecard(deps: FigureDeps & { now: () => Date }, ttlMs = SCORECARD_CACHE_MS): (month: string) => Promise<ScorecardDto> {
  const cache = new Map<string, { expiresAt: number; value: Promise<ScorecardDto> }>();
  return (month) => {
    const now = deps.now().getTime();
    const hit = cache.get(month);
    if (hit && hit.expiresAt > now) return hit.value;
    if (cache.size >= SCORECARD_CACHE_MONTHS) {
      for (const [key, entry] of cache) if (entry.expiresAt <= now) cache.delete(key);
      if (cache.size >= SCORECARD_CACHE_MONTHS) cache.clear();
    }
    const value = publicScorecard(deps, month);
    cache.set(month, { expiresAt: now + ttlMs, value });
    value.catch(() => {
      if (cache.get(month)?.value === value) cache.delete(month);
    });
    return value;
  };
}

export const FIGURES_CSV_HEADER = ['分组', '案件数', '已送达', '按时响应', '已立案', '已处置', '已结案', '已评价', '满意', '响应率', '处置率', '结案率', '满意率'];

const rateCell = (rate: number | null) => (rate === null ? '' : rate.toFixed(1));

/** The figures as CSV for Excel: UTF-8 with a BOM, CRLF line ends, the groups then a 合计 row. */
export function figuresCsv(dto: FiguresDto): string {
  const line = (row: FigureRow, label: string) =>
    [
      csvCell(label),
      ...[row.reports, row.delivered, row.responded, row.registered, row.handled, row.closed, row.rated, row.satisfied].map(csvCell),
      ...[row.responseRate, row.handledRate, row.closedRate, row.satisfactionRate].map(rateCell),
    ].join(',');
  const lines = [FIGURES_CSV_HEADER.map(csvCell).join(','), ...dto.rows.map((row) => line(row, row.label)), line(dto.total, '合计')];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
