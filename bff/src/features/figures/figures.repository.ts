import { sql, type SQL } from 'drizzle-orm';
import { FIGURE_DEFINITIONS, SHANGHAI_OFFSET_MS, shanghaiDay, type FigureCounts, type FigureDimension } from '@cityloop/shared';
import { inTransaction, queryRows, type Database } from '../../db/client';
import { int } from '../../db/rows';

/** The levels 满意率 counts as satisfied (非常满意, 满意, 基本满意); see `isSatisfiedRating`. */
const SATISFIED_LEVELS = ['very_satisfied', 'satisfied', 'basically_satisfied'] as const;

/** Which reports count: submitted in [start, end), matching every filter given. */
export interface FigureFilter {
  start: Date;
  end: Date;
  street?: string;
  category?: string;
  department?: string;
}

export type { FigureCounts };

const COUNT_FIELDS = ['reports', 'delivered', 'responded', 'registered', 'handled', 'closed', 'rated', 'satisfied'] as const;

/** Where a query reads its rows: `r` the reports (the definition), `d` the rollup rows. */
type Source = 'r' | 'd';

/**
 * The group key per dimension: fixed SQL text from a closed set, never built from input, and free of
 * bind parameters so that GROUPING() recognises it. Empty street and missing department both become
 * ''. Both sources answer the same keys; only the month is read differently (a report's Shanghai
 * time, a rollup row's Shanghai day).
 */
function groupKey(dimension: FigureDimension, t: Source): SQL {
  const c = (column: string) => sql.raw(`${t}.${column}`);
  switch (dimension) {
    case 'street':
      return sql`coalesce(${c('street')}, '')`;
    case 'category':
      return c('category');
    case 'department':
      return sql`coalesce(${c('department')}, '')`;
    case 'month':
      return t === 'r' ? sql`to_char(r.created_at at time zone 'Asia/Shanghai', 'YYYY-MM')` : sql`to_char(d.day, 'YYYY-MM')`;
  }
}

/** The filters on the key columns that the figures take (street, category, department). */
function keyFilters(filter: Omit<FigureFilter, 'start' | 'end'>, t: Source): SQL[] {
  const where: SQL[] = [];
  if (filter.street !== undefined) where.push(sql`${sql.raw(`${t}.street`)} = ${filter.street}`);
  if (filter.category !== undefined) where.push(sql`${sql.raw(`${t}.category`)} = ${filter.category}`);
  if (filter.department !== undefined) where.push(sql`${sql.raw(`${t}.department`)} = ${filter.department}`);
  return where;
}

/**
 * The key columns and GROUP BY for these dimensions. With none: one total row (an aggregate without
 * GROUP BY). With one: a row per group. With several: one GROUPING SETS pass answers each of them
 * (column g<i> is 0 on the rows of dimension i, whose key is in k<i>). `having` applies to groups.
 */
function grouping(dimensions: FigureDimension[], t: Source, having?: SQL): { columns: SQL; groupBy: SQL } {
  const keys = dimensions.map((d) => groupKey(d, t));
  if (keys.length === 0) return { columns: sql`'' as k0, 0 as g0`, groupBy: sql`` };
  const columns = sql.join(
    keys.map((k, i) => sql`${k} as ${sql.raw(`k${i}`)}, grouping(${k}) as ${sql.raw(`g${i}`)}`),
    sql`, `,
  );
  const sets =
    keys.length === 1
      ? keys[0]
      : sql`grouping sets (${sql.join(
          keys.map((k) => sql`(${k})`),
          sql`, `,
        )})`;
  return { columns, groupBy: having ? sql`group by ${sets} having ${having}` : sql`group by ${sets}` };
}

/**
 * The figures' definition, read straight off the reports: one pass over the reports submitted in the period (a range scan of
 * `reports_created_idx`), each joined to its latest rating round through `report_ratings_round_idx`
 * (report_id, round): the LATERAL subquery reads one index entry backwards per report, so the cost
 * follows the period's size, not the rating history's. A latest rating excluded by an upheld appeal
 * leaves the report unrated, even when an earlier round was not excluded. Rows and keys: `grouping`.
 */
export function figureCountsSql(filter: FigureFilter, dimensions: FigureDimension[]): SQL {
  const where: SQL[] = [sql`r.created_at >= ${filter.start.toISOString()}::timestamptz`, sql`r.created_at < ${filter.end.toISOString()}::timestamptz`, ...keyFilters(filter, 'r')];
  const { columns: keyColumns, groupBy } = grouping(dimensions, 'r');
  const registered = sql`r.registered_at is not null`;
  const rated = sql`lr.level is not null and lr.excluded_at is null`;
  const satisfiedLevels = sql.join(
    SATISFIED_LEVELS.map((level) => sql.raw(`'${level}'`)),
    sql`, `,
  );
  return sql`select ${keyColumns},
      count(*)::int as reports,
      count(*) filter (where r.case_id is not null)::int as delivered,
      count(*) filter (where r.case_id is not null and r.responded_at is not null
        and r.responded_at - r.created_at <= ${sql.raw(`interval '${FIGURE_DEFINITIONS.responseHours} hours'`)})::int as responded,
      count(*) filter (where ${registered})::int as registered,
      count(*) filter (where ${registered} and (r.handled_at is not null or r.status = 'closed'))::int as handled,
      count(*) filter (where ${registered} and r.status = 'closed')::int as closed,
      count(*) filter (where ${rated})::int as rated,
      count(*) filter (where ${rated} and lr.level in (${satisfiedLevels}))::int as satisfied
    from reports r
    left join lateral (
      select rr.level, rr.excluded_at
      from report_ratings rr
      where rr.report_id = r.id
      order by rr.round desc
      limit 1
    ) lr on true
    where ${sql.join(where, sql` and `)}
    ${groupBy}`;
}

const DAY_MS = 86_400_000;

/** The Shanghai days [from, to) a period covers, or null when it does not start and end at Shanghai midnight. */
export function shanghaiDays(filter: FigureFilter): { from: string; to: string } | null {
  const aligned = (d: Date) => (d.getTime() + SHANGHAI_OFFSET_MS) % DAY_MS === 0;
  if (!aligned(filter.start) || !aligned(filter.end)) return null;
  return { from: shanghaiDay(filter.start), to: shanghaiDay(filter.end) };
}

/** The first day of the month of a YYYY-MM-DD day, and of the month after it. */
const monthOf = (day: string) => `${day.slice(0, 7)}-01`;
const nextMonth = (day: string) => {
  const [y, m] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m, 1)).toISOString().slice(0, 10);
};

const ROLLUP_COLUMNS = sql.raw(`street, category, department, ${COUNT_FIELDS.join(', ')}`);

/**
 * The same counts as `figureCountsSql`, summed from the rollups the triggers of migration 0011 keep:
 * the period's whole months from `report_figures_monthly`, the days before and after them from
 * `report_figures_daily` (a range scan of each key), plus the changes not folded in yet
 * (`report_figures_delta`, a few hundred rows), so a year reads 12 months and at most ~60 days of rows
 * whatever the number of reports. Groups whose reports all moved away leave rows of zeros behind,
 * hence the HAVING: a group is there when it has reports, as in the definition.
 */
export function figureRollupSql(days: { from: string; to: string }, filter: Omit<FigureFilter, 'start' | 'end'>, dimensions: FigureDimension[]): SQL {
  const firstMonth = days.from === monthOf(days.from) ? days.from : nextMonth(days.from);
  const endMonth = monthOf(days.to);
  const folded =
    firstMonth < endMonth
      ? sql`select month as day, ${ROLLUP_COLUMNS} from report_figures_monthly where month >= ${firstMonth}::date and month < ${endMonth}::date
          union all
          select day, ${ROLLUP_COLUMNS} from report_figures_daily
          where (day >= ${days.from}::date and day < ${firstMonth}::date) or (day >= ${endMonth}::date and day < ${days.to}::date)`
      : sql`select day, ${ROLLUP_COLUMNS} from report_figures_daily where day >= ${days.from}::date and day < ${days.to}::date`;
  // One statement, one snapshot: a fold moves rows from the delta table into the rollups atomically.
  const rows = sql`${folded}
    union all
    select day, ${ROLLUP_COLUMNS} from report_figures_delta where day >= ${days.from}::date and day < ${days.to}::date`;
  const where = keyFilters(filter, 'd');
  const { columns: keyColumns, groupBy } = grouping(dimensions, 'd', sql`sum(d.reports) > 0`);
  const total = (column: string) => sql.raw(`coalesce(sum(d.${column}), 0)::int as ${column}`);
  return sql`select ${keyColumns}, ${sql.join(COUNT_FIELDS.map(total), sql`, `)}
    from (${rows}) d
    ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
    ${groupBy}`;
}

/** The rollup query for a period of whole Shanghai days (every period the product asks for), else the definition's. */
export function figuresSql(filter: FigureFilter, dimensions: FigureDimension[]): SQL {
  const days = shanghaiDays(filter);
  return days ? figureRollupSql(days, filter, dimensions) : figureCountsSql(filter, dimensions);
}

/** Figure rows' columns depend on the grouping asked for; countsOf checks each count as it reads it. */
type Row = Record<string, unknown>;
const asGrouped = (row: Row): Row => row;

const countsOf = (row: Row, key: string): FigureCounts => {
  const counts = { key } as FigureCounts;
  for (const field of COUNT_FIELDS) counts[field] = int(row[field], field);
  return counts;
};

export function figuresRepository(db: Database) {
  /**
   * Whole days read the rollups, in one statement. Any other period reads the definition with JIT
   * compilation off: the planner prices its per-report index probes high enough to trigger JIT, whose
   * compile time (~140 ms measured on PostgreSQL 15) exceeds anything it saves. SET LOCAL keeps the
   * setting to that transaction.
   */
  const run = (filter: FigureFilter, dimensions: FigureDimension[]) => {
    const days = shanghaiDays(filter);
    if (days) return queryRows(db, figureRollupSql(days, filter, dimensions), asGrouped);
    return inTransaction(db, async (tx) => {
      await tx.execute(sql`set local jit = off`);
      return queryRows(tx, figureCountsSql(filter, dimensions), asGrouped);
    });
  };

  return {
    /** Counts for the filter, one row per group of `groupBy`, or the one total row without it. */
    async counts(filter: FigureFilter, groupBy: FigureDimension | null): Promise<FigureCounts[]> {
      const rows = await run(filter, groupBy ? [groupBy] : []);
      return rows.map((row) => countsOf(row, String(row.k0 ?? '')));
    },
    /** Counts grouped by each of several dimensions, in one pass over the reports. */
    async countsByEach<D extends FigureDimension>(filter: FigureFilter, dimensions: D[]): Promise<Record<D, FigureCounts[]>> {
      const rows = await run(filter, dimensions);
      const result = Object.fromEntries(dimensions.map((d) => [d, [] as FigureCounts[]])) as Record<D, FigureCounts[]>;
      for (const row of rows) {
        const i = dimensions.findIndex((_, j) => Number(row[`g${j}`]) === 0);
        if (i >= 0) result[dimensions[i]].push(countsOf(row, String(row[`k${i}`] ?? '')));
      }
      return result;
    },
  };
}
